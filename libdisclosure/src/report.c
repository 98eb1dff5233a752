/* Reports: the public entry points (a stored scan, a file of page objects,
 * the list of scans, one page's record) and the JSON and CSV writers. HTML
 * is report_html.c and report_svg.c; the SQL is registry_report.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "policy.h"
#include "registry.h"
#include "report.h"

/* How many scans the trend shows, ending with the one reported. */
#define TREND_SCANS 30

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* ---- JSON: RULES.md "Output", one object ---- */

typedef struct {
    FILE *out;
    size_t pages, errors, warnings;
} json_ctx;

static int json_page(void *baton, json_t *page)
{
    json_ctx *c = baton;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(page, "findings"), i, f) {
        const char *sev = str(f, "severity");
        if (sev && strcmp(sev, "error") == 0)
            c->errors++;
        else
            c->warnings++;
    }
    /* RULES.md's page object: the stored "column" stays out */
    json_t *copy = json_copy(page);
    json_object_del(copy, "column");
    char *s = json_dumps(copy, JSON_PRESERVE_ORDER | JSON_INDENT(2));
    json_decref(copy);
    if (!s)
        return -1;
    fputs(c->pages++ ? ",\n" : "\n", c->out);
    fputs(s, c->out);
    free(s);
    return 0;
}

/* The scan member without the counts the trend adds (RULES.md lists its keys). */
static json_t *scan_member(json_t *scan)
{
    json_t *m = json_copy(scan);
    json_object_del(m, "errors");
    json_object_del(m, "warnings");
    return m;
}

int dsc_report_json(const dsc_report_src *s, FILE *out)
{
    json_ctx c = {out, 0, 0, 0};
    fputs("{\"version\": 1, \"pages\": [", out);
    if (s->each(s->src, json_page, &c) < 0)
        return -1;
    json_t *sum = json_pack("{s:I,s:I,s:I}", "pages", (json_int_t)c.pages, "errors", (json_int_t)c.errors,
                            "warnings", (json_int_t)c.warnings);
    json_t *scan = s->scan ? scan_member(s->scan) : NULL;
    char *ss = json_dumps(sum, JSON_PRESERVE_ORDER | JSON_INDENT(2));
    char *sc = scan ? json_dumps(scan, JSON_PRESERVE_ORDER | JSON_INDENT(2)) : NULL;
    fprintf(out, "\n],\n\"summary\": %s", ss ? ss : "{}");
    if (sc)
        fprintf(out, ",\n\"scan\": %s", sc);
    fputs("}\n", out);
    free(ss);
    free(sc);
    json_decref(sum);
    json_decref(scan);
    return ferror(out) ? -1 : 0;
}

/* ---- CSV (UTF-8 with BOM, for Excel; RFC 4180 quoting) ---- */

static void csv_cell(FILE *out, const char *s, int last)
{
    s = s ? s : "";
    /* a leading = + - @ would make a spreadsheet evaluate page text */
    int formula = *s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r';
    fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
    fputs(last ? "\r\n" : ",", out);
}

static int csv_page(void *baton, json_t *page)
{
    FILE *out = baton;
    json_t *rec = json_object_get(page, "record");
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(page, "findings"), i, f) {
        csv_cell(out, str(page, "url"), 0);
        csv_cell(out, str(page, "kind"), 0);
        csv_cell(out, str(f, "rule"), 0);
        csv_cell(out, str(f, "severity"), 0);
        csv_cell(out, str(f, "field"), 0);
        csv_cell(out, str(f, "evidence"), 0);
        csv_cell(out, str(f, "message"), 0);
        csv_cell(out, str(rec, "issuer"), 0);
        csv_cell(out, str(rec, "title"), 1);
    }
    return 0;
}

int dsc_report_csv(const dsc_report_src *s, FILE *out)
{
    fputs("\xEF\xBB\xBFurl,kind,rule,severity,field,evidence,message,issuer,title\r\n", out);
    return s->each(s->src, csv_page, out) < 0 || ferror(out) ? -1 : 0;
}

/* ---- formats ---- */

typedef int writer_fn(const dsc_report_src *s, FILE *out);

