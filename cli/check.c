/* disclosure check: the editors' pre-check, one verdict per file. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct {
    const char *policy, *format, *url, *charset;
    int today;
} options;

static void text_finding(const char *path, const dsc_finding *f, int colour)
{
    const char *sev = dsc_severity_name(f->severity);
    const char *on = "", *off = "";
    if (colour) {
        on = f->severity == DSC_SEV_ERROR ? "\033[1;31m" : "\033[1;33m";
        off = "\033[0m";
    }
    if (f->line > 0)
        printf("%s:%ld: %s%s%s: %s: %s\n", path, f->line, on, sev, off, f->rule, f->message);
    else
        printf("%s: %s%s%s: %s: %s\n", path, on, sev, off, f->rule, f->message);
}

static int parse_args(int argc, char **argv, options *o)
{
    static const struct option longopts[] = {
        {"policy", required_argument, NULL, 'p'}, {"format", required_argument, NULL, 'f'},
        {"date", required_argument, NULL, 'd'},   {"url", required_argument, NULL, 'u'},
        {"charset", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:f:d:u:c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            o->policy = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
                fprintf(stderr, "disclosure: --format must be text or json, not \"%s\"\n", optarg);
                return -1;
            }
            o->format = optarg;
            break;
        case 'd':
            if (dsc_date_parse(optarg, &o->today) < 0) {
                fprintf(stderr, "disclosure: --date \"%s\" is not a date (YYYY-MM-DD)\n", optarg);
                return -1;
            }
            break;
        case 'u':
            o->url = optarg;
            break;
        case 'c':
            o->charset = optarg;
            break;
        case 'h':
            printf("用法 Usage: disclosure check [--policy FILE] [--format text|json] [--date YYYY-MM-DD]\n"
                   "                         [--url URL] [--charset NAME] FILE...|-\n");
            exit(EXIT_CLEAN);
        default:
            return -1;
        }
    }
    if (optind >= argc) {
        fputs("disclosure: check needs at least one FILE (or - for standard input)\n", stderr);
        return -1;
    }
    if (o->url && argc - optind > 1) {
        fputs("disclosure: --url names one page; give one FILE with it\n", stderr);
        return -1;
    }
    return optind;
}

int cmd_check(int argc, char **argv)
{
    options o = {NULL, "text", NULL, NULL, 0};
    int first = parse_args(argc, argv, &o);
    if (first < 0)
        return EXIT_CANNOT_RUN;
    dsc_policy *policy = cli_load_policy(o.policy);
    if (!policy)
        return EXIT_CANNOT_RUN;
    int json = strcmp(o.format, "json") == 0;
    int colour = !json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    json_t *pages = json_array();
    size_t npages = 0, errors = 0, warnings = 0;
    int could_not = 0;

    for (int i = first; i < argc; i++) {
        const char *path = argv[i];
        const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
        char *data;
        size_t len;
        int too_large;
        if (cli_read_file(path, dsc_policy_max_bytes(policy), &data, &len, &too_large) < 0) {
            fprintf(stderr, "disclosure: %s: cannot read the file\n", shown);
            could_not = 1;
            continue;
        }
        dsc_input in = {data, len, o.charset, o.url, strcmp(path, "-") == 0 ? NULL : path, o.today};
        dsc_result *res = NULL;
        dsc_error err;
        dsc_status st = too_large ? DSC_ERR_TOOLARGE : dsc_check(policy, &in, &res, &err);
        free(data);
        if (st != DSC_OK) {
            if (too_large)
                fprintf(stderr, "disclosure: %s: 页面超过%zu字节上限，未检查 (page larger than the %zu-byte limit, not checked)\n",
                        shown, dsc_policy_max_bytes(policy), dsc_policy_max_bytes(policy));
            else
                fprintf(stderr, "disclosure: %s: %s (%s)\n", shown, err.message_zh, err.message);
            could_not = 1;
            continue;
        }
        npages++;
        errors += dsc_result_count(res, DSC_SEV_ERROR);
        warnings += dsc_result_count(res, DSC_SEV_WARNING);
        if (json) {
            char *s = dsc_result_json(res, 0);
            json_t *page = s ? json_loads(s, 0, NULL) : NULL;
            free(s);
            if (page)
                json_array_append_new(pages, page);
        } else {
            for (size_t k = 0; k < dsc_result_nfindings(res); k++)
                text_finding(shown, dsc_result_finding(res, k), colour);
        }
        dsc_result_free(res);
    }

    if (json) {
        json_t *doc = json_object();
        json_object_set_new(doc, "version", json_integer(1));
        json_object_set_new(doc, "pages", pages);
        json_t *sum = json_object();
        json_object_set_new(sum, "pages", json_integer((json_int_t)npages));
        json_object_set_new(sum, "errors", json_integer((json_int_t)errors));
        json_object_set_new(sum, "warnings", json_integer((json_int_t)warnings));
        json_object_set_new(doc, "summary", sum);
        json_dumpf(doc, stdout, JSON_PRESERVE_ORDER | JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(doc);
    } else {
        json_decref(pages);
        if (isatty(STDOUT_FILENO))
            printf("%zu 个页面，%zu 个错误，%zu 个警告 (%zu pages, %zu errors, %zu warnings)\n", npages,
                   errors, warnings, npages, errors, warnings);
    }
    dsc_policy_free(policy);
    if (could_not)
        return EXIT_CANNOT_RUN;
    return errors ? EXIT_FINDINGS : EXIT_CLEAN;
}
