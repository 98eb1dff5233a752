/* Serve-time enforcement. A page labelled 依申请公开 or 不予公开 (or whose
 * labels disagree) is never served: files are judged in fixups, before any
 * handler, for every method, subrequest (SSI, negotiation, DirectoryIndex)
 * and every URL that maps to the file; other responses (proxied, generated)
 * are held whole by the DISCLOSURE output filter and judged there. Pages that
 * are 废止, 失效 (or past their expiry) or 已修改 get a status banner, the
 * interpretations the registry knows get a link block, and JSON-LD (ELI)
 * says the same for machines. Verdicts are cached per file identity or
 * content hash, so a page is parsed once per change. */
#include "mod_disclosure.h"

#include <jansson.h>

#include "apr_sha1.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"
#include "util_mutex.h"
#include "ap_socache.h"

APLOG_USE_MODULE(disclosure);

#define SERVE_FILTER "DISCLOSURE"
#define CACHE_MAX_ENTRIES 20000

/* What serving needs of a page's check, kept in the cache. */
typedef struct {
    int withheld;             /* dsc_result_withheld() */
    int judged;               /* 0: too large or undecodable, served as it is */
    dsc_kind kind;
    char *url_path;
    char *title, *doc_number, *validity, *expiry_date, *topic, *pub_date;
    char **linked;            /* interpretation links the page has (paths) */
    size_t nlinked;
} md_verdict;

typedef struct {
    md_verdict *verdict;      /* from fixups, for the file served */
    int cache_hit;
} md_serve_req;

typedef struct {
    apr_bucket_brigade *held;
    apr_off_t length;
    int passthrough;
    md_verdict *verdict;      /* known before the body (a file judged in fixups) */
    const char *inject;       /* what goes after <body>, when already known */
} md_filter_ctx;

/* ---- the per-process verdict cache ---- */

static apr_hash_t *cache;
static apr_pool_t *cache_pool;
static apr_thread_mutex_t *cache_lock;
static unsigned long cache_hits, cache_misses;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void verdict_free(md_verdict *v)
{
    if (!v)
        return;
    free(v->url_path);
    free(v->title);
    free(v->doc_number);
    free(v->validity);
    free(v->expiry_date);
    free(v->topic);
    free(v->pub_date);
    for (size_t i = 0; i < v->nlinked; i++)
        free(v->linked[i]);
    free(v->linked);
    free(v);
}

static char *path_of(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : url;
    if (!p)
        p = "/";
    return strndup(p, strcspn(p, "?#"));
}

static md_verdict *verdict_from(const dsc_result *res)
{
    md_verdict *v = calloc(1, sizeof(*v));
    v->judged = 1;
    v->withheld = dsc_result_withheld(res);
    v->kind = dsc_result_kind(res);
    v->title = dup_or_null(dsc_result_field(res, DSC_F_TITLE));
    v->doc_number = dup_or_null(dsc_result_field(res, DSC_F_DOC_NUMBER));
    v->validity = dup_or_null(dsc_result_field(res, DSC_F_VALIDITY));
    v->expiry_date = dup_or_null(dsc_result_field(res, DSC_F_EXPIRY_DATE));
    v->topic = dup_or_null(dsc_result_field(res, DSC_F_TOPIC));
    v->pub_date = dup_or_null(dsc_result_field(res, DSC_F_PUB_DATE));
    const char *const *items;
    size_t n = dsc_result_list(res, DSC_F_INTERPRETATIONS, &items);
    v->linked = calloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        v->linked[v->nlinked++] = path_of(items[i]);
    return v;
}

/* ---- the shared cache: socache (shmcb) across processes, as
 * mod_authn_socache does, locked like ssl_scache.c ---- */

#define CACHE_MUTEX "disclosure-cache"
#define CACHE_TTL apr_time_from_sec(24 * 3600)

static ap_socache_provider_t *socache;
static ap_socache_instance_t *socache_inst;
static apr_global_mutex_t *socache_mutex;

