/* The publish check: in fixups, read the whole body of a PUT/POST of HTML
 * (counting real bytes; chunked bodies carry no Content-Length), spill it to
 * a temporary file past an in-memory limit, judge it with libdisclosure, then
 * either answer 422 ourselves or replay the body, unchanged, to the handler
 * (mod_dav, mod_proxy) through an input filter. Nothing reaches the handler
 * before the verdict. The pattern is ModSecurity's hook_request_late and
 * read_request_body. */
#include "publish.h"

#include <jansson.h>

#include "apr_mmap.h"
#include "apr_strings.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

APLOG_USE_MODULE(disclosure);

#define REPLAY_FILTER "DISCLOSURE_REPLAY"


typedef struct {
    apr_bucket_brigade *pending;
    int eos_sent;
} md_replay;

static apr_status_t free_result(void *res)
{
    dsc_result_free(res);
    return APR_SUCCESS;
}

static int is_publish_method(request_rec *r)
{
    return r->method_number == M_PUT || r->method_number == M_POST;
}

/* HTML by Content-Type, or by extension when the client sent no useful type
 * (WebDAV clients often send application/octet-stream). */
static int is_html(request_rec *r)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    if (ct && *ct) {
        char *type = ap_getword(r->pool, &ct, ';');
        ap_str_tolower(type);
        apr_collapse_spaces(type, type);
        if (!strcmp(type, "text/html") || !strcmp(type, "application/xhtml+xml"))
            return 1;
        if (strcmp(type, "application/octet-stream") != 0)
            return 0;
    }
    const char *dot = strrchr(r->uri, '.');
    const char *slash = strrchr(r->uri, '/');
    if (!dot || (slash && dot < slash))
        return 0;
    return !strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm") || !strcasecmp(dot, ".shtml") ||
           !strcasecmp(dot, ".xhtml") || !strcasecmp(dot, ".shtm");
}

/* charset=… of the request's Content-Type, if any. */
static const char *declared_charset(request_rec *r)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    const char *p = ct ? ap_strcasestr(ct, "charset=") : NULL;
    if (!p)
        return NULL;
    p += 8;
    if (*p == '"')
        p++;
    size_t n = strcspn(p, "\"; \t");
    return n ? apr_pstrndup(r->pool, p, n) : NULL;
}

static int wants_html(request_rec *r)
{
    const char *accept = apr_table_get(r->headers_in, "Accept");
    return accept && ap_strstr_c(accept, "text/html") && !ap_strstr_c(accept, "json");
}

/* The RULES.md findings of the page (the library writes them), those of
 * one severity. */
static json_t *findings_json(const dsc_result *res, const char *severity)
{
    json_t *arr = json_array();
    char *page = res ? dsc_result_json(res, 0) : NULL;
    json_t *p = page ? json_loads(page, 0, NULL) : NULL;
    free(page);
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(p, "findings"), i, f) {
        const char *sev = json_string_value(json_object_get(f, "severity"));
        if (sev && !strcmp(sev, severity))
            json_array_append(arr, f);
    }
    json_decref(p);
    return arr;
}

/* Answer the client ourselves (RFC 9457 problem+json, or HTML for a
 * browser), as mod_dav's dav_error_response_tag does, and end the request. */
