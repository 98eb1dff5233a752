/* Shared helpers of the libdisclosure unit tests (cmocka, TAP output).
 *
 * - default_policy(): the built-in default policy, loaded once per program
 *   with dsc_policy_load(NULL, ...) and freed by helpers_teardown();
 * - check_html(): run dsc_check on a UTF-8 page and return its result;
 * - mkpage(): a page built from another by exact text replacements;
 * - track(), result_free(), mem_free(), policy_free() and TEST(): what a
 *   failed assertion leaves behind is freed by the per-test teardown;
 * - assert_finding / assert_no_finding / assert_no_rule: the finding with
 *   rule id X and field Y is (not) there, with the findings listed as TAP
 *   comments when the assertion fails.
 */
#ifndef DSC_TEST_HELPERS_H
#define DSC_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disclosure.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "."
#endif

#define UNUSED_FN __attribute__((unused))

/* "any field" for the finding assertions; NULL means "the finding's field is null". */
#define ANY_FIELD ((const char *)-1)

/* ------------------------------------------------------------------ */
/* A compliant 行政规范性文件 page: the 指引 meta tags, a metadata table, the
 * 有效性 mark and a link to its 解读. With the default policy and any date
 * from 2024-03-08 on it has no finding at all (test_rules checks this).
 * Tests derive failing pages from it with mkpage(), one change each. */
#define BASE_TITLE "某市人民政府办公室关于印发某市政务公开管理办法的通知"
#define BASE_URL "https://www.example.gov.cn/zwgk/zcwj/202403/t20240308_1.html"
#define BASE_PAGE \
    "<!DOCTYPE html>\n" \
    "<html><head>\n" \
    "<meta charset=\"utf-8\">\n" \
    "<title>" BASE_TITLE "</title>\n" \
    "<meta name=\"SiteName\" content=\"某市人民政府\">\n" \
    "<meta name=\"SiteDomain\" content=\"www.example.gov.cn\">\n" \
    "<meta name=\"SiteIDCode\" content=\"1100000001\">\n" \
    "<meta name=\"ColumnName\" content=\"政策文件\">\n" \
    "<meta name=\"ColumnDescription\" content=\"市政府政策文件\">\n" \
    "<meta name=\"ColumnKeywords\" content=\"政策,文件\">\n" \
    "<meta name=\"ColumnType\" content=\"政策文件\">\n" \
    "<meta name=\"ArticleTitle\" content=\"" BASE_TITLE "\">\n" \
    "<meta name=\"PubDate\" content=\"2024-03-08 10:00\">\n" \
    "<meta name=\"ContentSource\" content=\"某市人民政府办公室\">\n" \
    "</head><body>\n" \
    "<table class=\"xxgk\">\n" \
    "<tr><td>索引号：</td><td>11000000/2024-00012</td>" \
    "<td>主题分类：</td><td>综合政务/政务公开</td></tr>\n" \
    "<tr><td>发布机构：</td><td>某市人民政府办公室</td>" \
    "<td>成文日期：</td><td>2024-03-01</td></tr>\n" \
    "<tr><td>标题：</td><td>" BASE_TITLE "</td></tr>\n" \
    "<tr><td>文号：</td><td>某政办发〔2024〕5号</td>" \
    "<td>发布日期：</td><td>2024-03-08</td></tr>\n" \
    "<tr><td>公开属性：</td><td>主动公开</td>" \
    "<td>公文种类：</td><td>行政规范性文件</td></tr>\n" \
    "<tr><td>有效性：</td><td>有效</td>" \
    "<td>实施日期：</td><td>2024-04-01</td></tr>\n" \
    "</table>\n" \
    "<div class=\"article\"><p>各区人民政府，市政府各委、办、局：</p>\n" \
    "<p>现将《某市政务公开管理办法》印发给你们，请认真贯彻执行。</p>\n" \
    "<p>某市人民政府办公室</p><p>2024年3月1日</p></div>\n" \
    "<div class=\"related\"><a href=\"/zcjd/202403/t20240309_1.html\">" \
    "《某市政务公开管理办法》政策解读</a></div>\n" \
    "</body></html>\n"

/* ------------------------------------------------------------------ */
/* Memory a failing assertion would leak (it longjmps out of the test):
 * results, pages and policies made by the helpers are tracked, and the
 * per-test teardown frees what is left, so valgrind stays quiet when a
 * test fails. Free them with result_free(), mem_free(), policy_free(). */
#define HELPERS_MAX_LIVE 256
enum { LIVE_MEM = 0, LIVE_RESULT, LIVE_POLICY };
static void *helpers_live[HELPERS_MAX_LIVE];
static int helpers_live_kind[HELPERS_MAX_LIVE];

static UNUSED_FN void *track(void *p, int kind)
{
    for (int i = 0; p && i < HELPERS_MAX_LIVE; i++)
        if (!helpers_live[i]) {
            helpers_live[i] = p;
            helpers_live_kind[i] = kind;
            break;
        }
    return p;
}

static UNUSED_FN void untrack(const void *p)
{
    for (int i = 0; p && i < HELPERS_MAX_LIVE; i++)
        if (helpers_live[i] == p)
            helpers_live[i] = NULL;
}

