/* Extraction: each page layout of shared/reference/taxonomy-gov-cn.md gives the
 * disclosure record RULES.md defines (normalised values, ISO dates,
 * simplified characters, ASCII digits, empty markers as missing). */
#include "helpers.h"

#define TODAY "2025-01-01"
#define HEAD(title) \
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>" title "</title>\n</head><body>\n"
#define TAIL "\n</body></html>\n"

static dsc_result *check(const char *html)
{
    return check_html(html, "https://www.example.gov.cn/zwgk/zcwj/202403/t20240308_1.html",
                      day_of(TODAY));
}

/* ---------------- every label of RULES.md ---------------- */

static void test_all_labels(void **state)
{
    (void)state;
    static const struct {
        const char *label, *value;
        dsc_field field;
        const char *want;
    } labels[] = {
        {"索引号", "11000000/2024-00012", DSC_F_INDEX_NO, "11000000/2024-00012"},
        {"标题", "某办法", DSC_F_TITLE, "某办法"},
        {"名称", "某办法", DSC_F_TITLE, "某办法"},
        {"文件名称", "某办法", DSC_F_TITLE, "某办法"},
        {"发布机构", "某局", DSC_F_ISSUER, "某局"},
        {"发文机关", "某局", DSC_F_ISSUER, "某局"},
        {"发文机构", "某局", DSC_F_ISSUER, "某局"},
        {"发文单位", "某局", DSC_F_ISSUER, "某局"},
        {"公开主体", "某局", DSC_F_ISSUER, "某局"},
        {"发布单位", "某局", DSC_F_ISSUER, "某局"},
        {"文号", "某发〔2024〕1号", DSC_F_DOC_NUMBER, "某发〔2024〕1号"},
        {"发文字号", "某发〔2024〕1号", DSC_F_DOC_NUMBER, "某发〔2024〕1号"},
        {"文件编号", "某发〔2024〕1号", DSC_F_DOC_NUMBER, "某发〔2024〕1号"},
        {"成文日期", "2024年3月1日", DSC_F_WRITTEN_DATE, "2024-03-01"},
        {"印发日期", "2024年3月1日", DSC_F_WRITTEN_DATE, "2024-03-01"},
        {"发布日期", "2024/03/08", DSC_F_PUB_DATE, "2024-03-08"},
        {"公开日期", "2024/03/08", DSC_F_PUB_DATE, "2024-03-08"},
        {"发文日期", "2024/03/08", DSC_F_PUB_DATE, "2024-03-08"},
        {"公开属性", "主动公开", DSC_F_ATTRIBUTE, "主动公开"},
        {"公开方式", "依申请公开", DSC_F_ATTRIBUTE, "依申请公开"},
        {"公开类型", "不予公开", DSC_F_ATTRIBUTE, "不予公开"},
        {"不公开理由", "个人隐私", DSC_F_ATTRIBUTE_REASON, "个人隐私"},
        {"不予公开理由", "个人隐私", DSC_F_ATTRIBUTE_REASON, "个人隐私"},
        {"依申请公开理由", "个人隐私", DSC_F_ATTRIBUTE_REASON, "个人隐私"},
        {"删减理由", "个人隐私", DSC_F_ATTRIBUTE_REASON, "个人隐私"},
        {"主题分类", "综合政务/政务公开", DSC_F_TOPIC, "综合政务/政务公开"},
        {"组配分类", "综合政务/政务公开", DSC_F_TOPIC, "综合政务/政务公开"},
        {"公文种类", "规章", DSC_F_DOC_TYPE, "规章"},
        {"文件类型", "行政规范性文件", DSC_F_DOC_TYPE, "行政规范性文件"},
        {"公文类型", "规范性文件", DSC_F_DOC_TYPE, "行政规范性文件"},
        {"公文种类", "解读", DSC_F_DOC_TYPE, "政策解读"},
        {"有效性", "有效", DSC_F_VALIDITY, "有效"},
        {"时效", "现行有效", DSC_F_VALIDITY, "有效"},
        {"效力状态", "已失效", DSC_F_VALIDITY, "失效"},
        {"实施日期", "2024-04-01", DSC_F_EFFECTIVE_DATE, "2024-04-01"},
        {"施行日期", "2024-04-01", DSC_F_EFFECTIVE_DATE, "2024-04-01"},
        {"生效日期", "2024-04-01", DSC_F_EFFECTIVE_DATE, "2024-04-01"},
        {"有效期至", "2029-03-31", DSC_F_EXPIRY_DATE, "2029-03-31"},
        {"失效日期", "2029-03-31", DSC_F_EXPIRY_DATE, "2029-03-31"},
        {"废止日期", "2029-03-31", DSC_F_EXPIRY_DATE, "2029-03-31"},
        /* traditional forms */
        {"發布機構", "某局", DSC_F_ISSUER, "某局"},
        {"發文字號", "某发〔2024〕1号", DSC_F_DOC_NUMBER, "某发〔2024〕1号"},
        {"公開屬性", "主动公开", DSC_F_ATTRIBUTE, "主动公开"},
        {"主題分類", "综合政务/政务公开", DSC_F_TOPIC, "综合政务/政务公开"},
        {"索引號", "11000000/2024-00012", DSC_F_INDEX_NO, "11000000/2024-00012"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        char page[1024];
        snprintf(page, sizeof page,
                 "<html><head><meta charset=\"utf-8\"></head><body>\n"
                 "<table><tr><td>%s：</td><td>%s</td></tr></table>\n</body></html>\n",
                 labels[i].label, labels[i].value);
        dsc_result *r = check(page);
        const char *got = dsc_result_field(r, labels[i].field);
        if (!got || strcmp(got, labels[i].want) != 0) {
            print_error("# label %s: %s = %s, expected %s\n", labels[i].label,
                        dsc_field_name(labels[i].field), got ? got : "NULL", labels[i].want);
            fail();
        }
        result_free(r);
    }
}

static void test_doc_type_interpretation_in_table(void **state)
{
    (void)state;
    /* RULES.md: doc_type 政策解读 makes an interpretation page, whatever the
     * value is written in (政策解读 is also a link label) */
    static const char *const labels[] = {"公文种类", "公文类型", "文件类型"};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        char page[1024];
        snprintf(page, sizeof page,
                 HEAD("关于《某办法》的说明")
                 "<table><tr><td>%s：</td><td>政策解读</td></tr>"
                 "<tr><td>发布机构：</td><td>某局</td></tr></table>\n"
                 "<p>近日，某局印发了《某办法》……</p>" TAIL,
                 labels[i]);
        dsc_result *r = check(page);
        assert_field(r, DSC_F_DOC_TYPE, "政策解读");
        assert_kind(r, DSC_KIND_INTERPRETATION);
        assert_finding(r, "interpretation-target-missing", "interprets", DSC_SEV_ERROR);
        result_free(r);
    }
}

