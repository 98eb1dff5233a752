/* The registry and the cross-page rules: every rule with a failing and a
 * passing pair of pages recorded into a real SQLite file, the serve-time
 * status, the change counter, migrating a version-1 file, a locked file and
 * a file that is no database. Registry files live in a mkdtemp() directory. */
#include <ftw.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define TODAY "2025-06-01"
#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* The interpretation of BASE_PAGE, at the address BASE_PAGE links to. */
#define INTERP_URL "https://www.example.gov.cn/zcjd/202403/t20240309_1.html"
#define INTERP_TITLE "《某市政务公开管理办法》政策解读"
#define INTERP_PAGE \
    "<!DOCTYPE html>\n" \
    "<html><head>\n" \
    "<meta charset=\"utf-8\">\n" \
    "<title>" INTERP_TITLE "</title>\n" \
    "<meta name=\"ColumnType\" content=\"政策解读\">\n" \
    "<meta name=\"ArticleTitle\" content=\"" INTERP_TITLE "\">\n" \
    "<meta name=\"PubDate\" content=\"2024-03-09 09:00\">\n" \
    "<meta name=\"ContentSource\" content=\"某市人民政府办公室\">\n" \
    "</head><body>\n" \
    "<h1>" INTERP_TITLE "</h1>\n" \
    "<p>一、制定背景</p><p>为规范全市政务公开工作，制定本办法。</p>\n" \
    "<div class=\"related\"><a href=\"/zwgk/zcwj/202403/t20240308_1.html\">政策原文</a></div>\n" \
    "</body></html>\n"
#define INTERP_LINK "<a href=\"/zwgk/zcwj/202403/t20240308_1.html\">政策原文</a>"
#define BASE_LINK "<a href=\"/zcjd/202403/t20240309_1.html\">《某市政务公开管理办法》政策解读</a>"
#define BASE_NUMBER "某政办发〔2024〕5号"
#define BASE_VALID "<td>有效性：</td><td>有效</td>"

/* Another document that repeals or amends BASE_PAGE. */
#define REPEALER_URL "https://www.example.gov.cn/zwgk/zcwj/202501/t20250110_1.html"
#define AMENDER_URL "https://www.example.gov.cn/zwgk/zcwj/202409/t20240902_1.html"
#define BODY_SENTENCE "<p>现将《某市政务公开管理办法》印发给你们，请认真贯彻执行。</p>"

static char tmpdir[256];
static int nfile;

/* registries a failed assertion would leave open */
#define MAX_REGS 16
static dsc_registry *live_regs[MAX_REGS];
static sqlite3 *live_dbs[MAX_REGS];

static int setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dsc-test-registry-XXXXXX");
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

static int reg_teardown(void **state)
{
    for (int i = 0; i < MAX_REGS; i++) {
        dsc_registry_close(live_regs[i]);
        live_regs[i] = NULL;
        if (live_dbs[i])
            sqlite3_close(live_dbs[i]);
        live_dbs[i] = NULL;
    }
    return helpers_test_teardown(state);
}
#define RTEST(f) cmocka_unit_test_teardown(f, reg_teardown)

static void reg_track(dsc_registry *reg, sqlite3 *db)
{
    for (int i = 0; i < MAX_REGS; i++) {
        if (reg && !live_regs[i]) {
            live_regs[i] = reg;
            return;
        }
        if (db && !live_dbs[i]) {
            live_dbs[i] = db;
            return;
        }
    }
}

static void reg_close(dsc_registry *reg)
{
    for (int i = 0; i < MAX_REGS; i++)
        if (live_regs[i] == reg)
            live_regs[i] = NULL;
    dsc_registry_close(reg);
}

static void db_close(sqlite3 *db)
{
    for (int i = 0; i < MAX_REGS; i++)
        if (live_dbs[i] == db)
            live_dbs[i] = NULL;
    sqlite3_close(db);
}

/* A fresh file name in the temporary directory (the caller frees it). */
static char *new_path(const char *stem)
{
    char *p = track(malloc(512), LIVE_MEM);
    assert_non_null(p);
    snprintf(p, 512, "%s/%s-%d.sqlite", tmpdir, stem, ++nfile);
    return p;
}

