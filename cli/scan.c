/* disclosure scan: check a whole site — a docroot, a sitemap, a crawl —
 * on several threads, record every page in the registry, then run the
 * cross-page rules on every page and write the reports.
 *
 * Two phases, memory bounded: collection (fetcher or file walk → bounded
 * queue → checking threads → dsc_registry_record; fetched bytes are spooled
 * to a temporary directory), then verdicts (each page checked again from its
 * file plus dsc_registry_check_page, now that the registry holds the whole
 * site; one JSON line per page into a spool file that the report writers
 * stream). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libxml/xmlreader.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "scan.h"

#define BUSY_MS 10000
#define MAX_SOURCES 16

typedef struct {
    const char *policy, *registry, *output_dir, *baseline, *base_url;
    const char *docroots[MAX_SOURCES], *sitemaps[MAX_SOURCES], *crawls[MAX_SOURCES];
    size_t ndocroots, nsitemaps, ncrawls;
    const char *headers[64];
    size_t nheaders;
    int formats[FMT__COUNT], nformats, jobs, today;
    dsc_severity fail_on;
    fetch_opts fetch;
} scan_opts;

static const char usage_text[] =
    "用法 Usage: disclosure scan [SOURCES] [OPTIONS]\n"
    "来源 Sources (combinable):\n"
    "  --docroot DIR --base-url URL   本地文件 pages under DIR (*.html, *.htm, *.shtml)\n"
    "  --sitemap FILE|URL             站点地图 sitemap or sitemap index (.gz too)\n"
    "  --crawl URL                    爬取 same-host crawl from URL\n"
    "爬取 Crawl: --max-depth N (3) --max-pages N (1000) --concurrency N (4 per host)\n"
    "  --delay MS (0) --timeout S (30) --retries N (3) --ignore-robots\n"
    "  --header 'Name: value' (repeatable) --cookie STR\n"
    "检查 Checking: --policy FILE --date YYYY-MM-DD --jobs N (cores) --registry FILE\n"
    "输出 Output: --format text|json|csv|sarif|junit|html (repeatable) --output-dir DIR\n"
    "  --baseline FILE (earlier scan.json) --fail-on error|warning (error)\n"
    "Exit status: 0 clean, 1 findings at or above --fail-on, 2 could not run,\n"
    "3 bad configuration (options, policy).\n";

/* ---- a set of strings (URLs seen, baseline fingerprints) ---- */

typedef struct {
    json_t *obj;
    pthread_mutex_t mu;
} str_set;

/* 1 when newly added. */
static int set_add(str_set *s, const char *key)
{
    pthread_mutex_lock(&s->mu);
    int added = json_object_get(s->obj, key) == NULL;
    if (added)
        json_object_set_new(s->obj, key, json_true());
    pthread_mutex_unlock(&s->mu);
    return added;
}

/* ---- the pages of a scan ---- */

typedef struct {
    char *url, *file, *charset;
    int docroot; /* file is the page's own path (reported as "path") */
} page_entry;

/* Work queue between the collectors and the checking threads. */
typedef struct {
    char *url, *file, *charset, *data;
    size_t len;
    int docroot;
} work;