static char *verdict_encode(const md_verdict *v)
{
    json_t *o = json_pack("{s:i,s:i,s:i}", "w", v->withheld, "j", v->judged, "k", (int)v->kind);
    const char *names[] = {"t", "n", "v", "e", "tp", "p"};
    const char *vals[] = {v->title, v->doc_number, v->validity, v->expiry_date, v->topic, v->pub_date};
    for (int i = 0; i < 6; i++)
        if (vals[i])
            json_object_set_new(o, names[i], json_string(vals[i]));
    json_t *l = json_array();
    for (size_t i = 0; i < v->nlinked; i++)
        json_array_append_new(l, json_string(v->linked[i]));
    json_object_set_new(o, "l", l);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static char *jdup(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static md_verdict *verdict_decode(const unsigned char *data, unsigned int len, const char *uri)
{
    json_t *o = json_loadb((const char *)data, len, 0, NULL);
    if (!o)
        return NULL;
    md_verdict *v = calloc(1, sizeof(*v));
    v->withheld = (int)json_integer_value(json_object_get(o, "w"));
    v->judged = (int)json_integer_value(json_object_get(o, "j"));
    v->kind = (dsc_kind)json_integer_value(json_object_get(o, "k"));
    v->title = jdup(o, "t");
    v->doc_number = jdup(o, "n");
    v->validity = jdup(o, "v");
    v->expiry_date = jdup(o, "e");
    v->topic = jdup(o, "tp");
    v->pub_date = jdup(o, "p");
    json_t *l = json_object_get(o, "l");
    size_t n = json_array_size(l);
    v->linked = calloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        if (json_is_string(json_array_get(l, i)))
            v->linked[v->nlinked++] = strdup(json_string_value(json_array_get(l, i)));
    v->url_path = path_of(uri);
    json_decref(o);
    return v;
}

static md_verdict *shared_get(request_rec *r, const char *key)
{
    if (!socache_inst)
        return NULL;
    unsigned char buf[16384];
    unsigned int len = sizeof buf;
    apr_status_t rv;
    if (socache_mutex)
        apr_global_mutex_lock(socache_mutex);
    rv = socache->retrieve(socache_inst, r->server, (const unsigned char *)key, (unsigned int)strlen(key), buf, &len,
                           r->pool);
    if (socache_mutex)
        apr_global_mutex_unlock(socache_mutex);
    return rv == APR_SUCCESS ? verdict_decode(buf, len, r->uri) : NULL;
}

static void shared_put(request_rec *r, const char *key, const md_verdict *v)
{
    if (!socache_inst)
        return;
    char *s = verdict_encode(v);
    if (!s)
        return;
    if (socache_mutex)
        apr_global_mutex_lock(socache_mutex);
    apr_status_t rv = socache->store(socache_inst, r->server, (const unsigned char *)key, (unsigned int)strlen(key),
                                     apr_time_now() + CACHE_TTL, (unsigned char *)s, (unsigned int)strlen(s), r->pool);
    if (socache_mutex)
        apr_global_mutex_unlock(socache_mutex);
    if (rv != APR_SUCCESS)
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, r, "disclosure: verdict of %s not stored in the shared cache", r->uri);
    free(s);
}

void md_serve_pre_config(apr_pool_t *pconf);
void md_serve_pre_config(apr_pool_t *pconf)
{
    ap_mutex_register(pconf, CACHE_MUTEX, NULL, APR_LOCK_DEFAULT, 0);
}

static apr_status_t destroy_socache(void *s)
{
    if (socache_inst)
        socache->destroy(socache_inst, s);
    socache_inst = NULL;
    return APR_SUCCESS;
}

int md_serve_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s, const char *spec);
int md_serve_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s, const char *spec)
{
    socache_inst = NULL;
    socache_mutex = NULL;
    if (spec && !strcasecmp(spec, "none"))
        return OK;
    const char *name = spec ? spec : "shmcb", *args = NULL;
    const char *colon = ap_strchr_c(name, ':');
    if (colon) {
        args = colon + 1;
        name = apr_pstrmemdup(ptemp, name, (apr_size_t)(colon - name));
    }
    socache = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name, AP_SOCACHE_PROVIDER_VERSION);
    if (!socache) {
        ap_log_error(APLOG_MARK, spec ? APLOG_CRIT : APLOG_NOTICE, 0, s,
                     "disclosure: socache provider \"%s\" is not loaded (LoadModule socache_%s_module); verdicts are cached per process only",
                     name, name);
        return spec ? HTTP_INTERNAL_SERVER_ERROR : OK;
    }
    const char *err = socache->create(&socache_inst, args, ptemp, pconf);
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, "disclosure: DisclosureCache: %s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    struct ap_socache_hints hints = {64, 512, apr_time_from_sec(600)};
    apr_status_t rv = socache->init(socache_inst, "disclosure-verdicts", &hints, s, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "disclosure: cannot initialise the verdict cache");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pconf, s, destroy_socache, apr_pool_cleanup_null);
    if (socache->flags & AP_SOCACHE_FLAG_NOTMPSAFE) {
        rv = ap_global_mutex_create(&socache_mutex, NULL, CACHE_MUTEX, NULL, s, pconf, 0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "disclosure: cannot create the verdict cache mutex");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}