static dsc_registry *open_at(const char *path, int readonly, int busy_ms)
{
    dsc_registry *reg = NULL;
    dsc_error err;
    dsc_status st = dsc_registry_open(path, readonly, busy_ms, &reg, &err);
    if (st != DSC_OK) {
        print_error("# dsc_registry_open %s: %s: %s\n", path, dsc_status_name(st), err.message);
        fail();
    }
    assert_non_null(reg);
    reg_track(reg, NULL);
    return reg;
}

static dsc_registry *open_new(void)
{
    char *path = new_path("reg");
    dsc_registry *reg = open_at(path, 0, 2000);
    mem_free(path);
    return reg;
}

static sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    reg_track(NULL, db);
    return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        print_error("# %s: %s\n", sql, msg ? msg : "?");
        sqlite3_free(msg);
        fail();
    }
}

static long long raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* Check a page and store it, as a publish or an import does. */
static void record(dsc_registry *reg, const char *html, const char *url)
{
    dsc_result *r = check_html(html, url, day_of(TODAY));
    dsc_error err;
    dsc_status st = dsc_registry_record(reg, r, "hash", 1700000000, &err);
    if (st != DSC_OK) {
        print_error("# dsc_registry_record %s: %s: %s\n", url, dsc_status_name(st), err.message);
        fail();
    }
    result_free(r);
}

/* Check a page and run the cross-page rules on it against reg. */
static dsc_result *cross(dsc_registry *reg, const char *html, const char *url)
{
    dsc_result *r = check_html(html, url, day_of(TODAY));
    dsc_registry_check_page(reg, r);
    return r;
}

static char *repealer_page(void)
{
    return mkpage(BASE_PAGE, BASE_NUMBER, "某政办发〔2025〕3号", "<td>标题：</td><td>" BASE_TITLE,
                  "<td>标题：</td><td>某市政务公开办法", "2024-03-08</td>", "2025-01-10</td>",
                  BODY_SENTENCE,
                  "<p>现将《某市政务公开办法》印发给你们，请认真贯彻执行。"
                  "《某市政务公开管理办法》（某政办发〔2024〕5号）同时废止。</p>",
                  "/zcjd/202403/t20240309_1.html", "/zcjd/202501/t20250110_1.html", NULL);
}

static char *amender_page(void)
{
    return mkpage(BASE_PAGE, BASE_NUMBER, "某政办发〔2024〕21号", "<td>标题：</td><td>" BASE_TITLE,
                  "<td>标题：</td><td>某市人民政府办公室关于修改政务公开管理办法的决定", "2024-03-08</td>",
                  "2024-09-02</td>", BODY_SENTENCE,
                  "<p>市政府决定，对《某市政务公开管理办法》（某政办发〔2024〕5号）第三条作如下修改。</p>",
                  "/zcjd/202403/t20240309_1.html", "/zcjd/202409/t20240902_1.html", NULL);
}

static const char *evidence_of(const dsc_finding *f)
{
    return f->evidence ? f->evidence : "";
}

/* ---- interpretation-unresolved ---- */

static void test_unresolved_interpretation_link(void **state)
{
    (void)state;
    dsc_registry *reg = open_new();
    dsc_result *r = cross(reg, BASE_PAGE, BASE_URL);
    const dsc_finding *f = assert_finding(r, "interpretation-unresolved", "interpretations", DSC_SEV_ERROR);
    assert_string_equal(evidence_of(f), INTERP_URL);
    assert_non_null(strstr(f->message, "不存在"));
    assert_true(f->line > 0);
    result_free(r);

    /* held under another host name: links compare by path */
    record(reg, INTERP_PAGE, "http://localhost/zcjd/202403/t20240309_1.html");
    r = cross(reg, BASE_PAGE, BASE_URL);
    assert_no_rule(r, "interpretation-unresolved");
    result_free(r);
    reg_close(reg);
}

static int holds_everything(void *baton, const char *url)
{
    (void)url;
    ++*(int *)baton;
    return 1;
}

