/*
 * bare_parse: the baseline that the team's benchmarks compare against.
 *
 * Reads every *.html file of DIR into memory once, then times (CLOCK_MONOTONIC)
 * libxml2 htmlReadMemory() + xmlFreeDoc() over all of them, ROUNDS times, and
 * prints one line:
 *
 *   bare_parse pages=N bytes=B seconds=S pages_per_sec=P MB_per_sec=M
 *
 * N and B are totals over all rounds (files x ROUNDS), S is the wall time of
 * the timed loop only (no file I/O), MB is 10^6 bytes.  The encoding is left
 * to libxml2 (encoding argument NULL), as a module handed a buffer would do:
 * it follows the page's <meta charset> / http-equiv Content-Type.
 *
 * Build: gcc -O2 -o bare_parse bare_parse.c $(pkg-config --cflags --libs libxml-2.0)
 * Usage: bare_parse DIR [ROUNDS]      (ROUNDS defaults to 1)
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

struct page {
    char *buf;
    size_t len;
};

static int has_html_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".html") == 0;
}

static int read_file(const char *path, struct page *p)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return -1;
    }
    long sz = ftell(f);
    if (sz < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    p->buf = malloc((size_t)sz + 1);
    if (!p->buf) {
        fclose(f);
        return -1;
    }
    p->len = fread(p->buf, 1, (size_t)sz, f);
    p->buf[p->len] = '\0';
    int err = ferror(f);
    fclose(f);
    return err ? -1 : 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s DIR [ROUNDS]\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    long rounds = 1;
    if (argc == 3) {
        char *end;
        rounds = strtol(argv[2], &end, 10);
        if (*end || rounds < 1) {
            fprintf(stderr, "bare_parse: bad ROUNDS: %s\n", argv[2]);
            return 2;
        }
    }

    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "bare_parse: %s: %s\n", dir, strerror(errno));
        return 2;
    }
    size_t nnames = 0, cap = 0;
    char **names = NULL;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!has_html_suffix(de->d_name))
            continue;
        if (nnames == cap) {
            cap = cap ? cap * 2 : 256;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn) {
                fprintf(stderr, "bare_parse: out of memory\n");
                return 2;
            }
            names = nn;
        }
        names[nnames++] = strdup(de->d_name);
    }
    closedir(d);
    if (nnames == 0) {
        fprintf(stderr, "bare_parse: no *.html files in %s\n", dir);
        return 2;
    }
    qsort(names, nnames, sizeof *names, cmp_names);

    struct page *pages = calloc(nnames, sizeof *pages);
    if (!pages) {
        fprintf(stderr, "bare_parse: out of memory\n");
        return 2;
    }
    size_t bytes_one_round = 0;
    for (size_t i = 0; i < nnames; i++) {
        size_t plen = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(plen);
        if (!path) {
            fprintf(stderr, "bare_parse: out of memory\n");
            return 2;
        }
        snprintf(path, plen, "%s/%s", dir, names[i]);
        if (read_file(path, &pages[i]) != 0) {
            fprintf(stderr, "bare_parse: %s: cannot read\n", path);
            return 2;
        }
        if (pages[i].len > (size_t)0x7fffffff) {
            fprintf(stderr, "bare_parse: %s: too large\n", path);
            return 2;
        }
        bytes_one_round += pages[i].len;
        free(path);
    }

    LIBXML_TEST_VERSION
    xmlInitParser();
    /* HTML_PARSE_NOERROR already silences the parser; this also keeps any
     * stray generic error message off the timed path. */
    xmlSetGenericErrorFunc(NULL, silent);

    const int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                     HTML_PARSE_NONET | HTML_PARSE_COMPACT;
    size_t failed = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long r = 0; r < rounds; r++) {
        for (size_t i = 0; i < nnames; i++) {
            htmlDocPtr doc = htmlReadMemory(pages[i].buf, (int)pages[i].len, NULL, NULL, opts);
            if (!doc)
                failed++;
            else
                xmlFreeDoc(doc);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);

    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    unsigned long long total_pages = (unsigned long long)nnames * (unsigned long long)rounds;
    unsigned long long total_bytes = (unsigned long long)bytes_one_round * (unsigned long long)rounds;
    printf("bare_parse pages=%llu bytes=%llu seconds=%.6f pages_per_sec=%.1f MB_per_sec=%.2f\n",
           total_pages, total_bytes, secs, secs > 0 ? (double)total_pages / secs : 0.0,
           secs > 0 ? (double)total_bytes / 1e6 / secs : 0.0);
    fprintf(stderr, "bare_parse: %zu files x %ld rounds from %s, libxml2 %s\n", nnames, rounds, dir,
            xmlParserVersion);
    if (failed)
        fprintf(stderr, "bare_parse: %zu parses returned no document\n", failed);

    for (size_t i = 0; i < nnames; i++) {
        free(pages[i].buf);
        free(names[i]);
    }
    free(pages);
    free(names);
    xmlCleanupParser();
    return failed ? 1 : 0;
}
