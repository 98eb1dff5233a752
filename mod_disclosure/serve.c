/* Serve-time enforcement. A page labelled 依申请公开 or 不予公开 (or whose
 * labels disagree) is never served: files are judged in fixups, before any
 * handler, for every method, subrequest (SSI, negotiation, DirectoryIndex)
 * and every URL that maps to the file; other responses (proxied, generated)
 * are held whole by the DISCLOSURE output filter and judged there. Pages with
 * news (废止, 失效, 已修改, an interpretation to link) get it after <body>
 * (banner.c); verdicts come from the cache (cache.c). */
#include "cache.h"

#include "apr_date.h"
#include "apr_strings.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

APLOG_USE_MODULE(disclosure);

#define SERVE_FILTER "DISCLOSURE"

/* A proxied request's headers held back from the backend: asked for a
 * range, a backend sends a part no one can judge; with Accept-Encoding, a
 * compressed page; with a condition, a 304 or a 412 that says the page is
 * there (and unchanged) without a body to judge. Range, If-Range and
 * Accept-Encoding are given back to the byte-range and compression filters
 * that run after this module's; the conditions are evaluated here, against
 * the backend's validators, once the page is judged. */
static const struct {
    const char *name;
    int condition;
} held_headers[] = {
    {"Range", 0},         {"If-Range", 0},          {"Accept-Encoding", 0},
    {"If-None-Match", 1}, {"If-Modified-Since", 1}, {"If-Match", 1}, {"If-Unmodified-Since", 1},
};
#define N_HELD (sizeof held_headers / sizeof *held_headers)

typedef struct {
    md_verdict *verdict;      /* from fixups, for the file served */
    int cache_hit;
    const char *held[N_HELD]; /* a proxied request's, as the client sent them */
    int proxied;
    int conditional;          /* it had a condition: evaluate it after judging */
    int head;                 /* a HEAD asked of the backend as a GET, to judge */
    int included_withheld;    /* a subrequest of this one (an SSI include) was blocked */
    apr_finfo_t judged;       /* the file (inode, size, times) the verdict is about */
} md_serve_req;

typedef struct {
    apr_bucket_brigade *held;
    apr_off_t length;
    int passthrough;
    int blocked;              /* the block page is sent: drop whatever follows */
    md_judge kind;
    int sniffed;              /* MD_JUDGE_SNIFF: the first bytes were looked at */
    md_verdict *verdict;      /* known before the body (a file judged in fixups) */
    const char *inject;       /* what goes after <body> ("" for nothing) */
    int block_only;           /* not a 200: blocked when withheld, else sent as it is */
} md_filter_ctx;

/* ---- blocking ---- */

static int block_status(request_rec *r)
{
    md_dir_conf *d = ap_get_module_config(r->per_dir_config, &disclosure_module);
    return d->block_status > 0 ? d->block_status : HTTP_NOT_FOUND;
}

const char *md_read_file(request_rec *r, const char *filename, apr_off_t size, apr_size_t *len)
{
    apr_file_t *f;
    char *buf = apr_palloc(r->pool, (apr_size_t)size + 1);
    if (apr_file_open(&f, filename, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, r->pool) != APR_SUCCESS)
        return NULL;
    apr_status_t rv = apr_file_read_full(f, buf, (apr_size_t)size, len);
    apr_file_close(f);
    return rv == APR_SUCCESS || rv == APR_EOF ? buf : NULL;
}

static md_verdict *fail_closed(request_rec *r, const char *why)
{
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "disclosure: %s (%s): %s; blocked", r->uri,
                  r->filename ? r->filename : "-", why);
    md_verdict *v = apr_pcalloc(r->pool, sizeof(*v));
    v->withheld = 1;
    v->linked = apr_pcalloc(r->pool, sizeof(char *));
    return v;
}

#define FILE_IDENT (APR_FINFO_IDENT | APR_FINFO_SIZE | APR_FINFO_MTIME | APR_FINFO_CTIME)

