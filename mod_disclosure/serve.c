/* Serve-time enforcement. A page labelled 依申请公开 or 不予公开 (or whose
 * labels disagree) is never served: files are judged in fixups, before any
 * handler, for every method, subrequest (SSI, negotiation, DirectoryIndex)
 * and every URL that maps to the file; other responses (proxied, generated)
 * are held whole by the DISCLOSURE output filter and judged there. Pages with
 * news (废止, 失效, 已修改, an interpretation to link) get it after <body>
 * (banner.c); verdicts come from the cache (cache.c). */
#include "cache.h"

#include "apr_strings.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

APLOG_USE_MODULE(disclosure);

#define SERVE_FILTER "DISCLOSURE"

typedef struct {
    md_verdict *verdict;      /* from fixups, for the file served */
    int cache_hit;
    apr_finfo_t judged;       /* the file (inode, size, mtime) that verdict is about */
} md_serve_req;

typedef struct {
    apr_bucket_brigade *held;
    apr_off_t length;
    int passthrough;
    md_verdict *verdict;      /* known before the body (a file judged in fixups) */
    const char *inject;       /* what goes after <body>, when already known */
} md_filter_ctx;

/* ---- blocking ---- */

static int block_status(request_rec *r)
{
    md_dir_conf *d = ap_get_module_config(r->per_dir_config, &disclosure_module);
    return d->block_status > 0 ? d->block_status : HTTP_NOT_FOUND;
}

static int is_html_file(request_rec *r)
{
    if (r->content_type) {
        if (!strncasecmp(r->content_type, "text/html", 9) || !strncasecmp(r->content_type, "application/xhtml+xml", 21))
            return 1;
        return 0;
    }
    const char *dot = r->filename ? strrchr(r->filename, '.') : NULL;
    return dot && (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm") || !strcasecmp(dot, ".shtml") ||
                   !strcasecmp(dot, ".xhtml"));
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

#define FILE_IDENT (APR_FINFO_IDENT | APR_FINFO_SIZE | APR_FINFO_MTIME)

static int same_file(const apr_finfo_t *a, const apr_finfo_t *b)
{
    return a->inode == b->inode && a->device == b->device && a->size == b->size && a->mtime == b->mtime;
}

/* Judge the file as it is now, through one descriptor: a publish may have
 * renamed a new version in since the directory walk's stat, and the verdict
 * must be about the bytes it read. */
static md_verdict *judge_file(request_rec *r, int *hit, apr_finfo_t *judged)
{
    const dsc_policy *policy = md_policy(r->server);
    apr_file_t *f;
    if (apr_file_open(&f, r->filename, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, r->pool) != APR_SUCCESS)
        return NULL;
    md_verdict *v = NULL;
    if (apr_file_info_get(judged, FILE_IDENT, f) != APR_SUCCESS)
        goto out;
    if (judged->size > (apr_off_t)dsc_policy_max_bytes(policy)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "disclosure: %s is larger than the policy's max-page-bytes; served without a verdict", r->filename);
        goto out;
    }
    if (!same_file(judged, &r->finfo)) {
        /* the handler sends r->finfo.size bytes: the size of what we judge */
        r->finfo.inode = judged->inode;
        r->finfo.device = judged->device;
        r->finfo.size = judged->size;
        r->finfo.mtime = judged->mtime;
    }
    const char *key = apr_psprintf(r->pool, "f:%" APR_UINT64_T_FMT ":%" APR_TIME_T_FMT ":%" APR_OFF_T_FMT ":%s",
                                   (apr_uint64_t)judged->inode, judged->mtime, judged->size, r->filename);
    v = md_cache_lookup(r, key);
    if (v) {
        *hit = 1;
        goto out;
    }
    char *buf = apr_palloc(r->pool, (apr_size_t)judged->size + 1);
    apr_size_t len = 0;
    apr_status_t rv = apr_file_read_full(f, buf, (apr_size_t)judged->size, &len);
    if (rv == APR_SUCCESS || rv == APR_EOF)
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

/* Fixups for serving: judge the file before any handler reads it. */
int md_serve_fixups(request_rec *r)
{
    md_dir_conf *d = ap_get_module_config(r->per_dir_config, &disclosure_module);
    md_engine engine = md_dir_engine(d);
    if (engine == MD_ENGINE_OFF || r->finfo.filetype != APR_REG || !is_html_file(r))
        return DECLINED;
    /* a publish replaces the file: the publish check handles it */
    if (r->method_number == M_PUT)
        return DECLINED;
    int hit = 0;
    md_serve_req *sr = apr_pcalloc(r->pool, sizeof(*sr));
    md_verdict *v = judge_file(r, &hit, &sr->judged);
    if (!v)
        return DECLINED;
    sr->verdict = v;
    sr->cache_hit = hit;
    md_req(r)->serve = sr;
    if (v->withheld && engine == MD_ENGINE_ON) {
        apr_table_setn(r->err_headers_out, "Disclosure-Status", v->withheld == 2 ? "withheld; conflict" : "withheld");
        log_block(r, v);
        /* the response must not say more than "not here" */
        apr_table_unset(r->headers_in, "Range");
        return block_status(r);
    }
    return DECLINED;
}


static apr_status_t send_block(ap_filter_t *f, md_verdict *v)
{
    request_rec *r = f->r;
    log_block(r, v);
    r->status = block_status(r);
    r->status_line = NULL;
    apr_table_clear(r->headers_out);
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    apr_table_unset(r->headers_in, "Range");
    ap_set_content_type(r, "text/html; charset=utf-8");
    const char *body = "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>页面不存在</title></head>"
                       "<body><p>页面不存在。 Not found.</p></body></html>\n";
    ap_set_content_length(r, strlen(body));
    apr_bucket_brigade *out = apr_brigade_create(r->pool, f->c->bucket_alloc);
    APR_BRIGADE_INSERT_TAIL(out, apr_bucket_immortal_create(body, strlen(body), f->c->bucket_alloc));
    APR_BRIGADE_INSERT_TAIL(out, apr_bucket_eos_create(f->c->bucket_alloc));
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, out);
}

