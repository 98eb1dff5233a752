/* disclosure scan: shared declarations of the scan command (scan.c), its
 * fetcher (scan_fetch.c, libcurl) and its report writers (report.c). */
#ifndef DISCLOSURE_SCAN_H
#define DISCLOSURE_SCAN_H
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "disclosure.h"

/* Exit status for bad configuration (bad policy, bad options). */
enum { EXIT_BAD_CONFIG = 3 };

/* ---- fetching (scan_fetch.c) ---- */

typedef struct {
    int max_depth, max_pages, concurrency, delay_ms, ignore_robots, timeout_s, retries;
    const char *cookie;
    const char *const *headers; /* "Name: value", n_headers of them */
    size_t n_headers;
} fetch_opts;

/* A fetched page: bytes, final URL, the URL asked for (differs after a
 * redirect), declared charset (or NULL). The callback owns nothing; copy
 * what you keep. Return 0 to go on. */
typedef int fetch_page_fn(void *baton, const char *url, const char *requested, const char *data,
                          size_t len, const char *charset);
/* May the fetcher take this URL (not yet seen by any source), at this
 * depth? 1 yes. A page's links are claimed before the page is passed on. */
typedef int fetch_claim_fn(void *baton, const char *url, int depth);

typedef struct {
    long fetch_errors;
    long robots_excluded;
    long retried;
} fetch_stats;

/* Fetch every seed (at depths[i], or 0 when depths is NULL); when follow is
 * set, also the same-host links found in HTML pages, up to max_depth and
 * max_pages (claimed_before: pages an interrupted run already took). The
 * first seed's origin is the crawl's. Blocking; runs the libcurl multi
 * interface on the calling thread. Returns 0, or -1 when nothing could be
 * started (bad URL, out of memory). */
int fetch_run(const fetch_opts *o, const char *const *seeds, const int *depths, size_t nseeds, int follow,
              long claimed_before, fetch_claim_fn *claim, fetch_page_fn *page, void *baton,
              fetch_stats *stats);

/* Fetch one URL into memory (sitemaps). 0 on HTTP 2xx. */
int fetch_one(const fetch_opts *o, const char *url, char **data, size_t *len);

/* ---- reports (report.c) ---- */

typedef enum { FMT_TEXT = 0, FMT_JSON, FMT_CSV, FMT_SARIF, FMT_JUNIT, FMT_HTML, FMT__COUNT } report_format;

int report_format_from_name(const char *name);          /* -1 when unknown */
const char *report_file_name(report_format f);          /* "scan.json" ... */

/* The data of a report: a file of page objects, one compact JSON object per
 * line (RULES.md page objects; findings may carry "known": true), and the
 * scan member. Writers stream the file so memory stays bounded. */
typedef struct {
    const char *pages_file;
    json_t *scan;           /* {"id","started","finished","sources","pages","fetch_errors"} or NULL */
    int have_baseline;
    dsc_severity fail_on;
    const char *scans;      /* the HTML trend: JSON array of scans, this one included (or NULL) */
} report_data;

/* Write one format to out. 0 on success. */
int report_write(report_format f, const report_data *d, FILE *out);

/* Call fn on every page object of the pages file, in order. */
int report_each_page(const report_data *d, int (*fn)(json_t *page, void *baton), void *baton);

/* HTML (the library's dsc_report_write_pages). */
int report_write_html(const report_data *d, FILE *out);

/* ---- commands ---- */
int cmd_scan(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