typedef struct scan_state scan_state;
struct scan_state {
    const scan_opts *o;
    const dsc_policy *policy;
    dsc_registry *reg;
    /* Before 42e0b39 two concurrent dsc_registry_record calls on one handle
     * failed ("cannot start a transaction within a transaction"); the
     * library now serializes its calls, this lock stays as a cheap guard. */
    pthread_mutex_t reg_mu;
    char *spool_dir;
    str_set seen, baseline;
    /* queue */
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    work *q;
    size_t qcap, qhead, qlen;
    int closing;
    /* pages recorded */
    page_entry *pages;
    size_t npages, cappages;
    long spool_seq;
    /* phase 2 */
    size_t next;
    FILE *out;
    /* counters */
    atomic_long done, queued, findings, fetch_errors, errors, warnings, failing, known;
    int phase;
    long long t0;
    int progress_stop;
};

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void iso_now(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void queue_push(scan_state *s, work w)
{
    pthread_mutex_lock(&s->mu);
    while (s->qlen == s->qcap)
        pthread_cond_wait(&s->not_full, &s->mu);
    s->q[(s->qhead + s->qlen++) % s->qcap] = w;
    atomic_fetch_add(&s->queued, 1);
    pthread_cond_signal(&s->not_empty);
    pthread_mutex_unlock(&s->mu);
}

static int queue_pop(scan_state *s, work *w)
{
    pthread_mutex_lock(&s->mu);
    while (s->qlen == 0 && !s->closing)
        pthread_cond_wait(&s->not_empty, &s->mu);
    if (s->qlen == 0) {
        pthread_mutex_unlock(&s->mu);
        return 0;
    }
    *w = s->q[s->qhead];
    s->qhead = (s->qhead + 1) % s->qcap;
    s->qlen--;
    pthread_cond_signal(&s->not_full);
    pthread_mutex_unlock(&s->mu);
    return 1;
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* Phase 1: check and record one page; keep where its bytes are. */
static void collect_one(scan_state *s, work *w)
{
    char *data = w->data;
    size_t len = w->len;
    int too_large = 0;
    if (!data) {
        if (cli_read_file(w->file, dsc_policy_max_bytes(s->policy), &data, &len, &too_large) < 0) {
            fprintf(stderr, "disclosure: %s: cannot read the file\n", w->file);
            atomic_fetch_add(&s->fetch_errors, 1);
            goto out;
        }
    } else {
        too_large = len > dsc_policy_max_bytes(s->policy);
        pthread_mutex_lock(&s->mu);
        long n = ++s->spool_seq;
        pthread_mutex_unlock(&s->mu);
        size_t fl = strlen(s->spool_dir) + 32;
        w->file = malloc(fl);
        if (!w->file || (snprintf(w->file, fl, "%s/%ld.html", s->spool_dir, n),
                         write_file(w->file, data, len) < 0)) {
            fprintf(stderr, "disclosure: %s: cannot spool the page\n", w->url);
            atomic_fetch_add(&s->fetch_errors, 1);
            goto out;
        }
    }
    if (too_large) {
        fprintf(stderr, "disclosure: %s: 页面超过%zu字节上限，未检查 (page larger than the limit, not checked)\n",
                w->url, dsc_policy_max_bytes(s->policy));
        atomic_fetch_add(&s->fetch_errors, 1);
        goto out;
    }
    dsc_input in = {data, len, w->charset, w->url, w->docroot ? w->file : NULL, s->o->today};
    dsc_result *res = NULL;
    dsc_error err;
    if (dsc_check(s->policy, &in, &res, &err) != DSC_OK) {
        fprintf(stderr, "disclosure: %s: %s (%s)\n", w->url, err.message_zh, err.message);
        atomic_fetch_add(&s->fetch_errors, 1);
        goto out;
    }
    atomic_fetch_add(&s->findings, (long)dsc_result_nfindings(res));
    pthread_mutex_lock(&s->reg_mu);
    dsc_status st = dsc_registry_record(s->reg, res, NULL, (long long)time(NULL), &err);
    pthread_mutex_unlock(&s->reg_mu);
    dsc_result_free(res);
    if (st != DSC_OK) {
        cli_print_error(w->url, &err);
        atomic_fetch_add(&s->fetch_errors, 1);
        goto out;
    }
    pthread_mutex_lock(&s->mu);
    if (s->npages == s->cappages) {
        size_t cap = s->cappages ? s->cappages * 2 : 256;
        page_entry *p = realloc(s->pages, cap * sizeof *p);
        if (p) {
            s->pages = p;
            s->cappages = cap;
        }
    }
    if (s->npages < s->cappages) {
        s->pages[s->npages++] = (page_entry){w->url, w->file, w->charset, w->docroot};
        w->url = w->file = w->charset = NULL;
    }
    pthread_mutex_unlock(&s->mu);
out:
    atomic_fetch_add(&s->done, 1);
    if (data != w->data)
        free(data);
    free(w->data);
    free(w->url);
    free(w->file);
    free(w->charset);
}

static void *collect_worker(void *arg)
{
    scan_state *s = arg;
    work w;
    while (queue_pop(s, &w))
        collect_one(s, &w);
    return NULL;
}

/* Phase 2: the page's final verdict, as one JSON line. */
static void verdict_one(scan_state *s, const page_entry *p)
{
    char *data;
    size_t len;
    int too_large;
    if (cli_read_file(p->file, dsc_policy_max_bytes(s->policy), &data, &len, &too_large) < 0)
        return;
    dsc_input in = {data, len, p->charset, p->url, p->docroot ? p->file : NULL, s->o->today};
    dsc_result *res = NULL;
    dsc_error err;
    dsc_status st = dsc_check(s->policy, &in, &res, &err);
    free(data);
    if (st != DSC_OK)
        return;
    pthread_mutex_lock(&s->reg_mu);
    dsc_registry_check_page(s->reg, res);
    pthread_mutex_unlock(&s->reg_mu);
    char *js = dsc_result_json(res, 0);
    dsc_result_free(res);
    json_t *page = js ? json_loads(js, 0, NULL) : NULL;
    free(js);
    if (!page)
        return;
    json_t *fs = json_object_get(page, "findings");
    size_t i;
    json_t *f;
    json_array_foreach(fs, i, f) {
        const char *rule = json_string_value(json_object_get(f, "rule"));
        const char *sev = json_string_value(json_object_get(f, "severity"));
        const char *field = json_string_value(json_object_get(f, "field"));
        int is_error = sev && strcmp(sev, "error") == 0;
        atomic_fetch_add(is_error ? &s->errors : &s->warnings, 1);
        char key[2048];
        snprintf(key, sizeof key, "%s\x1f%s\x1f%s", p->url, rule ? rule : "", field ? field : "");
        if (json_object_get(s->baseline.obj, key)) {
            json_object_set_new(f, "known", json_true());
            atomic_fetch_add(&s->known, 1);
        } else if (is_error || s->o->fail_on == DSC_SEV_WARNING) {
            atomic_fetch_add(&s->failing, 1);
        }
    }
    char *line = json_dumps(page, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(page);
    if (!line)
        return;
    pthread_mutex_lock(&s->mu);
    fputs(line, s->out);
    fputc('\n', s->out);
    pthread_mutex_unlock(&s->mu);
    free(line);
    atomic_fetch_add(&s->done, 1);
}

static void *verdict_worker(void *arg)
{
    scan_state *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        size_t i = s->next++;
        pthread_mutex_unlock(&s->mu);
        if (i >= s->npages)
            return NULL;
        verdict_one(s, &s->pages[i]);
    }
}

/* ---- progress on a terminal ---- */

static void *progress_thread(void *arg)
{
    scan_state *s = arg;
    while (!__atomic_load_n(&s->progress_stop, __ATOMIC_SEQ_CST)) {
        struct timespec ts = {0, 250 * 1000000L};
        nanosleep(&ts, NULL);
        long done = atomic_load(&s->done), total = s->phase == 1 ? atomic_load(&s->queued) : (long)s->npages;
        double secs = (double)(mono_ms() - s->t0) / 1000.0;
        double rate = secs > 0 ? (double)done / secs : 0;
        long eta = rate > 0 && total > done ? (long)((double)(total - done) / rate) : 0;
        long nf = s->phase == 1 ? atomic_load(&s->findings) : atomic_load(&s->errors) + atomic_load(&s->warnings);
        fprintf(stderr, "\r\033[K%s %ld/%ld 页 pages, %.1f 页/秒 pages/s, %ld 问题 findings, 剩余 ETA %lds",
                s->phase == 1 ? "采集 collecting" : "判定 verdicts", done, total, rate, nf, eta);
        fflush(stderr);
    }
    fputs("\r\033[K", stderr);
    return NULL;
}

/* ---- sources ---- */

static int is_page_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0 ||
                   strcasecmp(dot, ".shtml") == 0);
}

