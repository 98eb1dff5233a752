/* Policy files: the default, a site's changes (severities, thresholds,
 * taxonomy, calendar, labels, XPath, kinds) and the errors for bad files.
 * Policy files are written to a mkdtemp() directory. */
#include <ftw.h>
#include <unistd.h>

#include "helpers.h"

#define TODAY "2025-01-01"
#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

static char tmpdir[256];

static int setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dsc-test-policy-XXXXXX");
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

/* Write a policy file and load it. */
static dsc_status load(const char *name, const char *text, dsc_policy **p, dsc_error *err)
{
    char *path = write_file(tmpdir, name, text);
    *p = NULL;
    memset(err, 0, sizeof *err);
    dsc_status st = dsc_policy_load(path, p, err);
    mem_free(path);
    return st;
}

static dsc_policy *load_ok(const char *name, const char *text)
{
    dsc_policy *p;
    dsc_error err;
    dsc_status st = load(name, text, &p, &err);
    if (st != DSC_OK) {
        print_error("# %s does not load: %s: %s (%s line %ld)\n", name, dsc_status_name(st),
                    err.message, err.file, err.line);
        fail();
    }
    assert_non_null(p);
    return track(p, LIVE_POLICY);
}

static void expect_load_error_at(const char *name, const char *text, dsc_status want,
                                 dsc_status alt, long want_line, const char *file, int line)
{
    dsc_policy *p = (dsc_policy *)&p;
    dsc_error err;
    dsc_status st = load(name, text, &p, &err);
    if ((st != want && st != alt) || err.code != st || p != NULL ||
        (want_line > 0 && err.line != want_line) || (want_line < 0 && err.line <= 0) ||
        !err.message[0]) {
        print_error("# %s: %s (err.code %s) at %s line %ld: %s; expected %s at line %ld\n", name,
                    dsc_status_name(st), dsc_status_name(err.code), err.file, err.line,
                    err.message, dsc_status_name(want), want_line);
        if (st == DSC_OK && p)
            policy_free(p);
        _fail(file, line);
    }
}
/* want_line: the exact line, -1 for "some line > 0", 0 for "not checked" */
#define expect_load_error(name, text, want, line) \
    expect_load_error_at((name), (text), (want), (want), (line), __FILE__, __LINE__)
#define expect_load_error2(name, text, want, alt, line) \
    expect_load_error_at((name), (text), (want), (alt), (line), __FILE__, __LINE__)

static dsc_result *check_with(const dsc_policy *p, const char *html, const char *url)
{
    return check_html_with(p, html, strlen(html), NULL, url ? url : BASE_URL, day_of(TODAY));
}

/* ---------------------------------------------------------------- */

/* A policy from memory (the fuzzer's entry point) is the same policy as
 * from a file, and its errors name it and their line. */
static void test_load_memory(void **state)
{
    (void)state;
    const char *text = XMLDECL "<policy version=\"1\">\n<rules>\n"
                               "  <rule id=\"topic-missing\" severity=\"off\"/>\n</rules>\n</policy>\n";
    dsc_policy *p = NULL;
    dsc_error err;
    assert_int_equal(dsc_policy_load_memory(text, strlen(text), "site.xml", &p, &err), DSC_OK);
    track(p, LIVE_POLICY);
    assert_int_equal(dsc_policy_severity(p, "topic-missing"), DSC_SEV_OFF);
    assert_int_equal(dsc_policy_severity(p, "topic-unknown"), DSC_SEV_ERROR);
    assert_non_null(strstr(dsc_policy_describe(p), "site.xml (taxonomy 国务院公文主题分类"));
    policy_free(p);

    const char *bad = XMLDECL "<policy version=\"1\">\n<rules>\n"
                              "  <rule id=\"no-such-rule\" severity=\"off\"/>\n</rules>\n</policy>\n";
    p = (dsc_policy *)&p;
    assert_int_equal(dsc_policy_load_memory(bad, strlen(bad), "site.xml", &p, &err), DSC_ERR_POLICY);
    assert_null(p);
    assert_string_equal(err.file, "site.xml");
    assert_int_equal(err.line, 4); /* XMLDECL ends in a newline */
    /* empty text is no policy; NULL data with a length is a bad argument */
    assert_int_equal(dsc_policy_load_memory("", 0, NULL, &p, &err), DSC_ERR_POLICY);
    assert_string_equal(err.file, "(memory)");
    assert_int_equal(dsc_policy_load_memory(NULL, 5, NULL, &p, &err), DSC_ERR_ARG);
}

