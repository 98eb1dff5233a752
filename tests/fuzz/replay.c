/* Corpus replay without libFuzzer: feed every file under the given
 * directories (default: FUZZ_CORPUS, a space-separated list compiled in)
 * to the target's LLVMFuzzerTestOneInput, one TAP line per file. Built with
 * the normal compiler against the normal library, `make check` replays the
 * seeds and the crash reproducers of tests/fuzz/corpus/ this way. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    char **v;
    size_t n, cap;
} names;

static void add(names *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            abort();
    }
    if (!(l->v[l->n++] = strdup(s)))
        abort();
}

/* Regular files under path, recursively ("." entries and README skipped). */
static void walk(names *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("Bail out! %s: no such file or directory\n", path);
        exit(1);
    }
    if (S_ISREG(st.st_mode)) {
        add(l, path);
        return;
    }
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        char *sub;
        if (asprintf(&sub, "%s/%s", path, e->d_name) < 0)
            abort();
        walk(l, sub);
        free(sub);
    }
    closedir(d);
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        unsigned char *b = realloc(buf, cap *= 2);
        if (!b) {
            free(buf);
            buf = NULL;
        }
        buf = b;
    }
    fclose(f);
    /* exactly len bytes, as libFuzzer gives them: reads past the end show */
    unsigned char *exact = buf ? malloc(n ? n : 1) : NULL;
    if (exact)
        memcpy(exact, buf, n);
    free(buf);
    *len = n;
    return exact;
}

int main(int argc, char **argv)
{
    names files = {0};
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            walk(&files, argv[i]);
    } else {
        char *dirs = strdup(FUZZ_CORPUS), *save = NULL;
        for (char *d = strtok_r(dirs, " ", &save); d; d = strtok_r(NULL, " ", &save))
            walk(&files, d);
        free(dirs);
    }
    qsort(files.v, files.n, sizeof *files.v, cmp);
    printf("1..%zu\n", files.n);
    int failed = 0;
    for (size_t i = 0; i < files.n; i++) {
        size_t len;
        unsigned char *data = slurp(files.v[i], &len);
        if (!data) {
            printf("not ok %zu - %s: cannot read\n", i + 1, files.v[i]);
            failed = 1;
        } else {
            printf("# %s (%zu bytes)\n", files.v[i], len);
            fflush(stdout); /* a crash leaves the file's name in the log */
            LLVMFuzzerTestOneInput(data, len);
            printf("ok %zu - %s\n", i + 1, files.v[i]);
            free(data);
        }
        free(files.v[i]);
    }
    free(files.v);
    return failed;
}
