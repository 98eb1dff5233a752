/* The schemas, the built-in default policy, taxonomy and calendar are
 * parsed once per process and shared by every later load (xmlutil.c,
 * builtin.c): a second load, and a load after a failing one, must give the
 * same policy as the first, errors must still name file, line and reason,
 * and threads loading at once must agree. Also: token attributes. */
#include <pthread.h>
#include <unistd.h>

#include "helpers.h"

#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* make check's data directory (the source tree's schemas/), or none */
static char *datadir;

static void builtin_data(void)
{
    setenv("DISCLOSURE_DATADIR", "/nonexistent/dsc-test-reuse", 1);
}

static void disk_data(void)
{
    if (datadir)
        setenv("DISCLOSURE_DATADIR", datadir, 1);
    else
        unsetenv("DISCLOSURE_DATADIR");
}

/* names the built-in data files, so they come from the cache when the data
 * directory does not have them */
static const char site[] = XMLDECL "<policy version=\"1\">\n"
                                   "  <taxonomy file=\"taxonomies/gov-cn.xml\"/>\n"
                                   "  <calendar file=\"calendars/cn.xml\"/>\n"
                                   "  <rules><rule id=\"topic-missing\" severity=\"warning\"/></rules>\n"
                                   "  <fields><field name=\"title\"><label>文件标题</label></field></fields>\n"
                                   "</policy>\n";

/* everything a load decides, as one string: its description, severities,
 * working days over a year with holidays, and the JSON of a page's check */
static char *fingerprint(const dsc_policy *p)
{
    char *j = NULL;
    dsc_input in = {BASE_PAGE, strlen(BASE_PAGE), NULL, BASE_URL, NULL, 0};
    assert_int_equal(dsc_date_parse("2025-01-01", &in.today), 0);
    dsc_result *r = NULL;
    dsc_error err;
    assert_int_equal(dsc_check(p, &in, &r, &err), DSC_OK);
    char *json = dsc_result_json(r, DSC_JSON_EXTRAS);
    dsc_result_free(r);
    assert_non_null(json);
    int from, to, beyond;
    assert_int_equal(dsc_date_parse("2024-01-01", &from), 0);
    assert_int_equal(dsc_date_parse("2024-12-31", &to), 0);
    char sev[128] = "";
    for (size_t i = 0; dsc_rule_at(i) && i + 1 < sizeof sev; i++)
        sev[i] = (char)('0' + dsc_policy_severity(p, dsc_rule_at(i)->id));
    assert_true(asprintf(&j, "%s|%s|%d|%s", dsc_policy_describe(p), sev,
                         dsc_working_days(p, from, to, &beyond), json) > 0);
    free(json);
    return track(j, LIVE_MEM);
}

static char *load_print(const char *text)
{
    dsc_policy *p = NULL;
    dsc_error err;
    dsc_status st = text ? dsc_policy_load_memory(text, strlen(text), "site.xml", &p, &err)
                         : dsc_policy_load(NULL, &p, &err);
    if (st != DSC_OK) {
        print_error("# %s: %s line %ld: %s\n", dsc_status_name(st), err.file, err.line, err.message);
        fail();
    }
    char *f = fingerprint(p);
    dsc_policy_free(p);
    return f;
}

/* a schema error: file, line and what is wrong */
static void expect_schema_error(void)
{
    const char *bad = XMLDECL "<policy version=\"1\">\n"
                              "  <thresholds publish-late-working-days=\"soon\"/>\n" /* line 3 */
                              "</policy>\n";
    dsc_policy *p = (dsc_policy *)&p;
    dsc_error err;
    assert_int_equal(dsc_policy_load_memory(bad, strlen(bad), "bad.xml", &p, &err), DSC_ERR_POLICY);
    assert_null(p);
    assert_string_equal(err.file, "bad.xml");
    assert_int_equal(err.line, 3);
    if (!strstr(err.message, "publish-late-working-days") || !strstr(err.message, "soon")) {
        print_error("# the reason does not say what is wrong: %s\n", err.message);
        fail();
    }
    /* an error in a data file the policy names: that file's name */
    const char *badcal = XMLDECL "<policy version=\"1\">\n"
                                 "  <calendar file=\"taxonomies/gov-cn.xml\"/>\n</policy>\n";
    assert_int_equal(dsc_policy_load_memory(badcal, strlen(badcal), "badcal.xml", &p, &err),
                     DSC_ERR_POLICY);
    assert_null(p);
    assert_non_null(strstr(err.file, "taxonomies/gov-cn.xml"));
    assert_true(err.line > 0);
    assert_true(err.message[0] != '\0');
}