static void test_default_loads(void **state)
{
    (void)state;
    dsc_policy *p = NULL;
    dsc_error err;
    assert_int_equal(dsc_policy_load(NULL, &p, &err), DSC_OK);
    assert_non_null(track(p, LIVE_POLICY));
    const char *d = dsc_policy_describe(p);
    assert_non_null(d);
    assert_non_null(strstr(d, "国务院公文主题分类"));
    assert_non_null(strstr(d, "2017-2026"));
    assert_int_equal(dsc_policy_max_bytes(p), 20971520);
    for (size_t i = 0; dsc_rule_at(i); i++)
        assert_int_equal(dsc_policy_severity(p, dsc_rule_at(i)->id),
                         dsc_rule_at(i)->default_severity);
    assert_int_equal(dsc_policy_severity(p, "no-such-rule"), DSC_SEV_OFF);
    policy_free(p);
}

static void test_conf_policy_equals_default(void **state)
{
    (void)state;
    dsc_policy *p = NULL;
    dsc_error err;
    dsc_status st = dsc_policy_load(TEST_SRCDIR "/conf/policy.xml", &p, &err);
    if (st != DSC_OK) {
        print_error("# conf/policy.xml: %s: %s line %ld\n", dsc_status_name(st), err.message,
                    err.line);
        fail();
    }
    track(p, LIVE_POLICY);
    assert_non_null(strstr(dsc_policy_describe(p), "policy.xml"));
    for (size_t i = 0; dsc_rule_at(i); i++)
        assert_int_equal(dsc_policy_severity(p, dsc_rule_at(i)->id),
                         dsc_rule_at(i)->default_severity);
    dsc_result *r = check_with(p, BASE_PAGE, NULL);
    assert_int_equal(dsc_result_nfindings(r), 0);
    result_free(r);
    policy_free(p);
}

static void test_minimal_policy(void **state)
{
    (void)state;
    /* every element is optional */
    dsc_policy *p = load_ok("minimal.xml", XMLDECL "<policy version=\"1\"/>\n");
    assert_int_equal(dsc_policy_max_bytes(p), 20971520);
    assert_non_null(strstr(dsc_policy_describe(p), "国务院公文主题分类"));
    dsc_result *r = check_with(p, BASE_PAGE, NULL);
    assert_int_equal(dsc_result_nfindings(r), 0);
    result_free(r);
    policy_free(p);
}

#define NO_TOPIC_PAGE_FROM "<td>主题分类：</td><td>综合政务/政务公开</td>"

static void test_rule_off(void **state)
{
    (void)state;
    char *page = mkpage(BASE_PAGE, NO_TOPIC_PAGE_FROM, "", NULL);
    dsc_result *r = check_html(page, BASE_URL, day_of(TODAY));
    assert_finding(r, "topic-missing", "topic", DSC_SEV_ERROR);
    assert_int_equal(dsc_result_count(r, DSC_SEV_ERROR), 1);
    result_free(r);

    dsc_policy *p = load_ok("off.xml", XMLDECL "<policy version=\"1\">\n<rules>\n"
                                              "  <rule id=\"topic-missing\" severity=\"off\"/>\n"
                                              "</rules>\n</policy>\n");
    assert_int_equal(dsc_policy_severity(p, "topic-missing"), DSC_SEV_OFF);
    assert_int_equal(dsc_policy_severity(p, "topic-unknown"), DSC_SEV_ERROR);
    r = check_with(p, page, NULL);
    assert_no_rule(r, "topic-missing");
    assert_int_equal(dsc_result_count(r, DSC_SEV_ERROR), 0);
    assert_int_equal(dsc_result_nfindings(r), 0);
    result_free(r);

    /* the other topic rules still run */
    char *page2 = mkpage(BASE_PAGE, "综合政务/政务公开", "综合政务", NULL);
    r = check_with(p, page2, NULL);
    assert_finding(r, "topic-incomplete", "topic", DSC_SEV_ERROR);
    result_free(r);
    mem_free(page2);
    mem_free(page);
    policy_free(p);
}

static void test_all_topic_rules_off(void **state)
{
    (void)state;
    dsc_policy *p = load_ok("topic-off.xml",
                            XMLDECL "<policy version=\"1\"><rules>\n"
                                    "<rule id=\"topic-missing\" severity=\"off\"/>\n"
                                    "<rule id=\"topic-unknown\" severity=\"off\"/>\n"
                                    "<rule id=\"topic-incomplete\" severity=\"off\"/>\n"
                                    "<rule id=\"topic-mismatch\" severity=\"off\"/>\n"
                                    "</rules></policy>\n");
    char *page = mkpage(BASE_PAGE, "综合政务/政务公开", "城市管理", NULL);
    dsc_result *r = check_with(p, page, NULL);
    assert_int_equal(dsc_result_nfindings(r), 0);
    result_free(r);
    mem_free(page);
    policy_free(p);
}

