/*
 * check_bench: in-process throughput of dsc_check() against bare libxml2.
 *
 * Reads every *.html file of DIR into memory once (sorted by name), then, in
 * one process, alternates timed rounds over all of them:
 *
 *   bare   htmlReadMemory(buf, len, NULL, NULL, OPTS) + xmlFreeDoc()
 *          OPTS = RECOVER|NOERROR|NOWARNING|NONET|COMPACT, the options
 *          libdisclosure's dsc_check() passes to its own parse; the encoding
 *          is left to libxml2 (it follows the page's <meta charset>), as in
 *          bench/bare_parse.c.
 *   check  dsc_check(default policy, {buf, len, charset NULL, url NULL,
 *          path FILE, today FIXED}) + dsc_result_free()
 *
 * bare, check, bare, check ... ROUNDS times each (default 7, at least 3), so
 * CPU frequency drift lands on both.  One untimed warm-up pass of each comes
 * first.  Each round's wall time (CLOCK_MONOTONIC) covers only the loop over
 * the in-memory pages.  The medians of the two series give the figures:
 *
 *   round 1 bare  pages=2000 seconds=1.234567 pages/s=1620.0 MB/s=74.10
 *   round 1 check pages=2000 seconds=1.534567 pages/s=1303.3 MB/s=59.62
 *   ...
 *   check_bench: per-round ratios min=0.750 median=0.801 max=0.840
 *   check-throughput: pages=2000 bare=1620.0 pages/s check=1303.3 pages/s ratio=0.805 (target >= 0.70) PASS
 *
 * Exit status: 0, or 1 with --strict when the ratio is below the target;
 * 2 when it could not run (no pages, no policy, a bare parse returned no
 * document or dsc_check returned an error).
 *
 * Build (bench/check-throughput does this):
 *   gcc -O2 -I libdisclosure/include bench/check_bench.c -L .libs -ldisclosure \
 *       $(pkg-config --cflags --libs libxml-2.0) -Wl,-rpath,$PWD/.libs
 * Usage: check_bench [--rounds N] [--target R] [--strict] [--quiet] [--only bare|check] DIR
 *
 * --only runs just one kind (no comparison, no final verdict): a profiling
 * aid, e.g. perf record -g ./check_bench --only check --rounds 3 DIR.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "disclosure.h"

struct page {
    char *path;
    char *buf;
    size_t len;
};

static const int BARE_OPTS = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                             HTML_PARSE_NONET | HTML_PARSE_COMPACT;

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "check_bench: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(2);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory", NULL);
    return p;
}

static int has_html_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".html") == 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void read_file(const char *path, struct page *p)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open", path);
    if (fseek(f, 0, SEEK_END) != 0)
        die("cannot seek", path);
    long sz = ftell(f);
    if (sz < 0 || sz > 0x7fffffffL || fseek(f, 0, SEEK_SET) != 0)
        die("cannot size", path);
    p->buf = xmalloc((size_t)sz + 1);
    p->len = fread(p->buf, 1, (size_t)sz, f);
    p->buf[p->len] = '\0';
    if (ferror(f) || p->len != (size_t)sz)
        die("cannot read", path);
    fclose(f);
}

static size_t load_pages(const char *dir, struct page **out, size_t *total_bytes)
{
    DIR *d = opendir(dir);
    if (!d)
        die(strerror(errno), dir);
    size_t n = 0, cap = 0;
    char **names = NULL;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!has_html_suffix(de->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            names = realloc(names, cap * sizeof *names);
            if (!names)
                die("out of memory", NULL);
        }
        names[n] = strdup(de->d_name);
        if (!names[n++])
            die("out of memory", NULL);
    }
    closedir(d);
    if (n == 0)
        die("no *.html files in", dir);
    qsort(names, n, sizeof *names, cmp_names);
    struct page *pages = xmalloc(n * sizeof *pages);
    *total_bytes = 0;
    for (size_t i = 0; i < n; i++) {
        size_t plen = strlen(dir) + strlen(names[i]) + 2;
        pages[i].path = xmalloc(plen);
        snprintf(pages[i].path, plen, "%s/%s", dir, names[i]);
        read_file(pages[i].path, &pages[i]);
        *total_bytes += pages[i].len;
        free(names[i]);
    }
    free(names);
    *out = pages;
    return n;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* One pass of the bare parser; returns the number of NULL documents. */
