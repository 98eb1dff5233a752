/* Every single-page rule of RULES.md: a page that passes and pages that fail,
 * each derived from the compliant BASE_PAGE (helpers.h) with one change, and
 * each failure asserted with its exact rule id, field and default severity.
 * The five cross-page rules are only checked in the catalogue test. */
#include "helpers.h"

#define TODAY "2025-01-01"

/* BASE_PAGE with the (from, to) replacements, checked as of today. */
static dsc_result *variant_on(const char *today, ...)
{
    va_list ap;
    va_start(ap, today);
    char *page = vmkpage(BASE_PAGE, ap);
    va_end(ap);
    dsc_result *r = check_html(page, BASE_URL, day_of(today));
    mem_free(page);
    return r;
}
#define variant(...) variant_on(TODAY, __VA_ARGS__, NULL)
#define variant_at(today, ...) variant_on(today, __VA_ARGS__, NULL)

/* pieces of BASE_PAGE that tests replace */
#define T_ATTR "<td>公开属性：</td><td>主动公开</td>"
#define T_TOPIC "<td>主题分类：</td><td>综合政务/政务公开</td>"
#define T_INDEX "<td>索引号：</td><td>11000000/2024-00012</td>"
#define T_ISSUER "<td>发布机构：</td><td>某市人民政府办公室</td>"
#define T_WRITTEN "<td>成文日期：</td><td>2024-03-01</td>"
#define T_TITLE "<tr><td>标题：</td><td>" BASE_TITLE "</td></tr>"
#define T_DOCNO "<td>文号：</td><td>某政办发〔2024〕5号</td>"
#define T_PUB "<td>发布日期：</td><td>2024-03-08</td>"
#define T_DOCTYPE "<td>公文种类：</td><td>行政规范性文件</td>"
#define T_VALIDITY "<td>有效性：</td><td>有效</td>"
#define T_EFFECTIVE "<td>实施日期：</td><td>2024-04-01</td></tr>"
#define T_BODY_END "<p>2024年3月1日</p>"
#define T_VALIDITY_ROW "<tr><td>有效性：</td>"
#define M_PUBDATE "<meta name=\"PubDate\" content=\"2024-03-08 10:00\">"
#define M_SOURCE "<meta name=\"ContentSource\" content=\"某市人民政府办公室\">"
#define M_TITLE "<meta name=\"ArticleTitle\" content=\"" BASE_TITLE "\">"
#define H_TITLE "<title>" BASE_TITLE "</title>"
#define T_LINK \
    "<a href=\"/zcjd/202403/t20240309_1.html\">《某市政务公开管理办法》政策解读</a>"

/* a row inserted before the 有效性 row */
#define ROW_BEFORE_VALIDITY(label, value) \
    T_VALIDITY_ROW, "<tr><td>" label "</td><td>" value "</td></tr>\n" T_VALIDITY_ROW

/* with an expiry date */
#define WITH_EXPIRY(label, date) \
    T_EFFECTIVE, "<td>实施日期：</td><td>2024-04-01</td></tr>\n<tr><td>" label "</td><td>" date \
                 "</td></tr>"

#define INTERP_URL "https://www.example.gov.cn/zcjd/202403/t20240309_1.html"
#define INTERP_PAGE \
    "<!DOCTYPE html>\n" \
    "<html><head>\n" \
    "<meta charset=\"utf-8\">\n" \
    "<title>《某市政务公开管理办法》政策解读</title>\n" \
    "<meta name=\"SiteName\" content=\"某市人民政府\">\n" \
    "<meta name=\"SiteDomain\" content=\"www.example.gov.cn\">\n" \
    "<meta name=\"SiteIDCode\" content=\"1100000001\">\n" \
    "<meta name=\"ColumnName\" content=\"政策解读\">\n" \
    "<meta name=\"ColumnDescription\" content=\"市政府政策解读\">\n" \
    "<meta name=\"ColumnKeywords\" content=\"政策,解读\">\n" \
    "<meta name=\"ColumnType\" content=\"政策解读\">\n" \
    "<meta name=\"ArticleTitle\" content=\"《某市政务公开管理办法》政策解读\">\n" \
    "<meta name=\"PubDate\" content=\"2024-03-09 09:00\">\n" \
    "<meta name=\"ContentSource\" content=\"某市人民政府办公室\">\n" \
    "</head><body>\n" \
    "<h1>《某市政务公开管理办法》政策解读</h1>\n" \
    "<p>近日，市政府办公室印发了《某市政务公开管理办法》。现就有关内容解读如下。</p>\n" \
    "<p>一、制定背景</p><p>为进一步推进政务公开……</p>\n" \
    "<p class=\"yw\"><a href=\"/zwgk/zcwj/202403/t20240308_1.html\">政策原文</a></p>\n" \
    "</body></html>\n"

#define OTHER_URL "https://www.example.gov.cn/xwzx/202403/t20240308_9.html"
/* A news page: no metadata table, no document number, no ColumnType. */
#define OTHER_PAGE(body) \
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n" \
    "<title>我市召开政务公开工作推进会</title></head><body>\n" \
    "<h1>我市召开政务公开工作推进会</h1>\n" \
    "<p>3月8日，我市召开政务公开工作推进会，部署今年重点工作。</p>\n" body \
    "\n</body></html>\n"

/* ---------------------------------------------------------------- */

static void test_catalogue_matches_rules_md(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        dsc_severity sev;
        int cross;
    } want[] = {
        {"attribute-missing", DSC_SEV_ERROR, 0},
        {"attribute-invalid", DSC_SEV_ERROR, 0},
        {"attribute-not-public", DSC_SEV_ERROR, 0},
        {"attribute-conflict", DSC_SEV_ERROR, 0},
        {"attribute-reason-missing", DSC_SEV_ERROR, 0},
        {"attribute-reason-invalid", DSC_SEV_WARNING, 0},
        {"interpretation-missing", DSC_SEV_ERROR, 0},
        {"interpretation-target-missing", DSC_SEV_ERROR, 0},
        {"interpretation-unresolved", DSC_SEV_ERROR, 1},
        {"interpretation-not-reciprocal", DSC_SEV_WARNING, 1},
        {"interpretation-late", DSC_SEV_WARNING, 1},
        {"validity-missing", DSC_SEV_ERROR, 0},
        {"validity-invalid", DSC_SEV_ERROR, 0},
        {"validity-expired-unmarked", DSC_SEV_ERROR, 0},
        {"validity-date-conflict", DSC_SEV_ERROR, 0},
        {"validity-repealed-unmarked", DSC_SEV_ERROR, 1},
        {"validity-amended-unmarked", DSC_SEV_WARNING, 1},
        {"validity-no-successor", DSC_SEV_WARNING, 0},
        {"validity-term-too-long", DSC_SEV_WARNING, 0},
        {"topic-missing", DSC_SEV_ERROR, 0},
        {"topic-unknown", DSC_SEV_ERROR, 0},
        {"topic-incomplete", DSC_SEV_ERROR, 0},
        {"topic-mismatch", DSC_SEV_ERROR, 0},
        {"metadata-missing", DSC_SEV_ERROR, 0},
        {"date-invalid", DSC_SEV_ERROR, 0},
        {"date-order", DSC_SEV_ERROR, 0},
        {"publish-late", DSC_SEV_WARNING, 0},
        {"doc-number-format", DSC_SEV_WARNING, 0},
        {"meta-tags-missing", DSC_SEV_WARNING, 0},
        {"metadata-mismatch", DSC_SEV_WARNING, 0},
        {"privacy-id-number", DSC_SEV_ERROR, 0},
    };
    size_t n = sizeof want / sizeof want[0];
    size_t i;
    for (i = 0; dsc_rule_at(i); i++) {
        const dsc_rule_info *ri = dsc_rule_at(i);
        size_t k;
        for (k = 0; k < n; k++)
            if (strcmp(want[k].id, ri->id) == 0)
                break;
        if (k == n) {
            print_error("# rule %s is not in RULES.md\n", ri->id);
            fail();
        }
        assert_int_equal(ri->default_severity, want[k].sev);
        assert_int_equal(ri->cross_page != 0, want[k].cross);
        assert_non_null(ri->title);
        assert_non_null(ri->title_en);
        assert_int_equal(dsc_policy_severity(default_policy(), ri->id), want[k].sev);
    }
    assert_int_equal(i, n);
    for (size_t k = 0; k < n; k++) {
        size_t j;
        for (j = 0; dsc_rule_at(j); j++)
            if (strcmp(dsc_rule_at(j)->id, want[k].id) == 0)
                break;
        if (!dsc_rule_at(j)) {
            print_error("# rule %s of RULES.md is not in the catalogue\n", want[k].id);
            fail();
        }
    }
}

