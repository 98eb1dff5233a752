/* Reports from the registry (dsc_report_*): two pages recorded, two scans
 * with findings stored as `disclosure scan` stores them; the HTML escapes a
 * hostile title and ColumnName and draws the trend, JSON is RULES.md
 * "Output", CSV one row per finding; unknown scans and formats are
 * DSC_ERR_ARG; a registry without scans reports its documents. */
#include <ftw.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define NOW 1750000000LL
#define HOSTILE_URL "https://www.example.gov.cn/zwgk/zcwj/hostile.html"
#define HOSTILE_TITLE "<script>alert(1)</script> \"引号\""
#define HOSTILE_COLUMN "栏目<b>\"x\""

static char tmpdir[256];

static int setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dsc-test-report-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    return helpers_setup(state);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    if (tmpdir[0])
        nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return helpers_teardown(state);
}

static void raw(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *msg = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        print_error("# %s: %s\n", sql, msg ? msg : "?");
    sqlite3_free(msg);
    sqlite3_close(db);
    assert_int_equal(rc, SQLITE_OK);
}

static void record(dsc_registry *reg, const char *html, const char *url)
{
    dsc_result *r = check_html(html, url, day_of("2025-06-01"));
    dsc_error err;
    assert_int_equal(dsc_registry_record(reg, r, NULL, NOW, &err), DSC_OK);
    result_free(r);
}

static void iso(long long t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A registry with BASE_PAGE and a hostile page, and (scans) two scans:
 * #1 one error on the hostile page, #2 an error and a warning. */
static dsc_registry *fixture(const char *name, int scans)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.sqlite", tmpdir, name);
    dsc_registry *reg = NULL;
    dsc_error err;
    assert_int_equal(dsc_registry_open(path, 0, 2000, &reg, &err), DSC_OK);
    record(reg, BASE_PAGE, BASE_URL);
    char *hostile = mkpage(BASE_PAGE, "<td>标题：</td><td>" BASE_TITLE, "<td>标题：</td><td>&lt;script&gt;alert(1)&lt;/script&gt; &quot;引号&quot;",
                           "content=\"政策文件\">\n<meta name=\"ColumnDescription\"",
                           "content=\"栏目&lt;b&gt;&quot;x&quot;\">\n<meta name=\"ColumnDescription\"", NULL);
    record(reg, hostile, HOSTILE_URL);
    mem_free(hostile);
    if (scans) {
        char a[32], b[32], sql[2048];
        iso(NOW - 10, a, sizeof a);
        iso(NOW + 10, b, sizeof b);
        snprintf(sql, sizeof sql,
                 "INSERT INTO scans(started, finished, sources, pages, fetch_errors) VALUES"
                 " ('%s', '%s', '[\"docroot:/srv\"]', 2, 0), ('%s', '%s', '[\"docroot:/srv\"]', 2, 1);"
                 "INSERT INTO findings(scan_id, url, rule, severity, field, message, message_en, evidence, line) VALUES"
                 " (1, '" HOSTILE_URL "', 'attribute-missing', 'error', 'attribute', '缺少公开属性', 'no attribute', NULL, NULL),"
                 " (2, '" HOSTILE_URL "', 'attribute-missing', 'error', 'attribute', '缺少公开属性', 'no attribute', NULL, NULL),"
                 " (2, '" HOSTILE_URL "', 'doc-number-format', 'warning', 'doc_number', '文号格式', 'format',"
                 "  '<img src=x onerror=alert(3)>', 12);",
                 a, b, a, b);
        raw(path, sql);
    }
    return reg;
}

static char *render(dsc_registry *reg, long long id, const char *format)
{
    dsc_error err;
    char *s = dsc_report_render(reg, id, format, &err);
    if (!s)
        print_error("# dsc_report_render: %s\n", err.message);
    assert_non_null(s);
    return s;
}

static void test_html_latest(void **state)
{
    (void)state;
    dsc_registry *reg = fixture("html", 1);
    char *html = render(reg, 0, "html");
    assert_non_null(strstr(html, "scan #2"));
    assert_non_null(strstr(html, "class=\"trend\""));
    assert_non_null(strstr(html, "<polyline"));
    assert_non_null(strstr(html, "按栏目"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<img"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; &quot;引号&quot;"));
    assert_non_null(strstr(html, "栏目&lt;b&gt;&quot;x&quot;"));
    assert_non_null(strstr(html, "href=\"" HOSTILE_URL "\""));
    free(html);
    /* scan 1: the trend stops there */
    html = render(reg, 1, "html");
    assert_non_null(strstr(html, "scan #1"));
    assert_null(strstr(html, ">#2<"));
    free(html);
    dsc_registry_close(reg);
}

static void test_json_and_csv(void **state)
{
    (void)state;
    dsc_registry *reg = fixture("json", 1);
    char *json = render(reg, 1, "json");
    assert_non_null(strstr(json, "\"version\": 1"));
    assert_non_null(strstr(json, "\"errors\": 1"));
    assert_non_null(strstr(json, "\"warnings\": 0"));
    /* the JSON is RULES.md's object: the stored column stays out of it */
    assert_null(strstr(json, "\"column\""));
    assert_null(strstr(json, "\"scan\": {\n  \"id\": 2"));
    free(json);
    json = render(reg, 0, "json");
    assert_non_null(strstr(json, "\"warnings\": 1"));
    assert_non_null(strstr(json, "\"fetch_errors\": 1"));
    free(json);
    char *csv = render(reg, 2, "csv");
    assert_memory_equal(csv, "\xEF\xBB\xBFurl,kind,rule", 11);
    size_t rows = 0;
    for (const char *p = csv; (p = strstr(p, "\r\n")); p += 2)
        rows++;
    assert_int_equal(rows, 3); /* header and two findings */
    free(csv);
    char *scans = dsc_report_scans_json(reg);
    assert_non_null(scans);
    assert_non_null(strstr(scans, "\"scans\""));
    assert_non_null(strstr(scans, "\"id\": 2"));
    free(scans);
    dsc_registry_close(reg);
}

