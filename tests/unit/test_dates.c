/* Dates (dsc_date_parse / dsc_date_format) in every format RULES.md accepts,
 * impossible dates, and the working-day calendar of the default policy. */
#include "helpers.h"

/* parse text and compare the ISO form */
static void expect_date_at(const char *text, const char *iso, const char *file, int line)
{
    int d = -12345;
    int rc = dsc_date_parse(text, &d);
    if (rc != 0) {
        print_error("# dsc_date_parse(\"%s\") = %d, expected 0 (%s)\n", text, rc, iso);
        _fail(file, line);
    }
    char buf[16];
    memset(buf, 'x', sizeof buf);
    dsc_date_format(d, buf);
    if (strcmp(buf, iso) != 0) {
        print_error("# dsc_date_parse(\"%s\") gives %s, expected %s\n", text, buf, iso);
        _fail(file, line);
    }
}
#define expect_date(text, iso) expect_date_at((text), (iso), __FILE__, __LINE__)

static void expect_no_date_at(const char *text, const char *file, int line)
{
    int d = 777;
    int rc = dsc_date_parse(text, &d);
    if (rc != -1) {
        char buf[16];
        dsc_date_format(d, buf);
        print_error("# dsc_date_parse(\"%s\") = %d (%s), expected -1\n", text ? text : "NULL", rc,
                    buf);
        _fail(file, line);
    }
}
#define expect_no_date(text) expect_no_date_at((text), __FILE__, __LINE__)

static void test_date_iso(void **state)
{
    (void)state;
    expect_date("2017-05-12", "2017-05-12");
    expect_date("2017-5-2", "2017-05-02");
    expect_date("2024-02-29", "2024-02-29"); /* leap year */
    expect_date("2000-02-29", "2000-02-29"); /* divisible by 400 */
    expect_date("2017-12-31", "2017-12-31");
    expect_date("1970-01-01", "1970-01-01");
}

static void test_date_chinese(void **state)
{
    (void)state;
    expect_date("2017年5月12日", "2017-05-12");
    expect_date("2017年05月12日", "2017-05-12");
    expect_date("2017年5月2日", "2017-05-02");
}

static void test_date_slash_dot(void **state)
{
    (void)state;
    expect_date("2017/05/12", "2017-05-12");
    expect_date("2017/5/12", "2017-05-12");
    expect_date("2017.05.12", "2017-05-12");
    expect_date("2017.5.12", "2017-05-12");
}

static void test_date_with_time(void **state)
{
    (void)state;
    expect_date("2017-05-12 10:30", "2017-05-12");
    expect_date("2017-05-12 10:30:59", "2017-05-12");
    expect_date("2017-05-12 9:05", "2017-05-12");
    expect_date("2017-05-12T10:30", "2017-05-12");
    expect_date("2017年5月12日 10:30", "2017-05-12");
    expect_date("2017/05/12 23:59", "2017-05-12");
    expect_date("2017.05.12 00:00", "2017-05-12");
}

static void test_date_with_spaces(void **state)
{
    (void)state;
    expect_date(" 2017-05-12 ", "2017-05-12");
    expect_date("\t2017-05-12", "2017-05-12");
    expect_date("\xE3\x80\x80" "2017-05-12" "\xE3\x80\x80", "2017-05-12"); /* U+3000 */
    expect_date("2017年 5月 12日", "2017-05-12");
    expect_date("2017 - 05 - 12", "2017-05-12");
    expect_date("2017-05-12   10:30", "2017-05-12");
}

static void test_date_chinese_spaced(void **state)
{
    (void)state;
    /* spaces around every part, as pages pad 年 月 日 */
    expect_date("2017 年 5 月 12 日", "2017-05-12");
    expect_date("2017年5月12 日", "2017-05-12");
    expect_date("2017年\xE3\x80\x80" "5月\xE3\x80\x80" "12\xE3\x80\x80" "日", "2017-05-12");
}

static void test_date_impossible(void **state)
{
    (void)state;
    expect_no_date("2023-02-29");   /* not a leap year */
    expect_no_date("1900-02-29");   /* divisible by 100, not by 400 */
    expect_no_date("2017-13-01");
    expect_no_date("2017-00-10");
    expect_no_date("2017-05-00");
    expect_no_date("2017-05-32");
    expect_no_date("2017-04-31");
    expect_no_date("2017年2月30日");
    expect_no_date("2017年13月1日");
}