/* Look a key up; on a miss judge the bytes and store the verdict. The cache
 * owns verdicts; a request copies what it needs into its pool. */
void md_serve_child_init(apr_pool_t *pchild);
void md_serve_child_init(apr_pool_t *pchild)
{
    if (socache_mutex)
        apr_global_mutex_child_init(&socache_mutex, apr_global_mutex_lockfile(socache_mutex), pchild);
    apr_pool_create(&cache_pool, pchild);
    cache = apr_hash_make(cache_pool);
    apr_thread_mutex_create(&cache_lock, APR_THREAD_MUTEX_DEFAULT, pchild);
}

/* Requests get their own copy in their pool: the cache may drop its entries
 * at any time without pulling memory from under a request. */
static char *pdup(apr_pool_t *p, const char *s)
{
    return s ? apr_pstrdup(p, s) : NULL;
}

static md_verdict *verdict_pcopy(apr_pool_t *p, const md_verdict *v)
{
    md_verdict *c = apr_pmemdup(p, v, sizeof(*v));
    c->url_path = pdup(p, v->url_path);
    c->title = pdup(p, v->title);
    c->doc_number = pdup(p, v->doc_number);
    c->validity = pdup(p, v->validity);
    c->expiry_date = pdup(p, v->expiry_date);
    c->topic = pdup(p, v->topic);
    c->pub_date = pdup(p, v->pub_date);
    c->linked = apr_pcalloc(p, (v->nlinked ? v->nlinked : 1) * sizeof(char *));
    for (size_t i = 0; i < v->nlinked; i++)
        c->linked[i] = apr_pstrdup(p, v->linked[i]);
    return c;
}

/* Store v (malloc'd, now the cache's) under key unless another thread got
 * there first; returns a request copy of what the cache holds. */
static md_verdict *local_put(request_rec *r, const char *key, md_verdict *v)
{
    apr_thread_mutex_lock(cache_lock);
    if (apr_hash_count(cache) >= CACHE_MAX_ENTRIES) {
        /* a crude bound: start over (verdicts are cheap to recompute) */
        for (apr_hash_index_t *hi = apr_hash_first(NULL, cache); hi; hi = apr_hash_next(hi)) {
            void *val;
            apr_hash_this(hi, NULL, NULL, &val);
            verdict_free(val);
        }
        apr_pool_clear(cache_pool);
        cache = apr_hash_make(cache_pool);
    }
    md_verdict *old = apr_hash_get(cache, key, APR_HASH_KEY_STRING);
    if (old) {
        verdict_free(v);
        v = old;
    } else {
        apr_hash_set(cache, apr_pstrdup(cache_pool, key), APR_HASH_KEY_STRING, v);
    }
    md_verdict *copy = verdict_pcopy(r->pool, v);
    apr_thread_mutex_unlock(cache_lock);
    return copy;
}

/* Both levels: this process's table, then the shared cache. */
static md_verdict *cache_lookup(request_rec *r, const char *key)
{
    apr_thread_mutex_lock(cache_lock);
    md_verdict *v = apr_hash_get(cache, key, APR_HASH_KEY_STRING);
    md_verdict *copy = v ? verdict_pcopy(r->pool, v) : NULL;
    if (v)
        cache_hits++;
    apr_thread_mutex_unlock(cache_lock);
    if (copy)
        return copy;
    v = shared_get(r, key);
    return v ? local_put(r, key, v) : NULL;
}

static md_verdict *cache_get(request_rec *r, const char *key, const char *data, apr_size_t len,
                             int *hit)
{
    md_verdict *v = cache_lookup(r, key);
    if (v) {
        *hit = 1;
        return v;
    }
    *hit = 0;
    const dsc_policy *policy = md_policy(r->server);
    dsc_input in = {data, len, NULL, ap_construct_url(r->pool, r->uri, r), r->filename, 0};
    const char *ct = r->content_type ? ap_strcasestr(r->content_type, "charset=") : NULL;
    if (ct)
        in.charset = apr_pstrndup(r->pool, ct + 8, strcspn(ct + 8, "; \""));
    dsc_result *res = NULL;
    dsc_error err;
    if (dsc_check(policy, &in, &res, &err) == DSC_OK) {
        v = verdict_from(res);
        dsc_result_free(res);
    } else {
        /* undecodable: nothing to judge by, and nothing labelled withheld */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "disclosure: cannot judge %s: %s", r->uri, err.message);
        v = calloc(1, sizeof(*v));
    }
    v->url_path = path_of(r->uri);
    shared_put(r, key, v);
    apr_thread_mutex_lock(cache_lock);
    cache_misses++;
    apr_thread_mutex_unlock(cache_lock);
    return local_put(r, key, v);
}

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