static size_t run_bare(const struct page *pages, size_t n)
{
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        htmlDocPtr doc = htmlReadMemory(pages[i].buf, (int)pages[i].len, NULL, NULL, BARE_OPTS);
        if (doc)
            xmlFreeDoc(doc);
        else
            failed++;
    }
    return failed;
}

/* One pass of dsc_check; returns the number of non-OK statuses. *findings
 * (when not NULL) receives the total number of findings, a checksum that the
 * work was really done. */
static size_t run_check(const dsc_policy *policy, const struct page *pages, size_t n, int today,
                        size_t *findings)
{
    size_t failed = 0, nf = 0;
    for (size_t i = 0; i < n; i++) {
        dsc_input in = {pages[i].buf, pages[i].len, NULL, NULL, pages[i].path, today};
        dsc_result *res = NULL;
        dsc_error err;
        dsc_status st = dsc_check(policy, &in, &res, &err);
        if (st != DSC_OK) {
            if (failed++ == 0)
                fprintf(stderr, "check_bench: %s: %s: %s\n", pages[i].path, dsc_status_name(st),
                        err.message);
            continue;
        }
        nf += dsc_result_nfindings(res);
        dsc_result_free(res);
    }
    if (findings)
        *findings = nf;
    return failed;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, size_t n)
{
    double *s = xmalloc(n * sizeof *s);
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    free(s);
    return m;
}

static double min_of(const double *v, size_t n)
{
    double m = v[0];
    for (size_t i = 1; i < n; i++)
        if (v[i] < m)
            m = v[i];
    return m;
}

static double max_of(const double *v, size_t n)
{
    double m = v[0];
    for (size_t i = 1; i < n; i++)
        if (v[i] > m)
            m = v[i];
    return m;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: check_bench [--rounds N] [--target R] [--strict] [--quiet] [--only bare|check] DIR\n");
    exit(2);
}

