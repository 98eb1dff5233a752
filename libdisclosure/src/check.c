/* dsc_check: bytes → decode → parse → extract → record → rules → findings. */
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/xpathInternals.h>

#include "decode.h"
#include "result.h"
#include "rules.h"
#include "text.h"

static void fill_from_meta(dsc_result *r)
{
    const dsc_policy *p = r->policy;
    for (int f = 0; f < DSC_NFIELDS; f++) {
        if (r->field[f].value)
            continue;
        for (size_t i = 0; i < p->meta[f].n; i++) {
            for (size_t m = 0; m < r->nmetas; m++) {
                if (!dsc_streq_ci(r->metas[m].name, p->meta[f].items[i]) || !r->metas[m].content)
                    continue;
                dsc_record_set(r, f, r->metas[m].content, r->metas[m].line);
                break;
            }
            if (r->field[f].value)
                break;
        }
    }
    if (!r->field[DSC_F_TITLE].value && r->html_title)
        dsc_record_set(r, DSC_F_TITLE, r->html_title, 0);
    /* the body note 此件公开发布 is an attribute label too */
    if (!r->field[DSC_F_ATTRIBUTE].value && r->nattrs > 0) {
        r->field[DSC_F_ATTRIBUTE].value = r->attrs[0].value;
        r->field[DSC_F_ATTRIBUTE].raw = r->attrs[0].raw;
        r->field[DSC_F_ATTRIBUTE].line = r->attrs[0].line;
        r->field[DSC_F_ATTRIBUTE].ok = 1;
    }
}

/* A portal's own template: an XPath result wins over labels. */
static void apply_xpaths(dsc_result *r, htmlDocPtr doc)
{
    const dsc_policy *p = r->policy;
    xmlXPathContextPtr ctx = NULL;
    for (int f = 0; f < DSC_NFIELDS; f++) {
        for (size_t i = 0; i < p->nxpaths[f]; i++) {
            if (!ctx && !(ctx = xmlXPathNewContext(doc)))
                return;
            xmlXPathObjectPtr res = xmlXPathCompiledEval(p->xpaths[f][i].expr, ctx);
            if (!res)
                continue;
            long line = 0;
            if (res->type == XPATH_NODESET && res->nodesetval && res->nodesetval->nodeNr > 0)
                line = xmlGetLineNo(res->nodesetval->nodeTab[0]);
            xmlChar *s = xmlXPathCastToString(res);
            char *v = s ? dsc_norm_value(r->arena, (const char *)s, strlen((const char *)s)) : NULL;
            xmlFree(s);
            xmlXPathFreeObject(res);
            if (!v)
                continue;
            if (f == DSC_F_INTERPRETATIONS || f == DSC_F_INTERPRETS || f >= DSC_F_REPEALS) {
                if (f < DSC_F__COUNT)
                    dsc_record_add(r, f, v, line);
            } else {
                if (f == DSC_F_ATTRIBUTE)
                    r->nattrs = 0; /* the template's own field is the attribute */
                memset(&r->field[f], 0, sizeof r->field[f]);
                dsc_record_set(r, f, v, line);
            }
            break;
        }
    }
    if (ctx)
        xmlXPathFreeContext(ctx);
}

/* The page's own number is not a document it repeals or amends. */
static void drop_own_number(dsc_result *r)
{
    const char *own = r->field[DSC_F_DOC_NUMBER].value;
    if (!own)
        return;
    static const int lists[] = {DSC_F_REPEALS, DSC_F_AMENDS, DSC_F_REPEALED_BY, DSC_F_AMENDED_BY};
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++) {
        dsc_list *l = &r->list[lists[k]];
        size_t o = 0;
        for (size_t i = 0; i < l->n; i++)
            if (strcmp(l->items[i], own) != 0) {
                l->items[o] = l->items[i];
                l->lines[o++] = l->lines[i];
            }
        l->n = o;
    }
}

static const char *url_path(const char *url)
{
    const char *p = strstr(url, "://");
    if (!p)
        return url;
    p = strchr(p + 3, '/');
    return p ? p : "/";
}