static md_verdict *judge_file(request_rec *r, int *hit)
{
    const dsc_policy *policy = md_policy(r->server);
    if (r->finfo.size > (apr_off_t)dsc_policy_max_bytes(policy)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "disclosure: %s is larger than the policy's max-page-bytes; served without a verdict", r->filename);
        return NULL;
    }
    const char *key = apr_psprintf(r->pool, "f:%" APR_UINT64_T_FMT ":%" APR_TIME_T_FMT ":%" APR_OFF_T_FMT ":%s",
                                   (apr_uint64_t)r->finfo.inode, r->finfo.mtime, r->finfo.size, r->filename);
    md_verdict *v = cache_lookup(r, key);
    if (v) {
        *hit = 1;
        return v;
    }
    apr_file_t *f;
    apr_size_t len = (apr_size_t)r->finfo.size;
    char *buf = apr_palloc(r->pool, len + 1);
    if (apr_file_open(&f, r->filename, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, r->pool) != APR_SUCCESS)
        return NULL;
    apr_status_t rv = apr_file_read_full(f, buf, len, &len);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF)
        return NULL;
    return cache_get(r, key, buf, len, hit);
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
    md_verdict *v = judge_file(r, &hit);
    if (!v)
        return DECLINED;
    md_serve_req *sr = apr_pcalloc(r->pool, sizeof(*sr));
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

/* ---- status, banner, links, JSON-LD ---- */

typedef struct {
    const char *code;         /* in-force, repealed, expired, amended */
    const char *label;        /* 已废止 … */
    const char *by_url, *by_name, *date;
    dsc_page_status *ps;
} md_state;

/* Registry status per page, cached in the process and dropped when the
 * registry's generation moves (read at most once a second): serving does
 * not touch SQLite for every request. */
static apr_hash_t *status_cache;
static apr_pool_t *status_pool;
static long long status_gen = -1;
static apr_time_t status_checked;

static dsc_page_status *status_pcopy(apr_pool_t *p, const dsc_page_status *ps)
{
    dsc_page_status *c = apr_pmemdup(p, ps, sizeof(*ps));
    c->status = pdup(p, ps->status);
    c->status_by = pdup(p, ps->status_by);
    c->status_by_title = pdup(p, ps->status_by_title);
    c->status_by_number = pdup(p, ps->status_by_number);
    c->status_by_date = pdup(p, ps->status_by_date);
    c->interpretation_urls = apr_pcalloc(p, (ps->ninterpretations + 1) * sizeof(char *));
    c->interpretation_titles = apr_pcalloc(p, (ps->ninterpretations + 1) * sizeof(char *));
    for (size_t i = 0; i < ps->ninterpretations; i++) {
        c->interpretation_urls[i] = pdup(p, ps->interpretation_urls[i]);
        c->interpretation_titles[i] = pdup(p, ps->interpretation_titles[i]);
    }
    return c;
}

static void status_cache_clear(void)
{
    if (!status_cache)
        return;
    for (apr_hash_index_t *hi = apr_hash_first(NULL, status_cache); hi; hi = apr_hash_next(hi)) {
        void *val;
        apr_hash_this(hi, NULL, NULL, &val);
        dsc_page_status_free(val);
    }
    apr_pool_clear(status_pool);
    status_cache = apr_hash_make(status_pool);
}

#define CHANGE_KEY "registry-changed"
static apr_time_t change_seen;

/* A publish through any process changed the registry: tell them all, through
 * the shared cache, so the next request anywhere sees the new status. */
void md_serve_registry_changed(request_rec *r);
void md_serve_registry_changed(request_rec *r)
{
    apr_time_t now = apr_time_now();
    apr_thread_mutex_lock(cache_lock);
    status_checked = 0;
    apr_thread_mutex_unlock(cache_lock);
    if (!socache_inst)
        return;
    if (socache_mutex)
        apr_global_mutex_lock(socache_mutex);
    socache->store(socache_inst, r->server, (const unsigned char *)CHANGE_KEY, sizeof CHANGE_KEY - 1,
                   now + CACHE_TTL, (unsigned char *)&now, sizeof now, r->pool);
    if (socache_mutex)
        apr_global_mutex_unlock(socache_mutex);
}