static void test_unresolved_original_link(void **state)
{
    (void)state;
    dsc_registry *reg = open_new();
    dsc_result *r = cross(reg, INTERP_PAGE, INTERP_URL);
    assert_kind(r, DSC_KIND_INTERPRETATION);
    const dsc_finding *f = assert_finding(r, "interpretation-unresolved", "interprets", DSC_SEV_ERROR);
    assert_string_equal(evidence_of(f), BASE_URL);
    /* publish time says the same, once */
    dsc_registry_check_publish(reg, r, NULL, NULL);
    assert_int_equal(count_rule(r, "interpretation-unresolved"), 1);
    result_free(r);

    r = check_html(INTERP_PAGE, INTERP_URL, day_of(TODAY));
    dsc_registry_check_publish(reg, r, NULL, NULL);
    assert_finding(r, "interpretation-unresolved", "interprets", DSC_SEV_ERROR);
    result_free(r);

    /* the host's own URL space may hold it */
    int asked = 0;
    r = check_html(INTERP_PAGE, INTERP_URL, day_of(TODAY));
    dsc_registry_check_publish(reg, r, holds_everything, &asked);
    assert_int_equal(asked, 1);
    assert_no_rule(r, "interpretation-unresolved");
    result_free(r);

    /* a policy page is not checked at publish time: it may precede its interpretation */
    r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    dsc_registry_check_publish(reg, r, NULL, NULL);
    assert_no_rule(r, "interpretation-unresolved");
    result_free(r);

    record(reg, BASE_PAGE, BASE_URL);
    r = cross(reg, INTERP_PAGE, INTERP_URL);
    assert_no_rule(r, "interpretation-unresolved");
    dsc_registry_check_publish(reg, r, NULL, NULL);
    assert_no_rule(r, "interpretation-unresolved");
    result_free(r);
    reg_close(reg);
}

/* ---- interpretation-not-reciprocal ---- */

static void test_not_reciprocal_on_interpretation(void **state)
{
    (void)state;
    dsc_registry *reg = open_new();
    record(reg, BASE_PAGE, BASE_URL); /* names INTERP_URL as its interpretation */

    /* the interpretation names another document */
    char *other = mkpage(INTERP_PAGE, "/zwgk/zcwj/202403/t20240308_1.html", "/zwgk/zcwj/202401/t20240105_2.html", NULL);
    dsc_result *r = cross(reg, other, INTERP_URL);
    const dsc_finding *f = assert_finding(r, "interpretation-not-reciprocal", "interprets", DSC_SEV_WARNING);
    assert_string_equal(evidence_of(f), BASE_URL);
    assert_non_null(strstr(f->message, BASE_NUMBER));
    assert_non_null(strstr(f->message, "t20240105_2.html"));
    result_free(r);
    mem_free(other);

    /* ... or none */
    char *none = mkpage(INTERP_PAGE, INTERP_LINK, "", NULL);
    r = cross(reg, none, INTERP_URL);
    assert_finding(r, "interpretation-not-reciprocal", "interprets", DSC_SEV_WARNING);
    result_free(r);
    mem_free(none);

    /* named back: nothing; and the document is not told about its own side */
    r = cross(reg, INTERP_PAGE, INTERP_URL);
    assert_no_rule(r, "interpretation-not-reciprocal");
    result_free(r);
    r = cross(reg, BASE_PAGE, BASE_URL);
    assert_no_rule(r, "interpretation-not-reciprocal");
    result_free(r);
    reg_close(reg);
}

static void test_not_reciprocal_on_document(void **state)
{
    (void)state;
    dsc_registry *reg = open_new();
    record(reg, INTERP_PAGE, INTERP_URL); /* interprets BASE_URL */

    char *unlinked = mkpage(BASE_PAGE, BASE_LINK, "", NULL);
    dsc_result *r = cross(reg, unlinked, BASE_URL);
    assert_kind(r, DSC_KIND_POLICY);
    const dsc_finding *f = assert_finding(r, "interpretation-not-reciprocal", "interpretations", DSC_SEV_WARNING);
    assert_string_equal(evidence_of(f), INTERP_URL);
    assert_non_null(strstr(f->message, INTERP_TITLE));
    result_free(r);

    /* linking another interpretation does not count either */
    char *elsewhere = mkpage(BASE_PAGE, "/zcjd/202403/t20240309_1.html", "/zcjd/202403/t20240310_7.html", NULL);
    r = cross(reg, elsewhere, BASE_URL);
    assert_finding(r, "interpretation-not-reciprocal", "interpretations", DSC_SEV_WARNING);
    result_free(r);

    r = cross(reg, BASE_PAGE, BASE_URL);
    assert_no_rule(r, "interpretation-not-reciprocal");
    result_free(r);
    mem_free(unlinked);
    mem_free(elsewhere);
    reg_close(reg);
}

/* ---- interpretation-late ---- */

