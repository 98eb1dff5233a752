/* The registry side of publishing: a checked page is reserved in the
 * registry before the handler may store it (so a registry that cannot be
 * written refuses the publish: fail closed), recorded when the handler
 * answers 2xx, and released at the end of the request. DELETE, MOVE and COPY
 * are followed in the log phase. */
#include "publish.h"

#include "apr_strings.h"
#include "apr_uri.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

APLOG_USE_MODULE(disclosure);

/* At the end of the request, after the response went out (so the editor
 * does not wait for it): the reservation goes once the page is recorded, or
 * when the handler stored nothing. A page stored but not recorded keeps it,
 * to say so. */
static apr_status_t release_at_end(void *data)
{
    md_body *body = data;
    if (!body->reserved)
        return APR_SUCCESS;
    body->reserved = 0;
    request_rec *last = body->r;
    while (last->next)
        last = last->next;
    md_server_conf *sc = md_server(body->r->server);
    dsc_error err;
    if (!body->recorded && last->status >= 200 && last->status <= 299)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, body->r,
                      "disclosure: %s was stored (%d) but never recorded in the registry (left in its publishing table)",
                      body->url, last->status);
    else if (sc->registry && dsc_registry_release(sc->registry, body->url, body->hash, &err) != DSC_OK)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, body->r, "disclosure: %s: reservation not released: %s",
                      body->url, err.message);
    return APR_SUCCESS;
}

/* Prove the registry writable before anything is published: a real write
 * transaction (a row in its publishing table) that a read-only file, a full
 * disk or a lock held past the busy timeout refuses. */
int md_publish_reserve(request_rec *r, md_body *body, const char *url, md_engine engine, dsc_error *err)
{
    md_server_conf *sc = md_server(r->server);
    if (!sc->registry_file)
        return OK;
    if (!sc->registry) {
        memset(err, 0, sizeof *err);
        apr_cpystrn(err->message, "the registry could not be opened by this server process (see the error log at its start)",
                    sizeof err->message);
        apr_cpystrn(err->message_zh, "登记库无法打开", sizeof err->message_zh);
    }
    if (sc->registry && dsc_registry_reserve(sc->registry, url, body->hash, (long long)apr_time_sec(r->request_time),
                                             err) == DSC_OK) {
        body->reserved = 1;
        body->r = r;
        apr_pool_cleanup_register(r->pool, body, release_at_end, apr_pool_cleanup_null);
        return OK;
    }
    if (engine == MD_ENGINE_ON) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "disclosure: publish of %s refused (503): %s", url, err->message);
        return HTTP_SERVICE_UNAVAILABLE;
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "disclosure: %s is published unrecorded (ReportOnly never refuses): %s",
                  url, err->message);
    return OK;
}

/* When the handler's response ends with a 2xx, the page was stored: record
 * it in the registry before the client hears back, so that whatever the
 * editor publishes next already sees it. */
apr_status_t md_record_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    md_body *body = f->ctx;
    int eos = 0;
    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = APR_BUCKET_NEXT(b))
        if (APR_BUCKET_IS_EOS(b))
            eos = 1;
    if (!eos)
        return ap_pass_brigade(f->next, bb);
    md_server_conf *sc = md_server(r->server);
    dsc_error err;
    if (body->record && sc->registry && r->status >= 200 && r->status <= 299) {
        body->record = 0;
        if (dsc_registry_record(sc->registry, body->res, body->hash, (long long)apr_time_sec(r->request_time),
                                &err) != DSC_OK) {
            /* the handler has stored the page: it stays (undoing a rename
             * could lose the previous version too), and its reservation
             * stays in the publishing table to say so */
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                          "disclosure: %s was published but not recorded in the registry (left in its publishing"
                          " table): %s", r->uri, err.message);
            body->reserved = 0;
        } else {
            body->recorded = 1;
            md_serve_registry_changed(r);
        }
    }
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

/* httpd answers a handler's bare status (mod_dav's 204 for a PUT that
 * replaced a page, its errors) through ap_send_error_response, which drops
 * the request's filters: put the record filter back so that a replaced
 * page is recorded too. */
void md_publish_insert_error_filter(request_rec *r)
{
    if (r->main)
        return;
    md_body *body = md_req(md_first(r))->publish;
    if (body && body->record)
        ap_add_output_filter(RECORD_FILTER, body, r, r->connection);
}

/* Judge the file now at uri (the destination of a COPY or MOVE) and record it. */
static void record_file(request_rec *r, dsc_registry *reg, const char *uri)
{
    request_rec *rr = ap_sub_req_lookup_uri(uri, r, NULL);
    const dsc_policy *policy = md_policy(r->server);
    if (rr->status == HTTP_OK && rr->finfo.filetype == APR_REG && rr->finfo.size <= (apr_off_t)dsc_policy_max_bytes(policy)) {
        apr_size_t len;
        const char *buf = md_read_file(r, rr->filename, rr->finfo.size, &len);
        if (buf) {
            dsc_input in = {buf, len, NULL, ap_construct_url(r->pool, rr->uri, r), NULL, 0};
            dsc_result *res;
            dsc_error err;
            if (dsc_check(policy, &in, &res, &err) == DSC_OK) {
                if (dsc_registry_record(reg, res, NULL, (long long)apr_time_sec(r->request_time), &err) != DSC_OK)
                    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "disclosure: %s not recorded in the registry: %s", rr->uri, err.message);
                dsc_result_free(res);
            }
        }
    }
    ap_destroy_sub_req(rr);
}

/* DELETE, MOVE and COPY change what the site holds without a body to check:
 * keep the registry in step once the handler has done it. */
int md_publish_log(request_rec *r)
{
    if (r->main || r->prev ||
        (r->method_number != M_DELETE && r->method_number != M_MOVE && r->method_number != M_COPY))
        return DECLINED;
    md_dir_conf *d = ap_get_module_config(r->per_dir_config, &disclosure_module);
    md_server_conf *sc = md_server(r->server);
    if (md_dir_engine(d) == MD_ENGINE_OFF || d->publish != 1 || !sc->registry)
        return DECLINED;
    request_rec *last = r;
    while (last->next)
        last = last->next;
    if (last->status < 200 || last->status > 299)
        return DECLINED;
    dsc_error err;
    if (r->method_number != M_COPY &&
        dsc_registry_forget(sc->registry, ap_construct_url(r->pool, r->uri, r), &err) != DSC_OK)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "disclosure: %s not removed from the registry: %s", r->uri, err.message);
    const char *dest = apr_table_get(r->headers_in, "Destination");
    apr_uri_t uri;
    if (dest && r->method_number != M_DELETE && apr_uri_parse(r->pool, dest, &uri) == APR_SUCCESS && uri.path) {
        char *path = apr_pstrdup(r->pool, uri.path);
        if (ap_unescape_url(path) == OK)
            record_file(r, sc->registry, path);
    }
    md_serve_registry_changed(r);
    return DECLINED;
}

