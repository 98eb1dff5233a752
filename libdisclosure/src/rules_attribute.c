/* 公开属性: 条例 第十三至十六条; every local rule: 拟制公文时明确公开属性. */
#include <string.h>

#include "rules.h"
#include "text.h"

#define VOCAB_ZH "主动公开、依申请公开、不予公开或删减后公开"

static int withheld(const char *v)
{
    return v && (strcmp(v, "依申请公开") == 0 || strcmp(v, "不予公开") == 0);
}

static int needs_reason(const char *v)
{
    return withheld(v) || (v && strcmp(v, "删减后公开") == 0);
}

void rule_attribute_missing(dsc_result *r, int rule)
{
    if (dsc_fv(r, DSC_F_ATTRIBUTE))
        return;
    dsc_report(r, rule, DSC_F_ATTRIBUTE, 0, NULL,
               "未标注公开属性。请在元数据中填写“公开属性”：" VOCAB_ZH "。",
               "No 公开属性 (disclosure attribute). Add one of 主动公开, 依申请公开, 不予公开, 删减后公开.");
}

void rule_attribute_invalid(dsc_result *r, int rule)
{
    const dsc_value *v = &r->field[DSC_F_ATTRIBUTE];
    if (!v->value || v->ok)
        return;
    dsc_report(r, rule, DSC_F_ATTRIBUTE, v->line, v->raw,
               dsc_arena_printf(r->arena, "公开属性“%s”不是规定取值，应为" VOCAB_ZH "。", v->raw),
               dsc_arena_printf(r->arena,
                                "公开属性 \"%s\" is not in the vocabulary; write 主动公开, 依申请公开, 不予公开 or 删减后公开.",
                                v->raw));
}

void rule_attribute_not_public(dsc_result *r, int rule)
{
    for (size_t i = 0; i < r->nattrs; i++) {
        const dsc_attr_seen *a = &r->attrs[i];
        if (!withheld(a->value))
            continue;
        dsc_report(r, rule, DSC_F_ATTRIBUTE, a->line, a->raw,
                   dsc_arena_printf(r->arena,
                                    "本文件公开属性为“%s”，不得在网站公开发布。请撤下页面；如经保密审查可以公开，先将公开属性改为“主动公开”。",
                                    a->value),
                   dsc_arena_printf(r->arena,
                                    "This document is marked %s and must not be published on the public site. Withdraw it, or change the attribute to 主动公开 after review.",
                                    a->value));
        return;
    }
}

void rule_attribute_conflict(dsc_result *r, int rule)
{
    for (size_t i = 1; i < r->nattrs; i++) {
        const dsc_attr_seen *a = &r->attrs[0], *b = &r->attrs[i];
        if (strcmp(a->value, b->value) == 0)
            continue;
        dsc_report(r, rule, DSC_F_ATTRIBUTE, b->line,
                   dsc_arena_printf(r->arena, "%s / %s", a->raw, b->raw),
                   dsc_arena_printf(r->arena,
                                    "公开属性前后不一致：第%ld行为“%s”，第%ld行为“%s”。请核实后统一为一种。",
                                    a->line, a->raw, b->line, b->raw),
                   dsc_arena_printf(r->arena,
                                    "Conflicting disclosure attributes: \"%s\" on line %ld, \"%s\" on line %ld. Keep one.",
                                    a->raw, a->line, b->raw, b->line));
        return;
    }
}

void rule_attribute_reason_missing(dsc_result *r, int rule)
{
    const char *v = dsc_fv(r, DSC_F_ATTRIBUTE);
    if (!needs_reason(v) || dsc_fv(r, DSC_F_ATTRIBUTE_REASON))
        return;
    dsc_report(r, rule, DSC_F_ATTRIBUTE_REASON, r->field[DSC_F_ATTRIBUTE].line,
               r->field[DSC_F_ATTRIBUTE].raw,
               dsc_arena_printf(r->arena,
                                "公开属性为“%s”，但未说明理由。请填写“不公开理由”，写明《条例》第十四至十六条规定的情形，如个人隐私、商业秘密、过程性信息。",
                                v),
               dsc_arena_printf(r->arena,
                                "Marked %s without a reason. Add 不公开理由 naming a ground of 条例 §14–16 (e.g. 个人隐私, 商业秘密, 过程性信息).",
                                v));
}

void rule_attribute_reason_invalid(dsc_result *r, int rule)
{
    static const char *const grounds[] = {"国家秘密", "法律", "行政法规", "国家安全", "公共安全",
                                          "经济安全", "社会稳定", "三安全一稳定", "商业秘密",
                                          "个人隐私", "隐私", "内部事务", "过程性", "执法案卷",
                                          "第十四条", "第十五条", "第十六条", NULL};
    const dsc_value *v = &r->field[DSC_F_ATTRIBUTE_REASON];
    if (!v->value)
        return;
    const char *s = dsc_norm_vocab(r->arena, v->value);
    for (size_t i = 0; grounds[i]; i++)
        if (strstr(s, grounds[i]))
            return;
    dsc_report(r, rule, DSC_F_ATTRIBUTE_REASON, v->line, v->raw,
               dsc_arena_printf(r->arena,
                                "不公开理由“%s”未引用法定情形。应写明《条例》第十四至十六条规定的情形之一：国家秘密、法律行政法规禁止公开、危及“三安全一稳定”、商业秘密、个人隐私、内部事务信息、过程性信息、行政执法案卷信息。",
                                v->raw),
               dsc_arena_printf(r->arena,
                                "Reason \"%s\" names no statutory ground of 条例 §14–16 (国家秘密, 商业秘密, 个人隐私, 内部事务信息, 过程性信息, 行政执法案卷信息 …).",
                                v->raw));
}
