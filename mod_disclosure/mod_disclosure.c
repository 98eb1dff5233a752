/* mod_disclosure: module record and hooks. */
#include "cache.h"

#include "ap_mpm.h"
#include "apr_hash.h"
#include "apr_strings.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "mpm_common.h"
#include "unixd.h"

#include <errno.h>
#include <unistd.h>

const char *md_load_default_policy(apr_pool_t *pconf);

static server_rec *log_server;


static int md_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    md_cache_pre_config(pconf);
    return OK;
}

/* Library log lines go to the main server's error log. */
static void log_sink(void *baton, dsc_log_level level, const char *message)
{
    (void)baton;
    int l = level == DSC_LOG_ERROR ? APLOG_ERR : level == DSC_LOG_WARN ? APLOG_WARNING
                                             : level == DSC_LOG_INFO   ? APLOG_INFO
                                                                       : APLOG_DEBUG;
    ap_log_error(APLOG_MARK, l, 0, log_server, "disclosure: %s", message);
}

/* Create or migrate each registry once, in the parent, so that a bad path
 * fails the start; children open their own connections after the fork. */
static int md_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    (void)ptemp;
    log_server = s;
    dsc_log_set(log_sink, NULL);
    const char *e = md_load_default_policy(pconf);
    if (e) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, "disclosure: %s", e);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;
    int rc = md_cache_post_config(pconf, ptemp, s, md_server(s)->cache_spec);
    if (rc != OK)
        return rc;
    apr_hash_t *seen = apr_hash_make(ptemp);
    for (server_rec *v = s; v; v = v->next) {
        md_server_conf *c = md_server(v);
        if (!c->registry_file || apr_hash_get(seen, c->registry_file, APR_HASH_KEY_STRING))
            continue;
        apr_hash_set(seen, c->registry_file, APR_HASH_KEY_STRING, c);
        dsc_registry *reg;
        dsc_error err;
        if (dsc_registry_open(c->registry_file, 0, c->registry_busy_ms, &reg, &err) != DSC_OK) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, v, "disclosure: DisclosureRegistry %s: %s", c->registry_file,
                         err.message);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        dsc_registry_close(reg);
        /* children run as User: they must be able to write the database and
         * its WAL files */
        if (geteuid() == 0) {
            const char *suffix[] = {"", "-wal", "-shm"};
            for (int i = 0; i < 3; i++) {
                const char *f = apr_pstrcat(ptemp, c->registry_file, suffix[i], NULL);
                if (access(f, F_OK) == 0 && chown(f, ap_unixd_config.user_id, ap_unixd_config.group_id) != 0)
                    ap_log_error(APLOG_MARK, APLOG_WARNING, errno, v, "disclosure: cannot hand %s to the server user", f);
            }
        }
    }
    return OK;
}

static apr_status_t close_registry(void *reg)
{
    dsc_registry_close(reg);
    return APR_SUCCESS;
}

static void md_child_init(apr_pool_t *pchild, server_rec *s)
{
    dsc_global_init();
    md_cache_child_init(pchild);
    apr_hash_t *open = apr_hash_make(pchild);
    for (server_rec *v = s; v; v = v->next) {
        md_server_conf *c = md_server(v);
        if (!c->registry_file)
            continue;
        dsc_registry *reg = apr_hash_get(open, c->registry_file, APR_HASH_KEY_STRING);
        if (!reg) {
            dsc_error err;
            if (dsc_registry_open(c->registry_file, 0, c->registry_busy_ms, &reg, &err) != DSC_OK) {
                ap_log_error(APLOG_MARK, APLOG_ERR, 0, v, "disclosure: cannot open the registry %s: %s",
                             c->registry_file, err.message);
                continue;
            }
            apr_pool_cleanup_register(pchild, reg, close_registry, apr_pool_cleanup_null);
            apr_hash_set(open, c->registry_file, APR_HASH_KEY_STRING, reg);
        }
        c->registry = reg;
    }
}

static void md_register_hooks(apr_pool_t *p)
{
    ap_hook_pre_config(md_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* after mod_socache_shmcb has registered its provider */
    static const char *const after[] = {"mod_socache_shmcb.c", NULL};
    ap_hook_post_config(md_post_config, NULL, after, APR_HOOK_MIDDLE);
    ap_hook_child_init(md_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    /* late, so mod_rewrite and others have done their fixups */
    ap_hook_fixups(md_publish_fixups, NULL, NULL, APR_HOOK_LAST);
    ap_hook_fixups(md_serve_fixups, NULL, NULL, APR_HOOK_LAST);
    ap_hook_insert_filter(md_serve_insert_filter, NULL, NULL, APR_HOOK_MIDDLE);
    /* before mod_cache's quick handler (APR_HOOK_FIRST) */
    ap_hook_quick_handler(md_serve_quick_handler, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_handler(md_report_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_log_transaction(md_publish_log, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_error_filter(md_publish_insert_error_filter, NULL, NULL, APR_HOOK_MIDDLE);
    md_publish_register(p);
    md_serve_register(p);
}

AP_DECLARE_MODULE(disclosure) = {
    STANDARD20_MODULE_STUFF,
    md_create_dir_conf,
    md_merge_dir_conf,
    md_create_server_conf,
    md_merge_server_conf,
    md_cmds,
    md_register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_NONE
#endif
};