static UNUSED_FN void mem_free(void *p)
{
    untrack(p);
    free(p);
}

static UNUSED_FN void result_free(dsc_result *r)
{
    untrack(r);
    dsc_result_free(r);
}

static UNUSED_FN void policy_free(dsc_policy *p)
{
    untrack(p);
    dsc_policy_free(p);
}

/* per-test teardown: free what a failed test left behind */
static UNUSED_FN int helpers_test_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < HELPERS_MAX_LIVE; i++) {
        if (!helpers_live[i])
            continue;
        if (helpers_live_kind[i] == LIVE_RESULT)
            dsc_result_free(helpers_live[i]);
        else if (helpers_live_kind[i] == LIVE_POLICY)
            dsc_policy_free(helpers_live[i]);
        else
            free(helpers_live[i]);
        helpers_live[i] = NULL;
    }
    return 0;
}
#define TEST(f) cmocka_unit_test_teardown(f, helpers_test_teardown)

static dsc_policy *helpers_policy;

static UNUSED_FN const dsc_policy *default_policy(void)
{
    if (!helpers_policy) {
        dsc_error err;
        dsc_status st = dsc_policy_load(NULL, &helpers_policy, &err);
        if (st != DSC_OK) {
            print_error("# default policy does not load: %s (line %ld): %s\n",
                        dsc_status_name(st), err.line, err.message);
            fail();
        }
    }
    return helpers_policy;
}

static UNUSED_FN int helpers_setup(void **state)
{
    (void)state;
    dsc_error err;
    return dsc_policy_load(NULL, &helpers_policy, &err) == DSC_OK ? 0 : -1;
}

static UNUSED_FN int helpers_teardown(void **state)
{
    (void)state;
    dsc_policy_free(helpers_policy);
    helpers_policy = NULL;
    return 0;
}

/* Days since 1970-01-01 of an ISO date; the test fails on a bad date. */
static UNUSED_FN int day_of(const char *iso)
{
    int d = 0;
    if (dsc_date_parse(iso, &d) != 0) {
        print_error("# day_of: \"%s\" is no date\n", iso);
        fail();
    }
    return d;
}

static UNUSED_FN dsc_result *check_html_with(const dsc_policy *policy, const char *html,
                                             size_t len, const char *charset,
                                             const char *url, int today_days)
{
    dsc_input in;
    memset(&in, 0, sizeof in);
    in.data = html;
    in.len = len;
    in.charset = charset;
    in.url = url;
    in.path = NULL;
    in.today = today_days;
    dsc_result *res = NULL;
    dsc_error err;
    dsc_status st = dsc_check(policy, &in, &res, &err);
    if (st != DSC_OK) {
        print_error("# dsc_check: %s: %s (offset %ld)\n", dsc_status_name(st), err.message,
                    err.offset);
        fail();
    }
    assert_non_null(res);
    return track(res, LIVE_RESULT);
}

/* dsc_check of a UTF-8 page under the default policy, as of today_days
 * (days since 1970-01-01). */
static UNUSED_FN dsc_result *check_html(const char *html, const char *url, int today_days)
{
    return check_html_with(default_policy(), html, strlen(html), NULL, url, today_days);
}

/* The page html with each (from, to) pair replaced, in order, at its first
 * occurrence; every "from" must be there, so a test never silently checks
 * the base page. The list ends with NULL. The caller frees the page. */
static UNUSED_FN char *vmkpage(const char *html, va_list ap)
{
    char *page = strdup(html);
    assert_non_null(page);
    track(page, LIVE_MEM);
    for (;;) {
        const char *from = va_arg(ap, const char *);
        if (!from)
            break;
        const char *to = va_arg(ap, const char *);
        char *at = strstr(page, from);
        if (!at) {
            print_error("# mkpage: \"%s\" is not in the page\n", from);
            fail();
        }
        size_t pre = (size_t)(at - page), fl = strlen(from), tl = strlen(to);
        size_t rest = strlen(at + fl);
        char *np = malloc(pre + tl + rest + 1);
        assert_non_null(np);
        memcpy(np, page, pre);
        memcpy(np + pre, to, tl);
        memcpy(np + pre + tl, at + fl, rest + 1);
        mem_free(page);
        page = track(np, LIVE_MEM);
    }
    return page;
}

static UNUSED_FN char *mkpage(const char *html, ...)
{
    va_list ap;
    va_start(ap, html);
    char *page = vmkpage(html, ap);
    va_end(ap);
    return page;
}

static UNUSED_FN void dump_findings(const dsc_result *res)
{
    size_t n = dsc_result_nfindings(res);
    print_error("# kind %s, %zu finding(s):\n", dsc_kind_name(dsc_result_kind(res)), n);
    for (size_t i = 0; i < n; i++) {
        const dsc_finding *f = dsc_result_finding(res, i);
        print_error("#   %s [%s] field=%s evidence=%s line=%ld\n", f->rule,
                    dsc_severity_name(f->severity), f->field ? f->field : "null",
                    f->evidence ? f->evidence : "null", f->line);
    }
    for (int fi = 0; fi < DSC_F__COUNT; fi++) {
        const char *v = dsc_result_field(res, (dsc_field)fi);
        if (v)
            print_error("#   record %s = %s\n", dsc_field_name((dsc_field)fi), v);
    }
}

