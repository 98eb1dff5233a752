/* disclosure report: render a scan stored in a registry again (the latest,
 * or --scan ID) through the library's report writers, which the module's
 * report page shares. A registry that holds no scan (filled by `registry
 * import` or by the module) renders every held document's stored page
 * object: single-page findings as they were when each page was recorded. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "scan.h"

static const char usage_text[] =
    "用法 Usage: disclosure report --registry FILE [--scan ID] [--format html|json|csv] (repeatable)\n"
    "                         [--output-dir DIR]\n"
    "  重新生成登记库中一次扫描的报告（默认最近一次） render a scan stored in the registry again\n"
    "  (the latest unless --scan ID; the HTML report's trend table lists the ids)\n"
    "Exit status: 0 done, 2 could not run (unknown scan, unreadable registry), 3 bad options.\n";

static const char *const names[FMT__COUNT] = {"text", "json", "csv", "sarif", "junit", "html"};

static int write_one(dsc_registry *reg, long long id, int f, const char *output_dir)
{
    dsc_error err;
    dsc_status st;
    if (!output_dir) {
        st = dsc_report_write(reg, id, names[f], stdout, &err);
        fflush(stdout);
    } else {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", output_dir, report_file_name((report_format)f));
        FILE *out = fopen(path, "wb");
        if (!out) {
            fprintf(stderr, "disclosure: %s: %s\n", path, strerror(errno));
            return -1;
        }
        st = dsc_report_write(reg, id, names[f], out, &err);
        if (fclose(out) != 0 && st == DSC_OK) {
            fprintf(stderr, "disclosure: %s: cannot write the report\n", path);
            return -1;
        }
        if (st != DSC_OK)
            unlink(path);
    }
    if (st != DSC_OK)
        cli_print_error("report", &err);
    return st == DSC_OK ? 0 : -1;
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"registry", required_argument, NULL, 'r'}, {"format", required_argument, NULL, 'f'},
        {"output-dir", required_argument, NULL, 'o'}, {"scan", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *registry = NULL, *output_dir = NULL;
    long long scan_id = 0;
    char *end;
    int formats[FMT__COUNT] = {0}, nformats = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:f:o:s:h", longopts, NULL)) != -1) {
        int f;
        switch (c) {
        case 'r':
            registry = optarg;
            break;
        case 'f':
            f = report_format_from_name(optarg);
            if (f != FMT_HTML && f != FMT_JSON && f != FMT_CSV) {
                fprintf(stderr, "disclosure: --format must be html, json or csv, not \"%s\"\n", optarg);
                return EXIT_BAD_CONFIG;
            }
            nformats += !formats[f];
            formats[f] = 1;
            break;
        case 'o':
            output_dir = optarg;
            break;
        case 's':
            errno = 0;
            scan_id = strtoll(optarg, &end, 10);
            if (errno || end == optarg || *end || scan_id <= 0) {
                fprintf(stderr, "disclosure: --scan needs a scan id (a positive number), not \"%s\"\n", optarg);
                return EXIT_BAD_CONFIG;
            }
            break;
        case 'h':
            fputs(usage_text, stdout);
            return EXIT_CLEAN;
        default:
            return EXIT_BAD_CONFIG;
        }
    }
    if (!registry || optind < argc) {
        fputs("disclosure: report needs --registry FILE and no other argument\n", stderr);
        return EXIT_BAD_CONFIG;
    }
    if (!nformats) {
        formats[FMT_HTML] = 1;
        nformats = 1;
    }
    if (nformats > 1 && !output_dir) {
        fputs("disclosure: several --format need --output-dir DIR\n", stderr);
        return EXIT_BAD_CONFIG;
    }
    if (access(registry, R_OK) != 0) {
        fprintf(stderr, "disclosure: %s: %s\n", registry, strerror(errno));
        return EXIT_CANNOT_RUN;
    }
    if (output_dir && mkdir(output_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "disclosure: %s: cannot create the directory: %s\n", output_dir, strerror(errno));
        return EXIT_CANNOT_RUN;
    }
    dsc_registry *reg = NULL;
    dsc_error err;
    if (dsc_registry_open(registry, 1, 10000, &reg, &err) != DSC_OK) {
        cli_print_error(registry, &err);
        return EXIT_CANNOT_RUN;
    }
    int rc = EXIT_CLEAN;
    for (int f = 0; f < FMT__COUNT && rc == EXIT_CLEAN; f++)
        if (formats[f] && write_one(reg, scan_id, f, output_dir) < 0)
            rc = EXIT_CANNOT_RUN;
    dsc_registry_close(reg);
    return rc;
}
