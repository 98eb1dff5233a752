/* The serve-time verdict cache (per process, and shared through socache)
 * and the cache of registry status per page. */
#ifndef MD_CACHE_H
#define MD_CACHE_H

#include "mod_disclosure.h"

/* What serving needs of a page's check, kept in the cache. */
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

/* The verdict for key; on a miss the bytes are judged and stored. The
 * result is the request's own copy (in r->pool). */
md_verdict *md_cache_get(request_rec *r, const char *key, const char *data, apr_size_t len, int *hit);
/* The verdict for key if cached (a copy in r->pool), else NULL. */
md_verdict *md_cache_lookup(request_rec *r, const char *key);
/* The registry's status of url, cached until the registry changes. */
dsc_page_status *md_page_status(request_rec *r, dsc_registry *reg, const char *url);
/* The path part of a URL (malloc'd). */
char *md_path_of(const char *url);

void md_cache_pre_config(apr_pool_t *pconf);
int md_cache_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s, const char *spec);
void md_cache_child_init(apr_pool_t *pchild);

/* banner.c: the page's status headers and what to insert after <body>
 * ("" for nothing). */
const char *md_page_news(request_rec *r, md_verdict *v, md_engine engine);
apr_size_t md_body_open_end(const char *s, apr_size_t n);

/* unwrap.c: which responses serving judges, and compressed ones inflated */
typedef enum {
    MD_JUDGE_NO = 0,   /* not a page (an image, a script, a style sheet) */
    MD_JUDGE_HTML,     /* a page: judged, and banners go after <body> */
    MD_JUDGE_SNIFF,    /* text/plain, octet-stream, no extension: judged when it is text */
    MD_JUDGE_ENCODED   /* a page compressed (gzip, deflate; br cannot be read: blocked) */
} md_judge;
int md_is_html_type(const char *ct);
md_judge md_judge_kind(const char *ct, const char *encoding, const char *filename);
int md_sniff_text(const char *head, apr_size_t n);
const char *md_inflate(apr_pool_t *p, const char *data, apr_size_t len, apr_size_t max, apr_size_t *out_len);
/* By Content-Encoding, else by the file's last extension: gzip, deflate or
 * br to at most max bytes; NULL when none applies or the data is corrupt. */
const char *md_decompress(apr_pool_t *p, const char *encoding, const char *filename, const char *data,
                          apr_size_t len, apr_size_t max, apr_size_t *out_len);

#endif
