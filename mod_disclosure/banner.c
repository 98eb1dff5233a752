/* What the public sees of a page's status: a banner in the style of
 * legislation.gov.uk's status notices, the interpretations the registry
 * knows, and JSON-LD (ELI) saying the same for machines. */
#include "cache.h"

#include <jansson.h>

#include "apr_strings.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"

APLOG_USE_MODULE(disclosure);

typedef struct {
    const char *code;         /* in-force, repealed, expired, amended */
    const char *label;        /* 已废止 … */
    const char *by_url, *by_name, *date;
    dsc_page_status *ps;
} md_state;

static void page_state(request_rec *r, const md_verdict *v, md_state *st)
{
    md_dir_conf *d = ap_get_module_config(r->per_dir_config, &disclosure_module);
    md_server_conf *sc = md_server(r->server);
    memset(st, 0, sizeof(*st));
    st->code = "in-force";
    if (sc->registry)
        st->ps = md_page_status(r, sc->registry, ap_construct_url(r->pool, r->uri, r));
    const char *reg = st->ps ? st->ps->status : NULL;
    int today = d->today ? d->today : dsc_today(), exp;
    int expired = v->expiry_date && dsc_date_parse(v->expiry_date, &exp) == 0 && today > exp;
    const char *own = v->validity;
    if ((reg && !strcmp(reg, "废止")) || (own && !strcmp(own, "废止"))) {
        st->code = "repealed";
        st->label = "已废止";
    } else if ((own && !strcmp(own, "失效")) || expired) {
        st->code = "expired";
        st->label = "已失效";
        st->date = v->expiry_date;
    } else if ((reg && !strcmp(reg, "已修改")) || (own && !strcmp(own, "已修改"))) {
        st->code = "amended";
        st->label = "已修改";
    }
    if (st->ps && reg && strcmp(st->code, "expired") != 0) {
        st->by_url = st->ps->status_by;
        st->by_name = st->ps->status_by_number ? st->ps->status_by_number : st->ps->status_by_title;
        st->date = st->ps->status_by_date;
    }
}

static const char *esc(request_rec *r, const char *s)
{
    return ap_escape_html(r->pool, s ? s : "");
}

static const char *banner_html(request_rec *r, const md_verdict *v, const md_state *st)
{
    if (!st->label)
        return "";
    const char *by = "";
    if (st->by_url)
        by = apr_psprintf(r->pool, "被<a href=\"%s\">%s</a>", esc(r, st->by_url), esc(r, st->by_name ? st->by_name : st->by_url));
    const char *zh, *en;
    if (!strcmp(st->code, "repealed")) {
        zh = apr_psprintf(r->pool, "本文件%s%s废止，不再执行，仅供查阅。", st->date ? apr_pstrcat(r->pool, "已于", esc(r, st->date), NULL) : "已", by);
        en = "This document has been repealed and no longer applies.";
    } else if (!strcmp(st->code, "expired")) {
        zh = st->date ? apr_psprintf(r->pool, "本文件有效期至%s，已失效，仅供查阅。", esc(r, st->date)) : "本文件已失效，仅供查阅。";
        en = "This document is no longer in force.";
    } else {
        zh = apr_psprintf(r->pool, "本文件已%s修改，请同时查阅修改后的规定。", by);
        en = "This document has been amended; read it with the amending document.";
    }
    (void)v;
    return apr_psprintf(r->pool,
                        "<div class=\"disclosure-status disclosure-%s\" role=\"note\" lang=\"zh-CN\" "
                        "style=\"margin:0;padding:12px 16px;background:#fff4e5;border-bottom:3px solid #c0392b;"
                        "color:#222;font-size:16px;line-height:1.6\">"
                        "<strong style=\"color:#c0392b\">【%s】</strong>%s "
                        "<span lang=\"en\" style=\"color:#555;font-size:13px\">%s</span></div>\n",
                        st->code, st->label, zh, en);
}

/* Interpretations the registry knows that the page does not link. */
static const char *links_html(request_rec *r, const md_verdict *v, const md_state *st)
{
    if (!st->ps || !st->ps->ninterpretations)
        return "";
    const char *items = "";
    for (size_t i = 0; i < st->ps->ninterpretations; i++) {
        const char *u = st->ps->interpretation_urls[i];
        char *p = md_path_of(u);
        int linked = 0;
        for (size_t k = 0; k < v->nlinked && !linked; k++)
            linked = !strcmp(v->linked[k], p);
        free(p);
        if (linked)
            continue;
        const char *t = st->ps->interpretation_titles[i];
        items = apr_psprintf(r->pool, "%s<li><a href=\"%s\">%s</a></li>", items, esc(r, u), esc(r, t ? t : u));
    }
    if (!*items)
        return "";
    return apr_psprintf(r->pool,
                        "<div class=\"disclosure-interpretations\" lang=\"zh-CN\" style=\"margin:0;padding:8px 16px;"
                        "background:#eef5ff;border-bottom:1px solid #9ab\"><strong>政策解读</strong>"
                        "<span lang=\"en\" style=\"color:#555;font-size:13px\"> Interpretation</span><ul style=\"margin:4px 0\">%s</ul></div>\n",
                        items);
}