/* Percent-encode what a URL path may not hold as is (spaces, CJK). */
static char *url_encode_path(const char *base, const char *rel)
{
    size_t n = strlen(base) + 3 * strlen(rel) + 1;
    char *out = malloc(n), *o = out;
    if (!out)
        return NULL;
    o += sprintf(o, "%s", base);
    for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~!$&'()*+,;=:@", *p))
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = 0;
    return out;
}

static int walk(scan_state *s, const char *base, const char *dir, const char *rel, int depth)
{
    if (depth > 64)
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "disclosure: %s: cannot read the directory\n", dir);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char file[4096], sub[4096];
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        struct stat ls, st;
        if (lstat(file, &ls) == 0 && S_ISDIR(ls.st_mode)) {
            walk(s, base, file, sub, depth + 1);
        } else if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && is_page_name(e->d_name)) {
            char *url = url_encode_path(base, sub);
            if (url && set_add(&s->seen, url))
                queue_push(s, (work){url, strdup(file), NULL, NULL, 0, 1});
            else
                free(url);
        }
    }
    closedir(d);
    return 0;
}

typedef struct {
    char **items;
    size_t n, cap;
} str_list;

static void list_add(str_list *l, const char *v)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **it = realloc(l->items, cap * sizeof *it);
        if (!it)
            return;
        l->items = it;
        l->cap = cap;
    }
    char *c = strdup(v);
    if (c)
        l->items[l->n++] = c;
}

static void list_free(str_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
}

/* Read a sitemap or sitemap index (file or URL, gzip or not) with the
 * streaming reader: no DTD, no entity expansion, no network access by the
 * parser itself. Page URLs go to pages; nested sitemaps are followed. */
