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

/* Byte order, not the locale's collation: the same docroot is walked in the
 * same order on every machine. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int visible(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* What an entry is: 'd' a directory to enter (never through a symbolic
 * link), 'p' a page (a regular file, or a link to one), 0 neither. The
 * directory entry's type spares a stat() per file where the file system
 * gives it. */
static int entry_kind(const char *file, const struct dirent *e)
{
    struct stat st;
    switch (e->d_type) {
    case DT_DIR:
        return 'd';
    case DT_REG:
        return docroot_is_page(e->d_name) ? 'p' : 0;
    case DT_LNK:
        return docroot_is_page(e->d_name) && stat(file, &st) == 0 && S_ISREG(st.st_mode) ? 'p' : 0;
    case DT_UNKNOWN:
        if (lstat(file, &st) != 0)
            return 0;
        if (S_ISDIR(st.st_mode))
            return 'd';
        return docroot_is_page(e->d_name) && stat(file, &st) == 0 && S_ISREG(st.st_mode) ? 'p' : 0;
    default:
        return 0;
    }
}

/* Entries in name order: a scan's pages reach the registry in key order
 * (its indexes then grow at one end instead of touching a random page for
 * every record), and two walks of one docroot list the same pages alike. */
static int walk(const char *dir, const char *rel, int depth, docroot_fn *fn, void *baton)
{
    if (depth > 64)
        return 0;
    struct dirent **ents;
    int n = scandir(dir, &ents, visible, by_name);
    if (n < 0) {
        fprintf(stderr, "disclosure: %s: cannot read the directory\n", dir);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const struct dirent *e = ents[i];
        size_t fn_len = strlen(dir) + strlen(e->d_name) + 2, rn = strlen(rel) + strlen(e->d_name) + 2;
        char *file = rc == 0 ? malloc(fn_len) : NULL, *sub = file ? malloc(rn) : NULL;
        if (rc == 0 && sub) {
            snprintf(file, fn_len, "%s/%s", dir, e->d_name);
            snprintf(sub, rn, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
            int kind = entry_kind(file, e);
            if (kind == 'd')
                rc = walk(file, sub, depth + 1, fn, baton);
            else if (kind == 'p')
                rc = fn(baton, file, sub);
        } else if (rc == 0) {
            rc = -1;
        }
        free(file);
        free(sub);
        free(ents[i]);
    }
    free(ents);
    return rc;
}

int docroot_walk(const char *dir, docroot_fn *fn, void *baton)
{
    return walk(dir, "", 0, fn, baton);
}
