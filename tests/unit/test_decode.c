/* Decoding: charset detection (declared, BOM, <meta>, default, fallback) and
 * conversion to UTF-8, and the errors for bad bytes and unknown charsets.
 * GBK / GB18030 / UTF-16 bytes are produced with iconv, never typed. */
#include <errno.h>
#include <iconv.h>

#include "helpers.h"
#include "decode.h"

/* utf8 converted to charset cs with iconv; *outlen gets its length. */
static char *encode(const char *cs, const char *utf8, size_t *outlen)
{
    iconv_t cd = iconv_open(cs, "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t inleft = strlen(utf8), cap = inleft * 4 + 16, outleft = cap;
    char *out = track(malloc(cap), LIVE_MEM);
    assert_non_null(out);
    char *in = (char *)utf8, *o = out;
    size_t rc = iconv(cd, &in, &inleft, &o, &outleft);
    iconv_close(cd);
    if (rc == (size_t)-1) {
        mem_free(out);
        print_error("# iconv to %s failed: %s\n", cs, strerror(errno));
        fail();
    }
    *outlen = cap - outleft;
    return out;
}

/* a + b as one buffer */
static char *concat(const char *a, size_t an, const char *b, size_t bn, size_t *len)
{
    char *r = track(malloc(an + bn + 1), LIVE_MEM);
    assert_non_null(r);
    memcpy(r, a, an);
    memcpy(r + an, b, bn);
    r[an + bn] = '\0';
    *len = an + bn;
    return r;
}

#define PAGE_BODY \
    "<title>关于做好政务公开工作的通知</title>\n</head><body>\n" \
    "<table><tr><td>索引号：</td><td>000014349/2017-00110</td></tr>\n" \
    "<tr><td>发文机关：</td><td>国务院办公厅</td></tr></table>\n" \
    "<p>各省、自治区、直辖市人民政府：请认真贯彻执行。</p>\n</body></html>\n"
#define PAGE(meta) "<!DOCTYPE html>\n<html><head>\n" meta "\n" PAGE_BODY
#define TITLE "关于做好政务公开工作的通知"

/* dsc_decode with the default policy's default and fallback charsets */
static dsc_status decode(const char *data, size_t len, const char *declared, dsc_decoded *out,
                         dsc_error *err)
{
    memset(err, 0, sizeof *err);
    return dsc_decode(data, len, declared, "UTF-8", "GB18030", out, err);
}

static void expect_decoded_at(const char *data, size_t len, const char *declared,
                              const char *want_utf8, const char *want_cs, const char *want_src,
                              const char *file, int line)
{
    dsc_decoded d;
    dsc_error err;
    dsc_status st = decode(data, len, declared, &d, &err);
    if (st != DSC_OK) {
        print_error("# dsc_decode: %s: %s\n", dsc_status_name(st), err.message);
        _fail(file, line);
    }
    int ok = d.len == strlen(want_utf8) && memcmp(d.utf8, want_utf8, d.len) == 0 &&
             d.utf8[d.len] == '\0' && strcmp(d.charset, want_cs) == 0 && d.source &&
             strcmp(d.source, want_src) == 0;
    if (!ok) {
        print_error("# decoded %zu bytes as %s (source %s), expected %zu bytes as %s (source %s)%s\n",
                    d.len, d.charset, d.source ? d.source : "NULL", strlen(want_utf8), want_cs,
                    want_src,
                    d.len == strlen(want_utf8) && memcmp(d.utf8, want_utf8, d.len) == 0
                        ? ""
                        : "; the text differs");
        dsc_decoded_free(&d);
        _fail(file, line);
    }
    dsc_decoded_free(&d);
}
#define expect_decoded(data, len, declared, utf8, cs, src) \
    expect_decoded_at((data), (len), (declared), (utf8), (cs), (src), __FILE__, __LINE__)

static void expect_decode_error_at(const char *data, size_t len, const char *declared,
                                   dsc_status want, long want_offset, const char *file, int line)
{
    dsc_decoded d;
    dsc_error err;
    dsc_status st = decode(data, len, declared, &d, &err);
    if (st == DSC_OK)
        dsc_decoded_free(&d);
    if (st != want || err.code != want || (want == DSC_ERR_DECODE && err.offset != want_offset)) {
        print_error("# dsc_decode: %s (err.code %s, offset %ld), expected %s at offset %ld: %s\n",
                    dsc_status_name(st), dsc_status_name(err.code), err.offset,
                    dsc_status_name(want), want_offset, err.message);
        _fail(file, line);
    }
    if (!err.message[0] || !err.message_zh[0]) {
        print_error("# the error has no message\n");
        _fail(file, line);
    }
}
#define expect_decode_error(data, len, declared, want, offset) \
    expect_decode_error_at((data), (len), (declared), (want), (offset), __FILE__, __LINE__)

/* dsc_check on raw bytes, expecting an error */
static void expect_check_error_at(const char *data, size_t len, const char *charset,
                                  dsc_status want, long want_offset, const char *file, int line)
{
    dsc_input in;
    memset(&in, 0, sizeof in);
    in.data = data;
    in.len = len;
    in.charset = charset;
    in.today = day_of("2025-01-01");
    dsc_result *res = (dsc_result *)&in; /* must be reset to NULL */
    dsc_error err;
    dsc_status st = dsc_check(default_policy(), &in, &res, &err);
    if (st != want || res != NULL || err.code != want ||
        (want == DSC_ERR_DECODE && err.offset != want_offset)) {
        print_error("# dsc_check: %s (offset %ld, result %p), expected %s at %ld: %s\n",
                    dsc_status_name(st), err.offset, (void *)res, dsc_status_name(want),
                    want_offset, err.message);
        if (st == DSC_OK && res)
            result_free(res);
        _fail(file, line);
    }
}
#define expect_check_error(data, len, cs, want, offset) \
    expect_check_error_at((data), (len), (cs), (want), (offset), __FILE__, __LINE__)

/* ---------------------------------------------------------------- */

static void test_utf8_default(void **state)
{
    (void)state;
    const char *p = PAGE("");
    expect_decoded(p, strlen(p), NULL, p, "UTF-8", "default");
    dsc_result *r = check_html(p, NULL, day_of("2025-01-01"));
    assert_string_equal(dsc_result_charset(r), "UTF-8");
    assert_field(r, DSC_F_TITLE, TITLE);
    assert_field(r, DSC_F_ISSUER, "国务院办公厅");
    result_free(r);
}

static void test_utf8_meta(void **state)
{
    (void)state;
    const char *p = PAGE("<meta charset=\"utf-8\">");
    expect_decoded(p, strlen(p), NULL, p, "UTF-8", "meta");
    p = PAGE("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\">");
    expect_decoded(p, strlen(p), NULL, p, "UTF-8", "meta");
}

static void test_gbk_meta_charset(void **state)
{
    (void)state;
    const char *p = PAGE("<meta charset=gbk>");
    size_t n;
    char *gbk = encode("GB18030", p, &n);
    assert_true(n < strlen(p)); /* two bytes a character instead of three */
    assert_null(memmem(gbk, n, TITLE, strlen(TITLE)));
    expect_decoded(gbk, n, NULL, p, "GB18030", "meta");

    dsc_result *r = check_html_with(default_policy(), gbk, n, NULL, NULL, day_of("2025-01-01"));
    assert_string_equal(dsc_result_charset(r), "GB18030");
    assert_field(r, DSC_F_TITLE, TITLE);
    assert_field(r, DSC_F_INDEX_NO, "000014349/2017-00110");
    assert_field(r, DSC_F_ISSUER, "国务院办公厅");
    result_free(r);
    mem_free(gbk);

    /* quoted, upper case */
    p = PAGE("<meta charset=\"GBK\" />");
    gbk = encode("GB18030", p, &n);
    expect_decoded(gbk, n, NULL, p, "GB18030", "meta");
    mem_free(gbk);
}

static void test_gb2312_http_equiv(void **state)
{
    (void)state;
    const char *p = PAGE("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">");
    size_t n;
    char *gbk = encode("GB18030", p, &n);
    expect_decoded(gbk, n, NULL, p, "GB18030", "meta");
    mem_free(gbk);
}

static void test_http_equiv_swapped(void **state)
{
    (void)state;
    const char *p = PAGE("<meta content=\"text/html; charset=gb2312\" http-equiv=\"Content-Type\">");
    size_t n;
    char *gbk = encode("GB18030", p, &n);
    expect_decoded(gbk, n, NULL, p, "GB18030", "meta");
    dsc_result *r = check_html_with(default_policy(), gbk, n, NULL, NULL, day_of("2025-01-01"));
    assert_string_equal(dsc_result_charset(r), "GB18030");
    assert_field(r, DSC_F_TITLE, TITLE);
    result_free(r);
    mem_free(gbk);

    /* upper case, unquoted, no space after ; */
    p = PAGE("<META CONTENT=\"text/html;charset=GBK\" HTTP-EQUIV=Content-Type>");
    gbk = encode("GB18030", p, &n);
    expect_decoded(gbk, n, NULL, p, "GB18030", "meta");
    mem_free(gbk);
}

static void test_prescan(void **state)
{
    (void)state;
    static const struct {
        const char *html, *want;
    } cases[] = {
        {"<html><head><meta charset=gbk></head>", "gbk"},
        {"<html><head><meta charset=\"gb2312\"></head>", "gb2312"},
        {"<html><head><meta charset='utf-8'/></head>", "utf-8"},
        {"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">", "gb2312"},
        {"<meta content=\"text/html; charset=gb2312\" http-equiv=\"Content-Type\">", "gb2312"},
        {"<META HTTP-EQUIV=\"content-type\" CONTENT=\"text/html; charset=GBK\">", "GBK"},
        /* a meta tag in a comment is no declaration */
        {"<!-- <meta charset=big5> --><meta charset=gbk>", "gbk"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64] = "";
        int found = dsc_charset_prescan(cases[i].html, strlen(cases[i].html), out, sizeof out);
        if (!found || strcmp(out, cases[i].want) != 0) {
            print_error("# prescan of %s: found %d \"%s\", expected \"%s\"\n", cases[i].html, found,
                        out, cases[i].want);
            fail();
        }
    }
    char out[64];
    /* content without http-equiv is not a declaration */
    const char *s = "<meta name=\"description\" content=\"charset=gbk\">";
    assert_int_equal(dsc_charset_prescan(s, strlen(s), out, sizeof out), 0);
    s = "<html><head><title>无声明</title></head>";
    assert_int_equal(dsc_charset_prescan(s, strlen(s), out, sizeof out), 0);
    /* only the first 1024 bytes are looked at */
    char big[2048];
    memset(big, ' ', sizeof big);
    memcpy(big, "<html>", 6);
    memcpy(big + 1100, "<meta charset=gbk>", 18);
    assert_int_equal(dsc_charset_prescan(big, sizeof big, out, sizeof out), 0);
}

static void test_gb18030_four_byte(void **state)
{
    (void)state;
    /* U+20BB7 (𠮷) is not in GBK: GB18030 writes it in four bytes */
    size_t n;
    char *ch = encode("GB18030", "\xF0\xA0\xAE\xB7", &n);
    assert_int_equal(n, 4);
    unsigned char *u = (unsigned char *)ch;
    assert_true(u[0] >= 0x81 && u[0] <= 0xFE && u[1] >= 0x30 && u[1] <= 0x39);
    assert_true(u[2] >= 0x81 && u[2] <= 0xFE && u[3] >= 0x30 && u[3] <= 0x39);
    mem_free(ch);

    const char *p = "<!DOCTYPE html>\n<html><head><meta charset=\"gb18030\">\n"
                    "<title>关于\xF0\xA0\xAE\xB7" "家村道路改造的公告</title></head>\n"
                    "<body><p>发布机构：\xF0\xA0\xAE\xB7" "家村村民委员会</p></body></html>\n";
    char *gb = encode("GB18030", p, &n);
    expect_decoded(gb, n, NULL, p, "GB18030", "meta");
    dsc_result *r = check_html_with(default_policy(), gb, n, NULL, NULL, day_of("2025-01-01"));
    assert_field(r, DSC_F_TITLE, "关于\xF0\xA0\xAE\xB7" "家村道路改造的公告");
    assert_field(r, DSC_F_ISSUER, "\xF0\xA0\xAE\xB7" "家村村民委员会");
    result_free(r);
    mem_free(gb);
}

static void test_bom_utf8(void **state)
{
    (void)state;
    const char *p = PAGE("");
    size_t n;
    char *b = concat("\xEF\xBB\xBF", 3, p, strlen(p), &n);
    expect_decoded(b, n, NULL, p, "UTF-8", "bom"); /* the BOM is gone */
    mem_free(b);

    /* the BOM wins over a <meta> that says otherwise */
    p = PAGE("<meta charset=gbk>");
    b = concat("\xEF\xBB\xBF", 3, p, strlen(p), &n);
    expect_decoded(b, n, NULL, p, "UTF-8", "bom");
    dsc_result *r = check_html_with(default_policy(), b, n, NULL, NULL, day_of("2025-01-01"));
    assert_string_equal(dsc_result_charset(r), "UTF-8");
    assert_field(r, DSC_F_TITLE, TITLE);
    result_free(r);
    mem_free(b);
}

static void test_bom_utf16le(void **state)
{
    (void)state;
    const char *p = PAGE("<meta charset=\"utf-16\">");
    size_t n, m;
    char *u16 = encode("UTF-16LE", p, &n);
    assert_int_equal(n % 2, 0);
    char *b = concat("\xFF\xFE", 2, u16, n, &m);
    expect_decoded(b, m, NULL, p, "UTF-16LE", "bom");
    dsc_result *r = check_html_with(default_policy(), b, m, NULL, NULL, day_of("2025-01-01"));
    assert_string_equal(dsc_result_charset(r), "UTF-16LE");
    assert_field(r, DSC_F_TITLE, TITLE);
    assert_field(r, DSC_F_INDEX_NO, "000014349/2017-00110");
    result_free(r);
    mem_free(b);
    mem_free(u16);

    /* UTF-16BE with its BOM too */
    u16 = encode("UTF-16BE", p, &n);
    b = concat("\xFE\xFF", 2, u16, n, &m);
    expect_decoded(b, m, NULL, p, "UTF-16BE", "bom");
    mem_free(b);
    mem_free(u16);
}

static void test_declared_overrides_meta(void **state)
{
    (void)state;
    /* GBK bytes under a wrong <meta charset=utf-8>, with the HTTP charset right */
    const char *p = PAGE("<meta charset=\"utf-8\">");
    size_t n;
    char *gbk = encode("GB18030", p, &n);
    expect_decoded(gbk, n, "gbk", p, "GB18030", "declared");
    expect_decoded(gbk, n, "GB2312", p, "GB18030", "declared");
    dsc_result *r = check_html_with(default_policy(), gbk, n, "gbk", NULL, day_of("2025-01-01"));
    assert_string_equal(dsc_result_charset(r), "GB18030");
    assert_field(r, DSC_F_TITLE, TITLE);
    result_free(r);
    mem_free(gbk);

    /* UTF-8 bytes under a wrong <meta charset=gbk>, declared utf-8 */
    p = PAGE("<meta charset=gbk>");
    expect_decoded(p, strlen(p), "utf-8", p, "UTF-8", "declared");
    expect_decoded(p, strlen(p), " UTF-8 ", p, "UTF-8", "declared");
}

static void test_fallback(void **state)
{
    (void)state;
    /* undeclared GBK: the default (UTF-8) fails, the fallback (GB18030) reads it */
    const char *p = PAGE("");
    size_t n;
    char *gbk = encode("GB18030", p, &n);
    expect_decoded(gbk, n, NULL, p, "GB18030", "fallback");
    dsc_result *r = check_html_with(default_policy(), gbk, n, NULL, NULL, day_of("2025-01-01"));
    assert_string_equal(dsc_result_charset(r), "GB18030");
    assert_field(r, DSC_F_TITLE, TITLE);
    result_free(r);
    mem_free(gbk);
}

static void test_truncated_utf8(void **state)
{
    (void)state;
    /* the page ends in the first two of the three bytes of 中 */
    const char *p = PAGE("<meta charset=\"utf-8\">");
    size_t n;
    char *b = concat(p, strlen(p), "\xE4\xB8", 2, &n);
    expect_decode_error(b, n, "utf-8", DSC_ERR_DECODE, (long)strlen(p));
    expect_decode_error(b, n, NULL, DSC_ERR_DECODE, (long)strlen(p)); /* from the <meta> */
    expect_check_error(b, n, "utf-8", DSC_ERR_DECODE, (long)strlen(p));
    mem_free(b);
    /* a four-byte sequence cut after three */
    b = concat(p, strlen(p), "\xF0\xA0\xAE", 3, &n);
    expect_decode_error(b, n, "utf-8", DSC_ERR_DECODE, (long)strlen(p));
    mem_free(b);
}

static void test_truncated_gbk(void **state)
{
    (void)state;
    const char *p = PAGE("<meta charset=gbk>");
    size_t n, m;
    char *gbk = encode("GB18030", p, &n);
    char *zhong = encode("GB18030", "中", &m);
    assert_int_equal(m, 2);
    char *b = concat(gbk, n, zhong, 1, &m); /* the lead byte only */
    expect_decode_error(b, m, "gbk", DSC_ERR_DECODE, (long)n);
    expect_decode_error(b, m, NULL, DSC_ERR_DECODE, (long)n); /* from the <meta> */
    expect_check_error(b, m, NULL, DSC_ERR_DECODE, (long)n);
    mem_free(b);
    mem_free(zhong);
    /* a four-byte GB18030 sequence cut after two */
    char *four = encode("GB18030", "\xF0\xA0\xAE\xB7", &m);
    b = concat(gbk, n, four, 2, &m);
    expect_decode_error(b, m, "gb18030", DSC_ERR_DECODE, (long)n);
    mem_free(b);
    mem_free(four);
    mem_free(gbk);
}

static void test_invalid_utf8_mid_page(void **state)
{
    (void)state;
    static const char *const bad[] = {"\xFF", "\x80", "\xC0\xAF", "\xED\xA0\x80", "\xE4\x41\x42"};
    const char *head = PAGE("<meta charset=\"utf-8\">");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n, m;
        char *a = concat(head, strlen(head), bad[i], strlen(bad[i]), &n);
        char *b = concat(a, n, "<p>后续内容</p>\n", strlen("<p>后续内容</p>\n"), &m);
        expect_decode_error(b, m, "utf-8", DSC_ERR_DECODE, (long)strlen(head));
        expect_check_error(b, m, NULL, DSC_ERR_DECODE, (long)strlen(head));
        mem_free(a);
        mem_free(b);
    }
}

static void test_invalid_gbk_mid_page(void **state)
{
    (void)state;
    const char *p = PAGE("<meta charset=gbk>");
    size_t n, m, t;
    char *gbk = encode("GB18030", p, &n);
    char *tail = encode("GB18030", "<p>后续内容</p>\n", &t);
    char *a = concat(gbk, n, "\xFF", 1, &m);
    char *b = concat(a, m, tail, t, &m);
    expect_decode_error(b, m, "gbk", DSC_ERR_DECODE, (long)n);
    expect_check_error(b, m, "gbk", DSC_ERR_DECODE, (long)n);
    mem_free(a);
    mem_free(b);
    mem_free(tail);
    mem_free(gbk);
}

static void test_unknown_charset(void **state)
{
    (void)state;
    const char *p = PAGE("");
    expect_decode_error(p, strlen(p), "x-no-such-charset", DSC_ERR_CHARSET, -1);
    expect_decode_error(p, strlen(p), "utf-8\"><script>", DSC_ERR_CHARSET, -1);
    expect_check_error(p, strlen(p), "x-no-such-charset", DSC_ERR_CHARSET, -1);
    p = PAGE("<meta charset=\"klingon-8\">");
    expect_decode_error(p, strlen(p), NULL, DSC_ERR_CHARSET, -1);
    expect_check_error(p, strlen(p), NULL, DSC_ERR_CHARSET, -1);

    char buf[64];
    assert_null(dsc_charset_canonical("x-no-such-charset", buf, sizeof buf));
    assert_string_equal(dsc_charset_canonical("GBK", buf, sizeof buf), "GB18030");
    assert_string_equal(dsc_charset_canonical("gb2312", buf, sizeof buf), "GB18030");
    assert_string_equal(dsc_charset_canonical("utf8", buf, sizeof buf), "UTF-8");
}

static void test_empty_page(void **state)
{
    (void)state;
    dsc_decoded d;
    dsc_error err;
    assert_int_equal(decode("", 0, NULL, &d, &err), DSC_OK);
    assert_int_equal(d.len, 0);
    assert_non_null(d.utf8);
    assert_string_equal(d.utf8, "");
    dsc_decoded_free(&d);
    dsc_result *r = check_html("", NULL, day_of("2025-01-01"));
    assert_kind(r, DSC_KIND_OTHER);
    assert_int_equal(dsc_result_nfindings(r), 0);
    result_free(r);
}

int main(void)
{
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        TEST(test_utf8_default),
        TEST(test_utf8_meta),
        TEST(test_gbk_meta_charset),
        TEST(test_gb2312_http_equiv),
        TEST(test_http_equiv_swapped),
        TEST(test_prescan),
        TEST(test_gb18030_four_byte),
        TEST(test_bom_utf8),
        TEST(test_bom_utf16le),
        TEST(test_declared_overrides_meta),
        TEST(test_fallback),
        TEST(test_truncated_utf8),
        TEST(test_truncated_gbk),
        TEST(test_invalid_utf8_mid_page),
        TEST(test_invalid_gbk_mid_page),
        TEST(test_unknown_charset),
        TEST(test_empty_page),
    };
    return cmocka_run_group_tests_name("decode", tests, helpers_setup, helpers_teardown);
}