int main(int argc, char **argv)
{
    long rounds = 7;
    int do_bare = 1, do_check = 1;
    double target = 0.70;
    int strict = 0, quiet = 0;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            rounds = strtol(argv[++i], &end, 10);
            if (*end || rounds < 3)
                die("--rounds must be an integer >= 3", argv[i]);
        } else if (strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
            target = strtod(argv[++i], &end);
            if (*end || target <= 0)
                die("bad --target", argv[i]);
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "bare") == 0)
                do_check = 0;
            else if (strcmp(argv[i], "check") == 0)
                do_bare = 0;
            else
                usage();
        } else if (strcmp(argv[i], "--strict") == 0) {
            strict = 1;
        } else if (strcmp(argv[i], "--quiet") == 0) {
            quiet = 1;
        } else if (argv[i][0] == '-' || dir) {
            usage();
        } else {
            dir = argv[i];
        }
    }
    if (!dir)
        usage();

    size_t total_bytes;
    struct page *pages;
    size_t n = load_pages(dir, &pages, &total_bytes);

    LIBXML_TEST_VERSION
    dsc_global_init();
    /* HTML_PARSE_NOERROR already silences the parser; this keeps any stray
     * generic error message of the bare loop off the terminal. */
    xmlSetGenericErrorFunc(NULL, silent);

    dsc_policy *policy = NULL;
    dsc_error err;
    if (dsc_policy_load(NULL, &policy, &err) != DSC_OK)
        die("cannot load the default policy", err.message);
    /* A fixed "today" keeps the findings (and so the work) the same whatever
     * the date of the run. */
    int today;
    if (dsc_date_parse("2025-06-30", &today) != 0)
        die("dsc_date_parse failed", NULL);

    printf("check_bench: %zu pages, %zu bytes (%.1f KB average) from %s\n", n, total_bytes,
           (double)total_bytes / (double)n / 1024.0, dir);
    printf("check_bench: libxml2 %s, libdisclosure %s, policy %s\n", xmlParserVersion, DSC_VERSION,
           dsc_policy_describe(policy));
    printf("check_bench: %ld rounds each, %s, after one untimed warm-up pass\n", rounds,
           do_bare && do_check ? "alternating bare/check" : do_bare ? "bare only" : "check only");
    fflush(stdout);

    /* warm-up: page in the code, grow the heap, fill libxml2's dictionaries */
    size_t bad = do_bare ? run_bare(pages, n) : 0;
    if (bad)
        fprintf(stderr, "check_bench: %zu bare parses returned no document\n", bad);
    size_t findings = 0;
    size_t cbad = do_check ? run_check(policy, pages, n, today, &findings) : 0;
    if (cbad)
        fprintf(stderr, "check_bench: dsc_check failed on %zu pages\n", cbad);
    if (bad || cbad)
        return 2;
    printf("check_bench: warm-up done, %zu findings over %zu pages (%.2f per page)\n", findings, n,
           (double)findings / (double)n);
    fflush(stdout);

    double *bare = xmalloc((size_t)rounds * sizeof *bare);
    double *check = xmalloc((size_t)rounds * sizeof *check);
    double *ratio = xmalloc((size_t)rounds * sizeof *ratio);
    for (long r = 0; r < rounds; r++) {
        if (do_bare) {
            double t0 = now();
            bad += run_bare(pages, n);
            double s = now() - t0;
            bare[r] = (double)n / s;
            if (!quiet)
                printf("round %ld bare  pages=%zu seconds=%.6f pages/s=%.1f MB/s=%.2f\n", r + 1, n, s, bare[r],
                       (double)total_bytes / 1e6 / s);
        }
        if (do_check) {
            double t0 = now();
            cbad += run_check(policy, pages, n, today, NULL);
            double s = now() - t0;
            check[r] = (double)n / s;
            if (!quiet) {
                printf("round %ld check pages=%zu seconds=%.6f pages/s=%.1f MB/s=%.2f", r + 1, n, s, check[r],
                       (double)total_bytes / 1e6 / s);
                if (do_bare)
                    printf(" ratio=%.3f", check[r] / bare[r]);
                printf("\n");
            }
        }
        if (do_bare && do_check)
            ratio[r] = check[r] / bare[r];
        fflush(stdout);
    }
    if (bad || cbad) {
        fprintf(stderr, "check_bench: failures during the timed rounds (bare %zu, check %zu)\n", bad, cbad);
        return 2;
    }

    int pass = 1;
    if (!do_bare || !do_check) {
        printf("check_bench: median %s=%.1f pages/s\n", do_bare ? "bare" : "check",
               median(do_bare ? bare : check, (size_t)rounds));
    } else {
        double mb = median(bare, (size_t)rounds), mc = median(check, (size_t)rounds);
        double rt = mc / mb;
        pass = rt >= target;
        /* the median of the per-round ratios pairs each check round with the
         * bare round just before it: a second opinion when the machine is noisy */
        printf("check_bench: per-round ratios min=%.3f median=%.3f max=%.3f\n", min_of(ratio, (size_t)rounds),
               median(ratio, (size_t)rounds), max_of(ratio, (size_t)rounds));
        printf("check-throughput: pages=%zu bare=%.1f pages/s check=%.1f pages/s ratio=%.3f (target >= %.2f) %s\n",
               n, mb, mc, rt, target, pass ? "PASS" : "FAIL");
    }

    free(ratio);
    free(bare);
    free(check);
    dsc_policy_free(policy);
    for (size_t i = 0; i < n; i++) {
        free(pages[i].buf);
        free(pages[i].path);
    }
    free(pages);
    return (strict && !pass) ? 1 : 0;
}