static int respond(request_rec *r, int status, const char *type, const char *title,
                   const char *title_en, const char *detail, const char *detail_en,
                   const dsc_result *res)
{
    r->status = status;
    r->status_line = ap_get_status_line(status);
    apr_table_setn(r->headers_out, "Content-Language", "zh-CN");
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    /* the body may not have been read in full: do not reuse the connection */
    if (status == HTTP_REQUEST_ENTITY_TOO_LARGE || status == HTTP_BAD_REQUEST)
        r->connection->keepalive = AP_CONN_CLOSE;
    if (wants_html(r)) {
        ap_set_content_type(r, "text/html; charset=utf-8");
        ap_rprintf(r,
                   "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                   "<title>%s</title></head><body>\n<h1>%s</h1>\n<p>%s</p>\n<p lang=\"en\">%s — %s</p>\n",
                   ap_escape_html(r->pool, title), ap_escape_html(r->pool, title),
                   ap_escape_html(r->pool, detail), ap_escape_html(r->pool, title_en),
                   ap_escape_html(r->pool, detail_en));
        if (res && dsc_result_nfindings(res)) {
            ap_rputs("<table border=\"1\" cellpadding=\"4\"><tr><th>级别</th><th>规则</th><th>字段</th>"
                     "<th>说明</th><th>行</th></tr>\n", r);
            for (size_t i = 0; i < dsc_result_nfindings(res); i++) {
                const dsc_finding *f = dsc_result_finding(res, i);
                ap_rprintf(r, "<tr><td>%s</td><td><code>%s</code></td><td>%s</td><td>%s<br><small lang=\"en\">%s</small></td><td>%s</td></tr>\n",
                           f->severity == DSC_SEV_ERROR ? "错误" : "警告", f->rule,
                           f->field ? f->field : "", ap_escape_html(r->pool, f->message),
                           ap_escape_html(r->pool, f->message_en),
                           f->line > 0 ? apr_ltoa(r->pool, f->line) : "");
            }
            ap_rputs("</table>\n", r);
        }
        ap_rputs("</body></html>\n", r);
        return DONE;
    }
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "title", json_string(title));
    json_object_set_new(o, "status", json_integer(status));
    json_object_set_new(o, "detail", json_string(detail));
    json_object_set_new(o, "instance", json_string(r->uri));
    json_object_set_new(o, "title_en", json_string(title_en));
    json_object_set_new(o, "detail_en", json_string(detail_en));
    json_object_set_new(o, "errors", findings_json(res, "error"));
    json_object_set_new(o, "warnings", findings_json(res, "warning"));
    char *s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_INDENT(2));
    json_decref(o);
    ap_set_content_type(r, "application/problem+json; charset=utf-8");
    if (s) {
        ap_rputs(s, r);
        ap_rputs("\n", r);
        free(s);
    }
    return DONE;
}

static int respond_error(request_rec *r, int status, const char *zh, const char *en)
{
    const char *type = status == HTTP_REQUEST_ENTITY_TOO_LARGE ? "urn:mod-disclosure:problem:too-large"
                       : status == HTTP_BAD_REQUEST            ? "urn:mod-disclosure:problem:undecodable"
                                                               : "urn:mod-disclosure:problem:internal";
    const char *title = status == HTTP_REQUEST_ENTITY_TOO_LARGE ? "页面过大，无法检查"
                        : status == HTTP_BAD_REQUEST            ? "页面无法解码"
                                                                : "检查未能完成";
    const char *title_en = status == HTTP_REQUEST_ENTITY_TOO_LARGE ? "Page too large to check"
                           : status == HTTP_BAD_REQUEST            ? "Page cannot be decoded"
                                                                   : "The check could not run";
    return respond(r, status, type, title, title_en, zh, en, NULL);
}

/* The registry cannot take this publish: refuse it (fail closed) so that no
 * page reaches the site without its record. Retry-After, since a lock or a
 * full disk may clear. */
static int respond_unavailable(request_rec *r, const dsc_error *err)
{
    apr_table_setn(r->err_headers_out, "Retry-After", "60");
    return respond(r, HTTP_SERVICE_UNAVAILABLE, "urn:mod-disclosure:problem:registry-unavailable",
                   "发布登记库暂时无法写入，页面未发布", "The publishing registry cannot be written; page not published",
                   apr_pstrcat(r->pool, "页面已通过检查，但网站的发布登记库暂时无法写入（", err->message_zh,
                               "），为保证每个发布的页面都有登记，本次发布未执行，原页面保持不变。请稍后重试；如持续出现，请联系网站管理员。",
                               NULL),
                   "The page passed the checks, but the site's publishing registry cannot be written, so nothing was "
                   "published and the previous page stays. Try again later; if this persists, tell the site's administrator.",
                   NULL);
}

/* Read the whole body. Returns OK, or an HTTP status already answered
 * (DONE) or to answer. */
