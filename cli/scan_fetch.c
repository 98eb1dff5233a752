/* The scan's fetcher: libcurl's multi interface on one thread, polite by
 * default — robots.txt, a per-host limit on parallel transfers and on the
 * interval between them, Retry-After and exponential backoff on 429/503.
 * Pages go to a callback (scan.c queues them to the checking threads). */
#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "scan_int.h"

#define USER_AGENT "disclosure/" DSC_VERSION " (mod_disclosure scan)"
#define MAX_BODY (64u * 1024 * 1024)
#define MAX_BACKOFF_MS 60000

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- hosts ---- */

typedef struct {
    char *host;            /* scheme://host:port */
    robots_rules robots;
    int robots_done;
    int active;
    long long last_start, backoff_until;
} host_state;

/* ---- URLs ---- */

/* "scheme://host:port" of url, malloc'd, or NULL. */
static char *url_origin(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        size_t n = strlen(scheme) + strlen(host) + strlen(port) + 5;
        out = malloc(n);
        if (out) {
            snprintf(out, n, "%s://%s:%s", scheme, host, port);
            for (char *c = out; *c; c++)
                *c = (char)tolower((unsigned char)*c);
        }
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return out;
}

/* Path and query of url for robots matching. */
static char *url_path_query(const char *url)
{
    CURLU *u = curl_url();
    char *path = NULL, *query = NULL, *out = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
        curl_url_get(u, CURLUPART_QUERY, &query, 0);
        size_t n = strlen(path) + (query ? strlen(query) + 1 : 0) + 1;
        out = malloc(n);
        if (out)
            snprintf(out, n, "%s%s%s", path, query ? "?" : "", query ? query : "");
    }
    curl_free(path);
    curl_free(query);
    curl_url_cleanup(u);
    return out;
}

/* Resolve ref against base, drop the fragment; NULL unless http(s). */
static char *url_resolve(const char *base, const char *ref)
{
    CURLU *u = curl_url();
    char *out = NULL, *scheme = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)) {
        char *s = NULL;
        if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
            out = strdup(s);
            curl_free(s);
        }
    }
    curl_free(scheme);
    curl_url_cleanup(u);
    return out;
}

static int skip_by_extension(const char *url)
{
    static const char *const exts[] = {".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".svg",
                                       ".ico", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip",
                                       ".rar", ".mp4", ".mp3", ".wps", ".ofd", ".xml", ".gz"};
    const char *end = url + strcspn(url, "?#");
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t n = strlen(exts[i]);
        if ((size_t)(end - url) >= n && strncasecmp(end - n, exts[i], n) == 0)
            return 1;
    }
    return 0;
}

/* ---- the work list ---- */

typedef struct {
    char *url;
    int depth, attempts;
    long long not_before;
} job;

typedef struct {
    CURL *easy;
    job j;
    char *buf;
    size_t len, cap;
    int too_large;
    host_state *host;
} transfer;

typedef struct {
    const fetch_opts *o;
    CURLM *multi;
    struct curl_slist *headers;
    job *pending;
    size_t npending, cappending;
    host_state **hosts; /* pointers: transfers hold them across reallocs */
    size_t nhosts;
    int follow;
    char *origin; /* crawl: the first seed's origin; links stay on it */
    long claimed;
    fetch_claim_fn *claim;
    fetch_page_fn *page;
    void *baton;
    fetch_stats *stats;
    int stop;
} fetcher;

static int push_job(fetcher *f, char *url, int depth, int attempts, long long not_before)
{
    if (f->npending == f->cappending) {
        size_t cap = f->cappending ? f->cappending * 2 : 256;
        job *p = realloc(f->pending, cap * sizeof *p);
        if (!p) {
            free(url);
            return -1;
        }
        f->pending = p;
        f->cappending = cap;
    }
    f->pending[f->npending++] = (job){url, depth, attempts, not_before};
    return 0;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    transfer *t = ud;
    size_t n = size * nmemb;
    if (t->len + n > MAX_BODY) {
        t->too_large = 1;
        return 0;
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 65536;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *b = realloc(t->buf, cap);
        if (!b)
            return 0;
        t->buf = b;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, ptr, n);
    t->len += n;
    t->buf[t->len] = 0;
    return n;
}

