/* disclosure scan, internal: what scan.c (orchestration), scan_opts.c
 * (options), scan_queue.c (work queue, checking threads), scan_sitemap.c
 * (sitemaps), scan_robots.c (robots.txt), scan_fetch.c (fetcher) and
 * scan_store.c (the scan's rows in the registry, resume) share. Not used by the report writers. */
#ifndef DISCLOSURE_SCAN_INT_H
#define DISCLOSURE_SCAN_INT_H
#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "cli.h"
#include "scan.h"

#define SCAN_BUSY_MS 10000
#define MAX_SOURCES 16

typedef struct {
    const char *policy, *registry, *output_dir, *baseline, *base_url;
    const char *docroots[MAX_SOURCES], *sitemaps[MAX_SOURCES], *crawls[MAX_SOURCES];
    size_t ndocroots, nsitemaps, ncrawls;
    const char *headers[64];
    size_t nheaders;
    int formats[FMT__COUNT], nformats, jobs, today, resume;
    dsc_severity fail_on;
    fetch_opts fetch;
    json_t *stored; /* resume: the options read back from the registry (owns their strings) */
} scan_opts;

/* scan_opts.c */
void scan_opts_init(scan_opts *o);
int scan_parse_args(int argc, char **argv, scan_opts *o);
/* What a resumed scan must repeat: sources and checking options (never
 * --header or --cookie: no secrets in the registry). */
json_t *scan_opts_to_json(const scan_opts *o);
/* Take sources and checking options from a stored scan. The command line
 * may repeat them; if it names other ones, -1 with a message. */
int scan_opts_from_json(scan_opts *o, json_t *stored);
int scan_opts_have_sources(const scan_opts *o);
int scan_check_sources(const scan_opts *o); /* a source, --base-url with --docroot */

/* ---- a set of strings (URLs seen, baseline fingerprints) ---- */
typedef struct {
    json_t *obj;
    pthread_mutex_t mu;
} str_set;
int set_add(str_set *s, const char *key); /* 1 when newly added */

typedef struct {
    char **items;
    size_t n, cap;
} str_list;
void list_add(str_list *l, const char *v);
void list_free(str_list *l);

/* ---- the pages of a scan ---- */
typedef struct {
    char *url, *file, *charset;
    int docroot;        /* file is the page's own path (reported as "path") */
    dsc_result *kept;   /* phase 1's result, when memory allowed keeping it */
} page_entry;

/* Work queue between the collectors and the checking threads. */
typedef struct {
    char *url, *requested, *file, *charset, *data;
    size_t len;
    int docroot;
} work;

typedef struct scan_store scan_store;

typedef struct {
    const scan_opts *o;
    const dsc_policy *policy;
    dsc_registry *reg;
    scan_store *store;  /* NULL: nothing recorded for a resume */
    long long scan_id;
    char *spool_dir;
    str_set seen, baseline;
    /* queue */
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    work *q;
    size_t qcap, qhead, qlen;
    int producers_waiting;
    int closing;
    /* pages recorded */
    page_entry *pages;
    size_t npages, cappages;
    long spool_seq;
    size_t kept_pages, keep_limit; /* results kept from phase 1 for phase 2 */
    /* phase 2 */
    size_t next;
    FILE *out;
    /* counters */
    atomic_long done, queued, findings, fetch_errors, errors, warnings, failing, known, parsed;
    int phase;
    long long t0;
    int progress_stop;
} scan_state;

/* scan_queue.c: the bounded queue, the checking threads of both phases */
void queue_push(scan_state *s, work w);
/* n threads running collect_worker until queue_close; 0 threads: the
 * caller's thread drains the queue in queue_close. */
typedef struct {
    scan_state *s;
    int n, started;
    pthread_t *t;
} scan_pool;
void pool_start(scan_pool *p);
void pool_finish(scan_pool *p);
void run_verdicts(scan_state *s, int jobs);
int add_page(scan_state *s, page_entry e);

/* scan_sitemap.c: read a sitemap or sitemap index (file or URL, .gz too);
 * page URLs go to pages, nested sitemaps are followed. */
int load_sitemap(const fetch_opts *o, const char *loc, int depth, str_list *pages);
/* The parser alone, from bytes (gzip is inflated first): page URLs of a
 * <urlset> to pages, sitemap URLs of a <sitemapindex> to nested. No
 * network, no DTD, no entity expansion. 0, or -1 with a reason in why. */
int sitemap_parse(const char *data, size_t len, const char *base, str_list *pages, str_list *nested,
                  char *why, size_t whylen);

/* scan_robots.c: robots.txt from bytes (fetching is scan_fetch.c's) */
typedef struct {
    char *prefix;
    int allow;
} robots_rule;
typedef struct {
    robots_rule *rules;
    size_t n;
} robots_rules;
/* Set *out to the rules of the group for our token, else of "*";
 * robots_free releases them. */
void robots_parse(const char *text, size_t len, robots_rules *out);
/* 1 when path (path and query of a URL) may be fetched. */
int robots_allows(const robots_rules *r, const char *path);
void robots_free(robots_rules *r);

/* scan_store.c: the scan's rows in the registry. A scan row is written
 * when the scan starts (finished NULL); each page, once recorded, gets a
 * row in scan_pages, each crawl link a row in scan_frontier, so an
 * interrupted scan can be resumed. */
scan_store *store_open(dsc_registry *reg);
void store_close(scan_store *st);
void store_snapshot(dsc_registry *reg, int on);
/* The latest unfinished scan: its id, options, spool directory. 0 found,
 * 1 none, -1 error. */
int store_find_unfinished(scan_store *st, long long *id, json_t **options, char **spool, char **started);
long long store_begin(scan_store *st, const char *started, json_t *sources, json_t *options);
int store_set_spool(scan_store *st, long long id, const char *spool);
int store_page(scan_store *st, long long id, const char *url, const char *requested, const char *file,
               const char *charset, int docroot);
int store_frontier(scan_store *st, long long id, const char *url, int depth);
/* Pages recorded by the scan so far: add_page each, and their URLs to seen. */
long store_load_pages(scan_store *st, long long id, scan_state *s);
/* Links claimed but not yet recorded: their URLs and depths. */
int store_load_frontier(scan_store *st, long long id, str_list *urls, int **depths);
/* Finish: the scan row, its findings from the pages file, drop the resume rows. */
int store_finish(scan_store *st, long long id, json_t *scan, const char *pages_file);

/* scan_finish.c: store the scan (store_finish) and write the report files
 * at once, on up to o->jobs threads; then the reports to standard output.
 * The scan member gets the id (null again when storing failed: *stored 0).
 * errors, warnings: this run's counts, for the HTML report's trend. 0, or
 * -1 when a report could not be written. */
int scan_finish(const scan_opts *o, dsc_registry *reg, scan_store *store, long long id, json_t *scan,
                const char *pages_file, long errors, long warnings, int *stored);

#endif