static void test_rule_to_warning(void **state)
{
    (void)state;
    char *page = mkpage(BASE_PAGE, "<td>公开属性：</td><td>主动公开</td>", "", NULL);
    dsc_result *r = check_html(page, BASE_URL, day_of(TODAY));
    assert_finding(r, "attribute-missing", "attribute", DSC_SEV_ERROR);
    assert_int_equal(dsc_result_count(r, DSC_SEV_ERROR), 1);
    result_free(r);

    dsc_policy *p = load_ok("warn.xml", XMLDECL "<policy version=\"1\">\n<rules>\n"
                                               "  <rule id=\"attribute-missing\" severity=\"warning\"/>\n"
                                               "</rules>\n</policy>\n");
    r = check_with(p, page, NULL);
    assert_finding(r, "attribute-missing", "attribute", DSC_SEV_WARNING);
    assert_int_equal(dsc_result_count(r, DSC_SEV_ERROR), 0);
    assert_int_equal(dsc_result_count(r, DSC_SEV_WARNING), 1);
    result_free(r);
    mem_free(page);
    policy_free(p);
}

static void test_rule_to_error(void **state)
{
    (void)state;
    char *page = mkpage(BASE_PAGE, "某政办发〔2024〕5号", "某政办发[2024]5号", NULL);
    dsc_policy *p = load_ok("err.xml", XMLDECL "<policy version=\"1\"><rules>"
                                              "<rule id=\"doc-number-format\" severity=\"error\"/>"
                                              "</rules></policy>\n");
    dsc_result *r = check_with(p, page, NULL);
    assert_finding(r, "doc-number-format", "doc_number", DSC_SEV_ERROR);
    assert_int_equal(dsc_result_count(r, DSC_SEV_ERROR), 1);
    result_free(r);
    mem_free(page);
    policy_free(p);
}

static void test_thresholds(void **state)
{
    (void)state;
    /* the base page was published 5 working days after it was written */
    dsc_policy *p = load_ok("late.xml", XMLDECL "<policy version=\"1\">"
                                               "<thresholds publish-late-working-days=\"4\"/>"
                                               "</policy>\n");
    dsc_result *r = check_with(p, BASE_PAGE, NULL);
    assert_finding(r, "publish-late", "pub_date", DSC_SEV_WARNING);
    result_free(r);
    policy_free(p);

    p = load_ok("late5.xml", XMLDECL "<policy version=\"1\">"
                                     "<thresholds publish-late-working-days=\"5\"/></policy>\n");
    r = check_with(p, BASE_PAGE, NULL);
    assert_no_rule(r, "publish-late");
    result_free(r);
    policy_free(p);
}

static void test_widen_needs_interpretation(void **state)
{
    (void)state;
    char *page = mkpage(BASE_PAGE, "<td>行政规范性文件</td>", "<td>意见</td>",
                        "<a href=\"/zcjd/202403/t20240309_1.html\">《某市政务公开管理办法》政策解读</a>",
                        "", NULL);
    dsc_result *r = check_html(page, BASE_URL, day_of(TODAY));
    assert_no_rule(r, "interpretation-missing");
    result_free(r);
    dsc_policy *p = load_ok("wide.xml",
                            XMLDECL "<policy version=\"1\">"
                                    "<doc-types needs-interpretation=\"规章 行政规范性文件 意见\"/>"
                                    "</policy>\n");
    r = check_with(p, page, NULL);
    assert_finding(r, "interpretation-missing", "interpretations", DSC_SEV_ERROR);
    result_free(r);
    mem_free(page);
    policy_free(p);
}

static void test_page_size_limit(void **state)
{
    (void)state;
    dsc_policy *p = load_ok("small.xml", XMLDECL "<policy version=\"1\">"
                                                "<limits max-page-bytes=\"100\"/></policy>\n");
    assert_int_equal(dsc_policy_max_bytes(p), 100);
    dsc_input in;
    memset(&in, 0, sizeof in);
    in.data = BASE_PAGE;
    in.len = strlen(BASE_PAGE);
    in.today = day_of(TODAY);
    dsc_result *r = (dsc_result *)&in;
    dsc_error err;
    assert_int_equal(dsc_check(p, &in, &r, &err), DSC_ERR_TOOLARGE);
    assert_null(r);
    assert_int_equal(err.code, DSC_ERR_TOOLARGE);
    policy_free(p);
}

