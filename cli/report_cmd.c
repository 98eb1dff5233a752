/* disclosure report: render the latest scan stored in a registry again —
 * its findings (scans, findings tables) on the pages recorded during it.
 * A registry that holds no scan (filled by `registry import` or by the
 * module) renders from the documents' stored page_json: single-page
 * findings as they were when each page was recorded. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "scan.h"

static const char usage_text[] =
    "用法 Usage: disclosure report --registry FILE [--format html|json|csv] (repeatable)\n"
    "                         [--output-dir DIR]\n"
    "  重新生成最近一次扫描的报告 render the latest scan stored in the registry again\n"
    "Exit status: 0 done, 2 could not run, 3 bad options.\n";

static int has_scans(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int n = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'scans'", -1,
                           &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (!n)
        return 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM scans", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n > 0;
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Pages of the latest scan (documents recorded while it ran), their
 * findings from the findings table; or every document's page_json. */
static int dump_pages(sqlite3 *db, FILE *out, json_t **scan)
{
    int scans = has_scans(db);
    long long sid = -1;
    sqlite3_stmt *st = NULL, *fs = NULL;
    *scan = NULL;
    if (scans) {
        if (sqlite3_prepare_v2(db, "SELECT id, started, finished, sources, pages, fetch_errors FROM scans"
                               " ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK ||
            sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_finalize(st);
            return -1;
        }
        sid = sqlite3_column_int64(st, 0);
        json_t *sources = col(st, 3) ? json_loads(col(st, 3), 0, NULL) : NULL;
        *scan = json_pack("{s:I,s:o,s:o,s:o,s:I,s:I}", "id", (json_int_t)sid, "started", str_or_null(col(st, 1)),
                          "finished", str_or_null(col(st, 2)), "sources", sources ? sources : json_array(),
                          "pages", (json_int_t)sqlite3_column_int64(st, 4), "fetch_errors",
                          (json_int_t)sqlite3_column_int64(st, 5));
        sqlite3_finalize(st);
        st = NULL;
    }
    const char *sql = scans
        ? "SELECT d.url, d.page_json FROM documents d, scans s WHERE s.id = ?1"
          " AND d.last_seen >= CAST(strftime('%s', s.started) AS INTEGER)"
          " AND d.last_seen <= CAST(strftime('%s', s.finished) AS INTEGER) ORDER BY d.url"
        : "SELECT url, page_json FROM documents ORDER BY url";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        (scans && sqlite3_prepare_v2(db, "SELECT rule, severity, field, message, message_en, evidence, line"
                                     " FROM findings WHERE scan_id = ?1 AND url = ?2 ORDER BY rowid", -1, &fs,
                                     NULL) != SQLITE_OK)) {
        fprintf(stderr, "disclosure: registry: %s\n", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    if (scans)
        sqlite3_bind_int64(st, 1, sid);
    int rc = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *page = col(st, 1) ? json_loads(col(st, 1), 0, NULL) : NULL;
        if (!page)
            continue;
        if (scans) {
            json_t *arr = json_array();
            sqlite3_reset(fs);
            sqlite3_bind_int64(fs, 1, sid);
            sqlite3_bind_text(fs, 2, col(st, 0), -1, SQLITE_TRANSIENT);
            while (sqlite3_step(fs) == SQLITE_ROW)
                json_array_append_new(
                    arr, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "rule", str_or_null(col(fs, 0)), "severity",
                                   str_or_null(col(fs, 1)), "field", str_or_null(col(fs, 2)), "message",
                                   str_or_null(col(fs, 3)), "message_en", str_or_null(col(fs, 4)), "evidence",
                                   str_or_null(col(fs, 5)),
                                   "line", sqlite3_column_type(fs, 6) == SQLITE_NULL ? json_null()
                                                                                      : json_integer(sqlite3_column_int64(fs, 6))));
            json_object_set_new(page, "findings", arr);
        }
        char *line = json_dumps(page, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(page);
        if (!line) {
            rc = -1;
            break;
        }
        fprintf(out, "%s\n", line);
        free(line);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(fs);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"registry", required_argument, NULL, 'r'}, {"format", required_argument, NULL, 'f'},
        {"output-dir", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *registry = NULL, *output_dir = NULL;
    int formats[FMT__COUNT] = {0}, nformats = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:f:o:h", longopts, NULL)) != -1) {
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
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(registry, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "disclosure: %s: %s\n", registry, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return EXIT_CANNOT_RUN;
    }
    sqlite3_busy_timeout(db, 10000);
    char tmp[] = "/tmp/disclosure-report-XXXXXX";
    int fd = mkstemp(tmp);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    json_t *scan = NULL;
    int rc = EXIT_CANNOT_RUN;
    if (out && dump_pages(db, out, &scan) == 0 && fclose(out) == 0) {
        out = NULL;
        report_data d = {tmp, scan, 0, DSC_SEV_ERROR};
        if (scan_write_reports(formats, output_dir, &d) == 0)
            rc = EXIT_CLEAN;
    } else {
        fprintf(stderr, "disclosure: %s: cannot read the registry\n", registry);
    }
    if (out)
        fclose(out);
    if (fd >= 0)
        unlink(tmp);
    json_decref(scan);
    sqlite3_close(db);
    return rc;
}