/* ---------------- gov.cn 国务院文件 ---------------- */

#define GOVCN_TABLE \
    "<table class=\"bd1\" cellpadding=\"0\" cellspacing=\"1\" width=\"100%\">\n<tbody>\n" \
    "<tr>\n<td width=\"75\"><b>索 引 号：</b></td><td width=\"200\">000014349/2017-00110</td>\n" \
    "<td width=\"75\"><b>主题分类：</b></td><td>综合政务\\政务公开</td>\n</tr>\n" \
    "<tr>\n<td><b>发文机关：</b></td><td>国务院办公厅</td>\n" \
    "<td><b>成文日期：</b></td><td>2017年05月15日</td>\n</tr>\n" \
    "<tr>\n<td><b>标  题：</b></td>\n" \
    "<td colspan=\"3\">国务院办公厅关于印发政府网站发展指引的通知</td>\n</tr>\n" \
    "<tr>\n<td><b>发文字号：</b></td><td>国办发〔2017〕47号</td>\n" \
    "<td><b>发布日期：</b></td><td>2017年06月08日</td>\n</tr>\n" \
    "<tr>\n<td><b>主 题 词：</b></td><td colspan=\"3\"></td>\n</tr>\n" \
    "</tbody>\n</table>\n"

static void expect_govcn_record(const dsc_result *r)
{
    assert_kind(r, DSC_KIND_POLICY);
    assert_field(r, DSC_F_INDEX_NO, "000014349/2017-00110");
    assert_field(r, DSC_F_TOPIC, "综合政务/政务公开");
    assert_field(r, DSC_F_ISSUER, "国务院办公厅");
    assert_field(r, DSC_F_WRITTEN_DATE, "2017-05-15");
    assert_field(r, DSC_F_TITLE, "国务院办公厅关于印发政府网站发展指引的通知");
    assert_field(r, DSC_F_DOC_NUMBER, "国办发〔2017〕47号");
    assert_field(r, DSC_F_PUB_DATE, "2017-06-08");
    assert_field(r, DSC_F_ATTRIBUTE, NULL);
    assert_field(r, DSC_F_VALIDITY, NULL);
}

static void test_layout_govcn(void **state)
{
    (void)state;
    const char *page = HEAD("国务院办公厅关于印发政府网站发展指引的通知_政府信息公开专栏")
        "<div class=\"wrap\"><div class=\"pctoubukuang1\">\n" GOVCN_TABLE "</div></div>\n"
        "<div class=\"pages_content\"><p>各省、自治区、直辖市人民政府，国务院各部委、各直属机构：</p>"
        "</div>" TAIL;
    dsc_result *r = check(page);
    expect_govcn_record(r);
    result_free(r);
}

static void test_layout_govcn_nested(void **state)
{
    (void)state;
    /* the label/value table inside a cell of an outer layout table */
    const char *page = HEAD("国务院办公厅关于印发政府网站发展指引的通知")
        "<div class=\"pctoubukuang1\">\n<table width=\"100%\"><tbody><tr><td>\n" GOVCN_TABLE
        "</td></tr></tbody></table>\n</div>" TAIL;
    dsc_result *r = check(page);
    expect_govcn_record(r);
    result_free(r);

    /* the 政策文件库 header */
    page = HEAD("国务院办公厅关于印发政府网站发展指引的通知")
        "<div class=\"policyLibraryOverview_header\">\n" GOVCN_TABLE "</div>" TAIL;
    r = check(page);
    expect_govcn_record(r);
    result_free(r);
}

/* ---------------- older TRS pages ---------------- */