static void test_result_add_uses_policy(void **state)
{
    (void)state;
    /* cross-page findings take the policy's severity */
    dsc_result *r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    dsc_result_add(r, "interpretation-late", DSC_SEV_WARNING, "pub_date", "2024-03-20", 0,
                   "解读发布晚于文件公开后3个工作日。", "Interpretation published late.");
    assert_finding(r, "interpretation-late", "pub_date", DSC_SEV_WARNING);
    result_free(r);

    dsc_policy *p = load_ok("xp.xml", XMLDECL "<policy version=\"1\"><rules>"
                                             "<rule id=\"interpretation-late\" severity=\"off\"/>"
                                             "<rule id=\"validity-amended-unmarked\" severity=\"error\"/>"
                                             "</rules></policy>\n");
    r = check_with(p, BASE_PAGE, NULL);
    dsc_result_add(r, "interpretation-late", DSC_SEV_WARNING, "pub_date", "2024-03-20", 0,
                   "解读发布晚于文件公开后3个工作日。", "Interpretation published late.");
    assert_no_rule(r, "interpretation-late");
    dsc_result_add(r, "validity-amended-unmarked", DSC_SEV_WARNING, "validity", "有效", 0,
                   "已被修改但未标注。", "Amended but not marked.");
    assert_finding(r, "validity-amended-unmarked", "validity", DSC_SEV_ERROR);
    assert_int_equal(dsc_result_count(r, DSC_SEV_ERROR), 1);
    result_free(r);
    policy_free(p);
}

/* ---------------- bad policy files ---------------- */

static void test_unknown_rule_id(void **state)
{
    (void)state;
    expect_load_error("unknown-rule.xml",
                      XMLDECL "<policy version=\"1\">\n<rules>\n"
                              "  <rule id=\"no-such-rule\" severity=\"off\"/>\n" /* line 4 */
                              "</rules>\n</policy>\n",
                      DSC_ERR_POLICY, 4);
    dsc_policy *p;
    dsc_error err;
    load("unknown-rule.xml",
         XMLDECL "<policy version=\"1\">\n<rules>\n  <rule id=\"no-such-rule\" severity=\"off\"/>\n"
                 "</rules>\n</policy>\n",
         &p, &err);
    assert_non_null(strstr(err.message, "no-such-rule"));
    assert_non_null(strstr(err.file, "unknown-rule.xml"));
}

static void test_bad_severity(void **state)
{
    (void)state;
    expect_load_error("bad-severity.xml",
                      XMLDECL "<policy version=\"1\">\n<rules>\n"
                              "  <rule id=\"topic-missing\" severity=\"fatal\"/>\n" /* line 4 */
                              "</rules>\n</policy>\n",
                      DSC_ERR_POLICY, 4);
}

static void test_malformed_xml(void **state)
{
    (void)state;
    /* the <rules> element is closed by </policy> on line 5 */
    expect_load_error("malformed.xml",
                      XMLDECL "<policy version=\"1\">\n<rules>\n"
                              "  <rule id=\"topic-missing\" severity=\"off\"/>\n"
                              "</policy>\n",
                      DSC_ERR_POLICY, -1);
    expect_load_error("not-xml.xml", "this is not XML\n", DSC_ERR_POLICY, 1);
    expect_load_error("empty.xml", "", DSC_ERR_POLICY, 0);
}

static void test_schema_invalid(void **state)
{
    (void)state;
    expect_load_error("version2.xml", XMLDECL "<policy version=\"2\"/>\n", DSC_ERR_POLICY, 2);
    expect_load_error("unknown-el.xml",
                      XMLDECL "<policy version=\"1\">\n  <colour value=\"red\"/>\n</policy>\n",
                      DSC_ERR_POLICY, 3);
    expect_load_error("bad-field.xml",
                      XMLDECL "<policy version=\"1\">\n<fields>\n"
                              "  <field name=\"colour\"><label>颜色</label></field>\n"
                              "</fields>\n</policy>\n",
                      DSC_ERR_POLICY, 4);
    expect_load_error("dup-rule.xml",
                      XMLDECL "<policy version=\"1\">\n<rules>\n"
                              "  <rule id=\"topic-missing\" severity=\"off\"/>\n"
                              "  <rule id=\"topic-missing\" severity=\"error\"/>\n"
                              "</rules>\n</policy>\n",
                      DSC_ERR_POLICY, 5);
    expect_load_error("bad-charset.xml",
                      XMLDECL "<policy version=\"1\">\n  <charset default=\"klingon-8\"/>\n</policy>\n",
                      DSC_ERR_POLICY, 3);
}