static int read_body(request_rec *r, const md_dir_conf *d, md_body *body)
{
    apr_off_t max = md_dir_max_body(d);
    apr_size_t mem_limit = md_dir_mem_body(d);
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_off_t declared = -1;
    if (cl && apr_strtoff(&declared, cl, NULL, 10) == APR_SUCCESS && declared > max) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "disclosure: publish of %s refused: Content-Length %s exceeds DisclosureMaxBody %" APR_OFF_T_FMT,
                      r->uri, cl, max);
        return respond_error(r, HTTP_REQUEST_ENTITY_TOO_LARGE,
                             apr_psprintf(r->pool, "页面大小超过上限%" APR_OFF_T_FMT "字节。", max),
                             apr_psprintf(r->pool, "The page is larger than the limit of %" APR_OFF_T_FMT " bytes.", max));
    }
    apr_size_t cap = declared > 0 && (apr_size_t)declared <= mem_limit ? (apr_size_t)declared + 1 : 65536;
    char *mem = apr_palloc(r->pool, cap);
    apr_size_t used = 0;
    apr_off_t total = 0;
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    int seen_eos = 0;
    while (!seen_eos) {
        apr_status_t rv = ap_get_brigade(r->input_filters, bb, AP_MODE_READBYTES, APR_BLOCK_READ,
                                         HUGE_STRING_LEN);
        if (rv != APR_SUCCESS) {
            /* the client went away or sent a broken body: nothing was
             * handed on, so nothing is written; say so in the log */
            ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, r,
                          "disclosure: publish of %s abandoned after %" APR_OFF_T_FMT " bytes: the body could not be read",
                          r->uri, total);
            apr_brigade_destroy(bb);
            return ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
        }
        for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = APR_BUCKET_NEXT(b)) {
            if (APR_BUCKET_IS_EOS(b)) {
                seen_eos = 1;
                break;
            }
            if (APR_BUCKET_IS_METADATA(b))
                continue;
            const char *data;
            apr_size_t n;
            rv = apr_bucket_read(b, &data, &n, APR_BLOCK_READ);
            if (rv != APR_SUCCESS) {
                ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, r, "disclosure: reading the body of %s failed", r->uri);
                return HTTP_BAD_REQUEST;
            }
            total += n;
            if (total > max) {
                ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                              "disclosure: publish of %s refused: body exceeds DisclosureMaxBody %" APR_OFF_T_FMT,
                              r->uri, max);
                return respond_error(r, HTTP_REQUEST_ENTITY_TOO_LARGE,
                                     apr_psprintf(r->pool, "页面大小超过上限%" APR_OFF_T_FMT "字节。", max),
                                     apr_psprintf(r->pool, "The page is larger than the limit of %" APR_OFF_T_FMT " bytes.", max));
            }
            if (!body->spill && used + n > mem_limit) {
                const char *tmpdir;
                if ((rv = apr_temp_dir_get(&tmpdir, r->pool)) != APR_SUCCESS ||
                    (rv = apr_file_mktemp(&body->spill, apr_pstrcat(r->pool, tmpdir, "/disclosure.XXXXXX", NULL),
                                          APR_FOPEN_CREATE | APR_FOPEN_READ | APR_FOPEN_WRITE | APR_FOPEN_EXCL |
                                              APR_FOPEN_DELONCLOSE | APR_FOPEN_BINARY,
                                          r->pool)) != APR_SUCCESS ||
                    (rv = apr_file_write_full(body->spill, mem, used, NULL)) != APR_SUCCESS) {
                    ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "disclosure: cannot spill the body of %s to a temporary file", r->uri);
                    return HTTP_INTERNAL_SERVER_ERROR;
                }
            }
            if (body->spill) {
                if ((rv = apr_file_write_full(body->spill, data, n, NULL)) != APR_SUCCESS) {
                    ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "disclosure: cannot write the body of %s to a temporary file", r->uri);
                    return HTTP_INTERNAL_SERVER_ERROR;
                }
                continue;
            }
            if (used + n > cap) {
                while (used + n > cap)
                    cap *= 2;
                char *grown = apr_palloc(r->pool, cap);
                memcpy(grown, mem, used);
                mem = grown;
            }
            memcpy(mem + used, data, n);
            used += n;
        }
        apr_brigade_cleanup(bb);
    }
    apr_brigade_destroy(bb);
    body->length = total;
    body->mem = body->spill ? NULL : mem;
    return OK;
}