static void test_interpretation_late(void **state)
{
    (void)state;
    dsc_registry *reg = open_new();
    record(reg, BASE_PAGE, BASE_URL); /* published Friday 2024-03-08 */

    /* Thursday 2024-03-14: four working days later */
    char *late = mkpage(INTERP_PAGE, "2024-03-09 09:00", "2024-03-14 09:00", NULL);
    dsc_result *r = cross(reg, late, INTERP_URL);
    const dsc_finding *f = assert_finding(r, "interpretation-late", "pub_date", DSC_SEV_WARNING);
    assert_non_null(strstr(f->message, "4个工作日"));
    assert_non_null(strstr(f->message, "2024-03-08"));
    result_free(r);

    /* the document listing it is enough to know which document it is about */
    char *late_unlinked = mkpage(late, INTERP_LINK, "", NULL);
    r = cross(reg, late_unlinked, INTERP_URL);
    assert_finding(r, "interpretation-late", "pub_date", DSC_SEV_WARNING);
    result_free(r);
    mem_free(late_unlinked);

    /* Wednesday 2024-03-13: three working days, on time */
    char *ontime = mkpage(INTERP_PAGE, "2024-03-09 09:00", "2024-03-13 09:00", NULL);
    r = cross(reg, ontime, INTERP_URL);
    assert_no_rule(r, "interpretation-late");
    result_free(r);
    mem_free(ontime);

    /* a site that allows five days */
    char *path = write_file(tmpdir, "late5.xml",
                            XMLDECL "<policy version=\"1\">"
                                    "<thresholds interpretation-late-working-days=\"5\"/></policy>\n");
    dsc_policy *p = NULL;
    dsc_error err;
    assert_int_equal(dsc_policy_load(path, &p, &err), DSC_OK);
    track(p, LIVE_POLICY);
    r = check_html_with(p, late, strlen(late), NULL, INTERP_URL, day_of(TODAY));
    dsc_registry_check_page(reg, r);
    assert_no_rule(r, "interpretation-late");
    result_free(r);
    policy_free(p);
    mem_free(path);
    mem_free(late);
    reg_close(reg);
}

/* ---- validity-repealed-unmarked / validity-amended-unmarked ---- */

static void test_repealed_unmarked(void **state)
{
    (void)state;
    dsc_registry *reg = open_new();
    char *repealer = repealer_page();
    record(reg, repealer, REPEALER_URL);

    dsc_result *r = cross(reg, BASE_PAGE, BASE_URL);
    const dsc_finding *f = assert_finding(r, "validity-repealed-unmarked", "validity", DSC_SEV_ERROR);
    assert_non_null(strstr(evidence_of(f), "某政办发〔2025〕3号"));
    assert_non_null(strstr(evidence_of(f), REPEALER_URL));
    assert_non_null(strstr(f->message, "某政办发〔2025〕3号"));
    assert_non_null(strstr(f->message, REPEALER_URL));
    assert_non_null(strstr(f->message, "废止"));
    assert_true(f->line > 0);
    assert_no_rule(r, "validity-amended-unmarked");
    result_free(r);

    char *marked = mkpage(BASE_PAGE, BASE_VALID, "<td>有效性：</td><td>废止</td>", NULL);
    r = cross(reg, marked, BASE_URL);
    assert_no_rule(r, "validity-repealed-unmarked");
    result_free(r);

    /* 已修改 is not enough for a repealed document */
    char *amended = mkpage(BASE_PAGE, BASE_VALID, "<td>有效性：</td><td>已修改</td>", NULL);
    r = cross(reg, amended, BASE_URL);
    assert_finding(r, "validity-repealed-unmarked", "validity", DSC_SEV_ERROR);
    result_free(r);

    /* the repealing document itself is not repealed */
    r = cross(reg, repealer, REPEALER_URL);
    assert_no_rule(r, "validity-repealed-unmarked");
    result_free(r);
    mem_free(marked);
    mem_free(amended);
    mem_free(repealer);
    reg_close(reg);
}