static void test_doctype_entity_refused(void **state)
{
    (void)state;
    /* XXE: an external entity naming a local file */
    expect_load_error("xxe.xml",
                      XMLDECL "<!DOCTYPE policy [\n"
                              "  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
                              "]>\n"
                              "<policy version=\"1\"><rules>"
                              "<rule id=\"&xxe;\" severity=\"off\"/></rules></policy>\n",
                      DSC_ERR_POLICY, 5);
    dsc_policy *p;
    dsc_error err;
    load("xxe.xml",
         XMLDECL "<!DOCTYPE policy [\n  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n"
                 "<policy version=\"1\"><rules><rule id=\"&xxe;\" severity=\"off\"/></rules></policy>\n",
         &p, &err);
    assert_null(strstr(err.message, "root:"));

    /* billion laughs: internal entities */
    expect_load_error("laughs.xml",
                      XMLDECL "<!DOCTYPE policy [\n"
                              "  <!ENTITY a \"lol\">\n"
                              "  <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
                              "  <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
                              "]>\n"
                              "<policy version=\"1\"><kinds><kind name=\"other\" url-prefix=\"&c;\"/>"
                              "</kinds></policy>\n",
                      DSC_ERR_POLICY, 0);

    /* an external DTD */
    expect_load_error("dtd.xml",
                      XMLDECL "<!DOCTYPE policy SYSTEM \"http://127.0.0.1:9/policy.dtd\">\n"
                              "<policy version=\"1\"/>\n",
                      DSC_ERR_POLICY, 0);
}

static void test_doctype_error_line(void **state)
{
    (void)state;
    /* the error names the line of the DOCTYPE (dsc_error.line: a line, else 0) */
    expect_load_error("dtd-line.xml",
                      XMLDECL "<!DOCTYPE policy SYSTEM \"http://127.0.0.1:9/policy.dtd\">\n"
                              "<policy version=\"1\"/>\n",
                      DSC_ERR_POLICY, 2);
    expect_load_error("entity-line.xml",
                      XMLDECL "<!DOCTYPE policy [\n  <!ENTITY a \"lol\">\n]>\n"
                              "<policy version=\"1\"><kinds><kind name=\"other\" url-prefix=\"&a;\"/>"
                              "</kinds></policy>\n",
                      DSC_ERR_POLICY, 2);
}

/* Run fn with fd 2 sent to a file; returns how many bytes were written to it. */
static long stderr_bytes(void (*fn)(void))
{
    fflush(stderr);
    char path[300];
    snprintf(path, sizeof path, "%s/stderr.txt", tmpdir);
    FILE *f = fopen(path, "w+");
    assert_non_null(f);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(f), 2) >= 0);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    remove(path);
    return n;
}

static void load_bad_files(void)
{
    dsc_policy *p = NULL;
    dsc_error err;
    char path[300];
    snprintf(path, sizeof path, "%s/no-such-policy.xml", tmpdir);
    if (dsc_policy_load(path, &p, &err) == DSC_OK)
        policy_free(p);
    char *pol = write_file(tmpdir, "stderr-tax.xml",
                           XMLDECL "<policy version=\"1\"><taxonomy file=\"/nonexistent/tax.xml\"/></policy>\n");
    if (dsc_policy_load(pol, &p, &err) == DSC_OK)
        policy_free(p);
    mem_free(pol);
    pol = write_file(tmpdir, "stderr-xpath.xml",
                     XMLDECL "<policy version=\"1\"><fields><field name=\"issuer\">"
                             "<xpath>//span[@id=</xpath></field></fields></policy>\n");
    if (dsc_policy_load(pol, &p, &err) == DSC_OK)
        policy_free(p);
    mem_free(pol);
}

static void test_no_stderr_output(void **state)
{
    (void)state;
    /* disclosure.h: "the library never writes to stderr; hosts install a sink" */
    long n = stderr_bytes(load_bad_files);
    if (n != 0) {
        print_error("# the library wrote %ld bytes to stderr while loading bad policies\n", n);
        fail();
    }
}

static void test_missing_files(void **state)
{
    (void)state;
    /* the policy itself */
    dsc_policy *p = NULL;
    dsc_error err;
    char path[512];
    snprintf(path, sizeof path, "%s/no-such-policy.xml", tmpdir);
    assert_int_equal(dsc_policy_load(path, &p, &err), DSC_ERR_IO);
    assert_int_equal(err.code, DSC_ERR_IO);
    assert_non_null(strstr(err.file, "no-such-policy.xml"));

    /* a taxonomy file that is not there, named on line 3 */
    expect_load_error2("no-tax.xml",
                       XMLDECL "<policy version=\"1\">\n  <taxonomy file=\"taxonomies/no-such.xml\"/>\n"
                               "</policy>\n",
                       DSC_ERR_POLICY, DSC_ERR_IO, 3);
    expect_load_error2("no-tax-abs.xml",
                       XMLDECL "<policy version=\"1\">\n  <taxonomy file=\"/nonexistent/tax.xml\"/>\n"
                               "</policy>\n",
                       DSC_ERR_POLICY, DSC_ERR_IO, 0);
    expect_load_error2("no-cal.xml",
                       XMLDECL "<policy version=\"1\">\n\n  <calendar file=\"no-such-calendar.xml\"/>\n"
                               "</policy>\n",
                       DSC_ERR_POLICY, DSC_ERR_IO, 4);
}