static apr_time_t shared_change(request_rec *r)
{
    apr_time_t t = 0;
    unsigned int len = sizeof t;
    if (!socache_inst)
        return 0;
    if (socache_mutex)
        apr_global_mutex_lock(socache_mutex);
    if (socache->retrieve(socache_inst, r->server, (const unsigned char *)CHANGE_KEY, sizeof CHANGE_KEY - 1,
                          (unsigned char *)&t, &len, r->pool) != APR_SUCCESS || len != sizeof t)
        t = 0;
    if (socache_mutex)
        apr_global_mutex_unlock(socache_mutex);
    return t;
}

static dsc_page_status *page_status(request_rec *r, dsc_registry *reg, const char *url)
{
    apr_time_t changed = shared_change(r);
    apr_thread_mutex_lock(cache_lock);
    if (!status_pool) {
        apr_pool_create(&status_pool, cache_pool);
        status_cache = apr_hash_make(status_pool);
    }
    apr_time_t now = apr_time_now();
    if (changed != change_seen) {
        change_seen = changed;
        status_checked = 0;
    }
    /* changes from outside httpd (disclosure registry import) show within a second */
    if (now - status_checked > apr_time_from_sec(1)) {
        long long g = dsc_registry_generation(reg);
        status_checked = now;
        if (g != status_gen) {
            status_gen = g;
            status_cache_clear();
        }
    }
    dsc_page_status *ps = apr_hash_get(status_cache, url, APR_HASH_KEY_STRING);
    if (!ps) {
        dsc_error err;
        if (dsc_registry_page_status(reg, url, &ps, &err) != DSC_OK) {
            apr_thread_mutex_unlock(cache_lock);
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "disclosure: registry lookup for %s failed: %s", r->uri,
                          err.message);
            return NULL;
        }
        if (apr_hash_count(status_cache) > CACHE_MAX_ENTRIES)
            status_cache_clear();
        apr_hash_set(status_cache, apr_pstrdup(status_pool, url), APR_HASH_KEY_STRING, ps);
    }
    dsc_page_status *copy = status_pcopy(r->pool, ps);
    apr_thread_mutex_unlock(cache_lock);
    return copy;
}

static void page_state(request_rec *r, const md_verdict *v, md_state *st)
{
    md_dir_conf *d = ap_get_module_config(r->per_dir_config, &disclosure_module);
    md_server_conf *sc = md_server(r->server);
    memset(st, 0, sizeof(*st));
    st->code = "in-force";
    if (sc->registry)
        st->ps = page_status(r, sc->registry, ap_construct_url(r->pool, r->uri, r));
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
        char *p = path_of(u);
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
static apr_size_t body_open_end(const char *s, apr_size_t n)
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

/* Headers for the page's status, and what to inject ("" for nothing). */
static const char *decide(request_rec *r, md_verdict *v, md_engine engine)
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
        if (sr && (!r->handler || !strcmp(r->handler, "default-handler") || !strncmp(r->handler, "text/", 5))) {
            ctx->verdict = sr->verdict;
            apr_table_setn(r->headers_out, "Disclosure-Cache", sr->cache_hit ? "hit" : "miss");
            ctx->inject = decide(r, ctx->verdict, engine);
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
        unsigned char digest[APR_SHA1_DIGESTSIZE];
        apr_sha1_ctx_t sha;
        apr_sha1_init(&sha);
        apr_sha1_update_binary(&sha, (const unsigned char *)data, len);
        apr_sha1_final(digest, &sha);
        char hex[2 * APR_SHA1_DIGESTSIZE + 1];
        ap_bin2hex(digest, APR_SHA1_DIGESTSIZE, hex);
        int hit = 0;
        md_verdict *v = cache_get(r, apr_pstrcat(r->pool, "h:", hex, ":", r->uri, NULL), data, len, &hit);
        apr_table_setn(r->headers_out, "Disclosure-Cache", hit ? "hit" : "miss");
        if (v->withheld && engine == MD_ENGINE_ON) {
            apr_table_setn(r->err_headers_out, "Disclosure-Status", v->withheld == 2 ? "withheld; conflict" : "withheld");
            return send_block(f, v);
        }
        inject = decide(r, v, engine);
    }
    ap_remove_output_filter(f);
    if (!*inject)
        return ap_pass_brigade(f->next, ctx->held);
    apr_size_t at = body_open_end(data, len);
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