static writer_fn *writer(const char *format, dsc_error *err)
{
    writer_fn *w = !format                         ? NULL
                   : strcmp(format, "html") == 0 ? dsc_report_html
                   : strcmp(format, "json") == 0 ? dsc_report_json
                   : strcmp(format, "csv") == 0  ? dsc_report_csv
                                                  : NULL;
    if (!w) {
        dsc_set_error(err, DSC_ERR_ARG, NULL, 0, "report: the format must be html, json or csv, not \"%s\"",
                      format ? format : "(none)");
        if (err)
            snprintf(err->message_zh, sizeof err->message_zh, "报告格式必须是html、json或csv");
    }
    return w;
}

static dsc_status write_failed(dsc_error *err)
{
    dsc_set_error(err, DSC_ERR_IO, NULL, 0, "report: cannot write the report");
    if (err)
        snprintf(err->message_zh, sizeof err->message_zh, "无法写出报告");
    return DSC_ERR_IO;
}

/* ---- from the registry ---- */

typedef struct {
    dsc_registry *reg;
    long long id;
} reg_src;

static int reg_each(void *src, dsc_page_fn *fn, void *baton)
{
    reg_src *r = src;
    return dsc_reg_scan_pages(r->reg, r->id, fn, baton);
}

/* The scans up to the reported one, the last TREND_SCANS of them. */
static json_t *trend_until(json_t *all, long long id)
{
    json_t *t = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(all, i, s)
        if (json_integer_value(json_object_get(s, "id")) <= id)
            json_array_append(t, s);
    while (json_array_size(t) > TREND_SCANS)
        json_array_remove(t, 0);
    return t;
}

dsc_status dsc_report_write(dsc_registry *reg, long long scan_id, const char *format, FILE *out,
                            dsc_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    writer_fn *w = writer(format, err);
    if (!w)
        return DSC_ERR_ARG;
    if (!reg || !out || scan_id < 0) {
        dsc_set_error(err, DSC_ERR_ARG, NULL, 0, "report: bad argument");
        return DSC_ERR_ARG;
    }
    json_t *scan = NULL;
    int found = dsc_reg_scan_get(reg, scan_id, &scan);
    if (found < 0)
        return dsc_reg_error(reg, err, "reading a scan");
    if (!found && scan_id > 0) {
        dsc_set_error(err, DSC_ERR_ARG, dsc_reg_path(reg), 0, "report: the registry holds no scan %lld", scan_id);
        if (err)
            snprintf(err->message_zh, sizeof err->message_zh, "登记库中没有编号为%lld的扫描", scan_id);
        return DSC_ERR_ARG;
    }
    /* no scan stored (a registry filled by import or by the module): every
     * held document as it was recorded */
    long long id = scan ? (long long)json_integer_value(json_object_get(scan, "id")) : 0;
    reg_src src = {reg, id};
    dsc_report_src s = {reg_each, &src, scan, NULL, 0};
    if (w == dsc_report_html) {
        json_t *all = dsc_reg_scan_list(reg);
        s.trend = all ? trend_until(all, id) : NULL;
        json_decref(all);
    }
    int rc = w(&s, out);
    json_decref(scan);
    json_decref(s.trend);
    if (rc < 0)
        return ferror(out) ? write_failed(err) : dsc_reg_error(reg, err, "reading the pages of a scan");
    return DSC_OK;
}

