/* disclosure scan: check a whole site — a docroot, a sitemap, a crawl —
 * on several threads, record every page in the registry, then run the
 * cross-page rules on every page and write the reports.
 *
 * This file: the sources (file walk, fetcher callbacks), progress, and the
 * order of things (cmd_scan). Options are in scan_opts.c, the work queue and
 * both phases' checking threads in scan_queue.c, sitemaps in
 * scan_sitemap.c, the scan's rows in the registry and resuming in
 * scan_store.c. Memory is bounded: fetched bytes are spooled to files,
 * results are kept for phase 2 only up to a budget, and the report writers
 * stream a file of one JSON line per page. */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "docroot.h"
#include "scan_int.h"

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

typedef struct {
    scan_state *s;
    const char *base;
} scan_walk;

static int on_page(void *baton, const char *file, const char *rel)
{
    scan_walk *w = baton;
    char *url = url_encode_path(w->base, rel);
    if (url && set_add(&w->s->seen, url))
        queue_push(w->s, (work){url, NULL, strdup(file), NULL, NULL, 0, 1});
    else
        free(url);
    return 0;
}

/* A crawl's links (depth > 0) go to scan_frontier as they are claimed, so a
 * resume fetches them; seeds come back from the options. */
static int claim_url(void *baton, const char *url, int depth)
{
    scan_state *s = baton;
    if (!set_add(&s->seen, url))
        return 0;
    if (depth > 0 && s->store)
        store_frontier(s->store, s->scan_id, url, depth);
    return 1;
}

static int on_fetched(void *baton, const char *url, const char *requested, const char *data, size_t len,
                      const char *charset)
{
    scan_state *s = baton;
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, data, len);
    copy[len] = 0;
    char *req = requested && strcmp(requested, url) != 0 ? strdup(requested) : NULL;
    queue_push(s, (work){strdup(url), req, NULL, charset ? strdup(charset) : NULL, copy, len, 0});
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

/* ---- the order of things ---- */

/* Where fetched pages' bytes wait for phase 2: beside a named registry, so
 * a resume finds them; else a temporary directory. */
static char *make_spool(const char *registry, long long id)
{
    char *dir = NULL;
    if (registry) {
        size_t n = strlen(registry) + 48;
        dir = malloc(n);
        if (dir) {
            snprintf(dir, n, "%s.scan%lld.d", registry, id);
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                fprintf(stderr, "disclosure: %s: cannot create the directory: %s\n", dir, strerror(errno));
                free(dir);
                dir = NULL;
            }
        }
    } else {
        char tmp[] = "/tmp/disclosure-spool-XXXXXX";
        if (mkdtemp(tmp))
            dir = strdup(tmp);
        else
            fputs("disclosure: cannot create a temporary directory\n", stderr);
    }
    return dir;
}

