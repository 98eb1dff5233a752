/* robots.txt rules of `disclosure scan` (cli/scan_robots.c): which group
 * applies, longest match, wildcards and the end anchor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../cli/scan_int.h"

static int allowed(const char *robots, const char *path)
{
    robots_rules r = {0};
    robots_parse(robots, strlen(robots), &r);
    int a = robots_allows(&r, path);
    robots_free(&r);
    return a;
}

static void test_star_group(void **state)
{
    (void)state;
    const char *t = "User-agent: *\nDisallow: /private/\n";
    assert_false(allowed(t, "/private/secret.html"));
    assert_true(allowed(t, "/zwgk/a.html"));
    assert_true(allowed(t, "/private"));
}

static void test_own_group_wins(void **state)
{
    (void)state;
    const char *t = "User-agent: *\nDisallow: /\n\nUser-agent: disclosure\nDisallow: /tmp/\n";
    assert_true(allowed(t, "/zwgk/a.html"));
    assert_false(allowed(t, "/tmp/x"));
    /* another robot's group says nothing about us */
    assert_true(allowed("User-agent: Googlebot\nDisallow: /\n", "/a"));
    /* "Disallow:" with no path allows everything */
    assert_true(allowed("User-agent: *\nDisallow:\n", "/a"));
}

static void test_longest_match(void **state)
{
    (void)state;
    const char *t = "User-agent: *\nDisallow: /zwgk/\nAllow: /zwgk/zcwj/\n";
    assert_true(allowed(t, "/zwgk/zcwj/a.html"));
    assert_false(allowed(t, "/zwgk/other.html"));
    /* a tie goes to Allow (RFC 9309), whatever the order */
    assert_true(allowed("User-agent: *\nAllow: /a\nDisallow: /a\n", "/a/b"));
    assert_true(allowed("User-agent: *\nDisallow: /a\nAllow: /a\n", "/a/b"));
}

static void test_wildcards(void **state)
{
    (void)state;
    const char *pdf = "User-agent: *\nDisallow: /*.pdf$\n";
    assert_false(allowed(pdf, "/files/a.pdf"));
    assert_true(allowed(pdf, "/files/a.pdf.html"));
    assert_true(allowed(pdf, "/files/a.html"));
    const char *two = "User-agent: *\nDisallow: /a*b*c\n";
    assert_false(allowed(two, "/axxbyyc/d"));
    assert_true(allowed(two, "/axxcyyb"));
    /* '*' may match nothing; '$' anchors the end */
    assert_false(allowed("User-agent: *\nDisallow: /x*\n", "/x"));
    assert_false(allowed("User-agent: *\nDisallow: /index.html$\n", "/index.html"));
    assert_true(allowed("User-agent: *\nDisallow: /index.html$\n", "/index.html?id=1"));
    assert_false(allowed("User-agent: *\nDisallow: /search?q=*&p=\n", "/search?q=政策&p=2"));
}

static void test_text_ends_at_nul(void **state)
{
    (void)state;
    const char t[] = "User-agent: *\nDisallow: /a/\n\0Disallow: /b/\n";
    robots_rules r = {0};
    robots_parse(t, sizeof t - 1, &r);
    assert_int_equal(r.n, 1);
    assert_true(robots_allows(&r, "/b/x"));
    robots_free(&r);
}

int main(void)
{
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_star_group),   cmocka_unit_test(test_own_group_wins),
        cmocka_unit_test(test_longest_match), cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_text_ends_at_nul),
    };
    return cmocka_run_group_tests_name("robots", tests, NULL, NULL);
}