static void test_layout_trs(void **state)
{
    (void)state;
    const char *page = HEAD("北京市人民政府办公厅关于进一步加强政务公开工作的通知")
        "<div class=\"xxgk_info\">\n"
        "<B>索 引 号:</B>11000000/2016-00345&nbsp;&nbsp;\n"
        "<B>发布机构:</B>北京市人民政府办公厅<br>\n"
        "<B>文　　号:</B> 京政办发〔2016〕12号<br>\n"
        "<B>发布日期:</B>2016-03-10<br>\n"
        "<B>成文日期:</B>2016年3月4日<br>\n"
        "<B>主题分类:</B>综合政务/政务公开<br>\n"
        "</div>\n<div class=\"TRS_Editor\"><p>各区人民政府：</p></div>" TAIL;
    dsc_result *r = check(page);
    assert_kind(r, DSC_KIND_POLICY);
    assert_field(r, DSC_F_INDEX_NO, "11000000/2016-00345");
    assert_field(r, DSC_F_ISSUER, "北京市人民政府办公厅");
    assert_field(r, DSC_F_DOC_NUMBER, "京政办发〔2016〕12号");
    assert_field(r, DSC_F_PUB_DATE, "2016-03-10");
    assert_field(r, DSC_F_WRITTEN_DATE, "2016-03-04");
    assert_field(r, DSC_F_TOPIC, "综合政务/政务公开");
    assert_field(r, DSC_F_TITLE, "北京市人民政府办公厅关于进一步加强政务公开工作的通知");
    result_free(r);
}

/* ---------------- Shanghai district pages ---------------- */

static void expect_shanghai_record(const dsc_result *r)
{
    assert_kind(r, DSC_KIND_POLICY);
    assert_field(r, DSC_F_INDEX_NO, "SH0101-2024-00123");
    assert_field(r, DSC_F_TOPIC, "综合政务/政务公开");
    assert_field(r, DSC_F_ATTRIBUTE, "主动公开");
    assert_field(r, DSC_F_WRITTEN_DATE, "2024-03-01");
    assert_field(r, DSC_F_DOC_NUMBER, "黄府办发〔2024〕3号");
    assert_field(r, DSC_F_PUB_DATE, "2024-03-08");
    assert_field(r, DSC_F_ISSUER, "上海市黄浦区人民政府办公室");
}

static void test_layout_shanghai(void **state)
{
    (void)state;
    const char *page = HEAD("黄浦区人民政府办公室关于印发某实施办法的通知")
        "<div class=\"article-info\">"
        "<span>索引号：</span><span>SH0101-2024-00123</span>"
        "<span>主题分类：</span><span>综合政务/政务公开</span>"
        "<span>公开属性：</span><span>主动公开</span>"
        "<span>成文日期：</span><span>2024-03-01</span>"
        "<span>发文字号：</span><span>黄府办发〔2024〕3号</span>"
        "<span>发布日期：</span><span>2024-03-08</span>"
        "<span>公开主体：</span><span>上海市黄浦区人民政府办公室</span>"
        "</div>" TAIL;
    dsc_result *r = check(page);
    expect_shanghai_record(r);
    result_free(r);
}

static void test_layout_shanghai_lines(void **state)
{
    (void)state;
    /* label and value on separate lines, in the same element or the next */
    const char *page = HEAD("黄浦区人民政府办公室关于印发某实施办法的通知")
        "<div class=\"article-info\">\n"
        "  <span class=\"label\">索引号：</span>\n"
        "  <span class=\"value\">\n      SH0101-2024-00123\n  </span>\n"
        "  <span class=\"label\">主题分类：</span>\n"
        "  <span class=\"value\">综合政务/政务公开</span>\n"
        "  <span>公开属性：\n      主动公开\n  </span>\n"
        "  <span>成文日期：\n      2024-03-01</span>\n"
        "  <span class=\"label\">发文字号：</span><br>\n"
        "  <span class=\"value\">黄府办发〔2024〕3号</span>\n"
        "  <span class=\"label\">发布日期：</span>\n"
        "  <span class=\"value\">\n2024-03-08\n</span>\n"
        "  <span class=\"label\">公开主体：</span>\n"
        "  <span class=\"value\">上海市黄浦区人民政府办公室</span>\n"
        "</div>" TAIL;
    dsc_result *r = check(page);
    expect_shanghai_record(r);
    result_free(r);
}

/* ---------------- Guangdong gkmlpt ---------------- */

static void test_layout_guangdong_gkmlpt(void **state)
{
    (void)state;
    const char *page = HEAD("广州市人民政府办公厅关于印发某管理办法的通知")
        "<div class=\"introduce\">\n<table class=\"table-head\">\n"
        "<tr><td><label>索引号：</label><span>007482532/2024-00123</span></td>"
        "<td><label>分类：</label><span>综合政务\\政务公开</span></td></tr>\n"
        "<tr><td><label>发布机构：</label><span>广州市人民政府办公厅</span></td>"
        "<td><label>成文日期：</label><span>2024-03-01</span></td></tr>\n"
        "<tr><td colspan=\"2\"><label>名称：</label>"
        "<span>广州市人民政府办公厅关于印发某管理办法的通知</span></td></tr>\n"
        "<tr><td><label>文号：</label><span>穗府办〔2024〕3号</span></td>"
        "<td><label>发布日期：</label><span>2024-03-08</span></td></tr>\n"
        "<tr><td colspan=\"2\"><label>主题词：</label><span></span></td></tr>\n"
        "</table>\n</div>" TAIL;
    dsc_result *r = check(page);
    assert_kind(r, DSC_KIND_POLICY);
    assert_field(r, DSC_F_INDEX_NO, "007482532/2024-00123");
    assert_field(r, DSC_F_TOPIC, "综合政务/政务公开");
    assert_field(r, DSC_F_ISSUER, "广州市人民政府办公厅");
    assert_field(r, DSC_F_WRITTEN_DATE, "2024-03-01");
    assert_field(r, DSC_F_TITLE, "广州市人民政府办公厅关于印发某管理办法的通知");
    assert_field(r, DSC_F_DOC_NUMBER, "穗府办〔2024〕3号");
    assert_field(r, DSC_F_PUB_DATE, "2024-03-08");
    result_free(r);
}