#define SITE_TAXONOMY \
    XMLDECL "<taxonomy name=\"某市政务公开主题分类\">\n" \
    "  <topic name=\"城市管理\">\n" \
    "    <sub name=\"市容环境\"/>\n" \
    "    <sub name=\"城市绿化\"><alias name=\"园林绿化\"/></sub>\n" \
    "  </topic>\n" \
    "  <topic name=\"其他\"/>\n" \
    "</taxonomy>\n"

static void expect_topic(const dsc_policy *p, const char *topic, const char *rule)
{
    char td[256];
    snprintf(td, sizeof td, "<td>主题分类：</td><td>%s</td>", topic);
    char *page = mkpage(BASE_PAGE, NO_TOPIC_PAGE_FROM, td, NULL);
    dsc_result *r = check_with(p, page, NULL);
    mem_free(page);
    static const char *const all[] = {"topic-missing", "topic-unknown", "topic-incomplete",
                                      "topic-mismatch"};
    for (size_t i = 0; i < 4; i++) {
        if (rule && strcmp(all[i], rule) == 0)
            assert_finding(r, rule, "topic", DSC_SEV_ERROR);
        else
            assert_no_rule(r, all[i]);
    }
    result_free(r);
}

static void test_site_taxonomy(void **state)
{
    (void)state;
    mem_free(write_file(tmpdir, "site-tax.xml", SITE_TAXONOMY));
    dsc_policy *p = load_ok("site.xml", XMLDECL "<policy version=\"1\">\n"
                                               "  <taxonomy file=\"site-tax.xml\"/>\n</policy>\n");
    assert_non_null(strstr(dsc_policy_describe(p), "某市政务公开主题分类"));
    expect_topic(p, "城市管理/市容环境", NULL);
    expect_topic(p, "城市管理/园林绿化", NULL);
    expect_topic(p, "其他", NULL);
    expect_topic(p, "城市管理", "topic-incomplete");
    expect_topic(p, "城市管理/政务公开", "topic-mismatch");
    /* the site's taxonomy replaces the default one */
    expect_topic(p, "综合政务/政务公开", "topic-unknown");
    policy_free(p);
    /* and the default knows nothing of the site's */
    expect_topic(default_policy(), "城市管理/市容环境", "topic-unknown");
}

static void test_invalid_taxonomy(void **state)
{
    (void)state;
    mem_free(write_file(tmpdir, "dup-tax.xml",
                    XMLDECL "<taxonomy name=\"重复\">\n"
                            "  <topic name=\"城市管理\"><sub name=\"市容环境\"/></topic>\n"
                            "  <topic name=\"城市管理\"><sub name=\"城市绿化\"/></topic>\n"
                            "</taxonomy>\n"));
    expect_load_error("dup-tax-policy.xml",
                      XMLDECL "<policy version=\"1\"><taxonomy file=\"dup-tax.xml\"/></policy>\n",
                      DSC_ERR_POLICY, -1);
    dsc_policy *p;
    dsc_error err;
    load("dup-tax-policy.xml",
         XMLDECL "<policy version=\"1\"><taxonomy file=\"dup-tax.xml\"/></policy>\n", &p, &err);
    /* the error names the taxonomy file, not the policy */
    assert_non_null(strstr(err.file, "dup-tax.xml"));

    mem_free(write_file(tmpdir, "xxe-tax.xml",
                    XMLDECL "<!DOCTYPE taxonomy [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                            "<taxonomy name=\"&x;\"><topic name=\"其他\"/></taxonomy>\n"));
    expect_load_error("xxe-tax-policy.xml",
                      XMLDECL "<policy version=\"1\"><taxonomy file=\"xxe-tax.xml\"/></policy>\n",
                      DSC_ERR_POLICY, -1);
}