static void test_base_page_is_clean(void **state)
{
    (void)state;
    dsc_result *r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    assert_kind(r, DSC_KIND_POLICY);
    if (dsc_result_nfindings(r) != 0) {
        dump_findings(r);
        fail_msg("the base page must have no finding");
    }
    assert_int_equal(dsc_result_count(r, DSC_SEV_ERROR), 0);
    assert_int_equal(dsc_result_count(r, DSC_SEV_WARNING), 0);
    result_free(r);
    /* also on the day it was published */
    r = check_html(BASE_PAGE, BASE_URL, day_of("2024-03-08"));
    assert_int_equal(dsc_result_nfindings(r), 0);
    result_free(r);
}

static void test_other_page_not_checked(void **state)
{
    (void)state;
    /* policy-only rules do not run on a page of kind "other" */
    dsc_result *r = check_html(OTHER_PAGE("<p>（完）</p>"), OTHER_URL, day_of(TODAY));
    assert_kind(r, DSC_KIND_OTHER);
    if (dsc_result_nfindings(r) != 0) {
        dump_findings(r);
        fail_msg("an ordinary news page has no finding");
    }
    result_free(r);
}

/* ---------------- 公开属性 ---------------- */

static void test_attribute_missing(void **state)
{
    (void)state;
    dsc_result *r = variant(T_ATTR, "");
    assert_kind(r, DSC_KIND_POLICY);
    assert_finding(r, "attribute-missing", "attribute", DSC_SEV_ERROR);
    assert_no_rule(r, "attribute-invalid");
    result_free(r);

    /* an empty value is a missing value */
    r = variant("<td>主动公开</td>", "<td>--</td>");
    assert_finding(r, "attribute-missing", "attribute", DSC_SEV_ERROR);
    assert_no_rule(r, "attribute-invalid");
    result_free(r);

    r = variant("<td>主动公开</td>", "<td>无</td>");
    assert_finding(r, "attribute-missing", "attribute", DSC_SEV_ERROR);
    result_free(r);
}

static void test_attribute_missing_pass(void **state)
{
    (void)state;
    dsc_result *r = variant(T_DOCTYPE, T_DOCTYPE); /* the base page */
    assert_no_rule(r, "attribute-missing");
    result_free(r);

    /* the body note alone is an attribute */
    r = variant(T_ATTR, "", T_BODY_END, T_BODY_END "<p>（此件公开发布）</p>");
    assert_no_rule(r, "attribute-missing");
    assert_field(r, DSC_F_ATTRIBUTE, "主动公开");
    result_free(r);
}

static void test_attribute_invalid(void **state)
{
    (void)state;
    dsc_result *r = variant("<td>主动公开</td>", "<td>内部传阅</td>");
    const dsc_finding *f = assert_finding(r, "attribute-invalid", "attribute", DSC_SEV_ERROR);
    assert_non_null(f->evidence);
    assert_non_null(strstr(f->evidence, "内部传阅"));
    assert_int_equal(f->line, 21); /* the line of the 公开属性 row in BASE_PAGE */
    assert_no_rule(r, "attribute-missing");
    result_free(r);
}