static int same_file(const apr_finfo_t *a, const apr_finfo_t *b)
{
    return a->inode == b->inode && a->device == b->device && a->size == b->size && a->mtime == b->mtime &&
           a->ctime == b->ctime;
}

/* Read up to n bytes of f from its start. */
static const char *read_head(request_rec *r, apr_file_t *f, apr_off_t n, apr_size_t *len)
{
    apr_off_t at = 0;
    char *buf = apr_palloc(r->pool, (apr_size_t)n + 1);
    if (apr_file_seek(f, APR_SET, &at) != APR_SUCCESS)
        return NULL;
    apr_status_t rv = apr_file_read_full(f, buf, (apr_size_t)n, len);
    return rv == APR_SUCCESS || rv == APR_EOF ? buf : NULL;
}

/* The verdict cache's key of a file as it is. ctime too: an editor's tool
 * can put back the size and the mtime of a file it rewrote in place, but
 * not its inode change time. */
static const char *file_key(request_rec *r, const apr_finfo_t *fi)
{
    return apr_psprintf(r->pool, "f:%" APR_UINT64_T_FMT ":%" APR_TIME_T_FMT ":%" APR_TIME_T_FMT ":%" APR_OFF_T_FMT ":%s",
                        (apr_uint64_t)fi->inode, fi->mtime, fi->ctime, fi->size, r->filename);
}

/* Judge the file as it is now, through one descriptor: a publish may have
 * renamed a new version in since the directory walk's stat, and the verdict
 * must be about the bytes read (judged says which file that was). */
static md_verdict *judge_file(request_rec *r, md_judge kind, int *hit, apr_finfo_t *judged)
{
    const dsc_policy *policy = md_policy(r->server);
    apr_off_t max = (apr_off_t)dsc_policy_max_bytes(policy);
    /* a page judged before and unchanged since the directory walk's stat:
     * its verdict without opening it (most requests). The filter still
     * checks that the handler sends that very file, and judges what is sent
     * when a publish replaced it in between. */
    md_verdict *v = md_cache_lookup(r, file_key(r, &r->finfo));
    if (v) {
        *judged = r->finfo;
        *hit = 1;
        return v;
    }
    apr_file_t *f;
    if (apr_file_open(&f, r->filename, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, r->pool) != APR_SUCCESS)
        return NULL;
    apr_size_t len;
    if (apr_file_info_get(judged, FILE_IDENT, f) != APR_SUCCESS)
        goto out;
    if (!same_file(judged, &r->finfo)) {
        /* the handler sends r->finfo.size bytes: the size of what is judged */
        r->finfo.inode = judged->inode;
        r->finfo.device = judged->device;
        r->finfo.size = judged->size;
        r->finfo.mtime = judged->mtime;
        r->finfo.ctime = judged->ctime;
    }
    const char *key = file_key(r, judged);
    if ((v = md_cache_lookup(r, key))) {
        *hit = 1;
        goto out;
    }
    if (kind == MD_JUDGE_SNIFF) {
        /* a binary is not a page: look at its first KB before reading it all */
        const char *head = read_head(r, f, judged->size < 1024 ? judged->size : 1024, &len);
        if (!head || !md_sniff_text(head, len))
            goto out;
    }
    if (judged->size > max)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "disclosure: %s is larger than the policy's max-page-bytes; judged on its first %" APR_OFF_T_FMT " bytes",
                      r->filename, max);
    const char *buf = read_head(r, f, judged->size < max ? judged->size : max, &len);
    if (!buf)
        goto out;
    if (kind == MD_JUDGE_ENCODED) {
        apr_size_t n;
        const char *plain = md_decompress(r->pool, r->content_encoding, r->filename, buf, len, (apr_size_t)max, &n);
        if (!plain) {
            v = fail_closed(r, "a compressed page this module cannot read");
            goto out;
        }
        buf = plain;
        len = n;
    }
    v = md_cache_get(r, key, buf, len, hit);
out:
    apr_file_close(f);
    return v;
}