/* The replay filter hands the saved body to the handler, then EOS. */
static apr_status_t replay_filter(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
                                  apr_read_type_e block, apr_off_t readbytes)
{
    md_replay *rp = f->ctx;
    if (mode == AP_MODE_INIT)
        return APR_SUCCESS;
    if (APR_BRIGADE_EMPTY(rp->pending)) {
        /* like HTTP_IN: at the end, every read gets EOS again (a later
         * ap_discard_request_body reads until it sees one) */
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(f->c->bucket_alloc));
        rp->eos_sent = 1;
        return APR_SUCCESS;
    }
    apr_status_t rv;
    if (mode == AP_MODE_GETLINE) {
        rv = apr_brigade_split_line(bb, rp->pending, block, HUGE_STRING_LEN);
    } else {
        apr_bucket *e;
        rv = apr_brigade_partition(rp->pending, readbytes, &e);
        if (rv != APR_SUCCESS && rv != APR_INCOMPLETE)
            return rv;
        rv = APR_SUCCESS;
        while (APR_BRIGADE_FIRST(rp->pending) != e && !APR_BRIGADE_EMPTY(rp->pending)) {
            apr_bucket *b = APR_BRIGADE_FIRST(rp->pending);
            if (mode == AP_MODE_SPECULATIVE) {
                apr_bucket *copy;
                if ((rv = apr_bucket_copy(b, &copy)) != APR_SUCCESS)
                    return rv;
                APR_BRIGADE_INSERT_TAIL(bb, copy);
                /* speculative reads leave the data in place */
                break;
            }
            APR_BUCKET_REMOVE(b);
            APR_BRIGADE_INSERT_TAIL(bb, b);
        }
    }
    if (APR_BRIGADE_EMPTY(rp->pending) && mode != AP_MODE_SPECULATIVE && !rp->eos_sent) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(f->c->bucket_alloc));
        rp->eos_sent = 1;
    }
    return rv;
}

static void add_replay(request_rec *r, md_body *body)
{
    md_replay *rp = apr_pcalloc(r->pool, sizeof(*rp));
    rp->pending = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    if (body->spill)
        apr_brigade_insert_file(rp->pending, body->spill, 0, body->length, r->pool);
    else if (body->length)
        APR_BRIGADE_INSERT_TAIL(rp->pending, apr_bucket_immortal_create(body->mem, (apr_size_t)body->length,
                                                                        r->connection->bucket_alloc));
    ap_add_input_filter(REPLAY_FILTER, rp, r, r->connection);
    /* the handler sees an ordinary body of known length */
    apr_table_unset(r->headers_in, "Transfer-Encoding");
    apr_table_setn(r->headers_in, "Content-Length", apr_off_t_toa(r->pool, body->length));
}

typedef struct {
    request_rec *r;
} holds_baton;

/* Does this site serve url? Ask httpd itself: a subrequest for the path. */
static int holds_by_lookup(void *baton, const char *url)
{
    request_rec *r = ((holds_baton *)baton)->r;
    const char *path = url;
    const char *scheme = strstr(url, "://");
    if (scheme) {
        const char *host = scheme + 3;
        size_t hl = strcspn(host, "/:");
        if (!r->hostname || strlen(r->hostname) != hl || strncasecmp(host, r->hostname, hl) != 0)
            return 0;
        path = strchr(host, '/');
        if (!path)
            path = "/";
    }
    request_rec *rr = ap_sub_req_lookup_uri(path, r, NULL);
    int found = rr->status == HTTP_OK && rr->finfo.filetype == APR_REG;
    ap_destroy_sub_req(rr);
    return found;
}

static const char *rule_list(request_rec *r, const dsc_result *res)
{
    const char *s = NULL;
    for (size_t i = 0; i < dsc_result_nfindings(res); i++) {
        const char *id = dsc_result_finding(res, i)->rule;
        if (s && ap_strstr_c(s, id))
            continue;
        s = s ? apr_pstrcat(r->pool, s, ", ", id, NULL) : id;
    }
    return s;
}

