/* Verdicts are cached so a page is parsed once per change: per process (a
 * hash under a mutex) and across processes in a socache (shmcb), as
 * mod_authn_socache does, locked like ssl_scache.c. The registry status of a
 * page is cached too, and dropped when the registry changes. */
#include "cache.h"

#include <jansson.h>

#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"
#include "ap_socache.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "util_mutex.h"

APLOG_USE_MODULE(disclosure);

#define CACHE_MAX_ENTRIES 20000


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

char *md_path_of(const char *url)
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
        v->linked[v->nlinked++] = md_path_of(items[i]);
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
    v->url_path = md_path_of(uri);
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

void md_cache_pre_config(apr_pool_t *pconf)
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

int md_cache_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s, const char *spec)
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
static apr_hash_t *status_cache;
static apr_pool_t *status_pool;
static void status_cache_clear(void);

/* Drop every verdict of this process (cache_lock held or no threads left). */
static void verdicts_clear(void)
{
    for (apr_hash_index_t *hi = apr_hash_first(NULL, cache); hi; hi = apr_hash_next(hi)) {
        void *val;
        apr_hash_this(hi, NULL, NULL, &val);
        verdict_free(val);
    }
    apr_pool_clear(cache_pool);
    cache = apr_hash_make(cache_pool);
}

/* The tables hold malloc'd verdicts and statuses: free them as the child
 * exits, before its pool takes the tables (a pre-cleanup runs first). */
static apr_status_t caches_free(void *unused)
{
    (void)unused;
    verdicts_clear();
    status_cache_clear();
    return APR_SUCCESS;
}

void md_cache_child_init(apr_pool_t *pchild)
{
    if (socache_mutex)
        apr_global_mutex_child_init(&socache_mutex, apr_global_mutex_lockfile(socache_mutex), pchild);
    apr_pool_create(&cache_pool, pchild);
    cache = apr_hash_make(cache_pool);
    /* not a subpool of cache_pool: verdicts_clear() clears that one */
    apr_pool_create(&status_pool, pchild);
    status_cache = apr_hash_make(status_pool);
    apr_thread_mutex_create(&cache_lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    apr_pool_pre_cleanup_register(pchild, NULL, caches_free);
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
        verdicts_clear();
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
md_verdict *md_cache_lookup(request_rec *r, const char *key)
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

md_verdict *md_cache_get(request_rec *r, const char *key, const char *data, apr_size_t len,
                             int *hit)
{
    md_verdict *v = md_cache_lookup(r, key);
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
    /* serving judges every page: bad bytes, a wrong declared charset or an
     * oversized page are read leniently, the strictest reading winning */
    if (dsc_check_lenient(policy, &in, &res, &err) == DSC_OK) {
        v = verdict_from(res);
        dsc_result_free(res);
    } else {
        /* out of memory: nothing to judge by; withheld, to fail closed */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "disclosure: cannot judge %s: %s; blocked", r->uri, err.message);
        v = apr_pcalloc(r->pool, sizeof(*v));
        v->withheld = 1;
        v->linked = apr_pcalloc(r->pool, sizeof(char *));
        return v;
    }
    v->url_path = md_path_of(r->uri);
    shared_put(r, key, v);
    apr_thread_mutex_lock(cache_lock);
    cache_misses++;
    apr_thread_mutex_unlock(cache_lock);
    return local_put(r, key, v);
}


/* Registry status per page, cached in the process and dropped when the
 * registry's generation moves (read at most once a second): serving does
 * not touch SQLite for every request. */
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

dsc_page_status *md_page_status(request_rec *r, dsc_registry *reg, const char *url)
{
    apr_time_t changed = shared_change(r);
    apr_thread_mutex_lock(cache_lock);
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