/* The file the default handler opened (by name, after fixups): when it is
 * not the one judged, a publish replaced it in between. Its bucket then also
 * has the old size: give it the whole new file. Returns 1 when the verdict
 * holds for what is being sent. */
static int sending_judged_file(request_rec *r, apr_bucket_brigade *bb, const apr_finfo_t *judged)
{
    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = APR_BUCKET_NEXT(b)) {
        if (!APR_BUCKET_IS_FILE(b))
            continue;
        apr_bucket_file *fb = b->data;
        apr_finfo_t now;
        if (apr_file_info_get(&now, FILE_IDENT, fb->fd) != APR_SUCCESS)
            return 0;
        if (same_file(&now, judged))
            return 1;
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "disclosure: %s was replaced while being served; judging what is sent",
                      r->filename);
        if (b->start == 0 && APR_BUCKET_NEXT(b) != APR_BRIGADE_SENTINEL(bb) && APR_BUCKET_IS_EOS(APR_BUCKET_NEXT(b))) {
            b->length = (apr_size_t)now.size;
            ap_set_content_length(r, now.size);
        }
        return 0;
    }
    return 0;
}

static void log_block(request_rec *r, md_verdict *v)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "disclosure: blocked %s (%s): %s", r->uri,
                  r->filename ? r->filename : "-",
                  v->withheld == 2 ? "公开属性 labels disagree" : "labelled 依申请公开/不予公开");
}

static int is_proxied(request_rec *r)
{
    return r->proxyreq == PROXYREQ_REVERSE || (r->filename && !strncmp(r->filename, "proxy:", 6)) ||
           (r->handler && !strncmp(r->handler, "proxy:", 6));
}

static void hold_proxy_headers(request_rec *r)
{
    md_serve_req *sr = apr_pcalloc(r->pool, sizeof(*sr));
    sr->proxied = 1;
    for (size_t i = 0; i < N_HELD; i++) {
        sr->held[i] = apr_table_get(r->headers_in, held_headers[i].name);
        if (sr->held[i] && held_headers[i].condition)
            sr->conditional = 1;
        apr_table_unset(r->headers_in, held_headers[i].name);
    }
    /* a HEAD would bring headers that confirm the page and no body to
     * judge: ask for the page, judge it, send the headers only */
    if (r->header_only) {
        sr->head = 1;
        r->header_only = 0;
        r->method = "GET";
    }
    md_req(r)->serve = sr;
}

static void give_back_proxy_headers(request_rec *r, md_serve_req *sr)
{
    if (!sr || !sr->proxied)
        return;
    for (size_t i = 0; i < N_HELD; i++)
        if (sr->held[i])
            apr_table_setn(r->headers_in, held_headers[i].name, sr->held[i]);
    if (sr->head) {
        r->header_only = 1;
        r->method = "HEAD";
    }
    sr->proxied = 0;
}

/* A subrequest blocked: the page that includes it must not go out without
 * it as if it were complete. An SSI page whose metadata block is an
 * included fragment saying 不予公开 would otherwise lose the label and be
 * served; the main response's filter blocks it (when a resource filter such
 * as INCLUDES assembled it). */
static void taint_main(request_rec *r)
{
    for (request_rec *m = r->main; m; m = m->main) {
        md_req_conf *c = md_req(m);
        if (!c->serve)
            c->serve = apr_pcalloc(m->pool, sizeof(md_serve_req));
        ((md_serve_req *)c->serve)->included_withheld = 1;
    }
}