static dsc_kind decide_kind(dsc_result *r, htmlDocPtr doc)
{
    const dsc_policy *p = r->policy;
    const char *where = r->url ? url_path(r->url) : r->path;
    for (size_t i = 0; i < p->nkinds; i++) {
        const dsc_kind_rule *k = &p->kinds[i];
        int hit = 1;
        if (k->url_prefix)
            hit = where && strncmp(where, k->url_prefix, strlen(k->url_prefix)) == 0;
        if (hit && k->xpath) {
            xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
            xmlXPathObjectPtr res = ctx ? xmlXPathCompiledEval(k->xpath, ctx) : NULL;
            hit = res && xmlXPathCastToBoolean(res);
            xmlXPathFreeObject(res);
            xmlXPathFreeContext(ctx);
        }
        if (hit)
            return k->kind;
    }
    const char *ct = dsc_meta_get(r, "ColumnType");
    const char *dt = r->field[DSC_F_DOC_TYPE].value;
    const char *title = r->field[DSC_F_TITLE].value;
    int table = r->nlabelled >= p->table_fields;
    if ((ct && strcmp(dsc_norm_vocab(r->arena, ct), "政策解读") == 0) || (dt && strcmp(dt, "政策解读") == 0))
        return DSC_KIND_INTERPRETATION;
    if (title && !table) {
        const char *t = dsc_norm_vocab(r->arena, title);
        if (dsc_str_ends_with(t, "解读") || dsc_str_ends_with(t, "解读》") ||
            strncmp(t, "图解", strlen("图解")) == 0 || strncmp(t, "一图读懂", strlen("一图读懂")) == 0)
            return DSC_KIND_INTERPRETATION;
    }
    if (r->field[DSC_F_DOC_NUMBER].value || table ||
        (ct && strcmp(dsc_norm_vocab(r->arena, ct), "政策文件") == 0))
        return DSC_KIND_POLICY;
    return DSC_KIND_OTHER;
}

static dsc_status check_bytes(const dsc_policy *policy, const dsc_input *in, unsigned flags,
                              dsc_result **out, dsc_error *err);

dsc_status dsc_check(const dsc_policy *policy, const dsc_input *in, dsc_result **out,
                     dsc_error *err)
{
    return check_bytes(policy, in, 0, out, err);
}

/* Serving cannot refuse to judge: undecodable bytes read as U+FFFD, a page
 * past the size limit is judged on its first max-page-bytes, and a page
 * whose bytes say another charset than its declaration (GBK under "utf-8",
 * UTF-8 under AddDefaultCharset ISO-8859-1) is read both ways, the strictest
 * reading winning: whoever switches the browser's encoding reads it. */
static void keep_stricter(dsc_result **best, int *best_w, dsc_result *r)
{
    int w = dsc_result_withheld(r);
    if (w > *best_w) {
        dsc_result_free(*best);
        *best = r;
        *best_w = w;
    } else {
        dsc_result_free(r);
    }
}

dsc_status dsc_check_lenient(const dsc_policy *policy, const dsc_input *in, dsc_result **out,
                             dsc_error *err)
{
    *out = NULL;
    if (!policy || !in || (!in->data && in->len)) {
        dsc_set_error(err, DSC_ERR_ARG, NULL, 0, "bad argument");
        return DSC_ERR_ARG;
    }
    dsc_input one = *in;
    if (one.len > policy->max_bytes)
        one.len = policy->max_bytes;
    dsc_result *best = NULL, *r = NULL;
    int best_w = -1;
    dsc_status st = check_bytes(policy, &one, DSC_DECODE_LENIENT, &r, err);
    if (st == DSC_ERR_CHARSET && one.charset) {
        /* an unknown declared name: the page's own BOM or <meta> */
        one.charset = NULL;
        st = check_bytes(policy, &one, DSC_DECODE_LENIENT, &r, err);
    }
    if (st == DSC_OK)
        keep_stricter(&best, &best_w, r);
    else if (st != DSC_ERR_CHARSET)
        return st;
    /* the bytes' own charset: UTF-8 when they are valid UTF-8 (a page cut at
     * max-page-bytes may end inside a character), else GB18030 */
    size_t bad;
    int utf8 = dsc_utf8_valid((const unsigned char *)one.data, one.len, &bad) ||
               (one.len < in->len && bad + 4 > one.len);
    const char *natural = utf8 ? "UTF-8" : "GB18030";
    if (!best || (best_w == 0 && strcmp(dsc_result_charset(best), natural) != 0)) {
        one.charset = natural;
        if (check_bytes(policy, &one, DSC_DECODE_LENIENT, &r, err) == DSC_OK)
            keep_stricter(&best, &best_w, r);
    }
    if (!best)
        return st;
    if (err)
        memset(err, 0, sizeof(*err));
    *out = best;
    return DSC_OK;
}

