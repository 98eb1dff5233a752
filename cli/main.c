/* disclosure — the command line of mod_disclosure: editors' pre-check,
 * inspectors' scans and reports. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_MIMALLOC
#include <mimalloc.h>
#endif

#include "cli.h"
#include "scan.h"

static void usage(FILE *out)
{
    fputs("用法 Usage: disclosure COMMAND [OPTIONS]\n"
          "\n"
          "  check [--policy FILE] [--format text|json] [--date YYYY-MM-DD] [--url URL]\n"
          "        [--charset NAME] FILE...|-     检查页面 check pages before publishing\n"
          "  policy check FILE                    校验策略文件 validate a policy file\n"
          "  registry import|show|export --registry FILE ...\n"
          "                                       登记库 fill, list and dump the registry\n"
          "  scan --docroot DIR --base-url URL | --sitemap FILE|URL | --crawl URL\n"
          "       [--format text|json|csv|sarif|junit|html]... [--output-dir DIR]\n"
          "       [--baseline FILE] [--fail-on error|warning] [--registry FILE] [--jobs N]\n"
          "                                       扫描站点 scan a site (scan --help)\n"
          "  report --registry FILE [--format html|json|csv]\n"
          "                                       重新生成报告 render the latest scan again\n"
          "  version                              版本 print the version\n"
          "\n"
          "Exit status: 0 no error-severity finding, 1 at least one, 2 could not run;\n"
          "scan and report: 3 bad configuration (options, policy).\n",
          out);
}

int cli_read_file(const char *path, size_t max, char **data, size_t *len, int *too_large)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    *data = NULL;
    *len = 0;
    *too_large = 0;
    if (!f)
        return -1;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            if (cap > max) {
                *too_large = 1;
                break;
            }
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int err = ferror(f);
    if (f != stdin)
        fclose(f);
    if (!buf || err) {
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    if (n > max)
        *too_large = 1;
    return 0;
}

void cli_print_error(const char *what, const dsc_error *err)
{
    if (err->file[0] && err->line > 0)
        fprintf(stderr, "disclosure: %s:%ld: %s\n", err->file, err->line, err->message);
    else if (err->file[0])
        fprintf(stderr, "disclosure: %s: %s\n", err->file, err->message);
    else
        fprintf(stderr, "disclosure: %s: %s\n", what, err->message);
}

dsc_policy *cli_load_policy(const char *path)
{
    dsc_policy *p = NULL;
    dsc_error err;
    if (dsc_policy_load(path, &p, &err) != DSC_OK) {
        cli_print_error(path ? path : "built-in policy", &err);
        return NULL;
    }
    return p;
}

int cmd_policy(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "check") != 0) {
        fputs("disclosure: usage: disclosure policy check FILE\n", stderr);
        return EXIT_CANNOT_RUN;
    }
    dsc_policy *p = cli_load_policy(argv[2]);
    if (!p)
        return EXIT_CANNOT_RUN;
    printf("%s: 策略有效 valid — %s\n", argv[2], dsc_policy_describe(p));
    dsc_policy_free(p);
    return EXIT_CLEAN;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_CANNOT_RUN;
    }
    dsc_global_init();
    const char *cmd = argv[1];
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "policy") == 0)
        return cmd_policy(argc - 1, argv + 1);
    if (strcmp(cmd, "registry") == 0)
        return cmd_registry(argc - 1, argv + 1);
    if (strcmp(cmd, "scan") == 0)
        return cmd_scan(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("disclosure %s\n", DSC_VERSION);
#ifdef HAVE_MIMALLOC
        /* also keeps libmimalloc among the libraries the command needs */
        printf("allocator: mimalloc %d.%d.%d\n", mi_version() / 100, mi_version() / 10 % 10, mi_version() % 10);
#else
        printf("allocator: the C library's malloc\n");
#endif
        return EXIT_CLEAN;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return EXIT_CLEAN;
    }
    fprintf(stderr, "disclosure: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return EXIT_CANNOT_RUN;
}