/* ---------------- Gansu ---------------- */

static void test_layout_gansu(void **state)
{
    (void)state;
    const char *page = HEAD("甘肃省人民政府办公厅关于印发某办法的通知")
        "<table class=\"xxgk-table\">\n"
        "<tr><th>索引号:</th><td>620000/2024-00012</td><th>公开方式:</th><td>主动公开</td></tr>\n"
        "<tr><th>发布机构:</th><td>甘肃省人民政府办公厅</td>"
        "<th>组配分类:</th><td>综合政务>政务公开</td></tr>\n"
        "<tr><th>文件编号:</th><td>甘政办发〔2024〕12号</td><th>发文日期:</th><td>2024-03-08</td></tr>\n"
        "<tr><th>成文日期:</th><td>2024-03-01</td><th>有效性:</th><td>有效</td></tr>\n"
        "</table>" TAIL;
    dsc_result *r = check(page);
    assert_kind(r, DSC_KIND_POLICY);
    assert_field(r, DSC_F_INDEX_NO, "620000/2024-00012");
    assert_field(r, DSC_F_ATTRIBUTE, "主动公开");
    assert_field(r, DSC_F_ISSUER, "甘肃省人民政府办公厅");
    assert_field(r, DSC_F_TOPIC, "综合政务/政务公开");
    assert_field(r, DSC_F_DOC_NUMBER, "甘政办发〔2024〕12号");
    assert_field(r, DSC_F_PUB_DATE, "2024-03-08");
    assert_field(r, DSC_F_WRITTEN_DATE, "2024-03-01");
    assert_field(r, DSC_F_VALIDITY, "有效");
    result_free(r);
}

/* ---------------- dl/dt/dd ---------------- */

static void test_layout_dl(void **state)
{
    (void)state;
    const char *page = HEAD("某县人民政府关于印发某办法的通知")
        "<dl class=\"xxgk\">\n"
        "<dt>索引号</dt><dd>11000000/2024-00012</dd>\n"
        "<dt>发布机构：</dt><dd>某县人民政府</dd>\n"
        "<dt>成文日期</dt>\n<dd>2024年3月1日</dd>\n"
        "<dt>发布日期：</dt><dd>2024/03/08</dd>\n"
        "<dt>文号</dt><dd>某政发〔2024〕2号</dd>\n"
        "<dt>公开属性</dt><dd>主动公开</dd>\n"
        "<dt>主题分类</dt><dd>综合政务／政务公开</dd>\n"
        "</dl>" TAIL;
    dsc_result *r = check(page);
    assert_kind(r, DSC_KIND_POLICY);
    assert_field(r, DSC_F_INDEX_NO, "11000000/2024-00012");
    assert_field(r, DSC_F_ISSUER, "某县人民政府");
    assert_field(r, DSC_F_WRITTEN_DATE, "2024-03-01");
    assert_field(r, DSC_F_PUB_DATE, "2024-03-08");
    assert_field(r, DSC_F_DOC_NUMBER, "某政发〔2024〕2号");
    assert_field(r, DSC_F_ATTRIBUTE, "主动公开");
    assert_field(r, DSC_F_TOPIC, "综合政务/政务公开");
    result_free(r);
}

/* ---------------- "label：value" in one element ---------------- */

static void test_layout_inline(void **state)
{
    (void)state;
    const char *page = HEAD("某县人民政府关于印发某办法的通知")
        "<div class=\"info\">\n"
        "<p>索引号：11000000/2024-00012</p>\n"
        "<p>发布机构：某县人民政府办公室</p>\n"
        "<p>成文日期: 2024年3月1日</p>\n"
        "<p>文号：某政办发〔2024〕5号</p>\n"
        "<li>公开属性：主动公开</li>\n"
        "<td>有效性：有效</td>\n"
        "</div>" TAIL;
    dsc_result *r = check(page);
    assert_kind(r, DSC_KIND_POLICY);
    assert_field(r, DSC_F_INDEX_NO, "11000000/2024-00012");
    assert_field(r, DSC_F_ISSUER, "某县人民政府办公室");
    assert_field(r, DSC_F_WRITTEN_DATE, "2024-03-01");
    assert_field(r, DSC_F_DOC_NUMBER, "某政办发〔2024〕5号");
    assert_field(r, DSC_F_ATTRIBUTE, "主动公开");
    assert_field(r, DSC_F_VALIDITY, "有效");
    result_free(r);
}