static int load_sitemap(const scan_opts *o, const char *loc, int depth, str_list *pages)
{
    if (depth > 3) {
        fprintf(stderr, "disclosure: %s: sitemap index nested too deep\n", loc);
        return -1;
    }
    char tmp[] = "/tmp/disclosure-sitemap-XXXXXX";
    const char *file = loc;
    int have_tmp = 0;
    if (strncasecmp(loc, "http://", 7) == 0 || strncasecmp(loc, "https://", 8) == 0) {
        char *data;
        size_t len;
        if (fetch_one(&o->fetch, loc, &data, &len) != 0) {
            fprintf(stderr, "disclosure: %s: 无法获取站点地图 cannot fetch the sitemap\n", loc);
            return -1;
        }
        int fd = mkstemp(tmp);
        int ok = fd >= 0 && write(fd, data, len) == (ssize_t)len;
        if (fd >= 0)
            close(fd);
        free(data);
        if (!ok) {
            if (fd >= 0)
                unlink(tmp);
            return -1;
        }
        file = tmp;
        have_tmp = 1;
    }
    /* xmlReaderForFile inflates gzip transparently */
    xmlTextReaderPtr r = xmlReaderForFile(file, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!r) {
        fprintf(stderr, "disclosure: %s: cannot read the sitemap\n", loc);
        if (have_tmp)
            unlink(tmp);
        return -1;
    }
    int index = -1, rc = 0, ret;
    str_list nested = {0};
    while ((ret = xmlTextReaderRead(r)) == 1) {
        if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
            continue;
        const char *name = (const char *)xmlTextReaderConstLocalName(r);
        if (index < 0) {
            if (strcmp(name, "sitemapindex") == 0)
                index = 1;
            else if (strcmp(name, "urlset") == 0)
                index = 0;
            else {
                fprintf(stderr, "disclosure: %s: not a sitemap (root <%s>)\n", loc, name);
                rc = -1;
                break;
            }
        } else if (strcmp(name, "loc") == 0) {
            xmlChar *v = xmlTextReaderReadString(r);
            if (v) {
                char *t = (char *)v;
                while (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r')
                    t++;
                for (char *e = t + strlen(t); e > t && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\t' || e[-1] == '\r');)
                    *--e = 0;
                if (*t)
                    list_add(index ? &nested : pages, t);
                xmlFree(v);
            }
        }
    }
    if (ret < 0) {
        fprintf(stderr, "disclosure: %s: the sitemap is not well-formed XML\n", loc);
        rc = -1;
    }
    xmlFreeTextReader(r);
    if (have_tmp)
        unlink(tmp);
    for (size_t i = 0; rc == 0 && i < nested.n; i++)
        if (load_sitemap(o, nested.items[i], depth + 1, pages) < 0)
            rc = -1;
    list_free(&nested);
    return rc;
}

static int claim_url(void *baton, const char *url)
{
    scan_state *s = baton;
    return set_add(&s->seen, url);
}

static int on_fetched(void *baton, const char *url, const char *data, size_t len, const char *charset)
{
    scan_state *s = baton;
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, data, len);
    copy[len] = 0;
    queue_push(s, (work){strdup(url), NULL, charset ? strdup(charset) : NULL, copy, len, 0});
    return 0;
}

/* ---- options ---- */

static int parse_int(const char *name, const char *v, int min, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == 0 || *end || n < min || n > 1000000) {
        fprintf(stderr, "disclosure: --%s \"%s\" is not a number >= %d\n", name, v, min);
        return -1;
    }
    *out = (int)n;
    return 0;
}

static int add_source(const char **arr, size_t *n, const char *v, const char *what)
{
    if (*n == MAX_SOURCES) {
        fprintf(stderr, "disclosure: at most %d --%s\n", MAX_SOURCES, what);
        return -1;
    }
    arr[(*n)++] = v;
    return 0;
}