static const char *jsonld_html(request_rec *r, const md_verdict *v, const md_state *st)
{
    if (v->kind != DSC_KIND_POLICY)
        return "";
    json_t *o = json_object();
    json_t *ctx = json_object();
    json_object_set_new(ctx, "eli", json_string("http://data.europa.eu/eli/ontology#"));
    json_object_set_new(o, "@context", ctx);
    json_object_set_new(o, "@id", json_string(ap_construct_url(r->pool, r->uri, r)));
    json_object_set_new(o, "@type", json_string("eli:LegalResource"));
    if (v->title)
        json_object_set_new(o, "eli:title", json_string(v->title));
    if (v->doc_number)
        json_object_set_new(o, "eli:id_local", json_string(v->doc_number));
    if (v->pub_date)
        json_object_set_new(o, "eli:date_publication", json_string(v->pub_date));
    json_object_set_new(o, "eli:in_force", json_boolean(!strcmp(st->code, "in-force") || !strcmp(st->code, "amended")));
    if (!strcmp(st->code, "repealed") || !strcmp(st->code, "expired")) {
        if (st->date)
            json_object_set_new(o, "eli:date_no_longer_in_force", json_string(st->date));
    }
    if (st->by_url)
        json_object_set_new(o, !strcmp(st->code, "repealed") ? "eli:repealed_by" : "eli:amended_by",
                            json_string(st->by_url));
    json_t *rel = json_array();
    for (size_t i = 0; i < v->nlinked; i++)
        json_array_append_new(rel, json_string(v->linked[i]));
    for (size_t i = 0; st->ps && i < st->ps->ninterpretations; i++)
        json_array_append_new(rel, json_string(st->ps->interpretation_urls[i]));
    if (json_array_size(rel))
        json_object_set_new(o, "eli:related_to", rel);
    else
        json_decref(rel);
    if (v->topic)
        json_object_set_new(o, "eli:is_about", json_string(v->topic));
    char *s = json_dumps(o, JSON_COMPACT | JSON_ESCAPE_SLASH);
    json_decref(o);
    const char *out = apr_psprintf(r->pool, "<script type=\"application/ld+json\" id=\"disclosure-eli\">%s</script>\n", s ? s : "{}");
    free(s);
    return out;
}

/* Where the injected block goes: right after the <body ...> tag. */
apr_size_t md_body_open_end(const char *s, apr_size_t n)
{
    for (apr_size_t i = 0; i + 5 < n; i++) {
        if (s[i] != '<' || strncasecmp(s + i + 1, "body", 4) != 0)
            continue;
        char c = s[i + 5];
        if (c != '>' && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '/')
            continue;
        char q = 0;
        for (apr_size_t k = i + 5; k < n; k++) {
            if (q) {
                if (s[k] == q)
                    q = 0;
            } else if (s[k] == '"' || s[k] == '\'') {
                q = s[k];
            } else if (s[k] == '>') {
                return k + 1;
            }
        }
        return 0;
    }
    return 0;
}


/* Headers for the page's status, and what to inject ("" for nothing). */
const char *md_page_news(request_rec *r, md_verdict *v, md_engine engine)
{
    if (v->withheld) {
        apr_table_setn(r->err_headers_out, "Disclosure-Status", v->withheld == 2 ? "withheld; conflict" : "withheld");
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "disclosure: would block %s (ReportOnly)", r->uri);
        return "";
    }
    md_state st;
    page_state(r, v, &st);
    apr_table_setn(r->headers_out, "Disclosure-Status",
                   st.by_url ? apr_psprintf(r->pool, "%s; by=\"%s\"", st.code, st.by_url) : st.code);
    /* an in-force page without news is left byte for byte as it is, so its
     * validators (ETag, Last-Modified) and caches keep working */
    if (engine != MD_ENGINE_ON)
        return "";
    const char *news = apr_pstrcat(r->pool, banner_html(r, v, &st), links_html(r, v, &st), NULL);
    return *news ? apr_pstrcat(r->pool, news, jsonld_html(r, v, &st), NULL) : "";
}