static void test_layout_several_pairs_one_line(void **state)
{
    (void)state;
    const char *page = HEAD("某县人民政府关于印发某办法的通知")
        "<div class=\"info\">\n"
        "<p>发布机构：某县人民政府办公室　成文日期：2024年3月1日　发布日期：2024年3月8日</p>\n"
        "<p>索引号：11000000/2024-00012 主题分类：综合政务/政务公开 公开属性：主动公开</p>\n"
        "<p>文号：某政办发〔2024〕5号&nbsp;&nbsp;有效性：有效</p>\n"
        "</div>" TAIL;
    dsc_result *r = check(page);
    assert_kind(r, DSC_KIND_POLICY);
    assert_field(r, DSC_F_ISSUER, "某县人民政府办公室");
    assert_field(r, DSC_F_WRITTEN_DATE, "2024-03-01");
    assert_field(r, DSC_F_PUB_DATE, "2024-03-08");
    assert_field(r, DSC_F_INDEX_NO, "11000000/2024-00012");
    assert_field(r, DSC_F_TOPIC, "综合政务/政务公开");
    assert_field(r, DSC_F_ATTRIBUTE, "主动公开");
    assert_field(r, DSC_F_DOC_NUMBER, "某政办发〔2024〕5号");
    assert_field(r, DSC_F_VALIDITY, "有效");
    result_free(r);
}

static void test_prose_is_not_a_label(void **state)
{
    (void)state;
    /* "本办法实施日期：" inside a sentence is prose, not the 实施日期 label */
    const char *page = HEAD("某县人民政府关于印发某办法的通知")
        "<table><tr><td>索引号：</td><td>11000000/2024-00012</td></tr>"
        "<tr><td>发布机构：</td><td>某县人民政府</td></tr>"
        "<tr><td>成文日期：</td><td>2024-03-01</td></tr></table>\n"
        "<p>经研究，本办法实施日期：另行通知。</p>" TAIL;
    dsc_result *r = check(page);
    assert_field(r, DSC_F_EFFECTIVE_DATE, NULL);
    assert_no_rule(r, "date-invalid");
    result_free(r);
}

/* ---------------- traditional characters ---------------- */

#define TRAD_PAGE \
    HEAD("天水市人民政府辦公室關於印發某辦法的通知") \
    "<table class=\"xxgk\">\n" \
    "<tr><td>索引號：</td><td>11620500/2021-00012</td><td>主題分類：</td><td>綜合政務/政務公開</td></tr>\n" \
    "<tr><td>發布機構：</td><td>天水市人民政府辦公室</td><td>發文字號：</td><td>天政辦發〔2021〕5號</td></tr>\n" \
    "<tr><td>公開屬性：</td><td>主動公開</td><td>有效性：</td><td>廢止</td></tr>\n" \
    "<tr><td>成文日期：</td><td>2021年3月1日</td><td>發布日期：</td><td>2021年3月5日</td></tr>\n" \
    "</table>" TAIL

static void test_layout_traditional_labels(void **state)
{
    (void)state;
    dsc_result *r = check(TRAD_PAGE);
    assert_kind(r, DSC_KIND_POLICY);
    assert_field(r, DSC_F_INDEX_NO, "11620500/2021-00012");
    assert_field(r, DSC_F_TOPIC, "综合政务/政务公开");
    assert_field(r, DSC_F_ATTRIBUTE, "主动公开");
    assert_field(r, DSC_F_VALIDITY, "废止");
    assert_field(r, DSC_F_WRITTEN_DATE, "2021-03-01");
    assert_field(r, DSC_F_PUB_DATE, "2021-03-05");
    assert_non_null(dsc_result_field(r, DSC_F_ISSUER));
    assert_non_null(dsc_result_field(r, DSC_F_DOC_NUMBER));
    assert_no_rule(r, "attribute-invalid");
    assert_no_rule(r, "validity-invalid");
    assert_no_rule(r, "topic-unknown");
    result_free(r);

    /* 依申請公開, 不予公開 */
    char *page = mkpage(TRAD_PAGE, "<td>主動公開</td>", "<td>依申請公開</td>", NULL);
    r = check(page);
    mem_free(page);
    assert_field(r, DSC_F_ATTRIBUTE, "依申请公开");
    result_free(r);
    page = mkpage(TRAD_PAGE, "<td>主動公開</td>", "<td>不予公開</td>", NULL);
    r = check(page);
    mem_free(page);
    assert_field(r, DSC_F_ATTRIBUTE, "不予公开");
    result_free(r);
}

static void test_traditional_values_simplified(void **state)
{
    (void)state;
    /* RULES.md: values are normalised to simplified Chinese */
    dsc_result *r = check(TRAD_PAGE);
    static const struct {
        dsc_field f;
        const char *want;
    } want[] = {
        {DSC_F_ISSUER, "天水市人民政府办公室"},
        {DSC_F_DOC_NUMBER, "天政办发〔2021〕5号"},
        {DSC_F_TITLE, "天水市人民政府办公室关于印发某办法的通知"},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *got = dsc_result_field(r, want[i].f);
        if (!got || strcmp(got, want[i].want) != 0) {
            print_error("# record %s: got %s, expected %s\n", dsc_field_name(want[i].f),
                        got ? got : "NULL", want[i].want);
            bad++;
        }
    }
    result_free(r);
    if (bad)
        fail_msg("%d value(s) not in simplified characters", bad);
}

/* ---------------- full-width digits ---------------- */

static void test_fullwidth_digits(void **state)
{
    (void)state;
    const char *page = HEAD("某县人民政府关于印发某办法的通知")
        "<table>\n"
        "<tr><td>索引号：</td><td>１１０００００/２０２４-０００１２</td></tr>\n"
        "<tr><td>发布机构：</td><td>某县人民政府</td></tr>\n"
        "<tr><td>成文日期：</td><td>２０２４年３月１日</td></tr>\n"
        "<tr><td>发布日期：</td><td>２０２４-０３-０８</td></tr>\n"
        "<tr><td>文号：</td><td>某政发〔２０２４〕２号</td></tr>\n"
        "</table>" TAIL;
    dsc_result *r = check(page);
    assert_field(r, DSC_F_INDEX_NO, "1100000/2024-00012");
    assert_field(r, DSC_F_WRITTEN_DATE, "2024-03-01");
    assert_field(r, DSC_F_PUB_DATE, "2024-03-08");
    assert_field(r, DSC_F_DOC_NUMBER, "某政发〔2024〕2号");
    assert_no_rule(r, "date-invalid");
    assert_no_rule(r, "doc-number-format");
    result_free(r);
}