static int parse_args(int argc, char **argv, scan_opts *o)
{
    enum { O_DOCROOT = 256, O_BASE, O_SITEMAP, O_CRAWL, O_DEPTH, O_PAGES, O_CONC, O_DELAY, O_ROBOTS,
           O_HEADER, O_COOKIE, O_JOBS, O_REG, O_FORMAT, O_OUTDIR, O_BASELINE, O_FAILON, O_POLICY,
           O_DATE, O_TIMEOUT, O_RETRIES };
    static const struct option longopts[] = {
        {"docroot", required_argument, NULL, O_DOCROOT}, {"base-url", required_argument, NULL, O_BASE},
        {"sitemap", required_argument, NULL, O_SITEMAP}, {"crawl", required_argument, NULL, O_CRAWL},
        {"max-depth", required_argument, NULL, O_DEPTH}, {"max-pages", required_argument, NULL, O_PAGES},
        {"concurrency", required_argument, NULL, O_CONC}, {"delay", required_argument, NULL, O_DELAY},
        {"ignore-robots", no_argument, NULL, O_ROBOTS},  {"header", required_argument, NULL, O_HEADER},
        {"cookie", required_argument, NULL, O_COOKIE},   {"jobs", required_argument, NULL, O_JOBS},
        {"registry", required_argument, NULL, O_REG},    {"format", required_argument, NULL, O_FORMAT},
        {"output-dir", required_argument, NULL, O_OUTDIR}, {"baseline", required_argument, NULL, O_BASELINE},
        {"fail-on", required_argument, NULL, O_FAILON},  {"policy", required_argument, NULL, O_POLICY},
        {"date", required_argument, NULL, O_DATE},       {"timeout", required_argument, NULL, O_TIMEOUT},
        {"retries", required_argument, NULL, O_RETRIES}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, f;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_DOCROOT:
            if (add_source(o->docroots, &o->ndocroots, optarg, "docroot") < 0)
                return -1;
            break;
        case O_BASE:
            if (!strstr(optarg, "://")) {
                fprintf(stderr, "disclosure: --base-url \"%s\" is not an absolute URL (http://host/)\n", optarg);
                return -1;
            }
            o->base_url = optarg;
            break;
        case O_SITEMAP:
            if (add_source(o->sitemaps, &o->nsitemaps, optarg, "sitemap") < 0)
                return -1;
            break;
        case O_CRAWL:
            if (strncasecmp(optarg, "http://", 7) != 0 && strncasecmp(optarg, "https://", 8) != 0) {
                fprintf(stderr, "disclosure: --crawl \"%s\" is not an http(s) URL\n", optarg);
                return -1;
            }
            if (add_source(o->crawls, &o->ncrawls, optarg, "crawl") < 0)
                return -1;
            break;
        case O_DEPTH:
            if (parse_int("max-depth", optarg, 0, &o->fetch.max_depth) < 0)
                return -1;
            break;
        case O_PAGES:
            if (parse_int("max-pages", optarg, 1, &o->fetch.max_pages) < 0)
                return -1;
            break;
        case O_CONC:
            if (parse_int("concurrency", optarg, 1, &o->fetch.concurrency) < 0)
                return -1;
            break;
        case O_DELAY:
            if (parse_int("delay", optarg, 0, &o->fetch.delay_ms) < 0)
                return -1;
            break;
        case O_TIMEOUT:
            if (parse_int("timeout", optarg, 1, &o->fetch.timeout_s) < 0)
                return -1;
            break;
        case O_RETRIES:
            if (parse_int("retries", optarg, 0, &o->fetch.retries) < 0)
                return -1;
            break;
        case O_ROBOTS:
            o->fetch.ignore_robots = 1;
            break;
        case O_HEADER:
            if (!strchr(optarg, ':') || o->nheaders == sizeof o->headers / sizeof o->headers[0]) {
                fprintf(stderr, "disclosure: --header \"%s\" must be 'Name: value'\n", optarg);
                return -1;
            }
            o->headers[o->nheaders++] = optarg;
            break;
        case O_COOKIE:
            o->fetch.cookie = optarg;
            break;
        case O_JOBS:
            if (parse_int("jobs", optarg, 1, &o->jobs) < 0)
                return -1;
            break;
        case O_REG:
            o->registry = optarg;
            break;
        case O_FORMAT:
            f = report_format_from_name(optarg);
            if (f < 0) {
                fprintf(stderr, "disclosure: --format must be text, json, csv, sarif, junit or html, not \"%s\"\n", optarg);
                return -1;
            }
            if (!o->formats[f])
                o->nformats++;
            o->formats[f] = 1;
            break;
        case O_OUTDIR:
            o->output_dir = optarg;
            break;
        case O_BASELINE:
            o->baseline = optarg;
            break;
        case O_FAILON:
            if (strcmp(optarg, "error") == 0)
                o->fail_on = DSC_SEV_ERROR;
            else if (strcmp(optarg, "warning") == 0)
                o->fail_on = DSC_SEV_WARNING;
            else {
                fprintf(stderr, "disclosure: --fail-on must be error or warning, not \"%s\"\n", optarg);
                return -1;
            }
            break;
        case O_POLICY:
            o->policy = optarg;
            break;
        case O_DATE:
            if (dsc_date_parse(optarg, &o->today) < 0) {
                fprintf(stderr, "disclosure: --date \"%s\" is not a date (YYYY-MM-DD)\n", optarg);
                return -1;
            }
            break;
        case 'h':
            fputs(usage_text, stdout);
            exit(EXIT_CLEAN);
        default:
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "disclosure: scan takes no arguments (\"%s\"): use --docroot, --sitemap or --crawl\n", argv[optind]);
        return -1;
    }
    if (!o->ndocroots && !o->nsitemaps && !o->ncrawls) {
        fputs("disclosure: scan needs a source: --docroot DIR --base-url URL, --sitemap, --crawl\n", stderr);
        return -1;
    }
    if (o->ndocroots && !o->base_url) {
        fputs("disclosure: --docroot needs --base-url (the URL the docroot is served at)\n", stderr);
        return -1;
    }
    if (!o->nformats) {
        o->formats[FMT_TEXT] = 1;
        o->nformats = 1;
    }
    int files = o->nformats - o->formats[FMT_TEXT];
    if (files > 1 && !o->output_dir) {
        fputs("disclosure: several --format need --output-dir DIR\n", stderr);
        return -1;
    }
    if (files && o->formats[FMT_TEXT] && !o->output_dir) {
        fputs("disclosure: --format text with another format needs --output-dir DIR\n", stderr);
        return -1;
    }
    return 0;
}