static void test_attribute_invalid_pass(void **state)
{
    (void)state;
    /* variants of the vocabulary map to its first form */
    static const struct {
        const char *written, *value;
    } ok[] = {
        {"主动公开", "主动公开"},
        {"公开发布", "主动公开"},
        {"主動公開", "主动公开"},
        {"  主动公开  ", "主动公开"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char td[128];
        snprintf(td, sizeof td, "<td>%s</td>", ok[i].written);
        dsc_result *r = variant("<td>主动公开</td>", td);
        assert_no_rule(r, "attribute-invalid");
        assert_no_rule(r, "attribute-missing");
        assert_field(r, DSC_F_ATTRIBUTE, ok[i].value);
        result_free(r);
    }
}

static void test_attribute_not_public(void **state)
{
    (void)state;
    static const struct {
        const char *written, *value;
    } bad[] = {
        {"依申请公开", "依申请公开"},
        {"依申請公開", "依申请公开"},
        {"不予公开", "不予公开"},
        {"不公开", "不予公开"},
        {"免予公开", "不予公开"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char td[128];
        snprintf(td, sizeof td, "<td>%s</td>", bad[i].written);
        dsc_result *r = variant("<td>主动公开</td>", td,
                                ROW_BEFORE_VALIDITY("不公开理由：", "涉及个人隐私"));
        assert_finding(r, "attribute-not-public", "attribute", DSC_SEV_ERROR);
        assert_field(r, DSC_F_ATTRIBUTE, bad[i].value);
        assert_no_rule(r, "attribute-reason-missing");
        assert_no_rule(r, "attribute-invalid");
        result_free(r);
    }
}

static void test_attribute_not_public_any_page(void **state)
{
    (void)state;
    /* "any page that carries a label": the body note on a news page */
    dsc_result *r = check_html(OTHER_PAGE("<p>（此件不予公开）</p>"), OTHER_URL, day_of(TODAY));
    assert_finding(r, "attribute-not-public", "attribute", DSC_SEV_ERROR);
    result_free(r);

    r = check_html(OTHER_PAGE("<p>（此件依申请公开）</p>"), OTHER_URL, day_of(TODAY));
    assert_finding(r, "attribute-not-public", "attribute", DSC_SEV_ERROR);
    result_free(r);
}

static void test_attribute_not_public_pass(void **state)
{
    (void)state;
    dsc_result *r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    assert_no_rule(r, "attribute-not-public");
    result_free(r);

    /* 删减后公开 is published (in part) */
    r = variant("<td>主动公开</td>", "<td>删减后公开</td>",
                ROW_BEFORE_VALIDITY("删减理由：", "涉及商业秘密"));
    assert_no_rule(r, "attribute-not-public");
    assert_field(r, DSC_F_ATTRIBUTE, "删减后公开");
    result_free(r);

    r = check_html(OTHER_PAGE("<p>（此件公开发布）</p>"), OTHER_URL, day_of(TODAY));
    assert_no_rule(r, "attribute-not-public");
    result_free(r);
}

static void test_attribute_conflict(void **state)
{
    (void)state;
    dsc_result *r = variant(T_BODY_END, T_BODY_END "<p>（此件不予公开）</p>");
    assert_finding(r, "attribute-conflict", "attribute", DSC_SEV_ERROR);
    result_free(r);

    r = variant(T_BODY_END, T_BODY_END "<p>（此件依申请公开）</p>");
    assert_finding(r, "attribute-conflict", "attribute", DSC_SEV_ERROR);
    result_free(r);

    /* two labels on one page, both in tables */
    r = variant(T_BODY_END,
                T_BODY_END "<table><tr><td>公开方式：</td><td>依申请公开</td></tr></table>");
    assert_finding(r, "attribute-conflict", "attribute", DSC_SEV_ERROR);
    result_free(r);
}

static void test_attribute_conflict_pass(void **state)
{
    (void)state;
    dsc_result *r = variant(T_BODY_END, T_BODY_END "<p>（此件公开发布）</p>");
    assert_no_rule(r, "attribute-conflict");
    result_free(r);

    r = variant(T_BODY_END, T_BODY_END "<p>（此件主动公开）</p>");
    assert_no_rule(r, "attribute-conflict");
    result_free(r);
}

static void test_attribute_reason_missing(void **state)
{
    (void)state;
    static const char *const need[] = {"依申请公开", "不予公开", "删减后公开", "部分公开"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        char td[128];
        snprintf(td, sizeof td, "<td>%s</td>", need[i]);
        dsc_result *r = variant("<td>主动公开</td>", td);
        assert_finding(r, "attribute-reason-missing", "attribute_reason", DSC_SEV_ERROR);
        result_free(r);
    }
    /* an empty reason is no reason */
    dsc_result *r = variant("<td>主动公开</td>", "<td>删减后公开</td>",
                            ROW_BEFORE_VALIDITY("删减理由：", "无"));
    assert_finding(r, "attribute-reason-missing", "attribute_reason", DSC_SEV_ERROR);
    result_free(r);
}

static void test_attribute_reason_missing_pass(void **state)
{
    (void)state;
    dsc_result *r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    assert_no_rule(r, "attribute-reason-missing");
    result_free(r);

    static const char *const labels[] = {"不公开理由：", "不予公开理由：", "依申请公开理由：",
                                         "删减理由："};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        char row[256];
        snprintf(row, sizeof row, "<tr><td>%s</td><td>个人隐私</td></tr>\n" T_VALIDITY_ROW,
                 labels[i]);
        r = variant("<td>主动公开</td>", "<td>依申请公开</td>", T_VALIDITY_ROW, row);
        assert_no_rule(r, "attribute-reason-missing");
        assert_field(r, DSC_F_ATTRIBUTE_REASON, "个人隐私");
        result_free(r);
    }
}

static void test_attribute_reason_invalid(void **state)
{
    (void)state;
    dsc_result *r = variant("<td>主动公开</td>", "<td>删减后公开</td>",
                            ROW_BEFORE_VALIDITY("删减理由：", "领导不同意公开"));
    const dsc_finding *f =
        assert_finding(r, "attribute-reason-invalid", "attribute_reason", DSC_SEV_WARNING);
    assert_non_null(f->evidence);
    assert_non_null(strstr(f->evidence, "领导不同意公开"));
    assert_no_rule(r, "attribute-reason-missing");
    result_free(r);
}

static void test_attribute_reason_invalid_pass(void **state)
{
    (void)state;
    static const char *const grounds[] = {
        "国家秘密",
        "法律行政法规禁止公开",
        "危及国家安全、公共安全、经济安全、社会稳定",
        "三安全一稳定",
        "商业秘密",
        "个人隐私",
        "内部事务信息",
        "过程性信息",
        "行政执法案卷信息",
        "涉及商业秘密，依据《条例》第十五条不予公开",
    };
    for (size_t i = 0; i < sizeof grounds / sizeof grounds[0]; i++) {
        char row[512];
        snprintf(row, sizeof row, "<tr><td>删减理由：</td><td>%s</td></tr>\n" T_VALIDITY_ROW,
                 grounds[i]);
        dsc_result *r = variant("<td>主动公开</td>", "<td>删减后公开</td>", T_VALIDITY_ROW, row);
        assert_no_rule(r, "attribute-reason-invalid");
        assert_no_rule(r, "attribute-reason-missing");
        result_free(r);
    }
}

/* ---------------- 政策解读 ---------------- */

static void test_interpretation_missing(void **state)
{
    (void)state;
    dsc_result *r = variant(T_LINK, "");
    assert_finding(r, "interpretation-missing", "interpretations", DSC_SEV_ERROR);
    result_free(r);

    /* 规章 too */
    r = variant(T_LINK, "", "<td>行政规范性文件</td>", "<td>规章</td>");
    assert_finding(r, "interpretation-missing", "interpretations", DSC_SEV_ERROR);
    result_free(r);

    /* marked 是否解读：是 on a 通知 */
    r = variant(T_LINK, "", "<td>行政规范性文件</td>", "<td>通知</td>",
                ROW_BEFORE_VALIDITY("是否解读：", "是"));
    assert_finding(r, "interpretation-missing", "interpretations", DSC_SEV_ERROR);
    result_free(r);

    /* a link to the 政策解读 column in the navigation is no interpretation */
    r = variant(T_LINK, "", "<body>",
                "<body>\n<div class=\"nav\"><a href=\"/zcjd/\">政策解读</a></div>");
    assert_finding(r, "interpretation-missing", "interpretations", DSC_SEV_ERROR);
    result_free(r);
}

static void test_interpretation_missing_pass(void **state)
{
    (void)state;
    dsc_result *r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    assert_no_rule(r, "interpretation-missing");
    assert_list_has(r, DSC_F_INTERPRETATIONS,
                    "https://www.example.gov.cn/zcjd/202403/t20240309_1.html");
    result_free(r);

    /* a 通知 need not be interpreted */
    r = variant(T_LINK, "", "<td>行政规范性文件</td>", "<td>通知</td>");
    assert_no_rule(r, "interpretation-missing");
    result_free(r);

    /* other link texts that name an interpretation */
    static const char *const texts[] = {"图解：某市政务公开管理办法", "一图读懂《某市政务公开管理办法》"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char a[256];
        snprintf(a, sizeof a, "<a href=\"/zcjd/202403/t20240309_2.html\">%s</a>", texts[i]);
        r = variant(T_LINK, a);
        assert_no_rule(r, "interpretation-missing");
        result_free(r);
    }
}

static void test_interpretation_target_missing(void **state)
{
    (void)state;
    char *page = mkpage(INTERP_PAGE,
                        "<a href=\"/zwgk/zcwj/202403/t20240308_1.html\">政策原文</a>", "", NULL);
    dsc_result *r = check_html(page, INTERP_URL, day_of(TODAY));
    mem_free(page);
    assert_kind(r, DSC_KIND_INTERPRETATION);
    assert_finding(r, "interpretation-target-missing", "interprets", DSC_SEV_ERROR);
    result_free(r);
}

static void test_interpretation_target_missing_pass(void **state)
{
    (void)state;
    dsc_result *r = check_html(INTERP_PAGE, INTERP_URL, day_of(TODAY));
    assert_kind(r, DSC_KIND_INTERPRETATION);
    assert_no_rule(r, "interpretation-target-missing");
    assert_list_has(r, DSC_F_INTERPRETS, BASE_URL);
    if (dsc_result_nfindings(r) != 0) {
        dump_findings(r);
        fail_msg("the interpretation page has no finding");
    }
    result_free(r);

    /* other link texts for the original */
    static const char *const texts[] = {"原文", "文件原文", "相关文件：某市政务公开管理办法"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char a[256];
        snprintf(a, sizeof a, "<a href=\"/zwgk/zcwj/202403/t20240308_1.html\">%s</a>", texts[i]);
        char *page = mkpage(INTERP_PAGE,
                            "<a href=\"/zwgk/zcwj/202403/t20240308_1.html\">政策原文</a>", a, NULL);
        r = check_html(page, INTERP_URL, day_of(TODAY));
        mem_free(page);
        assert_no_rule(r, "interpretation-target-missing");
        assert_list_has(r, DSC_F_INTERPRETS, BASE_URL);
        result_free(r);
    }
}

/* ---------------- 有效性 ---------------- */

static void test_validity_missing(void **state)
{
    (void)state;
    dsc_result *r = variant(T_VALIDITY, "");
    assert_finding(r, "validity-missing", "validity", DSC_SEV_ERROR);
    result_free(r);

    r = variant(T_VALIDITY, "", "<td>行政规范性文件</td>", "<td>规章</td>");
    assert_finding(r, "validity-missing", "validity", DSC_SEV_ERROR);
    result_free(r);

    r = variant(T_VALIDITY, "<td>有效性：</td><td>无</td>");
    assert_finding(r, "validity-missing", "validity", DSC_SEV_ERROR);
    assert_no_rule(r, "validity-invalid");
    result_free(r);
}

static void test_validity_missing_pass(void **state)
{
    (void)state;
    dsc_result *r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    assert_no_rule(r, "validity-missing");
    result_free(r);

    /* only 规章 and 行政规范性文件 must carry it */
    r = variant(T_VALIDITY, "", "<td>行政规范性文件</td>", "<td>通知</td>");
    assert_no_rule(r, "validity-missing");
    result_free(r);

    /* 规范性文件 is read as 行政规范性文件 */
    r = variant("<td>行政规范性文件</td>", "<td>规范性文件</td>");
    assert_field(r, DSC_F_DOC_TYPE, "行政规范性文件");
    assert_no_rule(r, "validity-missing");
    result_free(r);
}

static void test_validity_invalid(void **state)
{
    (void)state;
    dsc_result *r = variant(T_VALIDITY, "<td>有效性：</td><td>待定</td>");
    const dsc_finding *f = assert_finding(r, "validity-invalid", "validity", DSC_SEV_ERROR);
    assert_non_null(f->evidence);
    assert_non_null(strstr(f->evidence, "待定"));
    assert_no_rule(r, "validity-missing");
    result_free(r);
}

static void test_validity_invalid_pass(void **state)
{
    (void)state;
    static const struct {
        const char *written, *value;
    } ok[] = {
        {"有效", "有效"},       {"现行有效", "有效"},   {"已失效", "失效"},
        {"失效", "失效"},       {"已修改", "已修改"},   {"已修订", "已修改"},
        {"部分失效", "已修改"}, {"被修改", "已修改"},   {"废止", "废止"},
        {"已废止", "废止"},     {"廢止", "废止"},       {"有效。", "有效"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char td[128];
        snprintf(td, sizeof td, "<td>有效性：</td><td>%s</td>", ok[i].written);
        dsc_result *r = variant(T_VALIDITY, td);
        assert_no_rule(r, "validity-invalid");
        assert_no_rule(r, "validity-missing");
        assert_field(r, DSC_F_VALIDITY, ok[i].value);
        result_free(r);
    }
}

static void test_validity_expired_unmarked(void **state)
{
    (void)state;
    dsc_result *r = variant(WITH_EXPIRY("失效日期：", "2024-12-31"));
    assert_field(r, DSC_F_EXPIRY_DATE, "2024-12-31");
    assert_finding(r, "validity-expired-unmarked", "validity", DSC_SEV_ERROR);
    result_free(r);

    r = variant(WITH_EXPIRY("有效期至：", "2024年6月30日"));
    assert_field(r, DSC_F_EXPIRY_DATE, "2024-06-30");
    assert_finding(r, "validity-expired-unmarked", "validity", DSC_SEV_ERROR);
    result_free(r);

    r = variant(T_VALIDITY, "<td>有效性：</td><td>现行有效</td>",
                WITH_EXPIRY("有效期至：", "2024-06-30"));
    assert_finding(r, "validity-expired-unmarked", "validity", DSC_SEV_ERROR);
    result_free(r);
}

static void test_validity_expired_unmarked_pass(void **state)
{
    (void)state;
    /* the day of expiry itself has not passed */
    dsc_result *r = variant_at("2024-12-31", WITH_EXPIRY("失效日期：", "2024-12-31"));
    assert_no_rule(r, "validity-expired-unmarked");
    result_free(r);

    /* marked 失效 once expired */
    r = variant(T_VALIDITY, "<td>有效性：</td><td>失效</td>",
                WITH_EXPIRY("失效日期：", "2024-12-31"));
    assert_no_rule(r, "validity-expired-unmarked");
    assert_no_rule(r, "validity-date-conflict");
    result_free(r);

    r = variant(WITH_EXPIRY("有效期至：", "2028-12-31"));
    assert_no_rule(r, "validity-expired-unmarked");
    result_free(r);
}

static void test_validity_date_conflict(void **state)
{
    (void)state;
    /* 失效 with an expiry date still ahead */
    dsc_result *r = variant(T_VALIDITY, "<td>有效性：</td><td>失效</td>",
                            WITH_EXPIRY("失效日期：", "2026-12-31"));
    assert_finding(r, "validity-date-conflict", "validity", DSC_SEV_ERROR);
    result_free(r);

    /* 废止 with an expiry date still ahead (the successor is named) */
    r = variant(T_VALIDITY, "<td>有效性：</td><td>废止</td>",
                WITH_EXPIRY("失效日期：", "2026-12-31"), T_BODY_END,
                T_BODY_END "<p>本办法已被《某市政务公开办法》（某政发〔2024〕9号）废止。</p>");
    assert_finding(r, "validity-date-conflict", "validity", DSC_SEV_ERROR);
    result_free(r);

    /* an effective date after the expiry date */
    r = variant(T_EFFECTIVE,
                "<td>实施日期：</td><td>2026-05-01</td></tr>\n"
                "<tr><td>失效日期：</td><td>2026-04-30</td></tr>");
    assert_finding(r, "validity-date-conflict", "effective_date", DSC_SEV_ERROR);
    result_free(r);
}

static void test_validity_date_conflict_pass(void **state)
{
    (void)state;
    dsc_result *r = variant(WITH_EXPIRY("失效日期：", "2028-12-31"));
    assert_no_rule(r, "validity-date-conflict");
    result_free(r);

    r = variant(T_VALIDITY, "<td>有效性：</td><td>失效</td>",
                WITH_EXPIRY("失效日期：", "2024-10-31"));
    assert_no_rule(r, "validity-date-conflict");
    result_free(r);

    /* effective and expiry on the same day is no contradiction */
    r = variant(T_EFFECTIVE,
                "<td>实施日期：</td><td>2026-04-30</td></tr>\n"
                "<tr><td>失效日期：</td><td>2026-04-30</td></tr>");
    assert_no_rule(r, "validity-date-conflict");
    result_free(r);
}

static void test_validity_no_successor(void **state)
{
    (void)state;
    dsc_result *r = variant(T_VALIDITY, "<td>有效性：</td><td>废止</td>");
    assert_finding(r, "validity-no-successor", "repealed_by", DSC_SEV_WARNING);
    result_free(r);

    r = variant(T_VALIDITY, "<td>有效性：</td><td>已修改</td>");
    assert_finding(r, "validity-no-successor", "amended_by", DSC_SEV_WARNING);
    result_free(r);
}

static void test_validity_no_successor_pass(void **state)
{
    (void)state;
    /* named in a sentence */
    dsc_result *r = variant(T_VALIDITY, "<td>有效性：</td><td>废止</td>", T_BODY_END,
                            T_BODY_END "<p>本办法已被《某市政务公开办法》（某政发〔2024〕9号）废止。</p>");
    assert_no_rule(r, "validity-no-successor");
    assert_list_has(r, DSC_F_REPEALED_BY, "某政发〔2024〕9号");
    result_free(r);

    /* labelled and linked */
    r = variant(T_VALIDITY, "<td>有效性：</td><td>废止</td>", T_VALIDITY_ROW,
                "<tr><td>废止依据：</td><td><a href=\"/zwgk/zcwj/202412/t20241210_1.html\">"
                "某政发〔2024〕9号</a></td></tr>\n" T_VALIDITY_ROW);
    assert_no_rule(r, "validity-no-successor");
    result_free(r);

    /* 有效 and 失效 need no successor */
    r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    assert_no_rule(r, "validity-no-successor");
    result_free(r);

    r = variant(T_VALIDITY, "<td>有效性：</td><td>已修改</td>", T_BODY_END,
                T_BODY_END "<p>本办法已被某政发〔2024〕9号修改。</p>");
    assert_no_rule(r, "validity-no-successor");
    assert_list_has(r, DSC_F_AMENDED_BY, "某政发〔2024〕9号");
    result_free(r);

    r = variant(T_VALIDITY, "<td>有效性：</td><td>废止</td>", T_BODY_END,
                T_BODY_END "<p>本办法已被某政发〔2024〕8号废止。</p>");
    assert_no_rule(r, "validity-no-successor");
    assert_list_has(r, DSC_F_REPEALED_BY, "某政发〔2024〕8号");
    result_free(r);
}

#define NEW_TITLE "某市人民政府办公室关于印发某市政务公开管理暂行办法的通知"
#define PROVISIONAL H_TITLE, "<title>" NEW_TITLE "</title>", M_TITLE, \
    "<meta name=\"ArticleTitle\" content=\"" NEW_TITLE "\">", T_TITLE, \
    "<tr><td>标题：</td><td>" NEW_TITLE "</td></tr>"

static void test_validity_term_too_long(void **state)
{
    (void)state;
    /* five years and a day for a 行政规范性文件 */
    dsc_result *r = variant(WITH_EXPIRY("有效期至：", "2029-04-02"));
    assert_finding(r, "validity-term-too-long", "expiry_date", DSC_SEV_WARNING);
    result_free(r);

    /* two years and a day for 暂行 */
    r = variant(PROVISIONAL, WITH_EXPIRY("有效期至：", "2026-04-02"));
    assert_field(r, DSC_F_TITLE, NEW_TITLE);
    assert_finding(r, "validity-term-too-long", "expiry_date", DSC_SEV_WARNING);
    result_free(r);
}

static void test_validity_term_too_long_pass(void **state)
{
    (void)state;
    dsc_result *r = variant(WITH_EXPIRY("有效期至：", "2029-04-01"));
    assert_no_rule(r, "validity-term-too-long");
    result_free(r);

    r = variant(PROVISIONAL, WITH_EXPIRY("有效期至：", "2026-04-01"));
    assert_no_rule(r, "validity-term-too-long");
    result_free(r);

    /* only 行政规范性文件 have a limited term */
    r = variant("<td>行政规范性文件</td>", "<td>通知</td>", WITH_EXPIRY("有效期至：", "2034-04-01"));
    assert_no_rule(r, "validity-term-too-long");
    result_free(r);
}

/* ---------------- 主题分类 ---------------- */

static void test_topic_missing(void **state)
{
    (void)state;
    dsc_result *r = variant(T_TOPIC, "");
    assert_finding(r, "topic-missing", "topic", DSC_SEV_ERROR);
    result_free(r);

    r = variant(T_TOPIC, "<td>主题分类：</td><td>--</td>");
    assert_finding(r, "topic-missing", "topic", DSC_SEV_ERROR);
    result_free(r);
}

static void test_topic_pass(void **state)
{
    (void)state;
    static const struct {
        const char *written, *value;
    } ok[] = {
        {"综合政务/政务公开", "综合政务/政务公开"},
        {"综合政务\\政务公开", "综合政务/政务公开"},
        {"综合政务／政务公开", "综合政务/政务公开"},
        {"综合政务>政务公开", "综合政务/政务公开"},
        {"综合政务-政务公开", "综合政务/政务公开"},
        {"綜合政務/政務公開", "综合政务/政务公开"},
        {"财政、金融、审计/货币（含外汇）", "财政、金融、审计/货币（含外汇）"},
        {"其他", "其他"}, /* a first level without second levels is complete */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char td[256];
        snprintf(td, sizeof td, "<td>主题分类：</td><td>%s</td>", ok[i].written);
        dsc_result *r = variant(T_TOPIC, td);
        assert_field(r, DSC_F_TOPIC, ok[i].value);
        assert_no_rule(r, "topic-missing");
        assert_no_rule(r, "topic-unknown");
        assert_no_rule(r, "topic-incomplete");
        assert_no_rule(r, "topic-mismatch");
        result_free(r);
    }
    /* an alias of the taxonomy (国民经济管理、国有资产管理) */
    dsc_result *r = variant(T_TOPIC, "<td>主题分类：</td><td>国民经济管理、国有资产管理/统计</td>");
    assert_no_rule(r, "topic-unknown");
    assert_no_rule(r, "topic-mismatch");
    result_free(r);
}

static void test_topic_unknown(void **state)
{
    (void)state;
    dsc_result *r = variant(T_TOPIC, "<td>主题分类：</td><td>城市管理/市容环境</td>");
    const dsc_finding *f = assert_finding(r, "topic-unknown", "topic", DSC_SEV_ERROR);
    assert_non_null(f->evidence);
    assert_non_null(strstr(f->evidence, "城市管理"));
    assert_no_rule(r, "topic-missing");
    assert_no_rule(r, "topic-mismatch");
    result_free(r);
}

static void test_topic_incomplete(void **state)
{
    (void)state;
    dsc_result *r = variant(T_TOPIC, "<td>主题分类：</td><td>综合政务</td>");
    assert_finding(r, "topic-incomplete", "topic", DSC_SEV_ERROR);
    assert_no_rule(r, "topic-unknown");
    result_free(r);

    r = variant(T_TOPIC, "<td>主题分类：</td><td>民族、宗教</td>");
    assert_finding(r, "topic-incomplete", "topic", DSC_SEV_ERROR);
    result_free(r);
}

static void test_topic_mismatch(void **state)
{
    (void)state;
    dsc_result *r = variant(T_TOPIC, "<td>主题分类：</td><td>综合政务/教育</td>");
    assert_finding(r, "topic-mismatch", "topic", DSC_SEV_ERROR);
    assert_no_rule(r, "topic-unknown");
    assert_no_rule(r, "topic-incomplete");
    result_free(r);

    r = variant(T_TOPIC, "<td>主题分类：</td><td>科技、教育\\政务公开</td>");
    assert_finding(r, "topic-mismatch", "topic", DSC_SEV_ERROR);
    result_free(r);
}

/* ---------------- 元数据 ---------------- */

static void test_metadata_missing(void **state)
{
    (void)state;
    dsc_result *r = variant(T_INDEX, "");
    assert_finding(r, "metadata-missing", "index_no", DSC_SEV_ERROR);
    result_free(r);

    r = variant(T_INDEX, "<td>索引号：</td><td>--</td>");
    assert_finding(r, "metadata-missing", "index_no", DSC_SEV_ERROR);
    result_free(r);

    r = variant(T_INDEX, "<td>索引号：</td><td></td>");
    assert_finding(r, "metadata-missing", "index_no", DSC_SEV_ERROR);
    result_free(r);

    /* the title: no label, no ArticleTitle, no <title> */
    r = variant(T_TITLE, "", M_TITLE, "", H_TITLE, "");
    assert_field(r, DSC_F_TITLE, NULL);
    assert_finding(r, "metadata-missing", "title", DSC_SEV_ERROR);
    result_free(r);

    r = variant(T_ISSUER, "", M_SOURCE, "");
    assert_finding(r, "metadata-missing", "issuer", DSC_SEV_ERROR);
    result_free(r);

    r = variant(T_WRITTEN, "");
    assert_finding(r, "metadata-missing", "written_date", DSC_SEV_ERROR);
    result_free(r);

    r = variant(T_PUB, "", M_PUBDATE, "");
    assert_finding(r, "metadata-missing", "pub_date", DSC_SEV_ERROR);
    result_free(r);

    /* doc_number, for a 行政规范性文件 */
    r = variant(T_DOCNO, "");
    assert_kind(r, DSC_KIND_POLICY);
    assert_finding(r, "metadata-missing", "doc_number", DSC_SEV_ERROR);
    result_free(r);

    r = variant(T_DOCNO, "", "<td>行政规范性文件</td>", "<td>规章</td>");
    assert_finding(r, "metadata-missing", "doc_number", DSC_SEV_ERROR);
    result_free(r);
}

static void test_metadata_missing_pass(void **state)
{
    (void)state;
    dsc_result *r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    assert_no_rule(r, "metadata-missing");
    result_free(r);

    /* a 通知 need not have a doc_number */
    r = variant(T_DOCNO, "", "<td>行政规范性文件</td>", "<td>通知</td>");
    assert_no_finding(r, "metadata-missing", "doc_number");
    result_free(r);

    /* the meta tags stand in for title, issuer and pub_date */
    r = variant(T_TITLE, "", T_ISSUER, "", T_PUB, "");
    assert_no_rule(r, "metadata-missing");
    assert_field(r, DSC_F_TITLE, BASE_TITLE);
    assert_field(r, DSC_F_ISSUER, "某市人民政府办公室");
    assert_field(r, DSC_F_PUB_DATE, "2024-03-08");
    result_free(r);
}

static void test_date_invalid(void **state)
{
    (void)state;
    dsc_result *r = variant(T_WRITTEN, "<td>成文日期：</td><td>2024-02-30</td>");
    const dsc_finding *f = assert_finding(r, "date-invalid", "written_date", DSC_SEV_ERROR);
    assert_non_null(f->evidence);
    assert_non_null(strstr(f->evidence, "2024-02-30"));
    assert_int_equal(f->line, 18); /* the 成文日期 row */
    result_free(r);

    r = variant(T_PUB, "<td>发布日期：</td><td>2024年13月8日</td>");
    assert_finding(r, "date-invalid", "pub_date", DSC_SEV_ERROR);
    result_free(r);

    r = variant(T_EFFECTIVE, "<td>实施日期：</td><td>2024-04-31</td></tr>");
    assert_finding(r, "date-invalid", "effective_date", DSC_SEV_ERROR);
    result_free(r);

    r = variant(WITH_EXPIRY("失效日期：", "2029-02-29"));
    assert_finding(r, "date-invalid", "expiry_date", DSC_SEV_ERROR);
    result_free(r);

    /* impossible, or not in a known format */
    static const char *const bad[] = {"2024-00-10", "2023-02-29", "2024-13-01", "20240301",
                                      "2024年3月", "2024年3月1号晚", "三月一日"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char td[128];
        snprintf(td, sizeof td, "<td>成文日期：</td><td>%s</td>", bad[i]);
        r = variant(T_WRITTEN, td);
        f = assert_finding(r, "date-invalid", "written_date", DSC_SEV_ERROR);
        assert_non_null(f->evidence);
        assert_non_null(strstr(f->evidence, bad[i]));
        /* an invalid date is not also a missing one */
        assert_no_finding(r, "metadata-missing", "written_date");
        result_free(r);
    }

    /* "any": a news page with a bad date */
    r = check_html(OTHER_PAGE("<p>发布日期：2023-02-29</p>"), OTHER_URL, day_of(TODAY));
    assert_kind(r, DSC_KIND_OTHER);
    assert_finding(r, "date-invalid", "pub_date", DSC_SEV_ERROR);
    result_free(r);
}

static void test_date_invalid_pass(void **state)
{
    (void)state;
    static const char *const forms[] = {"2024-03-01", "2024年3月1日", "2024年03月01日",
                                        "2024/03/01", "2024.03.01", "2024-03-01 09:30",
                                        "2024-3-1", "２０２４年３月１日", "2024 年 3 月 1 日"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char td[128];
        snprintf(td, sizeof td, "<td>成文日期：</td><td>%s</td>", forms[i]);
        dsc_result *r = variant(T_WRITTEN, td);
        assert_no_rule(r, "date-invalid");
        assert_field(r, DSC_F_WRITTEN_DATE, "2024-03-01");
        result_free(r);
    }
}

static void test_date_order(void **state)
{
    (void)state;
    /* pub_date before written_date */
    dsc_result *r = variant(T_PUB, "<td>发布日期：</td><td>2024-02-28</td>", M_PUBDATE,
                            "<meta name=\"PubDate\" content=\"2024-02-28 10:00\">");
    assert_finding(r, "date-order", "pub_date", DSC_SEV_ERROR);
    result_free(r);

    /* a pub_date in the future */
    r = variant_at("2024-03-07", T_PUB, T_PUB);
    assert_finding(r, "date-order", "pub_date", DSC_SEV_ERROR);
    result_free(r);
}

static void test_date_order_pass(void **state)
{
    (void)state;
    /* published today */
    dsc_result *r = variant_at("2024-03-08", T_PUB, T_PUB);
    assert_no_rule(r, "date-order");
    result_free(r);

    /* written and published the same day */
    r = variant(T_WRITTEN, "<td>成文日期：</td><td>2024-03-08</td>");
    assert_no_rule(r, "date-order");
    result_free(r);
}

#define LATE(written, pub) \
    T_WRITTEN, "<td>成文日期：</td><td>" written "</td>", T_PUB, \
        "<td>发布日期：</td><td>" pub "</td>", M_PUBDATE, \
        "<meta name=\"PubDate\" content=\"" pub " 10:00\">"

static void test_publish_late(void **state)
{
    (void)state;
    /* 21 working days over the 2024 National Day break (see test_dates) */
    dsc_result *r = variant(LATE("2024-09-20", "2024-10-24"));
    const dsc_finding *f = assert_finding(r, "publish-late", "pub_date", DSC_SEV_WARNING);
    assert_non_null(f->message);
    assert_non_null(strstr(f->message, "21"));
    assert_no_rule(r, "metadata-mismatch");
    result_free(r);

    r = variant(LATE("2024-01-02", "2024-03-08"));
    assert_finding(r, "publish-late", "pub_date", DSC_SEV_WARNING);
    result_free(r);
}

static void test_publish_late_pass(void **state)
{
    (void)state;
    /* exactly 20 working days */
    dsc_result *r = variant(LATE("2024-09-20", "2024-10-23"));
    assert_no_rule(r, "publish-late");
    result_free(r);

    r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    assert_no_rule(r, "publish-late");
    result_free(r);
}

static void test_doc_number_format(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "某政办发[2024]5号",  "某政办发(2024)5号",  "某政办发（2024）5号", "某政办发【2024】5号",
        "某政办发［2024］5号", "某政办发〈2024〉5号", "某政办发〔2024〕第5号", "某政办发〔2024〕05号",
        "某政办发〔2024〕005号", "某政办发2024年5号",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char td[128];
        snprintf(td, sizeof td, "<td>文号：</td><td>%s</td>", bad[i]);
        dsc_result *r = variant(T_DOCNO, td);
        const dsc_finding *f = assert_finding(r, "doc-number-format", "doc_number", DSC_SEV_WARNING);
        assert_non_null(f->evidence);
        assert_non_null(strstr(f->evidence, bad[i]));
        assert_int_equal(f->line, 20); /* the 文号 row */
        result_free(r);
    }
}

static void test_doc_number_format_pass(void **state)
{
    (void)state;
    static const char *const ok[] = {"某政办发〔2024〕5号", "国办发〔2017〕47号", "某政办发〔2024〕10号",
                                     "某政办发〔2024〕100号"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char td[128];
        snprintf(td, sizeof td, "<td>文号：</td><td>%s</td>", ok[i]);
        dsc_result *r = variant(T_DOCNO, td);
        assert_no_rule(r, "doc-number-format");
        assert_field(r, DSC_F_DOC_NUMBER, ok[i]);
        result_free(r);
    }
}

static void test_doc_number_format_traditional_pass(void **state)
{
    (void)state;
    /* 號 is 号: a traditional-character document number is well formed */
    dsc_result *r = variant(T_DOCNO, "<td>文號：</td><td>某政辦發〔2024〕5號</td>");
    assert_no_rule(r, "doc-number-format");
    result_free(r);
}

/* BASE_PAGE without the line of one meta tag */
static char *without_meta(const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "<meta name=\"%s\"", name);
    const char *at = strstr(BASE_PAGE, key);
    assert_non_null(at);
    const char *end = strchr(at, '\n');
    assert_non_null(end);
    size_t pre = (size_t)(at - BASE_PAGE);
    char *page = track(malloc(strlen(BASE_PAGE) + 1), LIVE_MEM);
    assert_non_null(page);
    memcpy(page, BASE_PAGE, pre);
    strcpy(page + pre, end + 1);
    return page;
}

