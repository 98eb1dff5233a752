/* The serve-time verdict (dsc_result_withheld): every way a page can say
 * 依申请公开 or 不予公开, however a template or an editor writes it, gives a
 * withheld verdict; two labels that disagree give 2 in either order; a
 * compliant page gives 0. This is what the module blocks on. */
#include "helpers.h"

#define HEAD "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>某县关于某事项的请示</title></head><body>\n"
#define TABLE(label, value) "<table><tr><td>索引号：</td><td>000014349/2024-00001</td></tr>" \
    "<tr><td>" label "</td><td>" value "</td></tr></table>\n"
#define TAIL "<p>正文段落。</p></body></html>\n"

static int withheld(const char *html)
{
    dsc_result *r = check_html(html, "https://www.example.gov.cn/zwgk/a.html", day_of("2025-06-30"));
    assert_non_null(r);
    int w = dsc_result_withheld(r);
    result_free(r);
    return w;
}

static void test_label_and_value_variants(void **state)
{
    (void)state;
    static const char *const pages[] = {
        HEAD TABLE("公开属性：", "不予公开") TAIL,
        HEAD TABLE("公开方式：", "不予公开") TAIL,
        HEAD TABLE("公开类型:", "不公开") TAIL,
        HEAD TABLE("公 开 属 性 ：", "依申请公开") TAIL,
        HEAD TABLE("公开&nbsp;属性&nbsp;:", "不予公开") TAIL,
        HEAD TABLE("公开\xe2\x80\x8b属性：", "不予公开") TAIL,                /* U+200B in the label */
        HEAD TABLE("公开属性：", "不予\xe3\x80\x80公开") TAIL,                /* U+3000 */
        HEAD TABLE("公开属性：", "不予\xc2\xa0公开") TAIL,                    /* U+00A0 */
        HEAD TABLE("公开属性：", "不\xe2\x80\x8c予公开") TAIL,                /* U+200C */
        HEAD TABLE("公开属性：", "不\xe2\x80\x8d予公开") TAIL,                /* U+200D */
        HEAD TABLE("公开属性：", "不\xe2\x81\xa0予公开") TAIL,                /* U+2060 */
        HEAD TABLE("公开属性：", "不\xc2\xad予公开") TAIL,                    /* soft hyphen */
        HEAD TABLE("公开属性：", "\xef\xbb\xbf不予公开") TAIL,                /* U+FEFF */
        HEAD TABLE("公开属性：", "&#19981;&#20104;&#20844;&#24320;") TAIL,
        HEAD TABLE("公开属性：", "&#x4E0D;&#x4E88;&#x516C;&#x5F00;") TAIL,
        HEAD TABLE("&#20844;&#24320;&#23646;&#24615;：", "不予公开") TAIL,
        HEAD TABLE("公开属性：", "<span>不予</span><span>公开</span>") TAIL,
        HEAD TABLE("公开属性：", "不予<!-- x -->公开") TAIL,
        HEAD TABLE("公开属性：", "<a href=\"/list?gk=3\">不予公开</a>") TAIL,
        HEAD TABLE("公開屬性：", "不予公開") TAIL,
        HEAD TABLE("公开属性：", "依申請公開") TAIL,
        HEAD TABLE("公开属性：", "【不予公开】") TAIL,
        /* values outside the vocabulary that still say "not public" */
        HEAD TABLE("公开属性：", "不予公开（过程性信息）") TAIL,
        HEAD TABLE("公开属性：", "不予公开 过程性信息") TAIL,
        HEAD TABLE("公开属性：", "(不予公开)") TAIL,
        HEAD TABLE("公开属性：", "免于公开") TAIL,
        HEAD TABLE("公开属性：", "暂不公开") TAIL,
        HEAD TABLE("公开属性：", "涉密") TAIL,
        HEAD TABLE("公开属性：", "内部") TAIL,
        "<!DOCTYPE html>\n<HTML><HEAD><META CHARSET=\"utf-8\"></HEAD><BODY><TABLE><TR><TD>公开属性：</TD>"
        "<TD>不予公开</TD></TR></TABLE></BODY></HTML>",
        HEAD "<dl><dt>公开属性：</dt><dd>不予公开</dd></dl>" TAIL,
        HEAD "<p>索引号：000014349/2024-00001 公开属性：不予公开</p>" TAIL,
        HEAD "<table><tr><th>索引号</th><th>公开属性</th></tr><tr><td>1</td><td>不予公开</td></tr></table>" TAIL,
        HEAD "<noscript><p>公开属性：不予公开</p></noscript>" TAIL,
        HEAD "<template><p>公开属性：不予公开</p></template>" TAIL,
        HEAD "<textarea>公开属性：不予公开</textarea>" TAIL,
        /* the note under the date line, whole or split by tags */
        HEAD "<p>（此件不予公开）</p>" TAIL,
        HEAD "<p>(此件不予公開)</p>" TAIL,
        HEAD "<p>（此件<span>不予</span>公开）</p>" TAIL,
        HEAD "<p>（<b>此件</b>不予公开）</p>" TAIL,
        HEAD "<p>（此<font>件不予公开</font>）</p>" TAIL,
    };
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        int w = withheld(pages[i]);
        if (w == 0)
            print_message("# not withheld: %s\n", pages[i]);
        assert_true(w >= 1);
    }
}

static void test_conflicting_labels_either_order(void **state)
{
    (void)state;
    assert_int_equal(withheld(HEAD TABLE("公开属性：", "主动公开") "<p>（此件不予公开）</p>" TAIL), 2);
    assert_int_equal(withheld(HEAD "<p>（此件不予公开）</p>" TABLE("公开属性：", "主动公开") TAIL), 2);
    assert_int_equal(withheld(HEAD TABLE("公开属性：", "主动公开") TABLE("公开方式：", "依申请公开") TAIL), 2);
    assert_int_equal(withheld(HEAD TABLE("公开方式：", "依申请公开") TABLE("公开属性：", "主动公开") TAIL), 2);
}