static void test_site_calendar(void **state)
{
    (void)state;
    mem_free(write_file(tmpdir, "site-cal.xml",
                    XMLDECL "<calendar name=\"测试日历\" from=\"2024-01-01\" to=\"2024-12-31\">\n"
                            "  <year value=\"2024\" notice=\"测试通知\">\n"
                            "    <holiday name=\"测试假期\" from=\"2024-03-04\" to=\"2024-03-08\"/>\n"
                            "    <workday name=\"测试调休\" date=\"2024-03-09\"/>\n"
                            "  </year>\n"
                            "</calendar>\n"));
    dsc_policy *p = load_ok("cal.xml", XMLDECL "<policy version=\"1\">"
                                              "<calendar file=\"site-cal.xml\"/></policy>\n");
    assert_non_null(strstr(dsc_policy_describe(p), "2024-2024"));
    int beyond = 0;
    assert_int_equal(dsc_working_days(p, day_of("2024-03-01"), day_of("2024-03-09"), &beyond), 1);
    assert_int_equal(beyond, 0);
    assert_int_equal(dsc_is_working_day(p, day_of("2024-10-01"), &beyond), 1); /* no 国庆 here */
    assert_int_equal(beyond, 0);
    assert_int_equal(dsc_working_days(p, day_of("2025-01-01"), day_of("2025-01-03"), &beyond), 2);
    assert_int_equal(beyond, 1);
    policy_free(p);

    /* a day both holiday and working day, on line 5 */
    mem_free(write_file(tmpdir, "bad-cal.xml",
                    XMLDECL "<calendar name=\"坏日历\" from=\"2024-01-01\" to=\"2024-12-31\">\n"
                            "  <year value=\"2024\" notice=\"测试通知\">\n"
                            "    <holiday name=\"假期\" from=\"2024-03-04\" to=\"2024-03-10\"/>\n"
                            "    <workday name=\"调休\" date=\"2024-03-09\"/>\n"
                            "  </year>\n"
                            "</calendar>\n"));
    expect_load_error("bad-cal-policy.xml",
                      XMLDECL "<policy version=\"1\"><calendar file=\"bad-cal.xml\"/></policy>\n",
                      DSC_ERR_POLICY, 5);
}

static void test_xpath_override(void **state)
{
    (void)state;
    char *page = mkpage(BASE_PAGE, "<div class=\"article\">",
                        "<div class=\"source\">信息来源：<span id=\"fbjg\">某市发展和改革委员会</span></div>\n"
                        "<div class=\"article\">",
                        NULL);
    dsc_result *r = check_html(page, BASE_URL, day_of(TODAY));
    assert_field(r, DSC_F_ISSUER, "某市人民政府办公室");
    result_free(r);

    dsc_policy *p = load_ok("xpath.xml",
                            XMLDECL "<policy version=\"1\">\n<fields>\n"
                                    "  <field name=\"issuer\"><xpath>//span[@id='fbjg']</xpath></field>\n"
                                    "  <field name=\"doc_type\"><xpath>//div[@class='no-such']</xpath></field>\n"
                                    "</fields>\n</policy>\n");
    r = check_with(p, page, NULL);
    /* an XPath result wins over labels */
    assert_field(r, DSC_F_ISSUER, "某市发展和改革委员会");
    /* an XPath that finds nothing leaves the labelled value */
    assert_field(r, DSC_F_DOC_TYPE, "行政规范性文件");
    assert_finding(r, "metadata-mismatch", "issuer", DSC_SEV_WARNING);
    result_free(r);
    mem_free(page);
    policy_free(p);

    /* a field the page does not label at all */
    p = load_ok("xpath2.xml",
                XMLDECL "<policy version=\"1\"><fields>"
                        "<field name=\"index_no\"><xpath>string(//span[@class='syh'])</xpath></field>"
                        "</fields></policy>\n");
    page = mkpage(BASE_PAGE, "<td>索引号：</td><td>11000000/2024-00012</td>", "",
                  "<div class=\"article\">",
                  "<p>编号 <span class=\"syh\"> 11000000/2024-99999 </span></p><div class=\"article\">",
                  NULL);
    r = check_with(p, page, NULL);
    assert_field(r, DSC_F_INDEX_NO, "11000000/2024-99999");
    assert_no_rule(r, "metadata-missing");
    result_free(r);
    mem_free(page);
    policy_free(p);

    expect_load_error("bad-xpath.xml",
                      XMLDECL "<policy version=\"1\">\n<fields>\n"
                              "  <field name=\"issuer\"><xpath>//span[@id=</xpath></field>\n"
                              "</fields>\n</policy>\n",
                      DSC_ERR_POLICY, 4);
}