static void test_date_malformed(void **state)
{
    (void)state;
    expect_no_date("20170512");
    expect_no_date("2017年5月");
    expect_no_date("2017-05");
    expect_no_date("17-05-12");
    expect_no_date("2017-05/12");   /* mixed separators */
    expect_no_date("2017年5月12");  /* no 日 */
    expect_no_date("2017-05-12 25:00");
    expect_no_date("2017-05-12 10:60");
    expect_no_date("2017-05-12 abc");
    expect_no_date("2017-05-123");
    expect_no_date("");
    expect_no_date("   ");
    expect_no_date("无");
    expect_no_date("--");
    expect_no_date(NULL);
}

static void test_date_format_roundtrip(void **state)
{
    (void)state;
    char buf[16];
    dsc_date_format(0, buf);
    assert_string_equal(buf, "1970-01-01");
    int d;
    assert_int_equal(dsc_date_parse("2017-05-12", &d), 0);
    assert_int_equal(d, 17298); /* days since 1970-01-01 */
    assert_int_equal(dsc_date_parse("2017年5月13日", &d), 0);
    assert_int_equal(d, 17299);
    /* every day of 2024 (a leap year) formats and parses back */
    int start = day_of("2024-01-01");
    for (int i = 0; i < 366; i++) {
        dsc_date_format(start + i, buf);
        assert_int_equal(strlen(buf), 10);
        assert_int_equal(dsc_date_parse(buf, &d), 0);
        assert_int_equal(d, start + i);
    }
    dsc_date_format(start + 366, buf);
    assert_string_equal(buf, "2025-01-01");
    /* dsc_today is a plausible date */
    assert_true(dsc_today() > day_of("2024-01-01"));
}

/* ---------------- working days ---------------- */

static int working(const char *iso, int *beyond)
{
    *beyond = 0;
    return dsc_is_working_day(default_policy(), day_of(iso), beyond);
}

static void test_calendar_holidays(void **state)
{
    (void)state;
    int beyond;
    /* 国庆节 2024-10-01..10-07 (Tuesday to Monday) */
    static const char *const off[] = {"2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04",
                                      "2024-10-05", "2024-10-06", "2024-10-07"};
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++) {
        if (working(off[i], &beyond) != 0) {
            print_error("# %s is a holiday\n", off[i]);
            fail();
        }
        assert_int_equal(beyond, 0);
    }
    /* 春节 2024-02-10..02-17, 元旦 2024-01-01 (a Monday) */
    assert_int_equal(working("2024-02-12", &beyond), 0);
    assert_int_equal(working("2024-02-16", &beyond), 0);
    assert_int_equal(working("2024-01-01", &beyond), 0);
    assert_int_equal(beyond, 0);
    /* ordinary weekdays around them */
    assert_int_equal(working("2024-09-30", &beyond), 1);
    assert_int_equal(working("2024-10-08", &beyond), 1);
    assert_int_equal(beyond, 0);
}

static void test_calendar_workdays(void **state)
{
    (void)state;
    int beyond;
    /* 调休: Saturday 2024-10-12, Sunday 2024-09-29, Sunday 2024-02-04 */
    assert_int_equal(working("2024-10-12", &beyond), 1);
    assert_int_equal(beyond, 0);
    assert_int_equal(working("2024-09-29", &beyond), 1);
    assert_int_equal(working("2024-02-04", &beyond), 1);
    assert_int_equal(working("2024-02-18", &beyond), 1);
    /* an ordinary weekend */
    assert_int_equal(working("2024-10-19", &beyond), 0);
    assert_int_equal(working("2024-10-20", &beyond), 0);
    assert_int_equal(working("2024-03-09", &beyond), 0);
    assert_int_equal(beyond, 0);
}