static void reuse(void)
{
    char *def1 = load_print(NULL), *site1 = load_print(site);
    expect_schema_error();
    char *def2 = load_print(NULL), *site2 = load_print(site);
    expect_schema_error();
    assert_string_equal(def1, def2);
    assert_string_equal(site1, site2);
    /* the site's changes are there, so the comparison means something */
    assert_string_not_equal(def1, site1);
    mem_free(def1);
    mem_free(def2);
    mem_free(site1);
    mem_free(site2);
}

/* data files from the data directory (read every time) */
static void test_reuse_datadir(void **state)
{
    (void)state;
    reuse();
}

/* data files built into the library (parsed once, shared) */
static void test_reuse_builtin(void **state)
{
    (void)state;
    builtin_data();
    reuse();
    /* the same policy either way */
    char *builtin = load_print(site);
    disk_data();
    char *disk = load_print(site);
    const char *b = strchr(builtin, '|'), *d = strchr(disk, '|'); /* the description names the files */
    assert_string_equal(b, d);
    mem_free(builtin);
    mem_free(disk);
}

static void *load_in_thread(void *out)
{
    size_t *n = out;
    for (int i = 0; i < 5; i++) {
        dsc_policy *p = NULL;
        dsc_error err;
        if (dsc_policy_load_memory(site, strlen(site), "site.xml", &p, &err) != DSC_OK)
            return "load failed";
        dsc_input in = {BASE_PAGE, strlen(BASE_PAGE), NULL, BASE_URL, NULL, 0};
        dsc_date_parse("2025-01-01", &in.today);
        dsc_result *r = NULL;
        if (dsc_check(p, &in, &r, &err) != DSC_OK) {
            dsc_policy_free(p);
            return "check failed";
        }
        n[i] = dsc_result_nfindings(r);
        dsc_result_free(r);
        dsc_policy_free(p);
    }
    return NULL;
}

/* first use from several threads at once (this test runs first): each
 * compiles nothing twice (helgrind or TSan would show a race) and all get
 * the same verdict as a later load */
static void test_threads(void **state)
{
    (void)state;
    builtin_data();
    dsc_global_init();
    pthread_t t[4];
    size_t n[4][5];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, load_in_thread, n[i]), 0);
    for (int i = 0; i < 4; i++) {
        void *why;
        assert_int_equal(pthread_join(t[i], &why), 0);
        if (why) {
            print_error("# thread %d: %s\n", i, (const char *)why);
            fail();
        }
    }
    dsc_policy *p = NULL;
    dsc_error err;
    assert_int_equal(dsc_policy_load_memory(site, strlen(site), "site.xml", &p, &err), DSC_OK);
    dsc_input in = {BASE_PAGE, strlen(BASE_PAGE), NULL, BASE_URL, NULL, 0};
    assert_int_equal(dsc_date_parse("2025-01-01", &in.today), 0);
    dsc_result *r = NULL;
    assert_int_equal(dsc_check(p, &in, &r, &err), DSC_OK);
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 5; k++)
            assert_int_equal(n[i][k], dsc_result_nfindings(r));
    dsc_result_free(r);
    dsc_policy_free(p);
    disk_data();
}

/* xs:token attributes are read as the schema reads them: " warning\r" is
 * "warning", and a field name with white space around it is that field
 * (it indexed the field tables at -1; found by fuzz_policy) */
static void test_token_attributes(void **state)
{
    (void)state;
    const char *text = XMLDECL "<policy version=\"1\">\n"
                               "  <rules><rule id=\" topic-missing\" severity=\" warning\r\"/></rules>\n"
                               "  <required-fields><field name=\"\r\rtitle \"/></required-fields>\n"
                               "  <fields><field name=\"\r\rrepealed_by\" replace=\" true \">"
                               "<label>废止依据</label></field></fields>\n</policy>\n";
    dsc_policy *p = NULL;
    dsc_error err;
    if (dsc_policy_load_memory(text, strlen(text), "token.xml", &p, &err) != DSC_OK) {
        print_error("# %s line %ld: %s\n", err.file, err.line, err.message);
        fail();
    }
    assert_int_equal(dsc_policy_severity(p, "topic-missing"), DSC_SEV_WARNING);
    dsc_policy_free(p);
}

int main(void)
{
    cmocka_set_message_output(CM_OUTPUT_TAP);
    datadir = getenv("DISCLOSURE_DATADIR") ? strdup(getenv("DISCLOSURE_DATADIR")) : NULL;
    /* no helpers_setup: the first load of this program is the tests' own */
    const struct CMUnitTest tests[] = {
        TEST(test_threads),
        TEST(test_reuse_datadir),
        TEST(test_reuse_builtin),
        TEST(test_token_attributes),
    };
    int rc = cmocka_run_group_tests_name("policy reuse", tests, NULL, NULL);
    free(datadir);
    return rc;
}