static dsc_status check_bytes(const dsc_policy *policy, const dsc_input *in, unsigned flags,
                              dsc_result **out, dsc_error *err)
{
    *out = NULL;
    if (err)
        memset(err, 0, sizeof(*err));
    if (!policy || !in || (!in->data && in->len)) {
        dsc_set_error(err, DSC_ERR_ARG, NULL, 0, "bad argument");
        return DSC_ERR_ARG;
    }
    if (in->len > policy->max_bytes || in->len > (size_t)INT32_MAX) {
        dsc_set_error(err, DSC_ERR_TOOLARGE, in->path, 0,
                      "the page has %zu bytes, more than the limit of %zu", in->len, policy->max_bytes);
        snprintf(err->message_zh, sizeof err->message_zh, "页面大小%zu字节，超过上限%zu字节", in->len,
                 policy->max_bytes);
        return DSC_ERR_TOOLARGE;
    }
    dsc_decoded dec;
    /* borrow: a page that is valid UTF-8 is parsed from the caller's bytes
     * instead of a malloc'd copy of them (htmlCtxtReadMemory takes a length
     * and needs no NUL); only the NUL stripping below makes a copy */
    dsc_status st = dsc_decode_ex(in->data ? in->data : "", in->len, in->charset,
                                  policy->default_charset, policy->fallback_charset,
                                  DSC_DECODE_BORROW | flags, &dec, err);
    if (st != DSC_OK)
        return st;
    /* libxml2 stops at a NUL byte: what follows would escape the check */
    if (memchr(dec.text, '\0', dec.len)) {
        /* the caller's bytes are not ours to change: strip NULs in a copy */
        if ((st = dsc_decoded_own(&dec, err)) != DSC_OK)
            return st;
        size_t o = 0;
        for (size_t i = 0; i < dec.len; i++)
            if (dec.utf8[i])
                dec.utf8[o++] = dec.utf8[i];
        dec.len = o;
        dec.utf8[o] = '\0';
    }
    htmlParserCtxtPtr pctx = htmlNewParserCtxt();
    htmlDocPtr doc = NULL;
    if (pctx) {
        doc = htmlCtxtReadMemory(pctx, dec.text, (int)dec.len, in->url, "UTF-8",
                                 HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                     HTML_PARSE_NONET | HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC |
                                     /* nesting past 256 levels must not hide the rest */
                                     XML_PARSE_HUGE);
        htmlFreeParserCtxt(pctx);
    }
    dsc_arena *a = dsc_arena_new(16384);
    dsc_result *r = a ? dsc_arena_alloc(a, sizeof(*r)) : NULL;
    if (!r) {
        xmlFreeDoc(doc);
        dsc_decoded_free(&dec);
        dsc_arena_free(a);
        dsc_set_error(err, DSC_ERR_NOMEM, NULL, 0, "out of memory");
        return DSC_ERR_NOMEM;
    }
    memset(r, 0, sizeof(*r));
    r->arena = a;
    r->policy = policy;
    r->url = dsc_arena_strdup(a, in->url);
    r->path = dsc_arena_strdup(a, in->path);
    r->today = in->today ? in->today : dsc_today();
    snprintf(r->charset, sizeof r->charset, "%s", dec.charset);
    dsc_decoded_free(&dec);
    if (doc) {
        dsc_extract(r, doc);
        fill_from_meta(r);
        apply_xpaths(r, doc);
        drop_own_number(r);
        r->kind = decide_kind(r, doc);
        /* "相关文件" on a policy page lists other documents, not an original;
         * "相关解读" on an interpretation lists other interpretations */
        if (r->kind == DSC_KIND_POLICY)
            r->list[DSC_F_INTERPRETS].n = 0;
        else if (r->kind == DSC_KIND_INTERPRETATION)
            r->list[DSC_F_INTERPRETATIONS].n = 0;
        xmlFreeDoc(doc);
    } else {
        /* An empty or whitespace-only body parses to nothing: a page with no
         * content is "other", which is the honest verdict. */
        r->kind = DSC_KIND_OTHER;
    }
    dsc_rules_run(r);
    *out = r;
    return DSC_OK;
}

void dsc_result_free(dsc_result *r)
{
    if (r)
        dsc_arena_free(r->arena);
}

dsc_kind dsc_result_kind(const dsc_result *r) { return r->kind; }
const char *dsc_result_charset(const dsc_result *r) { return r->charset; }
const char *dsc_result_url(const dsc_result *r) { return r->url; }
const char *dsc_result_path(const dsc_result *r) { return r->path; }

const char *dsc_result_field(const dsc_result *r, dsc_field f)
{
    return (int)f >= 0 && f < DSC_F__COUNT ? r->field[f].value : NULL;
}

size_t dsc_result_list(const dsc_result *r, dsc_field f, const char *const **items)
{
    if ((int)f < 0 || f >= DSC_F__COUNT) {
        *items = NULL;
        return 0;
    }
    *items = r->list[f].items;
    return r->list[f].n;
}

size_t dsc_result_nfindings(const dsc_result *r) { return r->nfindings; }

const dsc_finding *dsc_result_finding(const dsc_result *r, size_t i)
{
    return i < r->nfindings ? &r->findings[i] : NULL;
}

size_t dsc_result_count(const dsc_result *r, dsc_severity sev)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        n += r->findings[i].severity == sev;
    return n;
}

void dsc_result_add(dsc_result *r, const char *rule, dsc_severity def, const char *field,
                    const char *evidence, long line, const char *message, const char *message_en)
{
    int idx = dsc_rule_index(rule);
    dsc_severity sev = idx >= 0 ? r->policy->severity[idx] : def;
    if (sev == DSC_SEV_OFF)
        return;
    if (idx >= 0) {
        int f = dsc_field_from_name(field);
        dsc_report(r, idx, f, line, evidence, dsc_arena_strdup(r->arena, message),
                   dsc_arena_strdup(r->arena, message_en));
    }
}
