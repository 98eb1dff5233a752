/* 条例 第十五条 个人隐私: no 居民身份证号码 on a public page. */
#include "rules.h"

void rule_privacy_id_number(dsc_result *r, int rule)
{
    for (size_t i = 0; i < r->nids; i++)
        dsc_report(r, rule, -1, r->ids[i].line, r->ids[i].text,
                   dsc_arena_printf(r->arena,
                                    "页面含有居民身份证号码（%s），属于个人隐私，不得公开。请删除或隐去后再发布。",
                                    r->ids[i].text),
                   dsc_arena_printf(r->arena, "A resident ID card number (%s) is on the page: personal data, remove or mask it.",
                                    r->ids[i].text));
}
