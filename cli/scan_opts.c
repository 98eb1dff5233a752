/* disclosure scan: options, and the part of them a resumed scan repeats. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "scan_int.h"

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
    "续扫 Resume: --resume --registry FILE  continue the registry's interrupted scan\n"
    "  (its sources and options; give --header/--cookie again)\n"
    "输出 Output: --format text|json|csv|sarif|junit|html (repeatable) --output-dir DIR\n"
    "  --baseline FILE (earlier scan.json) --fail-on error|warning (error)\n"
    "Exit status: 0 clean, 1 findings at or above --fail-on, 2 could not run,\n"
    "3 bad configuration (options, policy).\n";



int scan_opts_have_sources(const scan_opts *o)
{
    return o->ndocroots || o->nsitemaps || o->ncrawls;
}

int scan_check_sources(const scan_opts *o)
{
    if (!scan_opts_have_sources(o)) {
        fputs("disclosure: scan needs a source: --docroot DIR --base-url URL, --sitemap, --crawl\n", stderr);
        return -1;
    }
    if (o->ndocroots && !o->base_url) {
        fputs("disclosure: --docroot needs --base-url (the URL the docroot is served at)\n", stderr);
        return -1;
    }
    return 0;
}

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

int scan_parse_args(int argc, char **argv, scan_opts *o)
{
    enum { O_DOCROOT = 256, O_BASE, O_SITEMAP, O_CRAWL, O_DEPTH, O_PAGES, O_CONC, O_DELAY, O_ROBOTS,
           O_HEADER, O_COOKIE, O_JOBS, O_REG, O_FORMAT, O_OUTDIR, O_BASELINE, O_FAILON, O_POLICY,
           O_DATE, O_TIMEOUT, O_RETRIES, O_RESUME };
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
        {"retries", required_argument, NULL, O_RETRIES}, {"resume", no_argument, NULL, O_RESUME},
        {"help", no_argument, NULL, 'h'},
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
        case O_RESUME:
            o->resume = 1;
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
    if (o->resume && !o->registry) {
        fputs("disclosure: --resume needs --registry FILE (the registry of the interrupted scan)\n", stderr);
        return -1;
    }
    if (!o->resume && scan_check_sources(o) < 0)
        return -1;
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


void scan_opts_init(scan_opts *o)
{
    memset(o, 0, sizeof *o);
    o->fail_on = DSC_SEV_ERROR;
    o->fetch = (fetch_opts){3, 1000, 4, 0, 0, 30, 3, NULL, NULL, 0};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->jobs = cores > 0 ? (int)cores : 1;
}

static json_t *str_array(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *str_or_null(const char *v)
{
    return v ? json_string(v) : json_null();
}

/* Sources only: what --resume compares with a command line that repeats them. */
static json_t *sources_json(const scan_opts *o)
{
    return json_pack("{s:o,s:o,s:o,s:o}", "docroots", str_array(o->docroots, o->ndocroots), "base_url",
                     str_or_null(o->base_url), "sitemaps", str_array(o->sitemaps, o->nsitemaps), "crawls",
                     str_array(o->crawls, o->ncrawls));
}

json_t *scan_opts_to_json(const scan_opts *o)
{
    json_t *j = sources_json(o);
    json_object_set_new(j, "policy", str_or_null(o->policy));
    json_object_set_new(j, "today", json_integer(o->today));
    json_object_set_new(j, "max_depth", json_integer(o->fetch.max_depth));
    json_object_set_new(j, "max_pages", json_integer(o->fetch.max_pages));
    json_object_set_new(j, "delay_ms", json_integer(o->fetch.delay_ms));
    json_object_set_new(j, "timeout_s", json_integer(o->fetch.timeout_s));
    json_object_set_new(j, "retries", json_integer(o->fetch.retries));
    json_object_set_new(j, "ignore_robots", json_boolean(o->fetch.ignore_robots));
    return j;
}

static size_t strs_from(json_t *a, const char **out, size_t max)
{
    size_t i, n = 0;
    json_t *v;
    json_array_foreach(a, i, v)
        if (n < max && json_is_string(v))
            out[n++] = json_string_value(v);
    return n;
}

static int int_from(json_t *j, const char *key, int *out)
{
    json_t *v = json_object_get(j, key);
    if (json_is_integer(v))
        *out = (int)json_integer_value(v);
    return 0;
}

int scan_opts_from_json(scan_opts *o, json_t *stored)
{
    if (scan_opts_have_sources(o)) {
        json_t *given = sources_json(o), *had = json_pack("{s:O,s:O,s:O,s:O}", "docroots",
                                                          json_object_get(stored, "docroots"), "base_url",
                                                          json_object_get(stored, "base_url"), "sitemaps",
                                                          json_object_get(stored, "sitemaps"), "crawls",
                                                          json_object_get(stored, "crawls"));
        int same = had && json_equal(given, had);
        json_decref(given);
        json_decref(had);
        if (!same) {
            fputs("disclosure: --resume: the interrupted scan had other sources; give none (or the same ones)"
                  " to resume it\n", stderr);
            return -1;
        }
    }
    o->stored = stored;
    o->ndocroots = strs_from(json_object_get(stored, "docroots"), o->docroots, MAX_SOURCES);
    o->nsitemaps = strs_from(json_object_get(stored, "sitemaps"), o->sitemaps, MAX_SOURCES);
    o->ncrawls = strs_from(json_object_get(stored, "crawls"), o->crawls, MAX_SOURCES);
    o->base_url = json_string_value(json_object_get(stored, "base_url"));
    o->policy = json_string_value(json_object_get(stored, "policy"));
    int_from(stored, "today", &o->today);
    int_from(stored, "max_depth", &o->fetch.max_depth);
    int_from(stored, "max_pages", &o->fetch.max_pages);
    int_from(stored, "delay_ms", &o->fetch.delay_ms);
    int_from(stored, "timeout_s", &o->fetch.timeout_s);
    int_from(stored, "retries", &o->fetch.retries);
    o->fetch.ignore_robots = json_is_true(json_object_get(stored, "ignore_robots"));
    return scan_check_sources(o);
}