/* Fixups for serving: judge the file before any handler reads it. */
int md_serve_fixups(request_rec *r)
{
    md_dir_conf *d = ap_get_module_config(r->per_dir_config, &disclosure_module);
    md_engine engine = md_dir_engine(d);
    /* a publish replaces the file: the publish check handles it; OPTIONS
     * sends no content, and answers a page that is not there with 200 too */
    if (engine == MD_ENGINE_OFF || r->method_number == M_PUT || r->method_number == M_OPTIONS)
        return DECLINED;
    if (is_proxied(r)) {
        /* not in a subrequest: it shares the main request's headers_in */
        if (r->method_number == M_GET && engine == MD_ENGINE_ON && !r->main)
            hold_proxy_headers(r);
        return DECLINED;
    }
    if (r->finfo.filetype != APR_REG)
        return DECLINED;
    md_judge kind = md_judge_kind(r->content_type, r->content_encoding, r->filename);
    if (kind == MD_JUDGE_NO)
        return DECLINED;
    int hit = 0;
    md_serve_req *sr = apr_pcalloc(r->pool, sizeof(*sr));
    md_verdict *v = judge_file(r, kind, &hit, &sr->judged);
    if (!v)
        return DECLINED;
    sr->verdict = v;
    sr->cache_hit = hit;
    md_req(r)->serve = sr;
    if (v->withheld && engine == MD_ENGINE_ON) {
        /* no Disclosure-Status here: a 404 that said "withheld" would tell
         * the public a withheld document is at this URL */
        log_block(r, v);
        taint_main(r);
        /* the response must not say more than "not here" */
        apr_table_unset(r->headers_in, "Range");
        return block_status(r);
    }
    return DECLINED;
}


/* The page held is dropped, and whatever the handler still sends (the
 * filter stays, in ctx->blocked). */
static void drop_page(md_filter_ctx *ctx)
{
    ctx->blocked = 1;
    apr_brigade_cleanup(ctx->held);
}

static apr_status_t pass_eos(ap_filter_t *f)
{
    apr_bucket_brigade *out = apr_brigade_create(f->r->pool, f->c->bucket_alloc);
    APR_BRIGADE_INSERT_TAIL(out, apr_bucket_eos_create(f->c->bucket_alloc));
    return ap_pass_brigade(f->next, out);
}

/* An error page (status) replaces the response. */
static apr_status_t replace_response(ap_filter_t *f, md_filter_ctx *ctx, int status)
{
    request_rec *r = f->r;
    drop_page(ctx);
    if (!r->main) {
        /* the site's own "not found" (ErrorDocument included), the same
         * answer as for a page that is not there, sent as the core sends
         * it when a handler returns the status. Not as an error bucket:
         * the header filter that meets one first decides the framing of a
         * response with no Content-Length (chunked) and only then calls
         * ap_die(), whose page would go out chunked where a missing page
         * has a Content-Length. Nothing of this response has gone past
         * this filter (it holds the page), so the error page starts clean:
         * ap_send_error_response() resets the chain to the protocol
         * filters. */
        apr_table_clear(r->headers_out);
        apr_table_unset(r->headers_in, "Range");
        r->content_encoding = NULL;
        r->content_type = NULL;
        /* ap_die() takes a status already set for a second error. That is
         * so for an ErrorDocument (an internal redirect with the first
         * error's status): it then sends httpd's own page for the first
         * error, as when the ErrorDocument is missing. Otherwise (a 206, a
         * script's 410) the block is the first error. */
        if (!r->prev || !ap_is_HTTP_ERROR(r->status))
            r->status = HTTP_OK;
        ap_die(status, r);
        return AP_FILTER_ERROR;
    }
    /* in a subrequest (an SSI include): nothing of it; the page that
     * includes it is blocked in its turn (taint_main) */
    return pass_eos(f);
}

static apr_status_t send_block(ap_filter_t *f, md_filter_ctx *ctx, md_verdict *v)
{
    log_block(f->r, v);
    taint_main(f->r);
    return replace_response(f, ctx, block_status(f->r));
}

/* A proxied page judged fit to send, asked with a condition the backend
 * never saw: OK, HTTP_NOT_MODIFIED or HTTP_PRECONDITION_FAILED, as httpd
 * answers for its own files, against the backend's ETag and Last-Modified. */
static int proxied_conditions(request_rec *r)
{
    const char *lm = apr_table_get(r->headers_out, "Last-Modified");
    apr_time_t t = lm ? apr_date_parse_http(lm) : APR_DATE_BAD;
    if (t != APR_DATE_BAD)
        ap_update_mtime(r, t);
    return ap_meets_conditions(r);
}

