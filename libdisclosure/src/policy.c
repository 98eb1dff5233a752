/* Policy loading: the built-in default (conf/policy.xml, compiled in) is
 * applied first, then the site's file on top of it. */
#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "arena.h"
#include "decode.h"
#include "policy.h"
#include "rules.h"
#include "text.h"

#ifndef DSC_DATADIR
#define DSC_DATADIR "/usr/local/share/disclosure"
#endif

typedef struct {
    dsc_policy *p;
    dsc_arena *a;
    const char *path;   /* file being applied, for errors */
    const char *dir;    /* its directory, for relative names; NULL for built-in */
    dsc_label *labels;
    size_t nlabels, cap;
    int settings_only;  /* apply(): keep the data files' names below, load none */
    const char *tax, *cal;
    long tline, cline;
} loader;

static int is_el(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static char *aprop(loader *L, xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *r = v ? dsc_arena_strdup(L->a, (const char *)v) : NULL;
    xmlFree(v);
    return r;
}

/* An attribute the schema types as xs:token (or a type derived from it):
 * the schema compares it with leading, trailing and repeated white space
 * collapsed, so " title" or "error\r" validate; read it the same way. */
static char *atoken(loader *L, xmlNodePtr n, const char *name)
{
    char *v = aprop(L, n, name), *o = v;
    if (!v)
        return NULL;
    for (const char *q = v; *q;) {
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
            q++;
        if (!*q)
            break;
        if (o != v)
            *o++ = ' ';
        while (*q && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r')
            *o++ = *q++;
    }
    *o = '\0';
    return v;
}

static char *atext(loader *L, xmlNodePtr n)
{
    xmlChar *v = xmlNodeGetContent(n);
    char *r = dsc_norm_value(L->a, v ? (const char *)v : "", v ? strlen((const char *)v) : 0);
    xmlFree(v);
    return r;
}

static dsc_words words(loader *L, const char *s)
{
    dsc_words w = {NULL, 0};
    if (!s)
        return w;
    size_t cap = 1;
    for (const char *q = s; *q; q++)
        cap += *q == ' ';
    w.items = dsc_arena_alloc(L->a, cap * sizeof(char *));
    const char *q = s;
    while (*q) {
        while (*q == ' ' || *q == '\t' || *q == '\n')
            q++;
        const char *e = q;
        while (*e && *e != ' ' && *e != '\t' && *e != '\n')
            e++;
        if (e > q)
            w.items[w.n++] = dsc_arena_strndup(L->a, q, (size_t)(e - q));
        q = e;
    }
    return w;
}

static int int_prop(loader *L, xmlNodePtr n, const char *name, int *out)
{
    char *v = aprop(L, n, name);
    if (v)
        *out = atoi(v);
    return v != NULL;
}

static void add_label(loader *L, const char *label, int field)
{
    char *norm = dsc_norm_label(L->a, label, strlen(label));
    if (!norm || !*norm)
        return;
    /* kept sorted as they come: a binary search finds a repeated label
     * (every load adds the default's labels, and a linear search here was
     * a tenth of a load under the fuzzer's strcmp hooks) */
    size_t lo = 0, hi = L->nlabels;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(L->labels[mid].label, norm);
        if (c == 0) {
            L->labels[mid].field = field; /* a later (site) mapping wins */
            return;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (L->nlabels == L->cap) {
        L->cap = L->cap ? L->cap * 2 : 64;
        dsc_label *nl = dsc_arena_alloc(L->a, L->cap * sizeof(dsc_label));
        if (L->nlabels)
            memcpy(nl, L->labels, L->nlabels * sizeof(dsc_label));
        L->labels = nl;
    }
    memmove(L->labels + lo + 1, L->labels + lo, (L->nlabels - lo) * sizeof(dsc_label));
    L->labels[lo].label = norm;
    L->labels[lo].field = field;
    L->nlabels++;
}

static int field_index(const char *name)
{
    if (name && strcmp(name, "needs_interpretation") == 0)
        return DSC_F_NEEDS_INTERP;
    return dsc_field_from_name(name);
}

/* Resolve a data file: the policy's directory, the data directory, then the
 * copy built into the library. */
static dsc_status resolve(loader *L, const char *name, char **path, const char **data,
                          size_t *len)
{
    *path = NULL;
    *data = NULL;
    if (name[0] == '/') {
        *path = dsc_arena_strdup(L->a, name);
        return DSC_OK;
    }
    if (L->dir) {
        char *cand = dsc_arena_printf(L->a, "%s/%s", L->dir, name);
        if (access(cand, R_OK) == 0) {
            *path = cand;
            return DSC_OK;
        }
    }
    const char *dd = getenv("DISCLOSURE_DATADIR");
    char *cand = dsc_arena_printf(L->a, "%s/%s", dd && *dd ? dd : DSC_DATADIR, name);
    if (access(cand, R_OK) == 0) {
        *path = cand;
        return DSC_OK;
    }
    *data = dsc_embedded(name, len);
    if (*data) {
        *path = dsc_arena_printf(L->a, "(built-in) %s", name);
        return DSC_OK;
    }
    return DSC_ERR_IO;
}

static dsc_status load_data_files(loader *L, const char *tax, const char *cal, long tline,
                                  long cline, dsc_error *err)
{
    dsc_policy *p = L->p;
    char *path;
    const char *data;
    size_t len = 0;
    if (tax) {
        if (resolve(L, tax, &path, &data, &len) != DSC_OK) {
            dsc_set_error(err, DSC_ERR_POLICY, L->path, tline, "taxonomy file \"%s\" not found", tax);
            return DSC_ERR_POLICY;
        }
        dsc_taxonomy *t;
        int shared = 0;
        dsc_status st = data ? dsc_builtin_taxonomy(path, data, len, &t, &shared, err)
                             : dsc_taxonomy_load(path, data, len, &t, err);
        if (st != DSC_OK)
            return st;
        if (!p->taxonomy_shared)
            dsc_taxonomy_free(p->taxonomy);
        p->taxonomy = t;
        p->taxonomy_shared = shared;
        p->taxonomy_file = path;
    }
    if (cal) {
        if (resolve(L, cal, &path, &data, &len) != DSC_OK) {
            dsc_set_error(err, DSC_ERR_POLICY, L->path, cline, "calendar file \"%s\" not found", cal);
            return DSC_ERR_POLICY;
        }
        dsc_calendar *c;
        int shared = 0;
        dsc_status st = data ? dsc_builtin_calendar(path, data, len, &c, &shared, err)
                             : dsc_calendar_load(path, data, len, &c, err);
        if (st != DSC_OK)
            return st;
        if (!p->calendar_shared)
            dsc_calendar_free(p->calendar);
        p->calendar = c;
        p->calendar_shared = shared;
        p->calendar_file = path;
    }
    return DSC_OK;
}

static dsc_status compile_xpath(loader *L, xmlNodePtr n, const char *src, xmlXPathCompExprPtr *out,
                                dsc_error *err)
{
    *out = xmlXPathCompile((const xmlChar *)src);
    if (!*out) {
        dsc_set_error(err, DSC_ERR_POLICY, L->path, xmlGetLineNo(n), "invalid XPath: %s", src);
        return DSC_ERR_POLICY;
    }
    return DSC_OK;
}

static dsc_status apply_field(loader *L, xmlNodePtr n, dsc_error *err)
{
    dsc_policy *p = L->p;
    int f = field_index(atoken(L, n, "name"));
    char *rep = atoken(L, n, "replace");
    if (f < 0) { /* the schema's list and field_index() disagree */
        dsc_set_error(err, DSC_ERR_POLICY, L->path, xmlGetLineNo(n), "unknown field name");
        return DSC_ERR_POLICY;
    }
    if (rep && (strcmp(rep, "true") == 0 || strcmp(rep, "1") == 0)) {
        size_t o = 0;
        for (size_t i = 0; i < L->nlabels; i++)
            if (L->labels[i].field != f)
                L->labels[o++] = L->labels[i];
        L->nlabels = o;
        p->meta[f].n = 0;
        p->nxpaths[f] = 0;
    }
    size_t nmeta = p->meta[f].n, nx = p->nxpaths[f];
    for (xmlNodePtr k = n->children; k; k = k->next) {
        nmeta += is_el(k, "meta");
        nx += is_el(k, "xpath");
    }
    char **meta = dsc_arena_alloc(L->a, (nmeta + 1) * sizeof(char *));
    if (p->meta[f].n)
        memcpy(meta, p->meta[f].items, p->meta[f].n * sizeof(char *));
    dsc_xpath *xp = dsc_arena_alloc(L->a, (nx + 1) * sizeof(dsc_xpath));
    if (p->nxpaths[f])
        memcpy(xp, p->xpaths[f], p->nxpaths[f] * sizeof(dsc_xpath));
    size_t mi = p->meta[f].n, xi = p->nxpaths[f];
    for (xmlNodePtr k = n->children; k; k = k->next) {
        if (is_el(k, "label")) {
            char *t = atext(L, k);
            if (t)
                add_label(L, t, f);
        } else if (is_el(k, "meta")) {
            char *t = atext(L, k);
            if (t && !dsc_words_has(&(dsc_words){meta, mi}, t))
                meta[mi++] = t;
        } else if (is_el(k, "xpath")) {
            xp[xi].src = atext(L, k);
            if (compile_xpath(L, k, xp[xi].src, &xp[xi].expr, err) != DSC_OK)
                return DSC_ERR_POLICY;
            xi++;
        }
    }
    p->meta[f].items = meta;
    p->meta[f].n = mi;
    p->xpaths[f] = xp;
    p->nxpaths[f] = xi;
    return DSC_OK;
}

static dsc_status apply(loader *L, xmlDocPtr doc, dsc_error *err)
{
    dsc_policy *p = L->p;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    char *tax = NULL, *cal = NULL;
    long tline = 0, cline = 0;
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is_el(n, "charset")) {
            char *d = atoken(L, n, "default"), *f = atoken(L, n, "fallback");
            char buf[64];
            if (d && !dsc_charset_canonical(d, buf, sizeof buf)) {
                dsc_set_error(err, DSC_ERR_POLICY, L->path, xmlGetLineNo(n), "unknown charset \"%s\"", d);
                return DSC_ERR_POLICY;
            }
            if (f && *f && !dsc_charset_canonical(f, buf, sizeof buf)) {
                dsc_set_error(err, DSC_ERR_POLICY, L->path, xmlGetLineNo(n), "unknown charset \"%s\"", f);
                return DSC_ERR_POLICY;
            }
            if (d)
                p->default_charset = d;
            if (f)
                p->fallback_charset = f;
        } else if (is_el(n, "limits")) {
            char *v = aprop(L, n, "max-page-bytes");
            if (v)
                p->max_bytes = (size_t)strtoull(v, NULL, 10);
        } else if (is_el(n, "taxonomy")) {
            tax = aprop(L, n, "file");
            tline = xmlGetLineNo(n);
        } else if (is_el(n, "calendar")) {
            cal = aprop(L, n, "file");
            cline = xmlGetLineNo(n);
        } else if (is_el(n, "thresholds")) {
            int_prop(L, n, "publish-late-working-days", &p->publish_late_days);
            int_prop(L, n, "interpretation-late-working-days", &p->interp_late_days);
            int_prop(L, n, "term-years", &p->term_years);
            int_prop(L, n, "provisional-term-years", &p->provisional_term_years);
            int_prop(L, n, "metadata-table-fields", &p->table_fields);
        } else if (is_el(n, "rules")) {
            for (xmlNodePtr r = n->children; r; r = r->next) {
                if (!is_el(r, "rule"))
                    continue;
                char *id = atoken(L, r, "id"), *sev = atoken(L, r, "severity");
                int idx = dsc_rule_index(id);
                if (idx < 0) {
                    dsc_set_error(err, DSC_ERR_POLICY, L->path, xmlGetLineNo(r),
                                  "unknown rule id \"%s\" (see RULES.md)", id);
                    return DSC_ERR_POLICY;
                }
                p->severity[idx] = strcmp(sev, "error") == 0     ? DSC_SEV_ERROR
                                   : strcmp(sev, "warning") == 0 ? DSC_SEV_WARNING
                                                                 : DSC_SEV_OFF;
            }
        } else if (is_el(n, "required-fields")) {
            size_t cnt = 0;
            for (xmlNodePtr r = n->children; r; r = r->next)
                cnt += is_el(r, "field");
            p->required = dsc_arena_alloc(L->a, (cnt + 1) * sizeof(dsc_required));
            p->nrequired = 0;
            for (xmlNodePtr r = n->children; r; r = r->next) {
                if (!is_el(r, "field"))
                    continue;
                dsc_required *q = &p->required[p->nrequired++];
                if ((q->field = field_index(atoken(L, r, "name"))) < 0) {
                    dsc_set_error(err, DSC_ERR_POLICY, L->path, xmlGetLineNo(r), "unknown field name");
                    return DSC_ERR_POLICY;
                }
                q->doc_types = words(L, aprop(L, r, "doc-types"));
            }
        } else if (is_el(n, "doc-types")) {
            char *v;
            if ((v = aprop(L, n, "normative")))
                p->normative = words(L, v);
            if ((v = aprop(L, n, "needs-interpretation")))
                p->needs_interp = words(L, v);
            if ((v = aprop(L, n, "term-limited")))
                p->term_limited = words(L, v);
        } else if (is_el(n, "meta-tags")) {
            p->meta_required = words(L, aprop(L, n, "required"));
        } else if (is_el(n, "kinds")) {
            size_t cnt = 0;
            for (xmlNodePtr r = n->children; r; r = r->next)
                cnt += is_el(r, "kind");
            p->kinds = dsc_arena_alloc(L->a, (cnt + 1) * sizeof(dsc_kind_rule));
            p->nkinds = 0;
            for (xmlNodePtr r = n->children; r; r = r->next) {
                if (!is_el(r, "kind"))
                    continue;
                dsc_kind_rule *k = &p->kinds[p->nkinds];
                memset(k, 0, sizeof(*k));
                char *name = atoken(L, r, "name");
                k->kind = strcmp(name, "policy") == 0           ? DSC_KIND_POLICY
                          : strcmp(name, "interpretation") == 0 ? DSC_KIND_INTERPRETATION
                                                                : DSC_KIND_OTHER;
                k->url_prefix = aprop(L, r, "url-prefix");
                k->xpath_src = aprop(L, r, "xpath");
                if (!k->url_prefix && !k->xpath_src) {
                    dsc_set_error(err, DSC_ERR_POLICY, L->path, xmlGetLineNo(r),
                                  "a kind needs url-prefix or xpath");
                    return DSC_ERR_POLICY;
                }
                if (k->xpath_src && compile_xpath(L, r, k->xpath_src, &k->xpath, err) != DSC_OK)
                    return DSC_ERR_POLICY;
                p->nkinds++;
            }
        } else if (is_el(n, "links")) {
            char *v;
            if ((v = aprop(L, n, "interpretation-text")))
                p->interp_text = words(L, v);
            if ((v = aprop(L, n, "original-text")))
                p->original_text = words(L, v);
            if ((v = aprop(L, n, "navigation-words")))
                p->nav_words = words(L, v);
        } else if (is_el(n, "fields")) {
            for (xmlNodePtr r = n->children; r; r = r->next)
                if (is_el(r, "field") && apply_field(L, r, err) != DSC_OK)
                    return DSC_ERR_POLICY;
        }
    }
    if (L->settings_only) {
        L->tax = tax;
        L->cal = cal;
        L->tline = tline;
        L->cline = cline;
        return DSC_OK;
    }
    return load_data_files(L, tax, cal, tline, cline, err);
}

/* The built-in default applied once per process: every load starts from a
 * copy of it instead of applying conf/policy.xml again (a third of a load
 * once the files were parsed only once). Its strings and arrays stay in
 * base's arena, which lives as long as the process, and a load only reads
 * them: what a site's policy changes in place (the labels) is copied, and
 * compiled XPaths, which each policy frees, are compiled again. The data
 * files are not part of it: each load resolves and loads the taxonomy and
 * calendar the default names, as before (files on disk may change). */
#define BUILTIN_PATH "(built-in) conf/policy.xml"
static dsc_policy *base;
static loader base_l;
static pthread_mutex_t base_lock = PTHREAD_MUTEX_INITIALIZER; /* helgrind sees it, not pthread_once */
static int base_done;

static void base_build(void)
{
    dsc_error err;
    xmlDocPtr doc = dsc_builtin_policy_doc(BUILTIN_PATH, &err);
    dsc_arena *a = doc ? dsc_arena_new(32768) : NULL;
    dsc_policy *p = a ? dsc_arena_alloc(a, sizeof(*p)) : NULL;
    if (!p) {
        dsc_arena_free(a);
        return;
    }
    memset(p, 0, sizeof(*p));
    p->arena = a;
    for (size_t i = 0; dsc_rule_at(i); i++)
        p->severity[i] = dsc_rule_at(i)->default_severity;
    base_l = (loader){p, a, BUILTIN_PATH, NULL, NULL, 0, 0, 1, NULL, NULL, 0, 0};
    if (apply(&base_l, doc, &err) != DSC_OK) {
        dsc_policy_free(p);
        return;
    }
    base = p;
}

/* at exit, or when httpd unloads the module */
__attribute__((destructor)) static void base_free(void)
{
    dsc_policy_free(base);
    base = NULL;
}

static dsc_status recompile(xmlXPathCompExprPtr *expr, const char *src, dsc_error *err)
{
    if (src && !(*expr = xmlXPathCompile((const xmlChar *)src))) {
        dsc_set_error(err, DSC_ERR_NOMEM, BUILTIN_PATH, 0, "cannot compile the XPath %s", src);
        return DSC_ERR_NOMEM;
    }
    return DSC_OK;
}

/* L->p becomes the built-in default, with the default's data files */
static dsc_status apply_default(loader *L, dsc_error *err)
{
    pthread_mutex_lock(&base_lock);
    if (!base_done) {
        base_build();
        base_done = 1;
    }
    pthread_mutex_unlock(&base_lock);
    if (!base) {
        xmlDocPtr def = dsc_builtin_policy_doc(L->path, err);
        return def ? apply(L, def, err) : err && err->code ? err->code : DSC_ERR_POLICY;
    }
    dsc_policy *p = L->p;
    dsc_arena *a = p->arena;
    *p = *base;
    p->arena = a;
    L->labels = dsc_arena_alloc(a, (base_l.nlabels + 1) * sizeof(dsc_label));
    if (base_l.nlabels) /* memcpy from NULL is undefined even for 0 bytes */
        memcpy(L->labels, base_l.labels, base_l.nlabels * sizeof(dsc_label));
    L->nlabels = L->cap = base_l.nlabels;
    /* none of base's compiled XPaths may stay: dsc_policy_free() would free them */
    p->kinds = dsc_arena_alloc(a, (base->nkinds + 1) * sizeof(dsc_kind_rule));
    if (base->nkinds)
        memcpy(p->kinds, base->kinds, base->nkinds * sizeof(dsc_kind_rule));
    for (size_t i = 0; i < p->nkinds; i++)
        p->kinds[i].xpath = NULL;
    for (int f = 0; f < DSC_NFIELDS; f++) {
        p->xpaths[f] = dsc_arena_alloc(a, (base->nxpaths[f] + 1) * sizeof(dsc_xpath));
        if (base->nxpaths[f])
            memcpy(p->xpaths[f], base->xpaths[f], base->nxpaths[f] * sizeof(dsc_xpath));
        for (size_t i = 0; i < p->nxpaths[f]; i++)
            p->xpaths[f][i].expr = NULL;
    }
    for (size_t i = 0; i < p->nkinds; i++)
        if (recompile(&p->kinds[i].xpath, p->kinds[i].xpath_src, err) != DSC_OK)
            return DSC_ERR_NOMEM;
    for (int f = 0; f < DSC_NFIELDS; f++)
        for (size_t i = 0; i < p->nxpaths[f]; i++)
            if (recompile(&p->xpaths[f][i].expr, p->xpaths[f][i].src, err) != DSC_OK)
                return DSC_ERR_NOMEM;
    return load_data_files(L, base_l.tax, base_l.cal, base_l.tline, base_l.cline, err);
}

static dsc_status apply_doc(loader *L, const char *path, const char *data, size_t len,
                            dsc_error *err)
{
    xmlDocPtr doc = dsc_xml_load_valid(path, data, len, "disclosure-policy.xsd", err);
    if (!doc)
        return err && err->code ? err->code : DSC_ERR_POLICY;
    dsc_status st = apply(L, doc, err);
    xmlFreeDoc(doc);
    return st;
}

/* The built-in default, then the site's policy on top: from the file path,
 * or from data (len bytes) named name when data is set. */
static dsc_status load(const char *path, const char *data, size_t len, dsc_policy **out,
                       dsc_error *err)
{
    *out = NULL;
    dsc_global_init();
    if (err)
        memset(err, 0, sizeof(*err));
    dsc_arena *a = dsc_arena_new(32768);
    dsc_policy *p = dsc_arena_alloc(a, sizeof(*p));
    memset(p, 0, sizeof(*p));
    p->arena = a;
    for (size_t i = 0; dsc_rule_at(i); i++)
        p->severity[i] = dsc_rule_at(i)->default_severity;
    loader L = {p, a, BUILTIN_PATH, NULL, NULL, 0, 0, 0, NULL, NULL, 0, 0};
    dsc_status st = apply_default(&L, err);
    if (st == DSC_OK && data) {
        L.path = path;
        if (len > INT_MAX) {
            dsc_set_error(err, DSC_ERR_POLICY, path, 0, "the policy is too large");
            st = DSC_ERR_POLICY;
        } else {
            /* a policy in memory has no directory of its own */
            st = apply_doc(&L, path, len ? data : "", len, err);
        }
    } else if (st == DSC_OK && path) {
        char *copy = dsc_arena_strdup(a, path);
        L.path = path;
        L.dir = dsc_arena_strdup(a, dirname(copy));
        st = apply_doc(&L, path, NULL, 0, err);
    }
    if (st != DSC_OK) {
        if (err && !err->file[0])
            snprintf(err->file, sizeof err->file, "%s", path ? path : "(built-in)");
        p->labels = L.labels;
        dsc_policy_free(p);
        return st;
    }
    p->labels = L.labels; /* sorted by add_label() for the bsearch of dsc_policy_label_field() */
    p->nlabels = L.nlabels;
    for (size_t i = 0; i < p->nlabels; i++) {
        size_t c = dsc_utf8_chars(p->labels[i].label);
        if (c > p->max_label_chars)
            p->max_label_chars = c;
    }
    p->source = dsc_arena_strdup(a, path ? path : "(built-in)");
    p->description = dsc_arena_printf(a, "%s (taxonomy %s, calendar %s)", p->source,
                                      dsc_taxonomy_name(p->taxonomy),
                                      dsc_calendar_range(p->calendar));
    *out = p;
    return DSC_OK;
}

dsc_status dsc_policy_load(const char *path, dsc_policy **out, dsc_error *err)
{
    return load(path, NULL, 0, out, err);
}

dsc_status dsc_policy_load_memory(const char *data, size_t len, const char *name,
                                  dsc_policy **out, dsc_error *err)
{
    if (!data && len) {
        *out = NULL;
        dsc_set_error(err, DSC_ERR_ARG, name, 0, "no policy data");
        return DSC_ERR_ARG;
    }
    return load(name ? name : "(memory)", data ? data : "", len, out, err);
}