/* ---------------- empty values ---------------- */

static void test_empty_values(void **state)
{
    (void)state;
    const char *page = HEAD("某县人民政府关于印发某办法的通知")
        "<table>\n"
        "<tr><td>索引号：</td><td>11000000/2024-00012</td><td>文号：</td><td>--</td></tr>\n"
        "<tr><td>发布机构：</td><td>某县人民政府</td><td>有效性：</td><td>无</td></tr>\n"
        "<tr><td>主题分类：</td><td>-</td><td>成文日期：</td><td></td></tr>\n"
        "<tr><td>公开属性：</td><td>　</td><td>实施日期：</td><td>&nbsp;</td></tr>\n"
        "<tr><td>发布日期：</td><td>2024-03-08</td><td>失效日期：</td><td>暂无</td></tr>\n"
        "</table>" TAIL;
    dsc_result *r = check(page);
    assert_kind(r, DSC_KIND_POLICY);
    assert_field(r, DSC_F_INDEX_NO, "11000000/2024-00012");
    assert_field(r, DSC_F_DOC_NUMBER, NULL);
    assert_field(r, DSC_F_VALIDITY, NULL);
    assert_field(r, DSC_F_TOPIC, NULL);
    assert_field(r, DSC_F_WRITTEN_DATE, NULL);
    assert_field(r, DSC_F_ATTRIBUTE, NULL);
    assert_field(r, DSC_F_EFFECTIVE_DATE, NULL);
    assert_field(r, DSC_F_EXPIRY_DATE, NULL);
    assert_field(r, DSC_F_PUB_DATE, "2024-03-08");
    /* missing, not invalid */
    assert_finding(r, "topic-missing", "topic", DSC_SEV_ERROR);
    assert_finding(r, "attribute-missing", "attribute", DSC_SEV_ERROR);
    assert_finding(r, "metadata-missing", "written_date", DSC_SEV_ERROR);
    assert_no_rule(r, "date-invalid");
    assert_no_rule(r, "validity-invalid");
    assert_no_rule(r, "attribute-invalid");
    /* the next label is not taken as the value of an empty one */
    result_free(r);
}

/* ---------------- the body note ---------------- */

static void test_body_note(void **state)
{
    (void)state;
    static const struct {
        const char *note, *value;
    } notes[] = {
        {"（此件公开发布）", "主动公开"},
        {"（此件依申请公开）", "依申请公开"},
        {"（此件不予公开）", "不予公开"},
        {"(此件公开发布)", "主动公开"},
    };
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
        char page[2048];
        snprintf(page, sizeof page,
                 HEAD("某县人民政府关于印发某办法的通知")
                 "<table><tr><td>索引号：</td><td>11000000/2024-00012</td></tr>"
                 "<tr><td>发布机构：</td><td>某县人民政府</td></tr>"
                 "<tr><td>成文日期：</td><td>2024-03-01</td></tr></table>\n"
                 "<div class=\"content\"><p>各乡镇人民政府：</p><p>现印发给你们，请遵照执行。</p>\n"
                 "<p style=\"text-align:right\">某县人民政府</p>\n"
                 "<p style=\"text-align:right\">2024年3月1日</p>\n<p>%s</p></div>" TAIL,
                 notes[i].note);
        dsc_result *r = check(page);
        assert_field(r, DSC_F_ATTRIBUTE, notes[i].value);
        assert_no_rule(r, "attribute-missing");
        assert_no_rule(r, "attribute-conflict");
        result_free(r);
    }
}

/* ---------------- meta tags ---------------- */

static void test_meta_tags(void **state)
{
    (void)state;
    /* content before name, upper-case names, double spaces, no metadata table */
    const char *page =
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
        "<title>国务院办公厅关于印发政府网站发展指引的通知_政策_中国政府网</title>\n"
        "<META content=\"国务院办公厅关于印发政府网站发展指引的通知\"  name=\"ArticleTitle\">\n"
        "<meta  content=\"2017-06-08 10:00\"  name=\"PubDate\" >\n"
        "<META NAME=\"CONTENTSOURCE\" CONTENT=\"国务院办公厅\">\n"
        "<meta content=\"政策文件\" name=\"columntype\">\n"
        "<meta name=\"firstpublishedtime\" content=\"2017-06-08-10:00:00\">\n"
        "<meta name=\"Keywords\" content=\"\">\n"
        "</head><body><p>各省、自治区、直辖市人民政府：</p>" TAIL;
    dsc_result *r = check(page);
    assert_kind(r, DSC_KIND_POLICY);
    assert_field(r, DSC_F_TITLE, "国务院办公厅关于印发政府网站发展指引的通知");
    assert_field(r, DSC_F_PUB_DATE, "2017-06-08");
    assert_field(r, DSC_F_ISSUER, "国务院办公厅");
    assert_field(r, DSC_F_DOC_TYPE, "政策文件");
    result_free(r);
}