/* 304: the headers only (httpd's header filter keeps those a 304 may
 * carry); the page held is dropped. */
static apr_status_t send_not_modified(ap_filter_t *f, md_filter_ctx *ctx)
{
    drop_page(ctx);
    f->r->status = HTTP_NOT_MODIFIED;
    apr_table_unset(f->r->headers_out, "Content-Length");
    return pass_eos(f);
}

/* Move bb's buckets into ctx->held (set aside, FLUSH dropped); 1 at EOS. */
static apr_status_t hold(request_rec *r, md_filter_ctx *ctx, apr_bucket_brigade *bb, int *eos)
{
    while (!APR_BRIGADE_EMPTY(bb)) {
        apr_bucket *b = APR_BRIGADE_FIRST(bb);
        if (APR_BUCKET_IS_EOS(b))
            *eos = 1;
        if (!APR_BUCKET_IS_METADATA(b) && b->length == (apr_size_t)-1) {
            const char *data;
            apr_size_t n;
            apr_status_t rv = apr_bucket_read(b, &data, &n, APR_BLOCK_READ);
            if (rv != APR_SUCCESS)
                return rv;
        }
        if (!APR_BUCKET_IS_METADATA(b))
            ctx->length += b->length;
        apr_status_t rv = apr_bucket_setaside(b, r->pool);
        if (rv != APR_SUCCESS && rv != APR_ENOTIMPL)
            return rv;
        APR_BUCKET_REMOVE(b);
        /* FLUSH cannot be honoured while the page is held */
        if (APR_BUCKET_IS_FLUSH(b)) {
            apr_bucket_delete(b);
            continue;
        }
        APR_BRIGADE_INSERT_TAIL(ctx->held, b);
    }
    return APR_SUCCESS;
}

/* The verdict of a response's bytes (decompressed when they are), by the
 * hash of what was judged. */
static md_verdict *judge_bytes(ap_filter_t *f, md_filter_ctx *ctx, const char *data, apr_size_t len, const char *tag)
{
    request_rec *r = f->r;
    if (ctx->kind == MD_JUDGE_ENCODED) {
        apr_size_t n;
        const char *plain = md_decompress(r->pool, apr_table_get(r->headers_out, "Content-Encoding"), NULL, data, len,
                                          dsc_policy_max_bytes(md_policy(r->server)), &n);
        if (!plain)
            return fail_closed(r, "a compressed page this module cannot read");
        data = plain;
        len = n;
    }
    char hex[41];
    dsc_content_hash(data, len, hex);
    int hit = 0;
    md_verdict *v = md_cache_get(r, apr_pstrcat(r->pool, tag, hex, ":", r->uri, NULL), data, len, &hit);
    if (!ctx->block_only)
        apr_table_setn(r->headers_out, "Disclosure-Cache", hit ? "hit" : "miss");
    return v;
}

/* A resource filter before this one (INCLUDES, SUBSTITUTE, SED …) makes
 * the page sent differ from the file judged: an SSI page whose metadata
 * block is an included fragment says 不予公开 only once assembled. */
static int transformed(ap_filter_t *f)
{
    for (ap_filter_t *o = f->r->output_filters; o && o != f; o = o->next)
        /* OLD_WRITE only buffers what a handler writes with ap_rputs */
        if (o->frec && o->frec->ftype >= AP_FTYPE_RESOURCE && o->frec->ftype < AP_FTYPE_CONTENT_SET &&
            strcasecmp(o->frec->name, "old_write") != 0)
            return 1;
    return 0;
}

