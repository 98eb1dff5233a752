#include "docroot.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

int docroot_is_page(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0 ||
                   strcasecmp(dot, ".shtml") == 0);
}

static int walk(const char *dir, const char *rel, int depth, docroot_fn *fn, void *baton)
{
    if (depth > 64)
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "disclosure: %s: cannot read the directory\n", dir);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t fn_len = strlen(dir) + strlen(e->d_name) + 2, rn = strlen(rel) + strlen(e->d_name) + 2;
        char *file = malloc(fn_len), *sub = malloc(rn);
        if (!file || !sub) {
            free(file);
            free(sub);
            rc = -1;
            break;
        }
        snprintf(file, fn_len, "%s/%s", dir, e->d_name);
        snprintf(sub, rn, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        struct stat ls, st;
        if (lstat(file, &ls) == 0 && S_ISDIR(ls.st_mode))
            rc = walk(file, sub, depth + 1, fn, baton);
        else if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && docroot_is_page(e->d_name))
            rc = fn(baton, file, sub);
        free(file);
        free(sub);
    }
    closedir(d);
    return rc;
}

int docroot_walk(const char *dir, docroot_fn *fn, void *baton)
{
    return walk(dir, "", 0, fn, baton);
}