int md_publish_fixups(request_rec *r)
{
    md_dir_conf *d = ap_get_module_config(r->per_dir_config, &disclosure_module);
    if (r->main)
        return DECLINED;
    if (r->prev) {
        /* an internal redirect (mod_rewrite, ErrorDocument) gets a fresh
         * replay of the body the first request already judged */
        request_rec *first = r->prev;
        while (first->prev)
            first = first->prev;
        md_body *body = md_req(first)->publish;
        if (body) {
            add_replay(r, body);
            ap_add_output_filter(RECORD_FILTER, body, r, r->connection);
        }
        return DECLINED;
    }
    md_engine engine = md_dir_engine(d);
    if (engine == MD_ENGINE_OFF || d->publish != 1 || !is_publish_method(r) || !is_html(r))
        return DECLINED;

    md_body *body = apr_pcalloc(r->pool, sizeof(*body));
    int rc = read_body(r, d, body);
    if (rc != OK)
        return rc;

    const dsc_policy *policy = md_policy(r->server);
    md_server_conf *sc = md_server(r->server);
    const char *url = ap_construct_url(r->pool, r->uri, r);
    const char *data = body->mem;
    apr_mmap_t *mm = NULL;
    if (body->spill && body->length > 0) {
        apr_status_t rv = apr_mmap_create(&mm, body->spill, 0, (apr_size_t)body->length, APR_MMAP_READ, r->pool);
        if (rv != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, "disclosure: cannot map the spilled body of %s", r->uri);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        data = mm->mm;
    }
    char *hash = apr_palloc(r->pool, 41);
    dsc_content_hash(data ? data : "", (size_t)body->length, hash);
    body->hash = hash;
    dsc_input in = {data ? data : "", (size_t)body->length, declared_charset(r), url, NULL, 0};
    dsc_error err;
    dsc_result *res = NULL;
    dsc_status st = dsc_check(policy, &in, &res, &err);
    if (mm)
        apr_mmap_delete(mm);
    if (st == DSC_ERR_TOOLARGE) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "disclosure: publish of %s refused: %s", r->uri, err.message);
        return respond_error(r, HTTP_REQUEST_ENTITY_TOO_LARGE, err.message_zh, err.message);
    }
    if (st == DSC_ERR_DECODE || st == DSC_ERR_CHARSET) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "disclosure: publish of %s refused: %s", r->uri, err.message);
        return respond_error(r, HTTP_BAD_REQUEST, apr_pstrcat(r->pool, err.message_zh, "。请以正确的字符集保存页面后重新发布。", NULL),
                             err.message);
    }
    if (st != DSC_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "disclosure: checking %s failed: %s", r->uri, err.message);
        return respond_error(r, HTTP_INTERNAL_SERVER_ERROR, "检查未能完成，请联系网站管理员。", err.message);
    }
    apr_pool_cleanup_register(r->pool, res, free_result, apr_pool_cleanup_null);
    holds_baton hb = {r};
    dsc_registry_check_publish(sc->registry, res, holds_by_lookup, &hb);

    size_t nerr = dsc_result_count(res, DSC_SEV_ERROR);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "disclosure: checked %s (%s, %" APR_OFF_T_FMT " bytes): %" APR_SIZE_T_FMT " errors, %" APR_SIZE_T_FMT " warnings",
                  url, dsc_kind_name(dsc_result_kind(res)), body->length, nerr, dsc_result_count(res, DSC_SEV_WARNING));
    const char *rules = rule_list(r, res);
    if (rules)
        apr_table_setn(r->err_headers_out, "Disclosure-Findings", rules);
    if (nerr && engine == MD_ENGINE_ON) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "disclosure: publish of %s rejected: %s", url, rules);
        size_t nwarn = dsc_result_count(res, DSC_SEV_WARNING);
        return respond(r, HTTP_UNPROCESSABLE_ENTITY, "urn:mod-disclosure:problem:noncompliant",
                       "页面不符合政务公开要求，未发布", "Page does not meet the disclosure rules; not published",
                       apr_psprintf(r->pool, "发现%" APR_SIZE_T_FMT "个错误、%" APR_SIZE_T_FMT "个警告。请按“errors”中的说明修改后重新发布。", nerr, nwarn),
                       apr_psprintf(r->pool, "%" APR_SIZE_T_FMT " errors and %" APR_SIZE_T_FMT " warnings; fix the errors and publish again.", nerr, nwarn),
                       res);
    }
    if (dsc_result_nfindings(res) && (engine == MD_ENGINE_REPORT || !nerr)) {
        for (size_t i = 0; i < dsc_result_nfindings(res); i++) {
            const dsc_finding *f = dsc_result_finding(res, i);
            ap_log_rerror(APLOG_MARK, engine == MD_ENGINE_REPORT && f->severity == DSC_SEV_ERROR ? APLOG_WARNING : APLOG_INFO,
                          0, r, "disclosure: %s: %s %s (%s): %s", url, dsc_severity_name(f->severity), f->rule,
                          f->field ? f->field : "-", f->message_en);
        }
    }
    /* the registry must be able to record the page before it is stored */
    dsc_error rerr;
    body->url = url;
    if (md_publish_reserve(r, body, url, engine, &rerr) != OK)
        return respond_unavailable(r, &rerr);
    body->res = res;
    body->record = 1;
    md_req(r)->publish = body;
    add_replay(r, body);
    ap_add_output_filter(RECORD_FILTER, body, r, r->connection);
    return DECLINED;
}

void md_publish_register(apr_pool_t *p)
{
    (void)p;
    ap_register_input_filter(REPLAY_FILTER, replay_filter, NULL, AP_FTYPE_CONTENT_SET);
    ap_register_output_filter(RECORD_FILTER, md_record_filter, NULL, AP_FTYPE_CONTENT_SET);
}