static void test_meta_tags_missing(void **state)
{
    (void)state;
    static const char *const tags[] = {"SiteName",          "SiteDomain",     "SiteIDCode",
                                       "ColumnName",        "ColumnDescription", "ColumnKeywords",
                                       "ColumnType",        "ArticleTitle",   "PubDate",
                                       "ContentSource"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        char *page = without_meta(tags[i]);
        dsc_result *r = check_html(page, BASE_URL, day_of(TODAY));
        mem_free(page);
        assert_kind(r, DSC_KIND_POLICY);
        const dsc_finding *f = assert_finding(r, "meta-tags-missing", NULL, DSC_SEV_WARNING);
        if (!f->evidence || !strstr(f->evidence, tags[i])) {
            print_error("# evidence \"%s\" does not name %s\n", f->evidence ? f->evidence : "null",
                        tags[i]);
            fail();
        }
        result_free(r);
    }

    /* present but empty */
    dsc_result *r = variant("<meta name=\"ColumnKeywords\" content=\"政策,文件\">",
                            "<meta name=\"ColumnKeywords\" content=\"\">");
    const dsc_finding *f = assert_finding(r, "meta-tags-missing", NULL, DSC_SEV_WARNING);
    assert_non_null(f->evidence);
    assert_non_null(strstr(f->evidence, "ColumnKeywords"));
    result_free(r);

    /* PubDate not YYYY-MM-DD HH:MM */
    static const char *const bad_pd[] = {"2024-03-08", "2024/03/08 10:00", "2024年3月8日 10:00",
                                         "2024-03-08 10:00:00"};
    for (size_t i = 0; i < sizeof bad_pd / sizeof bad_pd[0]; i++) {
        char meta[128];
        snprintf(meta, sizeof meta, "<meta name=\"PubDate\" content=\"%s\">", bad_pd[i]);
        r = variant(M_PUBDATE, meta);
        assert_finding(r, "meta-tags-missing", "pub_date", DSC_SEV_WARNING);
        result_free(r);
    }

    /* interpretation pages carry the tags too */
    char *page = mkpage(INTERP_PAGE, "<meta name=\"SiteIDCode\" content=\"1100000001\">", "", NULL);
    r = check_html(page, INTERP_URL, day_of(TODAY));
    mem_free(page);
    assert_kind(r, DSC_KIND_INTERPRETATION);
    assert_finding(r, "meta-tags-missing", NULL, DSC_SEV_WARNING);
    result_free(r);
}