static void test_errors(void **state)
{
    (void)state;
    dsc_registry *reg = fixture("errors", 1);
    dsc_error err;
    assert_null(dsc_report_render(reg, 99, "html", &err));
    assert_int_equal(err.code, DSC_ERR_ARG);
    assert_non_null(strstr(err.message, "no scan 99"));
    assert_null(dsc_report_render(reg, 0, "pdf", &err));
    assert_int_equal(err.code, DSC_ERR_ARG);
    int held = -1;
    char *page = dsc_report_page_json(reg, BASE_URL, &held, &err);
    assert_non_null(page);
    assert_int_equal(held, 1);
    assert_non_null(strstr(page, "\"registry_status\""));
    free(page);
    page = dsc_report_page_json(reg, "https://www.example.gov.cn/none.html", &held, &err);
    assert_non_null(page);
    assert_int_equal(held, 0);
    free(page);
    dsc_registry_close(reg);
}

static void test_no_scans_reports_documents(void **state)
{
    (void)state;
    dsc_registry *reg = fixture("noscans", 0);
    char *json = render(reg, 0, "json");
    assert_null(strstr(json, "\"scan\""));
    assert_non_null(strstr(json, BASE_URL));
    assert_non_null(strstr(json, HOSTILE_URL));
    free(json);
    char *html = render(reg, 0, "html");
    assert_non_null(strstr(html, "尚无扫描记录"));
    assert_null(strstr(html, "<script"));
    free(html);
    char *scans = dsc_report_scans_json(reg);
    assert_non_null(strstr(scans, "\"scans\": []"));
    free(scans);
    dsc_registry_close(reg);
}

static void test_from_pages_file(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/pages.jsonl", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"path\":null,\"url\":\"javascript:alert(1)\",\"kind\":\"policy\",\"record\":{\"title\":\"<script>x</script>\"},"
          "\"findings\":[{\"rule\":\"attribute-missing\",\"severity\":\"error\",\"field\":\"attribute\",\"message\":\"m\","
          "\"message_en\":\"m\",\"evidence\":null,\"line\":null,\"known\":true}]}\n", f);
    fclose(f);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    dsc_error err;
    assert_int_equal(dsc_report_write_pages(path, "{\"id\":7,\"started\":\"s\",\"finished\":\"f\",\"sources\":[],"
                                                  "\"pages\":1,\"fetch_errors\":0}", 1, "html", out, &err), DSC_OK);
    fclose(out);
    assert_null(strstr(buf, "<script"));
    assert_null(strstr(buf, "href=\"javascript"));  /* only http(s) URLs become links */
    assert_non_null(strstr(buf, "基线已知 known"));
    assert_non_null(strstr(buf, "scan #7"));
    free(buf);
    out = fopen("/dev/null", "w");
    assert_int_equal(dsc_report_write_pages("/nonexistent/pages", NULL, 0, "json", out, &err), DSC_ERR_IO);
    fclose(out);
}

/* The worst-pages table ranks equals by URL: a scan (pages in its order)
 * and `disclosure report` (the registry's) list the same pages alike. */
static char *worst_table(const char *const *urls, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/ties.jsonl", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "{\"path\":null,\"url\":\"%s\",\"kind\":\"policy\",\"record\":{},\"findings\":[{\"rule\":"
                   "\"attribute-missing\",\"severity\":\"error\",\"field\":\"attribute\",\"message\":\"m\","
                   "\"message_en\":\"m\",\"evidence\":null,\"line\":null}]}\n", urls[i]);
    fclose(f);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    dsc_error err;
    assert_int_equal(dsc_report_write_pages(path, NULL, 0, "html", out, &err), DSC_OK);
    fclose(out);
    char *from = strstr(buf, "Worst pages");
    assert_non_null(from);
    char *to = strstr(from, "</table>");
    assert_non_null(to);
    char *table = strndup(from, (size_t)(to - from));
    free(buf);
    return table;
}

static void test_worst_ties_by_url(void **state)
{
    (void)state;
    const char *scan_order[] = {"https://g.example.cn/c.html", "https://g.example.cn/a.html", "https://g.example.cn/b.html"};
    const char *reg_order[] = {"https://g.example.cn/a.html", "https://g.example.cn/b.html", "https://g.example.cn/c.html"};
    char *t1 = worst_table(scan_order, 3), *t2 = worst_table(reg_order, 3);
    assert_string_equal(t1, t2);
    char *a = strstr(t1, "/a.html"), *b = strstr(t1, "/b.html"), *c = strstr(t1, "/c.html");
    assert_true(a && b && c && a < b && b < c);
    free(t1);
    free(t2);
}

int main(void)
{
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        TEST(test_html_latest),
        TEST(test_json_and_csv),
        TEST(test_errors),
        TEST(test_no_scans_reports_documents),
        TEST(test_from_pages_file),
        TEST(test_worst_ties_by_url),
    };
    return cmocka_run_group_tests_name("report", tests, setup, teardown);
}