static void test_site_labels(void **state)
{
    (void)state;
    char *page = mkpage(BASE_PAGE, "<td>索引号：</td>", "<td>信息索引：</td>", NULL);
    dsc_result *r = check_html(page, BASE_URL, day_of(TODAY));
    assert_finding(r, "metadata-missing", "index_no", DSC_SEV_ERROR);
    result_free(r);

    dsc_policy *p = load_ok("labels.xml",
                            XMLDECL "<policy version=\"1\"><fields>"
                                    "<field name=\"index_no\"><label>信息索引</label></field>"
                                    "</fields></policy>\n");
    r = check_with(p, page, NULL);
    assert_field(r, DSC_F_INDEX_NO, "11000000/2024-00012");
    assert_no_rule(r, "metadata-missing");
    result_free(r);
    policy_free(p);
    mem_free(page);

    /* replace="true": the built-in labels and meta names of the field are gone */
    p = load_ok("replace.xml",
                XMLDECL "<policy version=\"1\"><fields>"
                        "<field name=\"issuer\" replace=\"true\"><label>来源单位</label></field>"
                        "</fields></policy>\n");
    r = check_with(p, BASE_PAGE, NULL);
    assert_field(r, DSC_F_ISSUER, NULL);
    assert_finding(r, "metadata-missing", "issuer", DSC_SEV_ERROR);
    result_free(r);
    page = mkpage(BASE_PAGE, "<td>发布机构：</td>", "<td>来源单位：</td>", NULL);
    r = check_with(p, page, NULL);
    assert_field(r, DSC_F_ISSUER, "某市人民政府办公室");
    result_free(r);
    mem_free(page);
    policy_free(p);
}

static void test_kinds(void **state)
{
    (void)state;
    dsc_policy *p = load_ok("kinds.xml",
                            XMLDECL "<policy version=\"1\"><kinds>"
                                    "<kind name=\"other\" url-prefix=\"/xwzx/\"/>"
                                    "<kind name=\"policy\" xpath=\"//div[@class='xxgk_table']\"/>"
                                    "</kinds></policy>\n");
    /* the same page under a news prefix is not judged */
    char *page = mkpage(BASE_PAGE, "<td>公开属性：</td><td>主动公开</td>", "", NULL);
    dsc_result *r = check_with(p, page, "https://www.example.gov.cn/xwzx/202403/t1.html");
    assert_kind(r, DSC_KIND_OTHER);
    assert_no_rule(r, "attribute-missing");
    result_free(r);
    r = check_with(p, page, NULL);
    assert_kind(r, DSC_KIND_POLICY);
    assert_finding(r, "attribute-missing", "attribute", DSC_SEV_ERROR);
    result_free(r);
    mem_free(page);

    /* the XPath makes a page with none of the built-in signs a policy page */
    const char *plain = "<html><head><meta charset=\"utf-8\"><title>某办法</title></head><body>"
                        "<div class=\"xxgk_table\"><p>发布机构：某市人民政府</p></div></body></html>";
    r = check_with(p, plain, "https://www.example.gov.cn/zwgk/a.html");
    assert_kind(r, DSC_KIND_POLICY);
    assert_finding(r, "metadata-missing", "index_no", DSC_SEV_ERROR);
    result_free(r);
    r = check_html(plain, "https://www.example.gov.cn/zwgk/a.html", day_of(TODAY));
    assert_kind(r, DSC_KIND_OTHER);
    result_free(r);
    policy_free(p);

    expect_load_error("bad-kind.xml",
                      XMLDECL "<policy version=\"1\">\n<kinds>\n  <kind name=\"other\"/>\n"
                              "</kinds>\n</policy>\n",
                      DSC_ERR_POLICY, 4);
}

int main(void)
{
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        TEST(test_default_loads),
        TEST(test_conf_policy_equals_default),
        TEST(test_minimal_policy),
        TEST(test_rule_off),
        TEST(test_all_topic_rules_off),
        TEST(test_rule_to_warning),
        TEST(test_rule_to_error),
        TEST(test_thresholds),
        TEST(test_widen_needs_interpretation),
        TEST(test_page_size_limit),
        TEST(test_result_add_uses_policy),
        TEST(test_unknown_rule_id),
        TEST(test_bad_severity),
        TEST(test_malformed_xml),
        TEST(test_schema_invalid),
        TEST(test_doctype_entity_refused),
        TEST(test_doctype_error_line),
        TEST(test_no_stderr_output),
        TEST(test_missing_files),
        TEST(test_site_taxonomy),
        TEST(test_invalid_taxonomy),
        TEST(test_site_calendar),
        TEST(test_xpath_override),
        TEST(test_site_labels),
        TEST(test_kinds),
        TEST(test_load_memory),
    };
    return cmocka_run_group_tests_name("policy", tests, setup, teardown);
}
