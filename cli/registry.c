/* disclosure registry import | show | export: the options, the dispatch and
 * import (fill the registry from a docroot; writes go through libdisclosure).
 * show and export are in registry_show.c. */
#include <dirent.h>
#include <getopt.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "docroot.h"
#include "registry_cli.h"

#define BUSY_MS 5000


const char registry_usage[] =
    "用法 Usage:\n"
    "  disclosure registry import --registry FILE [--policy FILE] [--base-url URL]\n"
    "                             [--date YYYY-MM-DD] DOCROOT|FILE...\n"
    "      检查并登记页面 check pages and record them (*.html, *.htm, *.shtml under each\n"
    "      DOCROOT; URL = base URL + path in the docroot, default http://localhost/;\n"
    "      a FILE named by a relative path keeps that path, any other its name)\n"
    "  disclosure registry show --registry FILE [URL]\n"
    "      列出登记的文件，或一个文件的记录、关联和状态 list documents, or one in full\n"
    "  disclosure registry export --registry FILE [--format json|csv]\n"
    "      导出文件和关联 dump documents and relations (UTF-8)\n"
    "Exit status: 0 done, 2 could not run.\n";

int registry_parse_args(int argc, char **argv, registry_options *o, int allow_format)
{
    static const struct option longopts[] = {
        {"registry", required_argument, NULL, 'r'}, {"policy", required_argument, NULL, 'p'},
        {"base-url", required_argument, NULL, 'b'}, {"date", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:p:b:d:f:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            o->registry = optarg;
            break;
        case 'p':
            o->policy = optarg;
            break;
        case 'b':
            if (!strstr(optarg, "://")) {
                fprintf(stderr, "disclosure: --base-url \"%s\" is not an absolute URL (http://host/)\n", optarg);
                return -1;
            }
            o->base_url = optarg;
            break;
        case 'd':
            if (dsc_date_parse(optarg, &o->today) < 0) {
                fprintf(stderr, "disclosure: --date \"%s\" is not a date (YYYY-MM-DD)\n", optarg);
                return -1;
            }
            break;
        case 'f':
            if (!allow_format || (strcmp(optarg, "json") != 0 && strcmp(optarg, "csv") != 0)) {
                fprintf(stderr, "disclosure: --format must be json or csv, not \"%s\"\n", optarg);
                return -1;
            }
            o->format = optarg;
            break;
        case 'h':
            fputs(registry_usage, stdout);
            exit(EXIT_CLEAN);
        default:
            return -1;
        }
    }
    if (!o->registry) {
        fputs("disclosure: registry needs --registry FILE\n", stderr);
        return -1;
    }
    return optind;
}

/* ---- import ---- */

typedef struct {
    char *file, *url;
} page_ref;

typedef struct {
    page_ref *items;
    size_t n, cap;
} page_list;

static int add_page(page_list *l, const char *file, const char *base, const char *rel)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        page_ref *items = realloc(l->items, cap * sizeof *items);
        if (!items)
            return -1;
        l->items = items;
        l->cap = cap;
    }
    size_t n = strlen(base) + strlen(rel) + 1;
    char *url = malloc(n), *f = strdup(file);
    if (!url || !f) {
        free(url);
        free(f);
        return -1;
    }
    snprintf(url, n, "%s%s", base, rel);
    l->items[l->n].file = f;
    l->items[l->n++].url = url;
    return 0;
}

static void free_pages(page_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].file);
        free(l->items[i].url);
    }
    free(l->items);
}

typedef struct {
    page_list *list;
    const char *base;
} import_walk;

static int on_page(void *baton, const char *file, const char *rel)
{
    import_walk *w = baton;
    return add_page(w->list, file, w->base, rel);
}

/* A FILE argument: a relative path without .. keeps its path in the URL. */
static int add_file_arg(page_list *l, const char *base, const char *arg)
{
    const char *rel = arg;
    while (strncmp(rel, "./", 2) == 0)
        rel += 2;
    if (*rel == '/' || strstr(rel, "..")) {
        const char *slash = strrchr(arg, '/');
        rel = slash ? slash + 1 : arg;
    }
    return add_page(l, arg, base, rel);
}

static int by_url(const void *a, const void *b)
{
    return strcmp(((const page_ref *)a)->url, ((const page_ref *)b)->url);
}

typedef struct {
    size_t pages, kinds[3], errors;
} import_counts;