static void test_meta_tags_missing_pass(void **state)
{
    (void)state;
    dsc_result *r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    assert_no_rule(r, "meta-tags-missing");
    result_free(r);

    /* content before name, upper-case names, double spaces */
    r = variant("<meta name=\"SiteIDCode\" content=\"1100000001\">",
                "<meta  content=\"1100000001\"  name=\"SiteIDCode\">",
                "<meta name=\"ColumnType\" content=\"政策文件\">",
                "<META NAME=\"COLUMNTYPE\" CONTENT=\"政策文件\">");
    assert_no_rule(r, "meta-tags-missing");
    result_free(r);

    /* news pages are not asked for them */
    r = check_html(OTHER_PAGE(""), OTHER_URL, day_of(TODAY));
    assert_no_rule(r, "meta-tags-missing");
    result_free(r);
}

static void test_metadata_mismatch(void **state)
{
    (void)state;
    dsc_result *r = variant(M_TITLE, "<meta name=\"ArticleTitle\" content=\"某市政务公开管理办法\">");
    assert_finding(r, "metadata-mismatch", "title", DSC_SEV_WARNING);
    result_free(r);

    r = variant(M_PUBDATE, "<meta name=\"PubDate\" content=\"2024-03-09 10:00\">");
    assert_finding(r, "metadata-mismatch", "pub_date", DSC_SEV_WARNING);
    result_free(r);

    r = variant(M_SOURCE, "<meta name=\"ContentSource\" content=\"某市人民政府\">");
    assert_finding(r, "metadata-mismatch", "issuer", DSC_SEV_WARNING);
    result_free(r);
}

