/* Directives. DisclosurePolicy is loaded while the configuration is read, so
 * `apachectl configtest` names the file, line and reason of a bad policy. */
#include "mod_disclosure.h"

#include "apr_strings.h"
#include "http_log.h"

APLOG_USE_MODULE(disclosure);

static dsc_policy *default_policy;

static apr_status_t free_policy(void *p)
{
    dsc_policy_free(p);
    if (p == default_policy)
        default_policy = NULL;
    return APR_SUCCESS;
}

void *md_create_server_conf(apr_pool_t *p, server_rec *s)
{
    (void)s;
    md_server_conf *c = apr_pcalloc(p, sizeof(*c));
    c->registry_busy_ms = -1;
    return c;
}

void *md_merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    md_server_conf *base = basev, *add = addv, *c = apr_pcalloc(p, sizeof(*c));
    c->policy_file = add->policy_file ? add->policy_file : base->policy_file;
    c->policy = add->policy ? add->policy : base->policy;
    c->registry_file = add->registry_file ? add->registry_file : base->registry_file;
    c->registry_busy_ms = add->registry_busy_ms >= 0 ? add->registry_busy_ms : base->registry_busy_ms;
    return c;
}

void *md_create_dir_conf(apr_pool_t *p, char *dir)
{
    md_dir_conf *d = apr_pcalloc(p, sizeof(*d));
    /* the section's path, as mod_dav keeps it: the report handler's
     * sub-paths (api/scans ...) are relative to its <Location> */
    if (dir) {
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
            n--;
        d->location = apr_pstrmemdup(p, dir, n);
    }
    d->engine = MD_ENGINE_UNSET;
    d->publish = -1;
    d->max_body = -1;
    return d;
}

void *md_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    md_dir_conf *base = basev, *add = addv, *d = apr_pcalloc(p, sizeof(*d));
    d->engine = add->engine != MD_ENGINE_UNSET ? add->engine : base->engine;
    d->publish = add->publish >= 0 ? add->publish : base->publish;
    d->max_body = add->max_body >= 0 ? add->max_body : base->max_body;
    d->mem_body = add->mem_body ? add->mem_body : base->mem_body;
    d->block_status = add->block_status ? add->block_status : base->block_status;
    d->today = add->today ? add->today : base->today;
    d->location = add->location ? add->location : base->location;
    return d;
}

md_engine md_dir_engine(const md_dir_conf *d)
{
    return d->engine == MD_ENGINE_UNSET ? MD_ENGINE_OFF : d->engine;
}

apr_off_t md_dir_max_body(const md_dir_conf *d)
{
    return d->max_body >= 0 ? d->max_body : MD_DEFAULT_MAX_BODY;
}

apr_size_t md_dir_mem_body(const md_dir_conf *d)
{
    return d->mem_body ? d->mem_body : MD_DEFAULT_MEM_BODY;
}

md_server_conf *md_server(server_rec *s)
{
    return ap_get_module_config(s->module_config, &disclosure_module);
}

/* The server's policy; the built-in default when none was configured. */
const dsc_policy *md_policy(server_rec *s)
{
    md_server_conf *c = md_server(s);
    return c->policy ? c->policy : default_policy;
}

static const char *set_engine(cmd_parms *cmd, void *dv, const char *arg)
{
    md_dir_conf *d = dv;
    (void)cmd;
    if (!strcasecmp(arg, "On"))
        d->engine = MD_ENGINE_ON;
    else if (!strcasecmp(arg, "ReportOnly"))
        d->engine = MD_ENGINE_REPORT;
    else if (!strcasecmp(arg, "Off"))
        d->engine = MD_ENGINE_OFF;
    else
        return "DisclosureEngine must be On, ReportOnly or Off";
    return NULL;
}

static const char *set_publish(cmd_parms *cmd, void *dv, int flag)
{
    (void)cmd;
    ((md_dir_conf *)dv)->publish = flag;
    return NULL;
}

static const char *load_policy(cmd_parms *cmd, const char *file, dsc_policy **out)
{
    dsc_error err;
    dsc_global_init();
    if (dsc_policy_load(file, out, &err) != DSC_OK) {
        if (err.file[0] && err.line > 0)
            return apr_psprintf(cmd->pool, "DisclosurePolicy: %s:%ld: %s", err.file, err.line, err.message);
        return apr_psprintf(cmd->pool, "DisclosurePolicy: %s: %s", err.file[0] ? err.file : file,
                            err.message);
    }
    apr_pool_cleanup_register(cmd->pool, *out, free_policy, apr_pool_cleanup_null);
    return NULL;
}

static const char *set_policy(cmd_parms *cmd, void *dv, const char *arg)
{
    (void)dv;
    md_server_conf *c = md_server(cmd->server);
    const char *file = ap_server_root_relative(cmd->pool, arg);
    if (!file)
        return apr_psprintf(cmd->pool, "DisclosurePolicy: invalid path %s", arg);
    c->policy_file = file;
    return load_policy(cmd, file, &c->policy);
}

static const char *set_registry(cmd_parms *cmd, void *dv, const char *arg)
{
    (void)dv;
    md_server_conf *c = md_server(cmd->server);
    const char *file = ap_server_root_relative(cmd->pool, arg);
    if (!file)
        return apr_psprintf(cmd->pool, "DisclosureRegistry: invalid path %s", arg);
    c->registry_file = file;
    return NULL;
}