/* 0 recorded, 1 the page could not be checked (counted), -1 the registry failed. */
static int import_page(const dsc_policy *policy, dsc_registry *reg, const page_ref *p, int today,
                       import_counts *n)
{
    char *data;
    size_t len;
    int too_large;
    if (cli_read_file(p->file, dsc_policy_max_bytes(policy), &data, &len, &too_large) < 0) {
        fprintf(stderr, "disclosure: %s: cannot read the file\n", p->file);
        return 1;
    }
    if (too_large) {
        fprintf(stderr, "disclosure: %s: 页面超过%zu字节上限，未登记 (page larger than the %zu-byte limit, not recorded)\n",
                p->file, dsc_policy_max_bytes(policy), dsc_policy_max_bytes(policy));
        free(data);
        return 1;
    }
    char hash[41];
    dsc_content_hash(data, len, hash);
    dsc_input in = {data, len, NULL, p->url, p->file, today};
    dsc_result *res = NULL;
    dsc_error err;
    dsc_status st = dsc_check(policy, &in, &res, &err);
    free(data);
    if (st != DSC_OK) {
        fprintf(stderr, "disclosure: %s: %s (%s)\n", p->file, err.message_zh, err.message);
        return 1;
    }
    st = dsc_registry_record(reg, res, hash, (long long)time(NULL), &err);
    if (st == DSC_OK) {
        n->pages++;
        n->kinds[dsc_result_kind(res)]++;
    }
    dsc_result_free(res);
    if (st != DSC_OK) {
        cli_print_error(p->file, &err);
        return -1;
    }
    return 0;
}

static int cmd_import(int argc, char **argv)
{
    registry_options o = {NULL, NULL, "http://localhost/", NULL, 0};
    int first = registry_parse_args(argc, argv, &o, 0);
    if (first < 0)
        return EXIT_CANNOT_RUN;
    if (first >= argc) {
        fputs("disclosure: registry import needs a DOCROOT or FILE\n", stderr);
        return EXIT_CANNOT_RUN;
    }
    size_t bl = strlen(o.base_url);
    char *base = malloc(bl + 2);
    if (!base)
        return EXIT_CANNOT_RUN;
    snprintf(base, bl + 2, "%s%s", o.base_url, bl && o.base_url[bl - 1] == '/' ? "" : "/");
    page_list pages = {NULL, 0, 0};
    int rc = 0;
    for (int i = first; rc == 0 && i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "disclosure: %s: no such file or directory\n", argv[i]);
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            import_walk w = {&pages, base};
            rc = docroot_walk(argv[i], on_page, &w);
        } else {
            rc = add_file_arg(&pages, base, argv[i]);
        }
    }
    free(base);
    dsc_policy *policy = rc == 0 ? cli_load_policy(o.policy) : NULL;
    dsc_registry *reg = NULL;
    dsc_error err;
    if (policy && dsc_registry_open(o.registry, 0, BUSY_MS, &reg, &err) != DSC_OK)
        cli_print_error(o.registry, &err);
    if (!reg) {
        dsc_policy_free(policy);
        free_pages(&pages);
        return EXIT_CANNOT_RUN;
    }
    if (pages.n)
        qsort(pages.items, pages.n, sizeof *pages.items, by_url);
    import_counts n = {0, {0, 0, 0}, 0};
    for (size_t i = 0; i < pages.n && rc == 0; i++) {
        int r = import_page(policy, reg, &pages.items[i], o.today, &n);
        if (r > 0)
            n.errors++;
        else if (r < 0)
            rc = -1;
    }
    printf("%s: 登记%zu个页面：政策文件%zu，解读%zu，其他%zu；出错%zu "
           "(recorded %zu pages: policy %zu, interpretation %zu, other %zu; errors %zu)\n",
           o.registry, n.pages, n.kinds[DSC_KIND_POLICY], n.kinds[DSC_KIND_INTERPRETATION],
           n.kinds[DSC_KIND_OTHER], n.errors, n.pages, n.kinds[DSC_KIND_POLICY],
           n.kinds[DSC_KIND_INTERPRETATION], n.kinds[DSC_KIND_OTHER], n.errors);
    dsc_registry_close(reg);
    dsc_policy_free(policy);
    free_pages(&pages);
    return rc == 0 ? EXIT_CLEAN : EXIT_CANNOT_RUN;
}

int cmd_registry(int argc, char **argv)
{
    if (argc < 2) {
        fputs(registry_usage, stderr);
        return EXIT_CANNOT_RUN;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "import") == 0)
        return cmd_import(argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0)
        return cmd_registry_show(argc - 1, argv + 1);
    if (strcmp(sub, "export") == 0)
        return cmd_registry_export(argc - 1, argv + 1);
    if (strcmp(sub, "help") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        fputs(registry_usage, stdout);
        return EXIT_CLEAN;
    }
    fprintf(stderr, "disclosure: unknown registry command \"%s\" (import, show or export)\n", sub);
    return EXIT_CANNOT_RUN;
}