static void test_working_days_span(void **state)
{
    (void)state;
    const dsc_policy *p = default_policy();
    int beyond = 7;
    /* after 09-30, up to and including 10-08: only 10-08 */
    assert_int_equal(dsc_working_days(p, day_of("2024-09-30"), day_of("2024-10-08"), &beyond), 1);
    assert_int_equal(beyond, 0);
    /* Friday 09-27 to 10-08: Sunday 09-29 (调休), 09-30, 10-08 */
    assert_int_equal(dsc_working_days(p, day_of("2024-09-27"), day_of("2024-10-08"), &beyond), 3);
    /* the whole break counts nothing */
    assert_int_equal(dsc_working_days(p, day_of("2024-09-30"), day_of("2024-10-07"), &beyond), 0);
    /* 20 and 21 working days from Friday 2024-09-20 (publish-late's limit) */
    assert_int_equal(dsc_working_days(p, day_of("2024-09-20"), day_of("2024-10-23"), &beyond), 20);
    assert_int_equal(dsc_working_days(p, day_of("2024-09-20"), day_of("2024-10-24"), &beyond), 21);
    /* an ordinary week */
    assert_int_equal(dsc_working_days(p, day_of("2024-03-01"), day_of("2024-03-08"), &beyond), 5);
    /* to <= from */
    assert_int_equal(dsc_working_days(p, day_of("2024-03-08"), day_of("2024-03-08"), &beyond), 0);
    assert_int_equal(dsc_working_days(p, day_of("2024-03-08"), day_of("2024-03-01"), &beyond), 0);
    assert_int_equal(beyond, 0);
    /* 2024: 366 days, about 248 to 251 working days (the calendar's own check) */
    int n = dsc_working_days(p, day_of("2023-12-31"), day_of("2024-12-31"), &beyond);
    assert_in_range(n, 248, 251);
    assert_int_equal(beyond, 0);
}

static void test_calendar_beyond(void **state)
{
    (void)state;
    const dsc_policy *p = default_policy();
    int beyond = 0;
    /* 2030 is beyond the calendar: Monday to Friday, and *beyond set */
    assert_int_equal(dsc_is_working_day(p, day_of("2030-01-05"), &beyond), 0); /* Saturday */
    assert_int_equal(beyond, 1);
    beyond = 0;
    assert_int_equal(dsc_is_working_day(p, day_of("2030-01-07"), &beyond), 1); /* Monday */
    assert_int_equal(beyond, 1);
    /* 2030-10-01 is a Tuesday: no holiday known, so a working day */
    beyond = 0;
    assert_int_equal(dsc_is_working_day(p, day_of("2030-10-01"), &beyond), 1);
    assert_int_equal(beyond, 1);

    beyond = 0;
    assert_int_equal(dsc_working_days(p, day_of("2030-01-04"), day_of("2030-01-11"), &beyond), 5);
    assert_int_equal(beyond, 1);
    /* a span that leaves the calendar (it ends 2026-12-31, a Thursday) */
    beyond = 0;
    assert_int_equal(dsc_working_days(p, day_of("2026-12-30"), day_of("2027-01-04"), &beyond), 3);
    assert_int_equal(beyond, 1);
    /* and a span inside it resets the flag */
    assert_int_equal(dsc_working_days(p, day_of("2026-03-02"), day_of("2026-03-03"), &beyond), 1);
    assert_int_equal(beyond, 0);
    /* before the calendar (it starts 2017-01-01) */
    beyond = 0;
    assert_int_equal(dsc_is_working_day(p, day_of("2016-10-03"), &beyond), 1);
    assert_int_equal(beyond, 1);
}

static void test_publish_late_says_beyond(void **state)
{
    (void)state;
    /* publish-late beyond the calendar counts Monday to Friday and says so */
    char *page = mkpage(BASE_PAGE, "<td>2024-03-01</td>", "<td>2030-01-04</td>",
                        "<td>2024-03-08</td>", "<td>2030-02-05</td>",
                        "content=\"2024-03-08 10:00\"", "content=\"2030-02-05 10:00\"", NULL);
    dsc_result *r = check_html(page, BASE_URL, day_of("2030-03-01"));
    mem_free(page);
    const dsc_finding *f = assert_finding(r, "publish-late", "pub_date", DSC_SEV_WARNING);
    /* 2030-01-04 (Fri) to 2030-02-05 (Tue): 22 weekdays */
    assert_non_null(strstr(f->message, "22"));
    assert_non_null(strstr(f->message_en, "Monday to Friday"));
    result_free(r);
}

int main(void)
{
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        TEST(test_date_iso),
        TEST(test_date_chinese),
        TEST(test_date_slash_dot),
        TEST(test_date_with_time),
        TEST(test_date_with_spaces),
        TEST(test_date_chinese_spaced),
        TEST(test_date_impossible),
        TEST(test_date_malformed),
        TEST(test_date_format_roundtrip),
        TEST(test_calendar_holidays),
        TEST(test_calendar_workdays),
        TEST(test_working_days_span),
        TEST(test_calendar_beyond),
        TEST(test_publish_late_says_beyond),
    };
    return cmocka_run_group_tests_name("dates", tests, helpers_setup, helpers_teardown);
}
