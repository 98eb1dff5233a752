/* mod_disclosure: the httpd glue around libdisclosure. Hooks, directives and
 * the publish check live in their own files; no 政务公开 rule lives here. */
#ifndef MOD_DISCLOSURE_H
#define MOD_DISCLOSURE_H

#include "httpd.h"
#include "http_config.h"

#include "disclosure.h"

typedef enum { MD_ENGINE_UNSET = -1, MD_ENGINE_OFF = 0, MD_ENGINE_REPORT = 1, MD_ENGINE_ON = 2 } md_engine;

/* Per server (virtual host). */
typedef struct {
    const char *policy_file;     /* NULL: built-in default */
    dsc_policy *policy;          /* loaded while reading the configuration */
    const char *registry_file;   /* NULL: no registry */
    dsc_registry *registry;      /* opened per child, after the fork */
    int registry_busy_ms;
    const char *cache_spec;      /* DisclosureCache (main server only); NULL: shmcb if loaded */
} md_server_conf;

/* Per directory. */
typedef struct {
    md_engine engine;
    int publish;                 /* -1 unset, 0 off, 1 on */
    apr_off_t max_body;          /* -1 unset */
    apr_size_t mem_body;         /* in-memory part of a body before spilling; 0 unset */
    int block_status;            /* status for withheld pages; 0 unset (404) */
    int today;                   /* DisclosureDate: fixed "today" (days), 0 unset */
    const char *location;        /* path of the innermost section, no trailing slash */
} md_dir_conf;

extern module AP_MODULE_DECLARE_DATA disclosure_module;
extern const command_rec md_cmds[];

void *md_create_server_conf(apr_pool_t *p, server_rec *s);
void *md_merge_server_conf(apr_pool_t *p, void *base, void *add);
void *md_create_dir_conf(apr_pool_t *p, char *dir);
void *md_merge_dir_conf(apr_pool_t *p, void *base, void *add);

md_engine md_dir_engine(const md_dir_conf *d);
apr_off_t md_dir_max_body(const md_dir_conf *d);
apr_size_t md_dir_mem_body(const md_dir_conf *d);
const dsc_policy *md_policy(server_rec *s);
md_server_conf *md_server(server_rec *s);

/* Per request: what the publish check and the serve check leave for later
 * phases (one module config slot, shared). */
typedef struct {
    void *publish;   /* publish.c's md_body */
    void *serve;     /* serve.c's md_serve_req */
} md_req_conf;
md_req_conf *md_req(request_rec *r);
/* the first request of an internal redirect chain */
request_rec *md_first(request_rec *r);

/* serve.c */
/* The whole of a file of size bytes, in r->pool; NULL when unreadable. */
const char *md_read_file(request_rec *r, const char *filename, apr_off_t size, apr_size_t *len);
int md_serve_fixups(request_rec *r);
int md_serve_quick_handler(request_rec *r, int lookup);
void md_serve_insert_filter(request_rec *r);
void md_serve_register(apr_pool_t *p);
void md_serve_registry_changed(request_rec *r);

/* report.c: SetHandler disclosure-report */
int md_report_handler(request_rec *r);

/* publish.c */
int md_publish_fixups(request_rec *r);
int md_publish_log(request_rec *r);
void md_publish_insert_error_filter(request_rec *r);
void md_publish_register(apr_pool_t *p);

#define MD_DEFAULT_MAX_BODY (20 * 1024 * 1024)
#define MD_DEFAULT_MEM_BODY (1024 * 1024)

#endif