static void test_amended_unmarked(void **state)
{
    (void)state;
    dsc_registry *reg = open_new();
    char *amender = amender_page();
    record(reg, amender, AMENDER_URL);

    dsc_result *r = cross(reg, BASE_PAGE, BASE_URL);
    const dsc_finding *f = assert_finding(r, "validity-amended-unmarked", "validity", DSC_SEV_WARNING);
    assert_non_null(strstr(evidence_of(f), "某政办发〔2024〕21号"));
    assert_non_null(strstr(evidence_of(f), AMENDER_URL));
    assert_non_null(strstr(f->message, "已修改"));
    assert_no_rule(r, "validity-repealed-unmarked");
    result_free(r);

    static const char *const marks[] = {"已修改", "废止", "部分失效"};
    for (size_t i = 0; i < 3; i++) {
        char to[128];
        snprintf(to, sizeof to, "<td>有效性：</td><td>%s</td>", marks[i]);
        char *page = mkpage(BASE_PAGE, BASE_VALID, to, NULL);
        r = cross(reg, page, BASE_URL);
        assert_no_rule(r, "validity-amended-unmarked");
        result_free(r);
        mem_free(page);
    }
    mem_free(amender);
    reg_close(reg);
}

/* A scan keeps compacted results for its cross-page phase: the copy must
 * say exactly what the original says, before and after the cross rules. */
static void test_compact_result_is_the_same(void **state)
{
    (void)state;
    dsc_registry *reg = open_new();
    char *amender = amender_page();
    record(reg, amender, AMENDER_URL);
    dsc_result *a = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    dsc_result *b = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    untrack(b);
    b = dsc_result_compact(b);
    track(b, LIVE_RESULT);
    char *ja = dsc_result_json(a, DSC_JSON_EXTRAS), *jb = dsc_result_json(b, DSC_JSON_EXTRAS);
    assert_non_null(ja);
    assert_string_equal(ja, jb);
    free(ja);
    free(jb);
    assert_string_equal(dsc_result_field(a, DSC_F_TITLE), dsc_result_field(b, DSC_F_TITLE));
    assert_int_equal(dsc_result_withheld(a), dsc_result_withheld(b));
    dsc_registry_check_page(reg, a);
    dsc_registry_check_page(reg, b);
    assert_finding(b, "validity-amended-unmarked", "validity", DSC_SEV_WARNING);
    ja = dsc_result_json(a, 0);
    jb = dsc_result_json(b, 0);
    assert_string_equal(ja, jb);
    free(ja);
    free(jb);
    result_free(a);
    result_free(b);
    mem_free(amender);
    reg_close(reg);
}

static void test_cross_rules_follow_policy(void **state)
{
    (void)state;
    dsc_registry *reg = open_new();
    char *amender = amender_page();
    record(reg, amender, AMENDER_URL);
    char *path = write_file(tmpdir, "cross.xml",
                            XMLDECL "<policy version=\"1\">\n<rules>\n"
                                    "  <rule id=\"validity-amended-unmarked\" severity=\"error\"/>\n"
                                    "  <rule id=\"interpretation-unresolved\" severity=\"off\"/>\n"
                                    "</rules>\n</policy>\n");
    dsc_policy *p = NULL;
    dsc_error err;
    assert_int_equal(dsc_policy_load(path, &p, &err), DSC_OK);
    track(p, LIVE_POLICY);
    dsc_result *r = check_html_with(p, BASE_PAGE, strlen(BASE_PAGE), NULL, BASE_URL, day_of(TODAY));
    dsc_registry_check_page(reg, r);
    assert_finding(r, "validity-amended-unmarked", "validity", DSC_SEV_ERROR);
    assert_no_rule(r, "interpretation-unresolved");
    result_free(r);
    policy_free(p);
    mem_free(path);
    mem_free(amender);
    reg_close(reg);
}

/* ---- serve time ---- */