static void test_metadata_mismatch_pass(void **state)
{
    (void)state;
    dsc_result *r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    assert_no_rule(r, "metadata-mismatch");
    result_free(r);

    /* the same day written another way */
    r = variant(T_PUB, "<td>发布日期：</td><td>2024年3月8日</td>");
    assert_no_rule(r, "metadata-mismatch");
    result_free(r);
}

/* ---------------- 隐私 ---------------- */

/* 17 digits + the GB 11643 check digit */
static void make_id(const char *d17, char *out)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[] = "10X98765432";
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (d17[i] - '0') * w[i];
    memcpy(out, d17, 17);
    out[17] = map[sum % 11];
    out[18] = '\0';
}

static dsc_result *with_text(const char *text)
{
    char body[256];
    snprintf(body, sizeof body, T_BODY_END "<p>%s</p>", text);
    return variant(T_BODY_END, body);
}

static void test_privacy_id_number(void **state)
{
    (void)state;
    dsc_result *r = with_text("联系人：张三，身份证号：11010519491231002X。");
    const dsc_finding *f = assert_finding(r, "privacy-id-number", NULL, DSC_SEV_ERROR);
    assert_non_null(f->evidence);
    assert_memory_equal(f->evidence, "110105", 6);
    result_free(r);

    char id[19], text[128];
    make_id("44030419900307123", id);
    snprintf(text, sizeof text, "申请人李四（%s）", id);
    r = with_text(text);
    assert_finding(r, "privacy-id-number", NULL, DSC_SEV_ERROR);
    result_free(r);

    /* any public page */
    snprintf(text, sizeof text, "<p>获奖人员：王五，%s</p>", id);
    char page[1024];
    snprintf(page, sizeof page, OTHER_PAGE("%s"), text);
    r = check_html(page, OTHER_URL, day_of(TODAY));
    assert_kind(r, DSC_KIND_OTHER);
    assert_finding(r, "privacy-id-number", NULL, DSC_SEV_ERROR);
    result_free(r);
}

