/* libFuzzer target: bytes -> dsc_check (decode, parse, extract, record,
 * rules) with the built-in policy -> every accessor and the page JSON.
 * Deterministic: a fixed "today", a fixed URL; a last byte 0x01-0x06
 * declares a charset as HTTP Content-Type would (it stays in the page).
 * Oracles beyond "no crash, no leak": the JSON parses back, every string of
 * the record and the findings is valid UTF-8, evidence is at most 200
 * characters, every finding has a rule id and both messages. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disclosure.h"
#include "fuzz_util.h"

static const dsc_policy *policy;
static int today;

static void release(void)
{
    dsc_policy_free((dsc_policy *)policy);
}

static void setup(void)
{
    dsc_policy *p;
    dsc_error err;
    fuzz_quiet();
    if (dsc_policy_load(NULL, &p, &err) != DSC_OK || dsc_date_parse("2025-06-30", &today) != 0)
        fuzz_fail("built-in policy or date", err.message);
    policy = p;
    atexit(release); /* valgrind's replay: nothing left behind */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!policy)
        setup();
    static const char *const declared[] = {"utf-8", "gbk", "gb2312", "big5", "gb18030", "utf-16"};
    const char *charset = size && data[size - 1] >= 1 && data[size - 1] <= 6 ? declared[data[size - 1] - 1] : NULL;
    dsc_input in = {(const char *)data, size, charset, "https://www.example.gov.cn/zwgk/2025/content_1.html",
                    NULL, today};
    dsc_result *res = NULL;
    dsc_error err;
    if (dsc_check(policy, &in, &res, &err) != DSC_OK) {
        if (res)
            fuzz_fail("dsc_check failed but returned a result", err.message);
        return 0;
    }
    for (int f = 0; f < DSC_F__COUNT; f++) {
        fuzz_utf8("record field", dsc_result_field(res, (dsc_field)f), 0);
        const char *const *items;
        size_t n = dsc_result_list(res, (dsc_field)f, &items);
        for (size_t i = 0; i < n; i++)
            fuzz_utf8("record list item", items[i], 0);
    }
    for (size_t i = 0; i < dsc_result_nfindings(res); i++) {
        const dsc_finding *f = dsc_result_finding(res, i);
        if (!f->rule || !f->message || !f->message_en)
            fuzz_fail("finding without rule id or message", f->rule);
        fuzz_utf8("finding message", f->message, 0);
        fuzz_utf8("finding message_en", f->message_en, 0);
        fuzz_utf8("finding evidence", f->evidence, 200);
    }
    (void)dsc_result_withheld(res);
    (void)dsc_result_kind(res);
    fuzz_utf8("ColumnName meta", dsc_result_meta(res, "ColumnName"), 0);
    fuzz_utf8("charset", dsc_result_charset(res), 0);
    char *j = dsc_result_json(res, DSC_JSON_INDENT | DSC_JSON_EXTRAS);
    if (!j)
        fuzz_fail("dsc_result_json returned NULL", NULL);
    json_error_t jerr;
    json_t *back = json_loads(j, 0, &jerr);
    if (!back)
        fuzz_fail("dsc_result_json is not valid JSON", jerr.text);
    json_decref(back);
    free(j);
    dsc_result_free(res);
    return 0;
}