/* Phase 1: every source into the queue, the checking threads record. */
static void collect(scan_state *s, scan_opts *o, json_t *sources, str_list *frontier, const int *fdepths,
                    long claimed_before, int *source_failed)
{
    scan_pool workers = {s, o->jobs, 0, NULL};
    pool_start(&workers);
    for (size_t i = 0; i < o->ndocroots; i++) {
        size_t bl = strlen(o->base_url);
        char base[4096];
        snprintf(base, sizeof base, "%s%s", o->base_url, bl && o->base_url[bl - 1] == '/' ? "" : "/");
        char src[4200];
        snprintf(src, sizeof src, "docroot:%s", o->docroots[i]);
        json_array_append_new(sources, json_string(src));
        scan_walk w = {s, base};
        if (docroot_walk(o->docroots[i], on_page, &w) < 0)
            *source_failed = 1;
    }
    /* crawl start URLs first: the first seed's origin is the crawl's */
    str_list seeds = {0};
    for (size_t i = 0; i < o->ncrawls; i++) {
        char src[4200];
        snprintf(src, sizeof src, "crawl:%s", o->crawls[i]);
        json_array_append_new(sources, json_string(src));
        list_add(&seeds, o->crawls[i]);
    }
    size_t nfirst = seeds.n;
    for (size_t i = 0; i < frontier->n; i++)
        list_add(&seeds, frontier->items[i]);
    for (size_t i = 0; i < o->nsitemaps; i++) {
        char src[4200];
        snprintf(src, sizeof src, "sitemap:%s", o->sitemaps[i]);
        json_array_append_new(sources, json_string(src));
        if (load_sitemap(&o->fetch, o->sitemaps[i], 0, &seeds) < 0)
            *source_failed = 1;
    }
    int *depths = seeds.n ? calloc(seeds.n, sizeof *depths) : NULL;
    for (size_t i = 0; depths && i < frontier->n && nfirst + i < seeds.n; i++)
        depths[nfirst + i] = fdepths[i];
    fetch_stats fst = {0, 0, 0};
    if (seeds.n)
        fetch_run(&o->fetch, (const char *const *)seeds.items, depths, seeds.n, o->ncrawls > 0, claimed_before,
                  claim_url, on_fetched, s, &fst);
    free(depths);
    list_free(&seeds);
    pool_finish(&workers);
    atomic_fetch_add(&s->fetch_errors, fst.fetch_errors);
    if (fst.robots_excluded)
        fprintf(stderr, "disclosure: robots.txt 排除 excluded %ld URL(s)\n", fst.robots_excluded);
}

/* How many phase-1 results stay in memory for phase 2, so each page is
 * parsed once; past that, phase 2 checks the page's file again. A kept
 * result is compacted (dsc_result_compact): with its page entry it takes
 * about 7 KB of a 30-80 KB portal page, so the default keeps memory near
 * 130 MB at most (bench/README-scan.md). DISCLOSURE_SCAN_KEEP overrides it
 * (0: parse every page twice). */
static size_t keep_limit(void)
{
    const char *v = getenv("DISCLOSURE_SCAN_KEEP");
    return v && *v ? (size_t)strtoul(v, NULL, 10) : 16384;
}

/* Each page allocates and frees ~100-200 KB (its bytes, the UTF-8 copy,
 * libxml2's tree): with glibc's defaults the heap top is given back to the
 * kernel after every page and faulted in again for the next one (15,000
 * page faults for 2,000 pages). A scan keeps it: 5,600 faults. */
static void tune_malloc(void)
{
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
}