static void test_privacy_id_number_pass(void **state)
{
    (void)state;
    char id[19], text[128];
    /* a wrong check digit */
    dsc_result *r = with_text("编号：110105194912310021");
    assert_no_rule(r, "privacy-id-number");
    result_free(r);

    /* no real birth date (1949-13-31), though the check digit is right */
    make_id("11010519491331002", id);
    snprintf(text, sizeof text, "编号：%s", id);
    r = with_text(text);
    assert_no_rule(r, "privacy-id-number");
    result_free(r);

    /* 2023-02-29 is no date */
    make_id("11010520230229123", id);
    snprintf(text, sizeof text, "编号：%s", id);
    r = with_text(text);
    assert_no_rule(r, "privacy-id-number");
    result_free(r);

    /* part of a longer number */
    r = with_text("流水号：911010519491231002X");
    assert_no_rule(r, "privacy-id-number");
    result_free(r);

    r = check_html(BASE_PAGE, BASE_URL, day_of(TODAY));
    assert_no_rule(r, "privacy-id-number");
    result_free(r);
}

int main(void)
{
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        TEST(test_catalogue_matches_rules_md),
        TEST(test_base_page_is_clean),
        TEST(test_other_page_not_checked),
        TEST(test_attribute_missing),
        TEST(test_attribute_missing_pass),
        TEST(test_attribute_invalid),
        TEST(test_attribute_invalid_pass),
        TEST(test_attribute_not_public),
        TEST(test_attribute_not_public_any_page),
        TEST(test_attribute_not_public_pass),
        TEST(test_attribute_conflict),
        TEST(test_attribute_conflict_pass),
        TEST(test_attribute_reason_missing),
        TEST(test_attribute_reason_missing_pass),
        TEST(test_attribute_reason_invalid),
        TEST(test_attribute_reason_invalid_pass),
        TEST(test_interpretation_missing),
        TEST(test_interpretation_missing_pass),
        TEST(test_interpretation_target_missing),
        TEST(test_interpretation_target_missing_pass),
        TEST(test_validity_missing),
        TEST(test_validity_missing_pass),
        TEST(test_validity_invalid),
        TEST(test_validity_invalid_pass),
        TEST(test_validity_expired_unmarked),
        TEST(test_validity_expired_unmarked_pass),
        TEST(test_validity_date_conflict),
        TEST(test_validity_date_conflict_pass),
        TEST(test_validity_no_successor),
        TEST(test_validity_no_successor_pass),
        TEST(test_validity_term_too_long),
        TEST(test_validity_term_too_long_pass),
        TEST(test_topic_missing),
        TEST(test_topic_pass),
        TEST(test_topic_unknown),
        TEST(test_topic_incomplete),
        TEST(test_topic_mismatch),
        TEST(test_metadata_missing),
        TEST(test_metadata_missing_pass),
        TEST(test_date_invalid),
        TEST(test_date_invalid_pass),
        TEST(test_date_order),
        TEST(test_date_order_pass),
        TEST(test_publish_late),
        TEST(test_publish_late_pass),
        TEST(test_doc_number_format),
        TEST(test_doc_number_format_pass),
        TEST(test_doc_number_format_traditional_pass),
        TEST(test_meta_tags_missing),
        TEST(test_meta_tags_missing_pass),
        TEST(test_metadata_mismatch),
        TEST(test_metadata_mismatch_pass),
        TEST(test_privacy_id_number),
        TEST(test_privacy_id_number_pass),
    };
    return cmocka_run_group_tests_name("rules", tests, helpers_setup, helpers_teardown);
}
