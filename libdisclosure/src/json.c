/* The page object of RULES.md "Output", through jansson. */
#include <jansson.h>
#include <stdlib.h>

#include "result.h"

/* Every string reaching here is UTF-8 from libxml2 or our own messages; a
 * string jansson still refuses becomes U+FFFD rather than a missing key. */
static json_t *str_or_null(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    return j ? j : json_string("\xEF\xBF\xBD");
}

char *dsc_result_json(const dsc_result *r, int flags)
{
    json_t *page = json_object();
    json_object_set_new(page, "path", str_or_null(r->path));
    json_object_set_new(page, "url", str_or_null(r->url));
    json_object_set_new(page, "kind", json_string(dsc_kind_name(r->kind)));
    /* the page's own column (栏目), for reports by column: stored in the
     * registry, never in the RULES.md output (flag DSC_JSON_EXTRAS) */
    const char *column = (flags & DSC_JSON_EXTRAS) ? dsc_meta_get(r, "ColumnName") : NULL;
    if (column && *column)
        json_object_set_new(page, "column", str_or_null(column));
    json_t *rec = json_object();
    for (int f = 0; f < DSC_F__COUNT; f++) {
        if (r->list[f].n) {
            json_t *arr = json_array();
            for (size_t i = 0; i < r->list[f].n; i++)
                json_array_append_new(arr, str_or_null(r->list[f].items[i]));
            json_object_set_new(rec, dsc_field_name((dsc_field)f), arr);
        } else if (r->field[f].value) {
            json_object_set_new(rec, dsc_field_name((dsc_field)f), str_or_null(r->field[f].value));
        }
    }
    json_object_set_new(page, "record", rec);
    json_t *fs = json_array();
    for (size_t i = 0; i < r->nfindings; i++) {
        const dsc_finding *f = &r->findings[i];
        json_t *o = json_object();
        json_object_set_new(o, "rule", str_or_null(f->rule));
        json_object_set_new(o, "severity", json_string(dsc_severity_name(f->severity)));
        json_object_set_new(o, "field", str_or_null(f->field));
        json_object_set_new(o, "message", str_or_null(f->message));
        json_object_set_new(o, "message_en", str_or_null(f->message_en));
        json_object_set_new(o, "evidence", str_or_null(f->evidence));
        json_object_set_new(o, "line", f->line > 0 ? json_integer(f->line) : json_null());
        json_array_append_new(fs, o);
    }
    json_object_set_new(page, "findings", fs);
    char *s = json_dumps(page, JSON_PRESERVE_ORDER | ((flags & DSC_JSON_INDENT) ? JSON_INDENT(2) : JSON_COMPACT));
    json_decref(page);
    return s;
}