static void test_title_falls_back_to_html_title(void **state)
{
    (void)state;
    const char *page = HEAD("某县人民政府关于印发某办法的通知")
        "<table><tr><td>索引号：</td><td>11000000/2024-00012</td></tr>"
        "<tr><td>发布机构：</td><td>某县人民政府</td></tr>"
        "<tr><td>成文日期：</td><td>2024-03-01</td></tr></table>" TAIL;
    dsc_result *r = check(page);
    assert_field(r, DSC_F_TITLE, "某县人民政府关于印发某办法的通知");
    result_free(r);
}

static void test_labels_win_over_meta(void **state)
{
    (void)state;
    const char *page =
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>网页标题</title>\n"
        "<meta name=\"ArticleTitle\" content=\"标签中的标题\">\n"
        "<meta name=\"ContentSource\" content=\"某县人民政府\">\n"
        "</head><body>\n"
        "<table><tr><td>索引号：</td><td>11000000/2024-00012</td></tr>"
        "<tr><td>标题：</td><td>表格中的标题</td></tr>"
        "<tr><td>发布机构：</td><td>某县人民政府办公室</td></tr>"
        "<tr><td>成文日期：</td><td>2024-03-01</td></tr></table>" TAIL;
    dsc_result *r = check(page);
    assert_field(r, DSC_F_TITLE, "表格中的标题");
    assert_field(r, DSC_F_ISSUER, "某县人民政府办公室");
    assert_finding(r, "metadata-mismatch", "title", DSC_SEV_WARNING);
    assert_finding(r, "metadata-mismatch", "issuer", DSC_SEV_WARNING);
    result_free(r);
}

static void test_scripts_ignored(void **state)
{
    (void)state;
    const char *page = HEAD("某县人民政府关于印发某办法的通知")
        "<script>var t = '<td>索引号：</td><td>FAKE</td>'; document.write('公开属性：不予公开');</script>\n"
        "<style>.x:after{content:'发布机构：假'}</style>\n"
        "<table><tr><td>索引号：</td><td>11000000/2024-00012</td></tr>"
        "<tr><td>发布机构：</td><td>某县人民政府</td></tr>"
        "<tr><td>成文日期：</td><td>2024-03-01</td></tr></table>" TAIL;
    dsc_result *r = check(page);
    assert_field(r, DSC_F_INDEX_NO, "11000000/2024-00012");
    assert_field(r, DSC_F_ISSUER, "某县人民政府");
    assert_field(r, DSC_F_ATTRIBUTE, NULL);
    assert_no_rule(r, "attribute-not-public");
    result_free(r);
}

/* ---------------- links and relations ---------------- */

static void test_links(void **state)
{
    (void)state;
    const char *page = HEAD("某县人民政府关于印发某办法的通知")
        "<div class=\"nav\"><a href=\"/zcjd/\">政策解读</a></div>\n"
        "<table><tr><td>索引号：</td><td>11000000/2024-00012</td></tr>"
        "<tr><td>发布机构：</td><td>某县人民政府</td></tr>"
        "<tr><td>文号：</td><td>某政发〔2024〕2号</td></tr>"
        "<tr><td>成文日期：</td><td>2024-03-01</td></tr></table>\n"
        "<p>本办法自2024年4月1日起施行，《某县政务公开办法》（某政发〔2019〕3号）同时废止。</p>\n"
        "<p>《某县信息公开规定》（某政发〔2020〕7号）第五条修改为……</p>\n"
        "<p>相关解读：<a href=\"../../zcjd/202403/t20240309_1.html\">《某办法》政策解读</a>"
        " <a href=\"https://www.example.gov.cn/zcjd/202403/t20240309_2.html\">图解某办法</a></p>" TAIL;
    dsc_result *r = check(page);
    assert_kind(r, DSC_KIND_POLICY);
    const char *const *items;
    assert_int_equal(dsc_result_list(r, DSC_F_INTERPRETATIONS, &items), 2);
    assert_list_has(r, DSC_F_INTERPRETATIONS,
                    "https://www.example.gov.cn/zwgk/zcjd/202403/t20240309_1.html");
    assert_list_has(r, DSC_F_INTERPRETATIONS,
                    "https://www.example.gov.cn/zcjd/202403/t20240309_2.html");
    assert_int_equal(dsc_result_list(r, DSC_F_REPEALS, &items), 1);
    assert_list_has(r, DSC_F_REPEALS, "某政发〔2019〕3号");
    assert_int_equal(dsc_result_list(r, DSC_F_AMENDS, &items), 1);
    assert_list_has(r, DSC_F_AMENDS, "某政发〔2020〕7号");
    /* the page's own number is not a relation */
    assert_int_equal(dsc_result_list(r, DSC_F_REPEALED_BY, &items), 0);
    result_free(r);
}

static void test_interpretation_page(void **state)
{
    (void)state;
    /* a title ending in 解读, no metadata table, no ColumnType */
    const char *page = HEAD("《某县政务公开管理办法》解读")
        "<base href=\"https://www.example.gov.cn/zwgk/\">\n"
        "<h1>《某县政务公开管理办法》解读</h1>\n<p>近日，县政府印发了……</p>\n"
        "<p><a href=\"zcwj/202403/t20240308_1.html\">政策原文</a></p>" TAIL;
    dsc_result *r = check_html(page, "https://www.example.gov.cn/zcjd/202403/t20240309_1.html",
                               day_of(TODAY));
    assert_kind(r, DSC_KIND_INTERPRETATION);
    const char *const *items;
    assert_int_equal(dsc_result_list(r, DSC_F_INTERPRETS, &items), 1);
    assert_string_equal(items[0], "https://www.example.gov.cn/zwgk/zcwj/202403/t20240308_1.html");
    result_free(r);
}