int cmd_scan(int argc, char **argv)
{
    scan_opts o;
    scan_opts_init(&o);
    if (scan_parse_args(argc, argv, &o) < 0)
        return EXIT_BAD_CONFIG;
    o.fetch.headers = o.headers;
    o.fetch.n_headers = o.nheaders;

    scan_state s;
    memset(&s, 0, sizeof s);
    s.o = &o;
    s.scan_id = -1;
    s.seen.obj = json_object();
    s.baseline.obj = json_object();
    pthread_mutex_init(&s.seen.mu, NULL);
    pthread_mutex_init(&s.baseline.mu, NULL);
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.not_empty, NULL);
    pthread_cond_init(&s.not_full, NULL);
    s.keep_limit = keep_limit();
    tune_malloc();
    int rc = EXIT_CANNOT_RUN, source_failed = 0, finished_ok = 0;
    char reg_tmp[] = "/tmp/disclosure-scan-XXXXXX";
    char pages_path[4096] = "";
    const char *registry = o.registry;
    json_t *scan = NULL, *stored = NULL, *sources = NULL;
    char *saved_spool = NULL, *saved_started = NULL;
    dsc_policy *policy = NULL;
    str_list frontier = {0};
    int *fdepths = NULL;
    long resumed = 0;
    if (!registry) {
        int fd = mkstemp(reg_tmp);
        if (fd < 0)
            goto out;
        close(fd);
        registry = reg_tmp;
    }
    dsc_error err;
    if (dsc_registry_open(registry, 0, SCAN_BUSY_MS, &s.reg, &err) != DSC_OK) {
        cli_print_error(registry, &err);
        goto out;
    }
    if (!(s.store = store_open(s.reg)))
        goto out;
    if (o.resume) {
        int found = store_find_unfinished(s.store, &s.scan_id, &stored, &saved_spool, &saved_started);
        if (found < 0)
            goto out;
        if (found == 1) {
            if (scan_check_sources(&o) < 0) {
                fprintf(stderr, "disclosure: %s: 没有中断的扫描 no interrupted scan to resume\n", registry);
                rc = EXIT_BAD_CONFIG;
                goto out;
            }
            fprintf(stderr, "disclosure: %s: 没有中断的扫描，开始新扫描 nothing to resume, starting a new scan\n", registry);
            o.resume = 0;
        } else if (scan_opts_from_json(&o, stored) < 0) {
            rc = EXIT_BAD_CONFIG;
            goto out;
        }
    }
    if (!(policy = cli_load_policy(o.policy))) {
        rc = EXIT_BAD_CONFIG;
        goto out;
    }
    s.policy = policy;
    if (!o.today)
        o.today = dsc_today(); /* stored, so a resume judges on the same day */
    if (o.fetch.ignore_robots && (o.ncrawls || o.nsitemaps))
        fputs("disclosure: robots.txt 已忽略 is overridden by --ignore-robots\n", stderr);
    if (o.baseline && load_baseline(o.baseline, &s.baseline) < 0) {
        rc = EXIT_BAD_CONFIG;
        goto out;
    }
    s.qcap = (size_t)o.jobs * 2 + 8;
    if (!(s.q = calloc(s.qcap, sizeof *s.q)))
        goto out;

    char started[32], finished[32];
    iso_now(started);
    if (o.resume) {
        snprintf(started, sizeof started, "%s", saved_started ? saved_started : "");
        s.spool_dir = saved_spool && mkdir(saved_spool, 0700) != 0 && errno != EEXIST ? NULL : saved_spool;
        saved_spool = NULL;
        if ((resumed = store_load_pages(s.store, s.scan_id, &s)) < 0 ||
            store_load_frontier(s.store, s.scan_id, &frontier, &fdepths) < 0)
            goto out;
        fprintf(stderr, "disclosure: 续扫 resuming scan %lld: %ld 页已检查 pages already recorded, %zu 链接待取 links to fetch\n",
                s.scan_id, resumed, frontier.n);
    } else {
        json_t *srcs = json_array(), *opts = scan_opts_to_json(&o);
        for (size_t i = 0; i < o.ndocroots; i++)
            json_array_append_new(srcs, json_sprintf("docroot:%s", o.docroots[i]));
        for (size_t i = 0; i < o.ncrawls; i++)
            json_array_append_new(srcs, json_sprintf("crawl:%s", o.crawls[i]));
        for (size_t i = 0; i < o.nsitemaps; i++)
            json_array_append_new(srcs, json_sprintf("sitemap:%s", o.sitemaps[i]));
        s.scan_id = store_begin(s.store, started, srcs, opts);
        json_decref(srcs);
        json_decref(opts);
        if (s.scan_id < 0)
            goto out;
        s.spool_dir = make_spool(o.registry, s.scan_id);
        if (s.spool_dir)
            store_set_spool(s.store, s.scan_id, s.spool_dir);
    }
    if (!s.spool_dir) {
        fputs("disclosure: cannot create the spool directory\n", stderr);
        goto out;
    }

    sources = json_array();
    s.t0 = mono_ms();
    s.phase = 1;
    pthread_t prog;
    int have_prog = isatty(STDERR_FILENO) && pthread_create(&prog, NULL, progress_thread, &s) == 0;

    long claimed_before = 0;
    for (size_t i = 0; i < s.npages; i++)
        claimed_before += !s.pages[i].docroot;
    /* pages are recorded 256 to a transaction (or one second's worth): one
     * per page costs more than the check itself (WAL frames, locks), and
     * the index pages a batch touches are written once per batch (64 to a
     * batch wrote 62,000 WAL pwrites for 10,000 pages, 256 write 37,500).
     * A kill loses at most the open batch, and its scan_pages rows with it,
     * so a resume redoes exactly that */
    if (dsc_registry_batch(s.reg, 256, &err) != DSC_OK)
        cli_print_error(registry, &err);
    long long t_collect = mono_ms();
    collect(&s, &o, sources, &frontier, fdepths, claimed_before, &source_failed);
    long long t_verdicts = mono_ms();
    if (dsc_registry_batch(s.reg, 0, &err) != DSC_OK) {
        cli_print_error(registry, &err);
        goto out;
    }

    /* phase 2: cross-page verdicts against the whole site */
    if (s.npages)   /* nothing fetched: s.pages is NULL, which qsort must not get */
        qsort(s.pages, s.npages, sizeof *s.pages, by_url);
    snprintf(pages_path, sizeof pages_path, "%s/pages.jsonl", s.spool_dir);
    s.out = fopen(pages_path, "w+");
    if (s.out) {
        atomic_store(&s.done, 0);
        s.phase = 2;
        s.t0 = mono_ms();
        store_snapshot(s.reg, 1);
        run_verdicts(&s, o.jobs);
        store_snapshot(s.reg, 0);
        fclose(s.out);
        s.out = NULL;
    } else {
        fprintf(stderr, "disclosure: %s: cannot write\n", pages_path);
    }
    long long t_stored = mono_ms();
    if (have_prog) {
        __atomic_store_n(&s.progress_stop, 1, __ATOMIC_SEQ_CST);
        pthread_join(prog, NULL);
    }
    if (!pages_path[0] || access(pages_path, R_OK) != 0)
        goto out;
    /* the registry stays open: the store writes the scan's rows through it */
    iso_now(finished);

    long npages = atomic_load(&s.done);
    scan = json_object();
    json_object_set_new(scan, "id", json_null());
    json_object_set_new(scan, "started", json_string(started));
    json_object_set_new(scan, "finished", json_string(finished));
    json_object_set_new(scan, "sources", sources);
    sources = NULL;
    json_object_set_new(scan, "pages", json_integer(npages));
    json_object_set_new(scan, "fetch_errors", json_integer(atomic_load(&s.fetch_errors)));
    int reports = scan_finish(&o, s.reg, s.store, s.scan_id, scan, pages_path, atomic_load(&s.errors),
                              atomic_load(&s.warnings), &finished_ok);
    if (getenv("DISCLOSURE_SCAN_STATS"))
        fprintf(stderr, "disclosure: scan stats: pages=%ld resumed=%ld parsed=%ld kept=%zu collect_ms=%lld verdicts_ms=%lld finish_ms=%lld\n",
                npages, resumed, atomic_load(&s.parsed), s.kept_pages, t_verdicts - t_collect, t_stored - t_verdicts,
                mono_ms() - t_stored);
    if (reports < 0)
        goto out;
    if (npages == 0 && (source_failed || atomic_load(&s.fetch_errors) > 0)) {
        fputs("disclosure: 没有可检查的页面 no page could be scanned\n", stderr);
        goto out;
    }
    rc = atomic_load(&s.failing) ? EXIT_FINDINGS : EXIT_CLEAN;
out:
    store_close(s.store);
    if (s.reg)
        dsc_registry_close(s.reg);
    json_decref(scan);
    json_decref(sources);
    for (size_t i = 0; i < s.npages; i++) {
        free(s.pages[i].url);
        free(s.pages[i].file);
        free(s.pages[i].charset);
        dsc_result_free(s.pages[i].kept);
    }
    free(s.pages);
    free(s.q);
    json_decref(s.seen.obj);
    json_decref(s.baseline.obj);
    /* an unfinished scan keeps its spooled pages for --resume */
    if (s.spool_dir && (finished_ok || !o.registry))
        remove_tree(s.spool_dir);
    free(s.spool_dir);
    free(saved_spool);
    free(saved_started);
    list_free(&frontier);
    free(fdepths);
    json_decref(stored);
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