static int is_html_type(const char *ct)
{
    return ct && (!strncasecmp(ct, "text/html", 9) || !strncasecmp(ct, "application/xhtml+xml", 21));
}


static apr_status_t serve_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    md_filter_ctx *ctx = f->ctx;
    md_dir_conf *d = ap_get_module_config(r->per_dir_config, &disclosure_module);
    md_engine engine = md_dir_engine(d);
    if (!ctx) {
        const char *enc = apr_table_get(r->headers_out, "Content-Encoding");
        if (engine == MD_ENGINE_OFF || r->status != HTTP_OK || !is_html_type(r->content_type) ||
            (enc && strcasecmp(enc, "identity") != 0)) {
            ap_remove_output_filter(f);
            return ap_pass_brigade(f->next, bb);
        }
        f->ctx = ctx = apr_pcalloc(r->pool, sizeof(*ctx));
        ctx->held = apr_brigade_create(r->pool, f->c->bucket_alloc);
        md_serve_req *sr = md_req(r)->serve;
        /* the file's verdict holds when the default handler sends the file as
         * it is: decide now, and let an unchanged page stream (sendfile) */
        if (sr && (!r->handler || !strcmp(r->handler, "default-handler") || !strncmp(r->handler, "text/", 5)) &&
            sending_judged_file(r, bb, &sr->judged)) {
            ctx->verdict = sr->verdict;
            apr_table_setn(r->headers_out, "Disclosure-Cache", sr->cache_hit ? "hit" : "miss");
            ctx->inject = md_page_news(r, ctx->verdict, engine);
            if (!*ctx->inject) {
                ap_remove_output_filter(f);
                return ap_pass_brigade(f->next, bb);
            }
        }
    }
    if (ctx->passthrough)
        return ap_pass_brigade(f->next, bb);
    int eos = 0;
    apr_off_t max = (apr_off_t)dsc_policy_max_bytes(md_policy(r->server));
    while (!APR_BRIGADE_EMPTY(bb)) {
        apr_bucket *b = APR_BRIGADE_FIRST(bb);
        if (APR_BUCKET_IS_EOS(b))
            eos = 1;
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
    if (ctx->length > max) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "disclosure: %s is larger than the policy's max-page-bytes; served without a verdict", r->uri);
        ctx->passthrough = 1;
        return ap_pass_brigade(f->next, ctx->held);
    }
    if (!eos)
        return APR_SUCCESS;

    char *data;
    apr_size_t len;
    apr_brigade_pflatten(ctx->held, &data, &len, r->pool);
    const char *inject = ctx->inject;
    if (!ctx->verdict) {
        char hex[41];
        dsc_content_hash(data, len, hex);
        int hit = 0;
        md_verdict *v = md_cache_get(r, apr_pstrcat(r->pool, "h:", hex, ":", r->uri, NULL), data, len, &hit);
        apr_table_setn(r->headers_out, "Disclosure-Cache", hit ? "hit" : "miss");
        if (v->withheld && engine == MD_ENGINE_ON) {
            apr_table_setn(r->err_headers_out, "Disclosure-Status", v->withheld == 2 ? "withheld; conflict" : "withheld");
            return send_block(f, v);
        }
        inject = md_page_news(r, v, engine);
    }
    ap_remove_output_filter(f);
    if (!*inject)
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