static void test_kinds(void **state)
{
    (void)state;
    /* a document number alone makes a policy page */
    dsc_result *r = check(HEAD("某县人民政府关于某事的通知") "<p>文号：某政发〔2024〕2号</p>" TAIL);
    assert_kind(r, DSC_KIND_POLICY);
    assert_string_equal(dsc_kind_name(dsc_result_kind(r)), "policy");
    result_free(r);
    /* ColumnType 政策解读 */
    r = check("<html><head><meta charset=\"utf-8\"><title>答记者问</title>"
              "<meta name=\"ColumnType\" content=\"政策解读\"></head><body><p>问：</p>" TAIL);
    assert_kind(r, DSC_KIND_INTERPRETATION);
    assert_string_equal(dsc_kind_name(dsc_result_kind(r)), "interpretation");
    result_free(r);
    /* nothing of the kind */
    r = check(HEAD("我县召开政务公开工作会议") "<p>3月8日，我县召开会议。</p>" TAIL);
    assert_kind(r, DSC_KIND_OTHER);
    assert_string_equal(dsc_kind_name(dsc_result_kind(r)), "other");
    result_free(r);
}

static void test_first_value_wins(void **state)
{
    (void)state;
    const char *page = HEAD("某县人民政府关于印发某办法的通知")
        "<table><tr><td>索引号：</td><td>11000000/2024-00012</td></tr>"
        "<tr><td>发布机构：</td><td>某县人民政府</td></tr>"
        "<tr><td>成文日期：</td><td>2024-03-01</td></tr></table>\n"
        "<div class=\"footer-info\"><p>发布机构：某县融媒体中心</p></div>" TAIL;
    dsc_result *r = check(page);
    assert_field(r, DSC_F_ISSUER, "某县人民政府");
    result_free(r);
}

static void test_result_accessors(void **state)
{
    (void)state;
    dsc_input in;
    memset(&in, 0, sizeof in);
    const char *page = HEAD("某县人民政府关于印发某办法的通知") "<p>文号：某政发〔2024〕2号</p>" TAIL;
    in.data = page;
    in.len = strlen(page);
    in.url = "https://www.example.gov.cn/a.html";
    in.path = "/srv/www/a.html";
    in.today = day_of(TODAY);
    dsc_result *r = NULL;
    dsc_error err;
    assert_int_equal(dsc_check(default_policy(), &in, &r, &err), DSC_OK);
    assert_string_equal(dsc_result_url(r), "https://www.example.gov.cn/a.html");
    assert_string_equal(dsc_result_path(r), "/srv/www/a.html");
    assert_string_equal(dsc_result_charset(r), "UTF-8");
    assert_null(dsc_result_field(r, (dsc_field)-1));
    assert_null(dsc_result_field(r, DSC_F__COUNT));
    const char *const *items = (const char *const *)&in;
    assert_int_equal(dsc_result_list(r, DSC_F__COUNT, &items), 0);
    assert_null(items);
    char *json = dsc_result_json(r, 0);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"kind\":\"policy\""));
    assert_non_null(strstr(json, "\"doc_number\":\"某政发〔2024〕2号\""));
    mem_free(json);
    result_free(r);

    /* bad arguments */
    r = (dsc_result *)&in;
    assert_int_equal(dsc_check(default_policy(), NULL, &r, &err), DSC_ERR_ARG);
    assert_null(r);
    assert_int_equal(err.code, DSC_ERR_ARG);

    /* field names */
    assert_string_equal(dsc_field_name(DSC_F_INDEX_NO), "index_no");
    assert_string_equal(dsc_field_name(DSC_F_AMENDED_BY), "amended_by");
    assert_int_equal(dsc_field_from_name("attribute_reason"), DSC_F_ATTRIBUTE_REASON);
    assert_int_equal(dsc_field_from_name("no_such_field"), -1);
    assert_string_equal(dsc_severity_name(DSC_SEV_WARNING), "warning");
}

int main(void)
{
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        TEST(test_all_labels),
        TEST(test_doc_type_interpretation_in_table),
        TEST(test_layout_govcn),
        TEST(test_layout_govcn_nested),
        TEST(test_layout_trs),
        TEST(test_layout_shanghai),
        TEST(test_layout_shanghai_lines),
        TEST(test_layout_guangdong_gkmlpt),
        TEST(test_layout_gansu),
        TEST(test_layout_dl),
        TEST(test_layout_inline),
        TEST(test_layout_several_pairs_one_line),
        TEST(test_prose_is_not_a_label),
        TEST(test_layout_traditional_labels),
        TEST(test_traditional_values_simplified),
        TEST(test_fullwidth_digits),
        TEST(test_empty_values),
        TEST(test_body_note),
        TEST(test_meta_tags),
        TEST(test_title_falls_back_to_html_title),
        TEST(test_labels_win_over_meta),
        TEST(test_scripts_ignored),
        TEST(test_links),
        TEST(test_interpretation_page),
        TEST(test_kinds),
        TEST(test_first_value_wins),
        TEST(test_result_accessors),
    };
    return cmocka_run_group_tests_name("extract", tests, helpers_setup, helpers_teardown);
}