static apr_status_t serve_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    md_filter_ctx *ctx = f->ctx;
    md_dir_conf *d = ap_get_module_config(r->per_dir_config, &disclosure_module);
    md_engine engine = md_dir_engine(d);
    if (!ctx) {
        md_serve_req *sr = md_req(r)->serve;
        give_back_proxy_headers(r, sr);
        const char *enc = apr_table_get(r->headers_out, "Content-Encoding");
        md_judge kind = md_judge_kind(r->content_type, enc, r->filename);
        /* a part of a page cannot be judged: a page only whole */
        int partial = r->status == HTTP_PARTIAL_CONTENT && engine == MD_ENGINE_ON && kind != MD_JUDGE_NO;
        /* every response with a body is judged, whatever its status: an
         * ErrorDocument is sent with the error's status (an SSI one may
         * assemble a withheld page), a script or a backend may send a page
         * with a 404 or a 410 */
        if (engine == MD_ENGINE_OFF || kind == MD_JUDGE_NO || AP_STATUS_IS_HEADER_ONLY(r->status)) {
            ap_remove_output_filter(f);
            return ap_pass_brigade(f->next, bb);
        }
        f->ctx = ctx = apr_pcalloc(r->pool, sizeof(*ctx));
        ctx->held = apr_brigade_create(r->pool, f->c->bucket_alloc);
        ctx->kind = kind;
        ctx->inject = "";
        /* an error page neither says what it is (no Disclosure-Status: a
         * missing page must answer as a blocked one) nor gets a banner */
        ctx->block_only = r->status != HTTP_OK;
        if (partial) {
            apr_brigade_cleanup(bb);
            return send_block(f, ctx, fail_closed(r, "a partial response (206) of a page"));
        }
        /* the file's verdict holds when the default handler sends the file as
         * it is: decide now, and let an unchanged page stream (sendfile) */
        if (sr && sr->verdict && !transformed(f) &&
            (!r->handler || !strcmp(r->handler, "default-handler") || !strncmp(r->handler, "text/", 5)) &&
            sending_judged_file(r, bb, &sr->judged)) {
            ctx->verdict = sr->verdict;
            if (!ctx->block_only) {
                apr_table_setn(r->headers_out, "Disclosure-Cache", sr->cache_hit ? "hit" : "miss");
                ctx->inject = md_page_news(r, ctx->verdict, engine);
            }
            if (kind != MD_JUDGE_HTML || !*ctx->inject) {
                ap_remove_output_filter(f);
                return ap_pass_brigade(f->next, bb);
            }
        }
    }
    if (ctx->blocked) {
        apr_brigade_cleanup(bb);
        return APR_SUCCESS;
    }
    if (ctx->passthrough)
        return ap_pass_brigade(f->next, bb);
    int eos = 0;
    apr_status_t rv = hold(r, ctx, bb, &eos);
    if (rv != APR_SUCCESS)
        return rv;
    char *data;
    apr_size_t len;
    if (ctx->kind == MD_JUDGE_SNIFF && !ctx->sniffed && (ctx->length >= 1024 || eos)) {
        ctx->sniffed = 1;
        char head[1024];
        apr_size_t n = sizeof head;
        apr_brigade_flatten(ctx->held, head, &n);
        if (!md_sniff_text(head, n)) {
            ap_remove_output_filter(f);
            return ap_pass_brigade(f->next, ctx->held);
        }
    }
    apr_off_t max = (apr_off_t)dsc_policy_max_bytes(md_policy(r->server));
    if (ctx->length > max) {
        /* too large to hold: judge what is held (its first max bytes), and
         * let the rest stream only when that is not withheld */
        apr_brigade_pflatten(ctx->held, &data, &len, r->pool);
        md_verdict *v = judge_bytes(f, ctx, data, len, "p:");
        if (v->withheld && engine == MD_ENGINE_ON)
            return send_block(f, ctx, v);
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "disclosure: %s is larger than the policy's max-page-bytes; judged on its first %" APR_OFF_T_FMT " bytes",
                      r->uri, max);
        ctx->passthrough = 1;
        return ap_pass_brigade(f->next, ctx->held);
    }
    if (!eos)
        return APR_SUCCESS;

    apr_brigade_pflatten(ctx->held, &data, &len, r->pool);
    const char *inject = ctx->inject;
    md_serve_req *sr = md_req(r)->serve;
    if (sr && sr->included_withheld && engine == MD_ENGINE_ON && transformed(f))
        return send_block(f, ctx, fail_closed(r, "it includes a page or fragment that is withheld"));
    if (!ctx->verdict) {
        md_verdict *v = judge_bytes(f, ctx, data, len, "h:");
        if (v->withheld && engine == MD_ENGINE_ON)
            return send_block(f, ctx, v);
        if (!ctx->block_only)
            inject = md_page_news(r, v, engine);
    }
    if (sr && sr->conditional && !ctx->block_only) {
        int cond = proxied_conditions(r);
        if (cond == HTTP_NOT_MODIFIED)
            return send_not_modified(f, ctx);
        if (cond != OK)
            return replace_response(f, ctx, cond);
    }
    ap_remove_output_filter(f);
    /* banners only in an HTML page as sent (not compressed, not text/plain) */
    if (!*inject || ctx->kind != MD_JUDGE_HTML)
        return ap_pass_brigade(f->next, ctx->held);
    apr_size_t at = md_body_open_end(data, len);
    apr_brigade_cleanup(ctx->held);
    apr_bucket_brigade *out = ctx->held;
    apr_bucket_alloc_t *ba = f->c->bucket_alloc;
    APR_BRIGADE_INSERT_TAIL(out, apr_bucket_pool_create(data, at, r->pool, ba));
    APR_BRIGADE_INSERT_TAIL(out, apr_bucket_pool_create(inject, strlen(inject), r->pool, ba));
    APR_BRIGADE_INSERT_TAIL(out, apr_bucket_pool_create(data + at, len - at, r->pool, ba));
    APR_BRIGADE_INSERT_TAIL(out, apr_bucket_eos_create(ba));
    /* the body changed: its length, validators and cached copies with it */
    apr_table_unset(r->headers_out, "ETag");
    apr_table_unset(r->headers_out, "Last-Modified");
    apr_table_unset(r->headers_out, "Content-MD5");
    ap_set_content_length(r, (apr_off_t)(len + strlen(inject)));
    return ap_pass_brigade(f->next, out);
}