char *dsc_report_render(dsc_registry *reg, long long scan_id, const char *format, dsc_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out) {
        dsc_set_error(err, DSC_ERR_NOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    dsc_status st = dsc_report_write(reg, scan_id, format, out, err);
    if (fclose(out) != 0 && st == DSC_OK)
        st = write_failed(err);
    if (st != DSC_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

char *dsc_report_scans_json(dsc_registry *reg)
{
    json_t *all = reg ? dsc_reg_scan_list(reg) : NULL;
    if (!all)
        return NULL;
    json_t *doc = json_pack("{s:i,s:o}", "version", 1, "scans", all);
    char *s = doc ? json_dumps(doc, JSON_PRESERVE_ORDER | JSON_INDENT(2)) : NULL;
    json_decref(doc);
    return s;
}

static json_t *str_or_null(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null();
}

/* What serving would show about the page: the status other documents gave
 * it and the interpretations that name it. */
static json_t *status_json(dsc_registry *reg, const char *url)
{
    dsc_page_status *st = NULL;
    dsc_error err;
    if (dsc_registry_page_status(reg, url, &st, &err) != DSC_OK || !st)
        return json_null();
    json_t *interp = json_array();
    for (size_t i = 0; i < st->ninterpretations; i++)
        json_array_append_new(interp, json_pack("{s:o,s:o}", "url", str_or_null(st->interpretation_urls[i]),
                                                "title", str_or_null(st->interpretation_titles[i])));
    json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "status", str_or_null(st->status), "status_by",
                          str_or_null(st->status_by), "status_by_title", str_or_null(st->status_by_title),
                          "status_by_number", str_or_null(st->status_by_number), "status_by_date",
                          str_or_null(st->status_by_date), "interpretations", interp);
    dsc_page_status_free(st);
    return o ? o : json_null();
}

char *dsc_report_page_json(dsc_registry *reg, const char *url, int *held, dsc_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    if (held)
        *held = 0;
    if (!reg || !url || !*url) {
        dsc_set_error(err, DSC_ERR_ARG, NULL, 0, "report: a page needs a URL");
        return NULL;
    }
    json_t *doc = NULL;
    int found = dsc_reg_page_get(reg, url, &doc);
    if (found < 0) {
        dsc_reg_error(reg, err, "reading a page");
        return NULL;
    }
    json_t *o = json_pack("{s:s,s:b}", "url", url, "held", found);
    if (!o) {
        json_decref(doc);
        dsc_set_error(err, DSC_ERR_ARG, NULL, 0, "report: the URL is not valid UTF-8");
        return NULL;
    }
    if (found) {
        json_object_set_new(o, "document", doc);
        json_object_set_new(o, "registry_status", status_json(reg, url));
    }
    if (held)
        *held = found;
    char *s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_INDENT(2));
    json_decref(o);
    if (!s)
        dsc_set_error(err, DSC_ERR_NOMEM, NULL, 0, "out of memory");
    return s;
}

/* ---- from a file of page objects (a scan that is writing its reports) ---- */

static int file_each(void *src, dsc_page_fn *fn, void *baton)
{
    FILE *in = fopen(src, "r");
    if (!in)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, in) > 0) {
        json_t *p = json_loads(line, 0, NULL);
        if (p)
            rc = fn(baton, p);
        json_decref(p);
    }
    free(line);
    fclose(in);
    return rc;
}

dsc_status dsc_report_write_pages(const char *pages_file, const char *scan_json, int have_baseline,
                                  const char *format, FILE *out, dsc_error *err)
{
    return dsc_report_write_pages_trend(pages_file, scan_json, NULL, have_baseline, format, out, err);
}

dsc_status dsc_report_write_pages_trend(const char *pages_file, const char *scan_json, const char *scans_json,
                                        int have_baseline, const char *format, FILE *out, dsc_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    writer_fn *w = writer(format, err);
    if (!w)
        return DSC_ERR_ARG;
    if (!pages_file || !out) {
        dsc_set_error(err, DSC_ERR_ARG, NULL, 0, "report: bad argument");
        return DSC_ERR_ARG;
    }
    json_t *scan = scan_json ? json_loads(scan_json, 0, NULL) : NULL;
    dsc_report_src s = {file_each, (void *)pages_file, json_is_object(scan) ? scan : NULL, NULL, have_baseline};
    if (w == dsc_report_html && scans_json && s.scan) {
        json_t *all = json_loads(scans_json, 0, NULL);
        if (json_is_array(all))
            s.trend = trend_until(all, (long long)json_integer_value(json_object_get(s.scan, "id")));
        json_decref(all);
    }
    int rc = w(&s, out);
    json_decref(scan);
    json_decref(s.trend);
    if (rc < 0) {
        if (ferror(out))
            return write_failed(err);
        dsc_set_error(err, DSC_ERR_IO, pages_file, 0, "report: cannot read %s: %s", pages_file, strerror(errno));
        return DSC_ERR_IO;
    }
    return DSC_OK;
}