static void test_page_status(void **state)
{
    (void)state;
    dsc_registry *reg = open_new();
    dsc_page_status *st = NULL;
    dsc_error err;

    /* a page the registry does not hold: nothing known */
    assert_int_equal(dsc_registry_page_status(reg, BASE_URL, &st, &err), DSC_OK);
    assert_null(st->status);
    assert_null(st->status_by);
    assert_int_equal(st->ninterpretations, 0);
    dsc_page_status_free(st);

    record(reg, BASE_PAGE, BASE_URL);
    record(reg, INTERP_PAGE, INTERP_URL);
    char *amender = amender_page();
    record(reg, amender, AMENDER_URL);
    assert_int_equal(dsc_registry_page_status(reg, BASE_URL, &st, &err), DSC_OK);
    assert_string_equal(st->status, "已修改");
    assert_string_equal(st->status_by, AMENDER_URL);
    assert_string_equal(st->status_by_number, "某政办发〔2024〕21号");
    assert_string_equal(st->status_by_title, "某市人民政府办公室关于修改政务公开管理办法的决定");
    assert_string_equal(st->status_by_date, "2024-09-02");
    assert_int_equal(st->ninterpretations, 1);
    assert_string_equal(st->interpretation_urls[0], INTERP_URL);
    assert_string_equal(st->interpretation_titles[0], INTERP_TITLE);
    assert_int_equal(st->changed, dsc_registry_generation(reg));
    long long before = st->changed;
    dsc_page_status_free(st);

    /* a repeal outranks the amendment */
    char *repealer = repealer_page();
    record(reg, repealer, REPEALER_URL);
    assert_int_equal(dsc_registry_page_status(reg, BASE_URL, &st, &err), DSC_OK);
    assert_string_equal(st->status, "废止");
    assert_string_equal(st->status_by, REPEALER_URL);
    assert_string_equal(st->status_by_number, "某政办发〔2025〕3号");
    assert_string_equal(st->status_by_date, "2025-01-10");
    assert_true(st->changed > before);
    dsc_page_status_free(st);

    /* by path, from another host name */
    assert_int_equal(dsc_registry_page_status(reg, "http://localhost/zwgk/zcwj/202403/t20240308_1.html", &st, &err),
                     DSC_OK);
    assert_string_equal(st->status, "废止");
    dsc_page_status_free(st);

    /* the repealing document has no status of its own */
    assert_int_equal(dsc_registry_page_status(reg, REPEALER_URL, &st, &err), DSC_OK);
    assert_null(st->status);
    dsc_page_status_free(st);

    /* recording the repealed page after its repealer still marks it */
    dsc_registry *reg2 = open_new();
    record(reg2, repealer, REPEALER_URL);
    record(reg2, BASE_PAGE, BASE_URL);
    assert_int_equal(dsc_registry_page_status(reg2, BASE_URL, &st, &err), DSC_OK);
    assert_string_equal(st->status, "废止");
    assert_string_equal(st->status_by, REPEALER_URL);
    dsc_page_status_free(st);

    assert_int_equal(dsc_registry_page_status(reg, NULL, &st, &err), DSC_ERR_ARG);
    assert_null(st);
    mem_free(repealer);
    mem_free(amender);
    reg_close(reg2);
    reg_close(reg);
}

/* ---- the change counter ---- */

static void test_generation_grows(void **state)
{
    (void)state;
    char *path = new_path("gen");
    dsc_registry *reg = open_at(path, 0, 2000);
    long long g0 = dsc_registry_generation(reg);
    assert_true(g0 >= 0);
    record(reg, BASE_PAGE, BASE_URL);
    long long g1 = dsc_registry_generation(reg);
    assert_true(g1 > g0);
    record(reg, BASE_PAGE, BASE_URL); /* the same page again is still a write */
    long long g2 = dsc_registry_generation(reg);
    assert_true(g2 > g1);

    /* reading changes nothing */
    dsc_result *r = cross(reg, INTERP_PAGE, INTERP_URL);
    result_free(r);
    dsc_page_status *st = NULL;
    dsc_error err;
    assert_int_equal(dsc_registry_page_status(reg, BASE_URL, &st, &err), DSC_OK);
    dsc_page_status_free(st);
    assert_int_equal(dsc_registry_generation(reg), g2);

    /* other handles and other programs see and make changes too */
    dsc_registry *other = open_at(path, 1, 2000);
    assert_int_equal(dsc_registry_generation(other), g2);
    record(reg, INTERP_PAGE, INTERP_URL);
    long long g3 = dsc_registry_generation(other);
    assert_true(g3 > g2);
    sqlite3 *db = raw_open(path);
    raw_exec(db, "DELETE FROM documents WHERE kind = 'interpretation'");
    assert_true(dsc_registry_generation(reg) > g3);
    db_close(db);
    reg_close(other);
    reg_close(reg);
    mem_free(path);
}

/* ---- schema migrations ---- */