static const char *parse_size(cmd_parms *cmd, const char *what, const char *arg, apr_off_t *out)
{
    char *end;
    apr_off_t v;
    if (apr_strtoff(&v, arg, &end, 10) != APR_SUCCESS || v <= 0)
        return apr_psprintf(cmd->pool, "%s needs a positive size in bytes (K, M suffixes allowed)", what);
    if (*end == 'K' || *end == 'k')
        v *= 1024, end++;
    else if (*end == 'M' || *end == 'm')
        v *= 1024 * 1024, end++;
    if (*end)
        return apr_psprintf(cmd->pool, "%s: cannot read size \"%s\"", what, arg);
    *out = v;
    return NULL;
}

static const char *set_max_body(cmd_parms *cmd, void *dv, const char *arg)
{
    return parse_size(cmd, "DisclosureMaxBody", arg, &((md_dir_conf *)dv)->max_body);
}

static const char *set_mem_body(cmd_parms *cmd, void *dv, const char *arg)
{
    apr_off_t v;
    const char *e = parse_size(cmd, "DisclosureMemoryBody", arg, &v);
    if (!e)
        ((md_dir_conf *)dv)->mem_body = (apr_size_t)v;
    return e;
}

static const char *set_cache(cmd_parms *cmd, void *dv, const char *arg)
{
    (void)dv;
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    if (err)
        return err;
    md_server(cmd->server)->cache_spec = arg;
    return NULL;
}

static const char *set_block_status(cmd_parms *cmd, void *dv, const char *arg)
{
    int st = atoi(arg);
    if (st != 404 && st != 403 && st != 410 && st != 451)
        return apr_psprintf(cmd->pool, "DisclosureBlockStatus must be 404, 403, 410 or 451, not %s", arg);
    ((md_dir_conf *)dv)->block_status = st;
    return NULL;
}

static const char *set_date(cmd_parms *cmd, void *dv, const char *arg)
{
    int d;
    if (dsc_date_parse(arg, &d) < 0)
        return apr_psprintf(cmd->pool, "DisclosureDate: \"%s\" is not a date (YYYY-MM-DD)", arg);
    ((md_dir_conf *)dv)->today = d;
    return NULL;
}

md_req_conf *md_req(request_rec *r)
{
    md_req_conf *c = ap_get_module_config(r->request_config, &disclosure_module);
    if (!c) {
        c = apr_pcalloc(r->pool, sizeof(*c));
        ap_set_module_config(r->request_config, &disclosure_module, c);
    }
    return c;
}

request_rec *md_first(request_rec *r)
{
    while (r->prev)
        r = r->prev;
    return r;
}

/* The default policy, loaded once per configuration read when a server
 * names none: a broken build fails here, at start-up, not per request. */
const char *md_load_default_policy(apr_pool_t *pconf);
const char *md_load_default_policy(apr_pool_t *pconf)
{
    if (default_policy)
        return NULL;
    dsc_error err;
    dsc_global_init();
    if (dsc_policy_load(NULL, &default_policy, &err) != DSC_OK)
        return apr_psprintf(pconf, "built-in policy: %s", err.message);
    apr_pool_cleanup_register(pconf, default_policy, free_policy, apr_pool_cleanup_null);
    return NULL;
}

const command_rec md_cmds[] = {
    AP_INIT_TAKE1("DisclosureEngine", set_engine, NULL, RSRC_CONF | ACCESS_CONF,
                  "On | ReportOnly | Off: enforce, only log, or do nothing"),
    AP_INIT_FLAG("DisclosurePublish", set_publish, NULL, RSRC_CONF | ACCESS_CONF,
                 "On: check PUT/POST of HTML here before the handler receives it"),
    AP_INIT_TAKE1("DisclosurePolicy", set_policy, NULL, RSRC_CONF,
                  "the policy file (validated at start-up); the built-in default otherwise"),
    AP_INIT_TAKE1("DisclosureRegistry", set_registry, NULL, RSRC_CONF,
                  "the SQLite registry file of published pages"),
    AP_INIT_TAKE1("DisclosureMaxBody", set_max_body, NULL, RSRC_CONF | ACCESS_CONF,
                  "largest page accepted for publishing, in bytes (default 20M)"),
    AP_INIT_TAKE1("DisclosureMemoryBody", set_mem_body, NULL, RSRC_CONF | ACCESS_CONF,
                  "bytes of a body kept in memory before it spills to a temporary file (default 1M)"),
    AP_INIT_TAKE1("DisclosureCache", set_cache, NULL, RSRC_CONF,
                  "shared verdict cache: none, or a socache provider with arguments (default shmcb when loaded)"),
    AP_INIT_TAKE1("DisclosureBlockStatus", set_block_status, NULL, RSRC_CONF | ACCESS_CONF,
                  "status for a withheld page: 404 (default), 403, 410 or 451"),
    AP_INIT_TAKE1("DisclosureDate", set_date, NULL, RSRC_CONF | ACCESS_CONF,
                  "a fixed \"today\" (YYYY-MM-DD) for expiry banners: staging and tests only"),
    {NULL}};