/* ---- baseline ---- */

static int load_baseline(const char *path, str_set *set)
{
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    json_t *pages = doc ? json_object_get(doc, "pages") : NULL;
    if (!json_is_array(pages)) {
        fprintf(stderr, "disclosure: %s: not a scan JSON report (%s)\n", path, doc ? "no pages" : je.text);
        json_decref(doc);
        return -1;
    }
    size_t i, k;
    json_t *p, *f;
    json_array_foreach(pages, i, p) {
        const char *url = json_string_value(json_object_get(p, "url"));
        json_array_foreach(json_object_get(p, "findings"), k, f) {
            const char *rule = json_string_value(json_object_get(f, "rule"));
            const char *field = json_string_value(json_object_get(f, "field"));
            char key[2048];
            snprintf(key, sizeof key, "%s\x1f%s\x1f%s", url ? url : "", rule ? rule : "", field ? field : "");
            set_add(set, key);
        }
    }
    json_decref(doc);
    return 0;
}

/* ---- the scans table: what `disclosure report` renders again ---- */

static long long store_scan(const char *registry, json_t *scan, const char *pages_file)
{
    sqlite3 *db = NULL;
    long long id = -1;
    if (sqlite3_open_v2(registry, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, BUSY_MS);
    sqlite3_stmt *st = NULL, *fs = NULL;
    char *sources = json_dumps(json_object_get(scan, "sources"), JSON_COMPACT);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO scans(started, finished, sources, pages, fetch_errors) VALUES (?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO findings(scan_id, url, rule, severity, field, message, message_en,"
                           " evidence, line) VALUES (?,?,?,?,?,?,?,?,?)", -1, &fs, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_text(st, 1, json_string_value(json_object_get(scan, "started")), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, json_string_value(json_object_get(scan, "finished")), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, sources, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, json_integer_value(json_object_get(scan, "pages")));
    sqlite3_bind_int64(st, 5, json_integer_value(json_object_get(scan, "fetch_errors")));
    if (sqlite3_step(st) != SQLITE_DONE)
        goto out;
    long long sid = sqlite3_last_insert_rowid(db);
    FILE *in = fopen(pages_file, "r");
    char *line = NULL;
    size_t cap = 0;
    int ok = in != NULL;
    while (ok && getline(&line, &cap, in) > 0) {
        json_t *p = json_loads(line, 0, NULL);
        const char *url = json_string_value(json_object_get(p, "url"));
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(p, "findings"), i, f) {
            static const char *const cols[] = {"rule", "severity", "field", "message", "message_en", "evidence"};
            sqlite3_reset(fs);
            sqlite3_bind_int64(fs, 1, sid);
            sqlite3_bind_text(fs, 2, url, -1, SQLITE_TRANSIENT);
            for (int k = 0; k < 6; k++)
                sqlite3_bind_text(fs, 3 + k, json_string_value(json_object_get(f, cols[k])), -1, SQLITE_TRANSIENT);
            json_t *ln = json_object_get(f, "line");
            if (json_is_integer(ln))
                sqlite3_bind_int64(fs, 9, json_integer_value(ln));
            else
                sqlite3_bind_null(fs, 9);
            if (sqlite3_step(fs) != SQLITE_DONE)
                ok = 0;
        }
        json_decref(p);
    }
    free(line);
    if (in)
        fclose(in);
    if (ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        id = sid;
out:
    if (id < 0) {
        fprintf(stderr, "disclosure: %s: cannot store the scan: %s\n", registry, sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    free(sources);
    sqlite3_finalize(st);
    sqlite3_finalize(fs);
    sqlite3_close(db);
    return id;
}

/* ---- writing the reports ---- */

/* Every requested format: to DIR/scan.* with --output-dir, else the one
 * format to stdout. Text goes to stdout always. 0 or -1. */
int scan_write_reports(const int formats[FMT__COUNT], const char *output_dir, const report_data *d)
{
    int rc = 0;
    if (output_dir && mkdir(output_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "disclosure: %s: cannot create the directory: %s\n", output_dir, strerror(errno));
        return -1;
    }
    for (int f = 0; f < FMT__COUNT; f++) {
        if (!formats[f])
            continue;
        if (f == FMT_TEXT || !output_dir) {
            if (report_write((report_format)f, d, stdout) < 0)
                rc = -1;
            fflush(stdout);
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", output_dir, report_file_name((report_format)f));
        FILE *out = fopen(path, "wb");
        if (!out || report_write((report_format)f, d, out) < 0) {
            fprintf(stderr, "disclosure: %s: cannot write the report\n", path);
            rc = -1;
        }
        if (out && fclose(out) != 0)
            rc = -1;
    }
    return rc;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int by_url(const void *a, const void *b)
{
    return strcmp(((const page_entry *)a)->url, ((const page_entry *)b)->url);
}

static void run_threads(int n, void *(*fn)(void *), scan_state *s)
{
    pthread_t *t = calloc((size_t)n, sizeof *t);
    int started = 0;
    for (int i = 0; t && i < n; i++)
        if (pthread_create(&t[i], NULL, fn, s) == 0)
            started++;
    if (!started)
        fn(s);
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);
}

typedef struct {
    scan_state *s;
    int n;
    pthread_t *t;
    int started;
} pool;

static void pool_start(pool *p)
{
    p->t = calloc((size_t)p->n, sizeof *p->t);
    for (int i = 0; p->t && i < p->n; i++)
        if (pthread_create(&p->t[i], NULL, collect_worker, p->s) == 0)
            p->started++;
}

static void pool_finish(pool *p)
{
    pthread_mutex_lock(&p->s->mu);
    p->s->closing = 1;
    pthread_cond_broadcast(&p->s->not_empty);
    pthread_mutex_unlock(&p->s->mu);
    if (!p->started)
        collect_worker(p->s);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->t[i], NULL);
    free(p->t);
}

int cmd_scan(int argc, char **argv)
{
    scan_opts o;
    memset(&o, 0, sizeof o);
    o.fail_on = DSC_SEV_ERROR;
    o.fetch = (fetch_opts){3, 1000, 4, 0, 0, 30, 3, NULL, NULL, 0};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o.jobs = cores > 0 ? (int)cores : 1;
    if (parse_args(argc, argv, &o) < 0)
        return EXIT_BAD_CONFIG;
    o.fetch.headers = o.headers;
    o.fetch.n_headers = o.nheaders;
    dsc_policy *policy = cli_load_policy(o.policy);
    if (!policy)
        return EXIT_BAD_CONFIG;
    if (o.fetch.ignore_robots && (o.ncrawls || o.nsitemaps))
        fputs("disclosure: robots.txt 已忽略 is overridden by --ignore-robots\n", stderr);

    scan_state s;
    memset(&s, 0, sizeof s);
    s.o = &o;
    s.policy = policy;
    s.seen.obj = json_object();
    s.baseline.obj = json_object();
    pthread_mutex_init(&s.seen.mu, NULL);
    pthread_mutex_init(&s.baseline.mu, NULL);
    pthread_mutex_init(&s.mu, NULL);
    pthread_mutex_init(&s.reg_mu, NULL);
    pthread_cond_init(&s.not_empty, NULL);
    pthread_cond_init(&s.not_full, NULL);
    s.qcap = (size_t)o.jobs * 2 + 8;
    s.q = calloc(s.qcap, sizeof *s.q);
    int rc = EXIT_CANNOT_RUN, source_failed = 0;
    char reg_tmp[] = "/tmp/disclosure-scan-XXXXXX", spool[] = "/tmp/disclosure-spool-XXXXXX";
    char pages_path[4096] = "";
    const char *registry = o.registry;
    json_t *scan = NULL;
    if (o.baseline && load_baseline(o.baseline, &s.baseline) < 0) {
        rc = EXIT_BAD_CONFIG;
        goto out;
    }
    if (!s.q || !mkdtemp(spool)) {
        fputs("disclosure: cannot create a temporary directory\n", stderr);
        goto out;
    }
    s.spool_dir = spool;
    if (!registry) {
        int fd = mkstemp(reg_tmp);
        if (fd < 0)
            goto out;
        close(fd);
        registry = reg_tmp;
    }
    dsc_error err;
    if (dsc_registry_open(registry, 0, BUSY_MS, &s.reg, &err) != DSC_OK) {
        cli_print_error(registry, &err);
        goto out;
    }

    char started[32], finished[32];
    iso_now(started);
    json_t *sources = json_array();
    s.t0 = mono_ms();
    s.phase = 1;
    int tty = isatty(STDERR_FILENO);
    pthread_t prog;
    int have_prog = tty && pthread_create(&prog, NULL, progress_thread, &s) == 0;

    /* phase 1: collect */
    pool workers = {&s, o.jobs, NULL, 0};
    pool_start(&workers);
    for (size_t i = 0; i < o.ndocroots; i++) {
        size_t bl = strlen(o.base_url);
        char base[4096];
        snprintf(base, sizeof base, "%s%s", o.base_url, bl && o.base_url[bl - 1] == '/' ? "" : "/");
        char src[4200];
        snprintf(src, sizeof src, "docroot:%s", o.docroots[i]);
        json_array_append_new(sources, json_string(src));
        if (walk(&s, base, o.docroots[i], "", 0) < 0)
            source_failed = 1;
    }
    str_list seeds = {0};
    for (size_t i = 0; i < o.ncrawls; i++) {
        char src[4200];
        snprintf(src, sizeof src, "crawl:%s", o.crawls[i]);
        json_array_append_new(sources, json_string(src));
        list_add(&seeds, o.crawls[i]);
    }
    for (size_t i = 0; i < o.nsitemaps; i++) {
        char src[4200];
        snprintf(src, sizeof src, "sitemap:%s", o.sitemaps[i]);
        json_array_append_new(sources, json_string(src));
        if (load_sitemap(&o, o.sitemaps[i], 0, &seeds) < 0)
            source_failed = 1;
    }
    fetch_stats fst = {0, 0, 0};
    if (seeds.n)
        fetch_run(&o.fetch, (const char *const *)seeds.items, seeds.n, o.ncrawls > 0, claim_url,
                  on_fetched, &s, &fst);
    list_free(&seeds);
    pool_finish(&workers);
    atomic_fetch_add(&s.fetch_errors, fst.fetch_errors);
    if (fst.robots_excluded)
        fprintf(stderr, "disclosure: robots.txt 排除 excluded %ld URL(s)\n", fst.robots_excluded);

    /* phase 2: cross-page verdicts against the whole site */
    qsort(s.pages, s.npages, sizeof *s.pages, by_url);
    snprintf(pages_path, sizeof pages_path, "%s/pages.jsonl", spool);
    s.out = fopen(pages_path, "w+");
    if (!s.out) {
        fprintf(stderr, "disclosure: %s: cannot write\n", pages_path);
        if (have_prog) {
            __atomic_store_n(&s.progress_stop, 1, __ATOMIC_SEQ_CST);
            pthread_join(prog, NULL);
        }
        json_decref(sources);
        goto out;
    }
    atomic_store(&s.done, 0);
    s.phase = 2;
    s.t0 = mono_ms();
    run_threads(o.jobs, verdict_worker, &s);
    fclose(s.out);
    s.out = NULL;
    if (have_prog) {
        __atomic_store_n(&s.progress_stop, 1, __ATOMIC_SEQ_CST);
        pthread_join(prog, NULL);
    }
    dsc_registry_close(s.reg);
    s.reg = NULL;
    iso_now(finished);

    long npages = atomic_load(&s.done);
    scan = json_object();
    json_object_set_new(scan, "id", json_null());
    json_object_set_new(scan, "started", json_string(started));
    json_object_set_new(scan, "finished", json_string(finished));
    json_object_set_new(scan, "sources", sources);
    json_object_set_new(scan, "pages", json_integer(npages));
    json_object_set_new(scan, "fetch_errors", json_integer(atomic_load(&s.fetch_errors)));
    long long id = store_scan(registry, scan, pages_path);
    if (id > 0)
        json_object_set_new(scan, "id", json_integer(id));

    report_data d = {pages_path, scan, o.baseline != NULL, o.fail_on};
    if (scan_write_reports(o.formats, o.output_dir, &d) < 0)
        goto out;
    if (npages == 0 && (source_failed || atomic_load(&s.fetch_errors) > 0)) {
        fputs("disclosure: 没有可检查的页面 no page could be scanned\n", stderr);
        goto out;
    }
    rc = atomic_load(&s.failing) ? EXIT_FINDINGS : EXIT_CLEAN;
out:
    if (s.reg)
        dsc_registry_close(s.reg);
    json_decref(scan);
    for (size_t i = 0; i < s.npages; i++) {
        free(s.pages[i].url);
        free(s.pages[i].file);
        free(s.pages[i].charset);
    }
    free(s.pages);
    free(s.q);
    json_decref(s.seen.obj);
    json_decref(s.baseline.obj);
    if (s.spool_dir)
        remove_tree(spool);
    if (!o.registry && registry == reg_tmp) {
        char p[64];
        unlink(reg_tmp);
        snprintf(p, sizeof p, "%s-wal", reg_tmp);
        unlink(p);
        snprintf(p, sizeof p, "%s-shm", reg_tmp);
        unlink(p);
    }
    dsc_policy_free(policy);
    return rc;
}