/* The schema of version 1 as released: never edit. */
#define V1_DDL \
    "CREATE TABLE documents (url TEXT PRIMARY KEY, path TEXT NOT NULL, kind TEXT NOT NULL," \
    " title TEXT, doc_number TEXT, issuer TEXT, pub_date TEXT, validity TEXT, expiry_date TEXT," \
    " page_json TEXT NOT NULL, content_hash TEXT, first_seen INTEGER NOT NULL," \
    " last_seen INTEGER NOT NULL, status TEXT, status_by TEXT);" \
    "CREATE INDEX documents_path ON documents(path);" \
    "CREATE INDEX documents_doc_number ON documents(doc_number);" \
    "CREATE TABLE relations (src TEXT NOT NULL REFERENCES documents(url) ON DELETE CASCADE," \
    " rel TEXT NOT NULL CHECK (rel IN ('interpretation','interprets','repeals','amends','repealed_by','amended_by'))," \
    " target TEXT NOT NULL, PRIMARY KEY (src, rel, target));" \
    "CREATE INDEX relations_target ON relations(target, rel);" \
    "PRAGMA user_version = 1;"

static void test_migration_from_v1(void **state)
{
    (void)state;
    assert_int_equal(dsc_registry_schema_version(), 3);
    char *path = new_path("v1");
    sqlite3 *db = raw_open(path);
    raw_exec(db, V1_DDL);
    raw_exec(db, "INSERT INTO documents(url, path, kind, title, doc_number, page_json, first_seen, last_seen)"
                 " VALUES ('" INTERP_URL "', '/zcjd/202403/t20240309_1.html', 'interpretation', '" INTERP_TITLE "',"
                 " NULL, '{}', 1, 1);"
                 "INSERT INTO relations(src, rel, target) VALUES ('" INTERP_URL "', 'interprets',"
                 " '/zwgk/zcwj/202403/t20240308_1.html');");
    db_close(db);

    /* a read-only handle leaves the file as it is */
    dsc_registry *ro = open_at(path, 1, 2000);
    assert_int_equal(dsc_registry_generation(ro), -1);
    reg_close(ro);

    dsc_registry *reg = open_at(path, 0, 2000);
    db = raw_open(path);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), 3);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM documents"), 1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN"
                                 " ('generation', 'scans', 'findings', 'publishing') AND type = 'table'"),
                     4);
    assert_true(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'findings'") >= 1);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"), 6);
    db_close(db);
    assert_true(dsc_registry_holds(reg, INTERP_URL));
    long long g = dsc_registry_generation(reg);
    assert_true(g >= 0);

    /* the old row takes part in the rules and the status */
    dsc_page_status *st = NULL;
    dsc_error err;
    assert_int_equal(dsc_registry_page_status(reg, BASE_URL, &st, &err), DSC_OK);
    assert_int_equal(st->ninterpretations, 1);
    dsc_page_status_free(st);
    record(reg, BASE_PAGE, BASE_URL);
    assert_true(dsc_registry_generation(reg) > g);
    reg_close(reg);

    /* opening again is a no-op */
    reg = open_at(path, 0, 2000);
    assert_true(dsc_registry_holds(reg, BASE_URL));
    reg_close(reg);
    mem_free(path);
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    char *path = new_path("v99");
    sqlite3 *db = raw_open(path);
    raw_exec(db, "CREATE TABLE t(x); PRAGMA user_version = 99;");
    db_close(db);
    for (int readonly = 0; readonly < 2; readonly++) {
        dsc_registry *reg = (dsc_registry *)&reg;
        dsc_error err;
        assert_int_equal(dsc_registry_open(path, readonly, 500, &reg, &err), DSC_ERR_IO);
        assert_null(reg);
        assert_non_null(strstr(err.message, "newer"));
    }
    mem_free(path);
}

/* ---- failures: locked, not a database ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_busy_registry(void **state)
{
    (void)state;
    char *path = new_path("busy");
    dsc_registry *reg = open_at(path, 0, 300);
    record(reg, INTERP_PAGE, INTERP_URL);

    sqlite3 *db = raw_open(path);
    raw_exec(db, "BEGIN EXCLUSIVE");
    dsc_result *r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    dsc_error err;
    double t0 = now_s();
    dsc_status st = dsc_registry_record(reg, r, "hash", 1700000000, &err);
    double waited = now_s() - t0;
    assert_int_equal(st, DSC_ERR_IO);
    assert_int_equal(err.code, DSC_ERR_IO);
    assert_non_null(strstr(err.message, "locked"));
    assert_non_null(strstr(err.message_zh, "锁定"));
    assert_string_equal(err.file, path);
    assert_true(waited >= 0.2);
    assert_true(waited < 5.0);

    /* readers are not blocked (WAL), and find the page not recorded */
    assert_false(dsc_registry_holds(reg, BASE_URL));
    dsc_registry_check_page(reg, r);
    assert_no_rule(r, "interpretation-not-reciprocal");

    raw_exec(db, "COMMIT");
    assert_int_equal(dsc_registry_record(reg, r, "hash", 1700000000, &err), DSC_OK);
    assert_true(dsc_registry_holds(reg, BASE_URL));
    result_free(r);
    reg_close(reg);
    db_close(db);

    /* a file locked before it is a registry: opening gives up too */
    char *fresh = new_path("busy-new");
    db = raw_open(fresh);
    raw_exec(db, "BEGIN EXCLUSIVE; CREATE TABLE t(x);");
    dsc_registry *blocked = (dsc_registry *)&blocked;
    t0 = now_s();
    st = dsc_registry_open(fresh, 0, 300, &blocked, &err);
    waited = now_s() - t0;
    assert_int_equal(st, DSC_ERR_IO);
    assert_null(blocked);
    assert_non_null(strstr(err.message, "locked"));
    assert_true(waited < 5.0);
    raw_exec(db, "COMMIT");
    db_close(db);
    mem_free(fresh);
    mem_free(path);
}