/* mod_cache answers from its quick handler, before any fixups: a page
 * cached while in force would be served long after it was withdrawn (its
 * heuristic freshness is a tenth of its age). Before mod_cache looks, map
 * the URL as a subrequest, which judges the file as it is now. */
int md_serve_quick_handler(request_rec *r, int lookup)
{
    if (lookup || r->main || r->method_number != M_GET || !ap_find_linked_module("mod_cache.c"))
        return DECLINED;
    request_rec *rr = ap_sub_req_lookup_uri(r->uri, r, NULL);
    md_serve_req *sr = md_req(rr)->serve;
    md_dir_conf *d = ap_get_module_config(rr->per_dir_config, &disclosure_module);
    int status = DECLINED;
    if (sr && sr->verdict && sr->verdict->withheld && md_dir_engine(d) == MD_ENGINE_ON)
        status = rr->status != HTTP_OK ? rr->status : block_status(rr);
    ap_destroy_sub_req(rr);
    return status;
}

static int has_filter(ap_filter_t *f, const char *name)
{
    for (; f; f = f->next)
        if (f->frec && f->frec->name && !strcasecmp(f->frec->name, name))
            return 1;
    return 0;
}

void md_serve_insert_filter(request_rec *r)
{
    md_dir_conf *d = ap_get_module_config(r->per_dir_config, &disclosure_module);
    if (md_dir_engine(d) == MD_ENGINE_OFF || r->method_number == M_PUT || has_filter(r->output_filters, SERVE_FILTER))
        return;
    ap_add_output_filter(SERVE_FILTER, NULL, r, r->connection);
}

void md_serve_register(apr_pool_t *p)
{
    (void)p;
    /* before DEFLATE/BROTLI (CONTENT_SET - 1) and the cache (CONTENT_SET + 1) */
    ap_register_output_filter_protocol(SERVE_FILTER, serve_filter, NULL, AP_FTYPE_CONTENT_SET - 3,
                                       AP_FILTER_PROTO_CHANGE | AP_FILTER_PROTO_CHANGE_LENGTH);
}