static UNUSED_FN int field_matches(const dsc_finding *f, const char *field)
{
    if (field == ANY_FIELD)
        return 1;
    if (!field)
        return f->field == NULL;
    return f->field && strcmp(f->field, field) == 0;
}

/* The first finding with this rule id and field (see ANY_FIELD), or NULL. */
static UNUSED_FN const dsc_finding *find_finding(const dsc_result *res, const char *rule,
                                                 const char *field)
{
    for (size_t i = 0; i < dsc_result_nfindings(res); i++) {
        const dsc_finding *f = dsc_result_finding(res, i);
        if (strcmp(f->rule, rule) == 0 && field_matches(f, field))
            return f;
    }
    return NULL;
}

static UNUSED_FN size_t count_rule(const dsc_result *res, const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < dsc_result_nfindings(res); i++)
        n += strcmp(dsc_result_finding(res, i)->rule, rule) == 0;
    return n;
}

static UNUSED_FN const dsc_finding *assert_finding_at(const dsc_result *res, const char *rule,
                                                      const char *field, dsc_severity sev,
                                                      const char *file, int line)
{
    const dsc_finding *f = find_finding(res, rule, field);
    if (!f) {
        print_error("# expected a finding %s with field %s\n", rule,
                    field == ANY_FIELD ? "(any)" : field ? field : "null");
        dump_findings(res);
        _fail(file, line);
    }
    if (f->severity != sev) {
        print_error("# finding %s has severity %s, expected %s\n", rule,
                    dsc_severity_name(f->severity), dsc_severity_name(sev));
        _fail(file, line);
    }
    if (!f->message || !*f->message || !f->message_en || !*f->message_en) {
        print_error("# finding %s has no message\n", rule);
        _fail(file, line);
    }
    if (f->evidence && strlen(f->evidence) > 200 * 4) {
        print_error("# finding %s has evidence longer than 200 characters\n", rule);
        _fail(file, line);
    }
    return f;
}

static UNUSED_FN void assert_no_finding_at(const dsc_result *res, const char *rule,
                                           const char *field, const char *file, int line)
{
    if (find_finding(res, rule, field)) {
        print_error("# unexpected finding %s (field %s)\n", rule,
                    field == ANY_FIELD ? "(any)" : field ? field : "null");
        dump_findings(res);
        _fail(file, line);
    }
}

static UNUSED_FN void assert_field_at(const dsc_result *res, dsc_field fld, const char *want,
                                      const char *file, int line)
{
    const char *got = dsc_result_field(res, fld);
    if (want == NULL ? got != NULL : (got == NULL || strcmp(got, want) != 0)) {
        print_error("# record %s: got %s%s%s, expected %s%s%s\n", dsc_field_name(fld),
                    got ? "\"" : "", got ? got : "NULL", got ? "\"" : "", want ? "\"" : "",
                    want ? want : "NULL", want ? "\"" : "");
        dump_findings(res);
        _fail(file, line);
    }
}

static UNUSED_FN void assert_list_has_at(const dsc_result *res, dsc_field fld, const char *want,
                                         const char *file, int line)
{
    const char *const *items = NULL;
    size_t n = dsc_result_list(res, fld, &items);
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i], want) == 0)
            return;
    print_error("# list %s lacks \"%s\"; it holds %zu item(s):\n", dsc_field_name(fld), want, n);
    for (size_t i = 0; i < n; i++)
        print_error("#   %s\n", items[i]);
    _fail(file, line);
}

/* assert_finding(res, "rule-id", "field" | NULL | ANY_FIELD, DSC_SEV_...) */
#define assert_finding(res, rule, field, sev) \
    assert_finding_at((res), (rule), (field), (sev), __FILE__, __LINE__)
/* no finding of this rule with this field */
#define assert_no_finding(res, rule, field) \
    assert_no_finding_at((res), (rule), (field), __FILE__, __LINE__)
/* no finding of this rule at all */
#define assert_no_rule(res, rule) assert_no_finding_at((res), (rule), ANY_FIELD, __FILE__, __LINE__)
/* record field equals want (NULL: absent) */
#define assert_field(res, fld, want) assert_field_at((res), (fld), (want), __FILE__, __LINE__)
#define assert_list_has(res, fld, want) assert_list_has_at((res), (fld), (want), __FILE__, __LINE__)
#define assert_kind(res, k) \
    do { \
        if (dsc_result_kind(res) != (k)) { \
            print_error("# kind %s, expected %s\n", dsc_kind_name(dsc_result_kind(res)), \
                        dsc_kind_name(k)); \
            dump_findings(res); \
            fail(); \
        } \
    } while (0)

/* Write a file (for policies and taxonomies); the test fails when it cannot. */
static UNUSED_FN char *write_file(const char *dir, const char *name, const char *text)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = track(malloc(n), LIVE_MEM);
    assert_non_null(path);
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    return path;
}

#endif