static void test_corrupt_file(void **state)
{
    (void)state;
    char *path = new_path("corrupt");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    unsigned x = 12345;
    for (int i = 0; i < 16384; i++) {
        x = x * 1103515245u + 12345u;
        fputc((int)(x >> 16) & 0xff, f);
    }
    assert_int_equal(fclose(f), 0);
    for (int readonly = 0; readonly < 2; readonly++) {
        dsc_registry *reg = (dsc_registry *)&reg;
        dsc_error err;
        assert_int_equal(dsc_registry_open(path, readonly, 500, &reg, &err), DSC_ERR_IO);
        assert_null(reg);
        assert_int_equal(err.code, DSC_ERR_IO);
        assert_non_null(strstr(err.message, "not a registry database"));
        assert_string_equal(err.file, path);
        assert_true(err.message_zh[0] != '\0');
    }

    /* a real registry whose pages were overwritten: errors, not a crash */
    char *broken = new_path("broken");
    dsc_registry *reg = open_at(broken, 0, 500);
    record(reg, BASE_PAGE, BASE_URL);
    record(reg, INTERP_PAGE, INTERP_URL);
    reg_close(reg);
    f = fopen(broken, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 100, SEEK_SET), 0);
    for (int i = 0; i < 8000; i++)
        fputc(0xA5, f);
    assert_int_equal(fclose(f), 0);
    dsc_error err;
    reg = NULL;
    dsc_status st = dsc_registry_open(broken, 0, 500, &reg, &err);
    if (st == DSC_OK) {
        reg_track(reg, NULL);
        dsc_page_status *ps = NULL;
        dsc_result *r = cross(reg, BASE_PAGE, BASE_URL);
        assert_no_rule(r, "interpretation-unresolved"); /* unknown is not "missing" */
        result_free(r);
        if (dsc_registry_page_status(reg, BASE_URL, &ps, &err) == DSC_OK)
            dsc_page_status_free(ps);
        else
            assert_int_equal(err.code, DSC_ERR_IO);
        reg_close(reg);
    } else {
        assert_int_equal(st, DSC_ERR_IO);
        assert_true(err.message[0] != '\0');
    }

    /* no file at all, read-only */
    char *missing = new_path("missing");
    reg = (dsc_registry *)&reg;
    assert_int_equal(dsc_registry_open(missing, 1, 500, &reg, &err), DSC_ERR_IO);
    assert_null(reg);
    assert_true(err.message[0] != '\0');
    mem_free(missing);
    mem_free(broken);
    mem_free(path);
}

int main(void)
{
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        RTEST(test_unresolved_interpretation_link),
        RTEST(test_unresolved_original_link),
        RTEST(test_not_reciprocal_on_interpretation),
        RTEST(test_not_reciprocal_on_document),
        RTEST(test_interpretation_late),
        RTEST(test_repealed_unmarked),
        RTEST(test_amended_unmarked),
        RTEST(test_compact_result_is_the_same),
        RTEST(test_cross_rules_follow_policy),
        RTEST(test_page_status),
        RTEST(test_generation_grows),
        RTEST(test_migration_from_v1),
        RTEST(test_newer_schema_refused),
        RTEST(test_busy_registry),
        RTEST(test_corrupt_file),
    };
    return cmocka_run_group_tests_name("registry", tests, setup, teardown);
}