static void setup_easy(const fetch_opts *o, CURL *e, struct curl_slist *headers)
{
    curl_easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)(o->timeout_s > 0 ? o->timeout_s : 30));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (headers)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    if (o->cookie)
        curl_easy_setopt(e, CURLOPT_COOKIE, o->cookie);
}

static struct curl_slist *make_headers(const fetch_opts *o)
{
    struct curl_slist *l = NULL;
    for (size_t i = 0; i < o->n_headers; i++) {
        struct curl_slist *n = curl_slist_append(l, o->headers[i]);
        if (!n)
            break;
        l = n;
    }
    return l;
}

int fetch_one(const fetch_opts *o, const char *url, char **data, size_t *len)
{
    transfer t = {0};
    struct curl_slist *h = make_headers(o);
    CURL *e = curl_easy_init();
    int rc = -1;
    *data = NULL;
    *len = 0;
    if (e) {
        setup_easy(o, e, h);
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
        /* sitemaps.xml.gz must stay gzip: they are decoded by the reader */
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, NULL);
        long code = 0;
        if (curl_easy_perform(e) == CURLE_OK &&
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code >= 200 && code < 300)
            rc = 0;
        curl_easy_cleanup(e);
    }
    curl_slist_free_all(h);
    if (rc == 0) {
        *data = t.buf ? t.buf : calloc(1, 1);
        *len = t.len;
    } else {
        free(t.buf);
    }
    return rc;
}

static host_state *host_for(fetcher *f, const char *url)
{
    char *origin = url_origin(url);
    if (!origin)
        return NULL;
    for (size_t i = 0; i < f->nhosts; i++)
        if (strcmp(f->hosts[i]->host, origin) == 0) {
            free(origin);
            return f->hosts[i];
        }
    host_state **hs = realloc(f->hosts, (f->nhosts + 1) * sizeof *hs);
    host_state *h = hs ? calloc(1, sizeof *h) : NULL;
    if (hs)
        f->hosts = hs;
    if (!h) {
        free(origin);
        return NULL;
    }
    f->hosts[f->nhosts++] = h;
    h->host = origin;
    h->last_start = -1000000;
    return h;
}

/* Fetch robots.txt once per host, synchronously: it gates every request. */
static void ensure_robots(fetcher *f, host_state *h)
{
    if (h->robots_done)
        return;
    h->robots_done = 1;
    if (f->o->ignore_robots)
        return;
    size_t n = strlen(h->host) + 16;
    char *url = malloc(n);
    if (!url)
        return;
    snprintf(url, n, "%s/robots.txt", h->host);
    char *data;
    size_t len;
    if (fetch_one(f->o, url, &data, &len) == 0) {
        robots_parse(data, len, &h->robots);
        free(data);
    }
    free(url);
    h->last_start = now_ms();
}

/* Same-origin links of an HTML page, queued one level deeper. The scan is
 * of raw bytes: href values are ASCII in every charset a portal uses. */
static void queue_links(fetcher *f, const char *base, const char *html, size_t len, int depth)
{
    const char *p = html, *end = html + len;
    while (p < end && !f->stop) {
        const char *h = memmem(p, (size_t)(end - p), "href", 4);
        if (!h) {
            const char *H = memmem(p, (size_t)(end - p), "HREF", 4);
            if (!H)
                break;
            h = H;
        }
        p = h + 4;
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p >= end || *p != '=')
            continue;
        p++;
        while (p < end && isspace((unsigned char)*p))
            p++;
        char q = (p < end && (*p == '"' || *p == '\'')) ? *p++ : 0;
        const char *s = p;
        while (p < end && (q ? *p != q : !isspace((unsigned char)*p) && *p != '>'))
            p++;
        size_t n = (size_t)(p - s);
        if (n == 0 || n > 2000 || *s == '#' || strncasecmp(s, "javascript:", 11) == 0 ||
            strncasecmp(s, "mailto:", 7) == 0)
            continue;
        char ref[2048];
        memcpy(ref, s, n);
        ref[n] = 0;
        /* &amp; in attributes */
        for (char *a; (a = strstr(ref, "&amp;"));)
            memmove(a + 1, a + 5, strlen(a + 5) + 1);
        char *abs = url_resolve(base, ref);
        if (!abs)
            continue;
        char *origin = url_origin(abs);
        int same = origin && f->origin && strcmp(origin, f->origin) == 0;
        free(origin);
        if (!same || skip_by_extension(abs) || f->claimed >= f->o->max_pages ||
            !f->claim(f->baton, abs, depth)) {
            free(abs);
            continue;
        }
        f->claimed++;
        push_job(f, abs, depth, 0, 0);
    }
}

