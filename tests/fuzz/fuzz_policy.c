/* libFuzzer target: bytes -> the policy loader (XML, schema validation,
 * field map, XPath compilation, taxonomy and calendar) -> the compiled
 * policy used once: severities, working days and one check of a fixed page
 * (so the policy's XPaths and kinds run). Data files named by a policy come
 * from the copies built into the library (DISCLOSURE_DATADIR points
 * nowhere), so the run depends on nothing installed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disclosure.h"
#include "fuzz_util.h"

static const char page[] =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>关于印发某办法的通知</title>"
    "<meta name=\"ColumnName\" content=\"政策文件\"></head><body>"
    "<table class=\"xxgk\"><tr><td>索引号：</td><td>000014349/2025-00012</td>"
    "<td>主题分类：</td><td>综合政务\\政务公开</td></tr>"
    "<tr><td>发文机关：</td><td>某省人民政府办公厅</td><td>成文日期：</td><td>2025年03月04日</td></tr>"
    "<tr><td>标题：</td><td>关于印发某办法的通知</td></tr>"
    "<tr><td>发文字号：</td><td>某政办发〔2025〕7号</td><td>发布日期：</td><td>2025-03-10</td></tr>"
    "<tr><td>公开属性：</td><td>主动公开</td><td>有效性：</td><td>有效</td></tr></table>"
    "<div class=\"content\"><p>各市人民政府：现将《某办法》印发给你们。</p></div>"
    "<a href=\"/zwgk/zcjd/2025/jd_1.html\">政策解读</a></body></html>";

static int today;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!today) {
        fuzz_quiet();
        setenv("DISCLOSURE_DATADIR", "/nonexistent/disclosure-fuzz", 1);
        if (dsc_date_parse("2025-06-30", &today) != 0)
            fuzz_fail("date", NULL);
    }
    dsc_policy *p = NULL;
    dsc_error err;
    if (dsc_policy_load_memory((const char *)data, size, "fuzz-policy.xml", &p, &err) != DSC_OK) {
        if (p)
            fuzz_fail("failed load returned a policy", err.message);
        if (!err.message[0])
            fuzz_fail("failed load without a reason", NULL);
        return 0;
    }
    if (!dsc_policy_describe(p))
        fuzz_fail("policy without description", NULL);
    for (size_t i = 0; dsc_rule_at(i); i++)
        (void)dsc_policy_severity(p, dsc_rule_at(i)->id);
    int beyond, from, to;
    if (dsc_date_parse("2025-01-01", &from) == 0 && dsc_date_parse("2025-12-31", &to) == 0)
        (void)dsc_working_days(p, from, to, &beyond);
    dsc_input in = {page, sizeof page - 1, NULL, "https://www.example.gov.cn/zwgk/2025/content_1.html", NULL,
                    today};
    dsc_result *res = NULL;
    if (dsc_check(p, &in, &res, &err) == DSC_OK) {
        char *j = dsc_result_json(res, 0);
        if (!j)
            fuzz_fail("dsc_result_json returned NULL", NULL);
        free(j);
        dsc_result_free(res);
    }
    dsc_policy_free(p);
    return 0;
}