/* The readings kept are bounded; a ninth label that disagrees must not be
 * the one dropped. */
static void test_many_labels_keep_the_disagreeing_one(void **state)
{
    (void)state;
    char page[8192];
    size_t o = (size_t)snprintf(page, sizeof page, "%s<table>", HEAD);
    for (int i = 0; i < 12; i++)
        o += (size_t)snprintf(page + o, sizeof page - o, "<tr><td>公开属性：</td><td>主动公开</td></tr>");
    snprintf(page + o, sizeof page - o, "<tr><td>公开属性：</td><td>不予公开</td></tr></table>%s", TAIL);
    assert_int_equal(withheld(page), 2);
    o = (size_t)snprintf(page, sizeof page, "%s", HEAD);
    for (int i = 0; i < 12; i++)
        o += (size_t)snprintf(page + o, sizeof page - o, "<p>（此件公开发布）</p>");
    snprintf(page + o, sizeof page - o, "<p>（此件依申请公开）</p>%s", TAIL);
    assert_int_equal(withheld(page), 2);
}

static void test_public_pages_are_not_withheld(void **state)
{
    (void)state;
    assert_int_equal(withheld(HEAD TABLE("公开属性：", "主动公开") TAIL), 0);
    assert_int_equal(withheld(HEAD TABLE("公开属性：", "删减后公开") "<p>（此件删减后公开）</p>" TAIL), 0);
    assert_int_equal(withheld(HEAD TABLE("公开属性：", "主动公开") "<p>（此件公开发布）</p>" TAIL), 0);
    /* a search form lists every value; a script or a comment is no label */
    assert_int_equal(withheld(HEAD TABLE("公开属性：", "主动公开")
                              "<form>公开方式：<select><option>主动公开</option><option>不予公开</option></select></form>"
                              "<script>var gk = \"公开属性：不予公开\";</script><!-- 公开属性：不予公开 -->" TAIL),
                     0);
    /* prose about the rules is no label either */
    assert_int_equal(withheld(HEAD TABLE("公开属性：", "主动公开")
                              "<p>对拟不予公开或依申请公开的，应当说明理由。此件为通知。</p>" TAIL),
                     0);
}

/* dsc_check_lenient: what serving reads when dsc_check refuses a page. */
static int lenient(const char *data, size_t len, const char *charset)
{
    dsc_input in;
    memset(&in, 0, sizeof in);
    in.data = data;
    in.len = len;
    in.charset = charset;
    in.today = day_of("2025-06-30");
    dsc_result *r = NULL;
    dsc_error err;
    assert_int_equal(dsc_check_lenient(default_policy(), &in, &r, &err), DSC_OK);
    track(r, LIVE_RESULT);
    int w = dsc_result_withheld(r);
    result_free(r);
    return w;
}

static void test_lenient_reading_of_pages_dsc_check_refuses(void **state)
{
    (void)state;
    dsc_input in;
    dsc_result *r = NULL;
    dsc_error err;
    /* GBK bytes (不予公开 = B2BB D3E8 B9AB BFAA) under <meta charset="utf-8"> */
    static const char gbk[] = "<html><head><meta charset=\"utf-8\"></head><body><table><tr><td>\xb9\xab\xbf\xaa\xca\xf4\xd0\xd4"
                              "\xa3\xba</td><td>\xb2\xbb\xd3\xe8\xb9\xab\xbf\xaa</td></tr></table></body></html>";
    memset(&in, 0, sizeof in);
    in.data = gbk;
    in.len = sizeof gbk - 1;
    assert_int_equal(dsc_check(default_policy(), &in, &r, &err), DSC_ERR_DECODE);
    assert_int_equal(lenient(gbk, sizeof gbk - 1, NULL), 1);
    /* one stray byte in a UTF-8 page, and a character cut at the end */
    static const char bad[] = HEAD TABLE("公开属性：", "不予公开") "<p>\xff正文</p></body></html>\xe5\x85";
    assert_int_equal(dsc_check(default_policy(), &(dsc_input){bad, sizeof bad - 1, NULL, NULL, NULL, 0}, &r, &err),
                     DSC_ERR_DECODE);
    assert_int_equal(lenient(bad, sizeof bad - 1, NULL), 1);
    /* UTF-8 bytes under a wrong HTTP charset (AddDefaultCharset ISO-8859-1):
     * dsc_check reads mojibake and finds nothing; serving reads it both ways */
    static const char utf8[] = HEAD TABLE("公开属性：", "依申请公开") TAIL;
    assert_int_equal(lenient(utf8, sizeof utf8 - 1, "ISO-8859-1"), 1);
    /* an unknown declared charset */
    assert_int_equal(lenient(utf8, sizeof utf8 - 1, "x-no-such-charset"), 1);
    /* and a compliant page stays compliant */
    static const char ok[] = HEAD TABLE("公开属性：", "主动公开") TAIL;
    assert_int_equal(lenient(ok, sizeof ok - 1, "ISO-8859-1"), 0);
    assert_int_equal(lenient(ok, sizeof ok - 1, NULL), 0);
}

int main(void)
{
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        TEST(test_label_and_value_variants),
        TEST(test_conflicting_labels_either_order),
        TEST(test_many_labels_keep_the_disagreeing_one),
        TEST(test_public_pages_are_not_withheld),
        TEST(test_lenient_reading_of_pages_dsc_check_refuses),
    };
    return cmocka_run_group_tests_name("withheld", tests, helpers_setup, helpers_teardown);
}