static const char *content_charset(const char *ctype, char *buf, size_t n)
{
    if (!ctype)
        return NULL;
    const char *c = strcasestr(ctype, "charset=");
    if (!c)
        return NULL;
    c += 8;
    if (*c == '"' || *c == '\'')
        c++;
    size_t k = strcspn(c, "\"'; \t");
    if (k == 0 || k >= n)
        return NULL;
    memcpy(buf, c, k);
    buf[k] = 0;
    return buf;
}

/* Retry-After in seconds or as an HTTP date; -1 when absent. */
static long retry_after_ms(CURL *e)
{
    struct curl_header *h = NULL;
    if (curl_easy_header(e, "Retry-After", 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h)
        return -1;
    char *end;
    long s = strtol(h->value, &end, 10);
    if (end != h->value && s >= 0)
        return s * 1000;
    time_t t = curl_getdate(h->value, NULL);
    if (t < 0)
        return -1;
    long d = (long)(t - time(NULL));
    return d > 0 ? d * 1000 : 0;
}

static void finish(fetcher *f, transfer *t, CURLcode res)
{
    long code = 0;
    char *eff = NULL, *ctype = NULL;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &eff);
    curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ctype);
    t->host->active--;
    if (res == CURLE_OK && (code == 429 || code == 503) && t->j.attempts < f->o->retries) {
        long wait = retry_after_ms(t->easy);
        long back = 500L << t->j.attempts;
        if (wait < back)
            wait = back;
        if (wait > MAX_BACKOFF_MS)
            wait = MAX_BACKOFF_MS;
        long long until = now_ms() + wait;
        if (until > t->host->backoff_until)
            t->host->backoff_until = until;
        f->stats->retried++;
        push_job(f, t->j.url, t->j.depth, t->j.attempts + 1, until);
        t->j.url = NULL;
        return;
    }
    if (res != CURLE_OK || code < 200 || code >= 300) {
        f->stats->fetch_errors++;
        if (res != CURLE_OK)
            fprintf(stderr, "disclosure: %s: 无法获取 could not fetch: %s\n", t->j.url,
                    t->too_large ? "page too large" : curl_easy_strerror(res));
        else
            fprintf(stderr, "disclosure: %s: 无法获取 could not fetch: HTTP %ld\n", t->j.url, code);
        return;
    }
    int html = !ctype || strncasecmp(ctype, "text/html", 9) == 0 ||
               strncasecmp(ctype, "application/xhtml", 17) == 0;
    if (!html)
        return;
    const char *url = eff ? eff : t->j.url;
    char csbuf[64];
    const char *cs = content_charset(ctype, csbuf, sizeof csbuf);
    /* links first: a resumed crawl finds them claimed once the page is recorded */
    if (f->follow && t->j.depth < f->o->max_depth && t->buf)
        queue_links(f, url, t->buf, t->len, t->j.depth + 1);
    if (f->page(f->baton, url, t->j.url, t->buf ? t->buf : "", t->len, cs) != 0)
        f->stop = 1;
}

/* Start what the per-host limits allow; returns ms until something could
 * start (for the poll timeout). */
static long start_ready(fetcher *f, size_t *active)
{
    long long now = now_ms();
    long wait = 1000;
    size_t i = 0;
    while (i < f->npending && !f->stop) {
        job *j = &f->pending[i];
        host_state *h = host_for(f, j->url);
        if (!h) {
            f->stats->fetch_errors++;
            free(j->url);
            f->pending[i] = f->pending[--f->npending];
            continue;
        }
        ensure_robots(f, h);
        char *pq = url_path_query(j->url);
        if (!f->o->ignore_robots && pq && !robots_allows(&h->robots, pq)) {
            free(pq);
            f->stats->robots_excluded++;
            free(j->url);
            memmove(j, j + 1, (f->npending - i - 1) * sizeof *j);
            f->npending--;
            continue;
        }
        free(pq);
        long long ready = j->not_before;
        if (h->backoff_until > ready)
            ready = h->backoff_until;
        if (h->last_start + f->o->delay_ms > ready)
            ready = h->last_start + f->o->delay_ms;
        if (h->active >= f->o->concurrency || ready > now) {
            if (ready > now && ready - now < wait)
                wait = (long)(ready - now);
            i++;
            continue;
        }
        transfer *t = calloc(1, sizeof *t);
        CURL *e = t ? curl_easy_init() : NULL;
        if (!e) {
            free(t);
            break;
        }
        t->easy = e;
        t->j = *j;
        t->host = h;
        memmove(j, j + 1, (f->npending - i - 1) * sizeof *j);
        f->npending--;
        setup_easy(f->o, e, f->headers);
        curl_easy_setopt(e, CURLOPT_URL, t->j.url);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
        curl_easy_setopt(e, CURLOPT_PRIVATE, t);
        curl_multi_add_handle(f->multi, e);
        h->active++;
        h->last_start = now;
        (*active)++;
    }
    return wait < 1 ? 1 : wait;
}

int fetch_run(const fetch_opts *o, const char *const *seeds, const int *depths, size_t nseeds, int follow,
              long claimed_before, fetch_claim_fn *claim, fetch_page_fn *page, void *baton,
              fetch_stats *stats)
{
    fetcher f = {0};
    f.claimed = claimed_before;
    f.o = o;
    f.follow = follow;
    f.claim = claim;
    f.page = page;
    f.baton = baton;
    f.stats = stats;
    f.multi = curl_multi_init();
    if (!f.multi)
        return -1;
    f.headers = make_headers(o);
    if (nseeds && follow)
        f.origin = url_origin(seeds[0]);
    for (size_t i = 0; i < nseeds; i++) {
        if (follow && f.claimed >= o->max_pages)
            break;
        int depth = depths ? depths[i] : 0;
        if (!claim(baton, seeds[i], depth))
            continue;
        f.claimed++;
        char *u = strdup(seeds[i]);
        if (u)
            push_job(&f, u, depth, 0, 0);
    }
    size_t active = 0;
    while ((f.npending && !f.stop) || active) {
        long wait = start_ready(&f, &active);
        int running = 0;
        curl_multi_perform(f.multi, &running);
        CURLMsg *m;
        int left, finished = 0;
        while ((m = curl_multi_info_read(f.multi, &left))) {
            if (m->msg != CURLMSG_DONE)
                continue;
            transfer *t = NULL;
            CURL *e = m->easy_handle;
            CURLcode res = m->data.result;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&t);
            finish(&f, t, res);
            curl_multi_remove_handle(f.multi, e);
            curl_easy_cleanup(e);
            free(t->j.url);
            free(t->buf);
            free(t);
            active--;
            finished++;
        }
        /* a slot came free: start the next transfer before waiting */
        if (!finished && (active || f.npending))
            curl_multi_poll(f.multi, NULL, 0, (int)(active ? (wait < 100 ? wait : 100) : wait), NULL);
    }
    for (size_t i = 0; i < f.npending; i++)
        free(f.pending[i].url);
    free(f.pending);
    for (size_t i = 0; i < f.nhosts; i++) {
        robots_free(&f.hosts[i]->robots);
        free(f.hosts[i]->host);
        free(f.hosts[i]);
    }
    free(f.hosts);
    free(f.origin);
    curl_slist_free_all(f.headers);
    curl_multi_cleanup(f.multi);
    return 0;
}
