/* 有效性: 修改、废止、失效应在原文件上明确标注 (根河 附录A); 规范性文件有效期. */
#include <string.h>

#include "rules.h"
#include "text.h"

#define VOCAB_ZH "有效、失效、废止或已修改"


void rule_validity_missing(dsc_result *r, int rule)
{
    if (!dsc_is_normative(r) || dsc_fv(r, DSC_F_VALIDITY))
        return;
    const char *dt = dsc_fv(r, DSC_F_DOC_TYPE);
    dsc_report(r, rule, DSC_F_VALIDITY, 0, dt,
               dsc_arena_printf(r->arena, "本文件为%s，未标注有效性。请填写“有效性”：" VOCAB_ZH "。", dt),
               dsc_arena_printf(r->arena, "This %s carries no 有效性 (validity). Add 有效, 失效, 废止 or 已修改.", dt));
}

void rule_validity_invalid(dsc_result *r, int rule)
{
    const dsc_value *v = &r->field[DSC_F_VALIDITY];
    if (!v->value || v->ok)
        return;
    dsc_report(r, rule, DSC_F_VALIDITY, v->line, v->raw,
               dsc_arena_printf(r->arena, "有效性“%s”不是规定取值，应为" VOCAB_ZH "。", v->raw),
               dsc_arena_printf(r->arena, "有效性 \"%s\" is not in the vocabulary; write 有效, 失效, 废止 or 已修改.", v->raw));
}

void rule_validity_expired_unmarked(dsc_result *r, int rule)
{
    int exp;
    const char *v = dsc_fv(r, DSC_F_VALIDITY);
    if (!v || strcmp(v, "有效") != 0 || !dsc_rule_date(r, DSC_F_EXPIRY_DATE, &exp) || r->today <= exp)
        return;
    const dsc_value *e = &r->field[DSC_F_EXPIRY_DATE];
    dsc_report(r, rule, DSC_F_VALIDITY, r->field[DSC_F_VALIDITY].line, r->field[DSC_F_VALIDITY].raw,
               dsc_arena_printf(r->arena,
                                "有效期至%s，已经到期（检查日期%s），但页面仍标注“有效”。请将有效性改为“失效”。",
                                e->value, dsc_rule_fmt_date(r, r->today)),
               dsc_arena_printf(r->arena,
                                "The term ended on %s (checked on %s) but the page still says 有效. Mark it 失效.",
                                e->value, dsc_rule_fmt_date(r, r->today)));
}

void rule_validity_date_conflict(dsc_result *r, int rule)
{
    int exp, eff;
    const char *v = dsc_fv(r, DSC_F_VALIDITY);
    int has_exp = dsc_rule_date(r, DSC_F_EXPIRY_DATE, &exp);
    if (v && has_exp && (strcmp(v, "失效") == 0 || strcmp(v, "废止") == 0) && exp > r->today) {
        dsc_report(r, rule, DSC_F_VALIDITY, r->field[DSC_F_VALIDITY].line, r->field[DSC_F_VALIDITY].raw,
                   dsc_arena_printf(r->arena, "有效性标注为“%s”，但失效日期%s尚未到来。请核对有效性或失效日期。",
                                    v, r->field[DSC_F_EXPIRY_DATE].value),
                   dsc_arena_printf(r->arena, "Marked %s, but the expiry date %s is still ahead. Check the mark or the date.",
                                    v, r->field[DSC_F_EXPIRY_DATE].value));
        return;
    }
    if (has_exp && dsc_rule_date(r, DSC_F_EFFECTIVE_DATE, &eff) && eff > exp) {
        dsc_report(r, rule, DSC_F_EFFECTIVE_DATE, r->field[DSC_F_EFFECTIVE_DATE].line,
                   r->field[DSC_F_EFFECTIVE_DATE].raw,
                   dsc_arena_printf(r->arena, "实施日期%s晚于失效日期%s。请核对日期。",
                                    r->field[DSC_F_EFFECTIVE_DATE].value, r->field[DSC_F_EXPIRY_DATE].value),
                   dsc_arena_printf(r->arena, "The effective date %s is after the expiry date %s.",
                                    r->field[DSC_F_EFFECTIVE_DATE].value, r->field[DSC_F_EXPIRY_DATE].value));
    }
}

void rule_validity_no_successor(dsc_result *r, int rule)
{
    const char *v = dsc_fv(r, DSC_F_VALIDITY);
    if (!v)
        return;
    int repealed = strcmp(v, "废止") == 0, amended = strcmp(v, "已修改") == 0;
    if (!repealed && !amended)
        return;
    if (r->list[repealed ? DSC_F_REPEALED_BY : DSC_F_AMENDED_BY].n > 0)
        return;
    dsc_report(r, rule, repealed ? DSC_F_REPEALED_BY : DSC_F_AMENDED_BY,
               r->field[DSC_F_VALIDITY].line, r->field[DSC_F_VALIDITY].raw,
               dsc_arena_printf(r->arena,
                                "本文件标注为“%s”，但未注明由哪个文件%s。请注明并链接该文件，如“已被某政发〔2024〕5号%s”。",
                                v, repealed ? "废止" : "修改", repealed ? "废止" : "修改"),
               dsc_arena_printf(r->arena,
                                "Marked %s without naming the document that %s it. Name and link it, e.g. 已被某政发〔2024〕5号%s.",
                                v, repealed ? "repealed" : "amended", repealed ? "废止" : "修改"));
}

void rule_validity_term_too_long(dsc_result *r, int rule)
{
    if (!dsc_words_has(&r->policy->term_limited, dsc_fv(r, DSC_F_DOC_TYPE)))
        return;
    int start, exp;
    if (!dsc_rule_date(r, DSC_F_EXPIRY_DATE, &exp))
        return;
    if (!dsc_rule_date(r, DSC_F_EFFECTIVE_DATE, &start) && !dsc_rule_date(r, DSC_F_PUB_DATE, &start))
        return;
    const char *title = dsc_fv(r, DSC_F_TITLE);
    int provisional = title && (strstr(title, "暂行") || strstr(title, "试行"));
    int years = provisional ? r->policy->provisional_term_years : r->policy->term_years;
    if (exp <= dsc_date_add_years(start, years))
        return;
    const char *from = dsc_rule_fmt_date(r, start);
    dsc_report(r, rule, DSC_F_EXPIRY_DATE, r->field[DSC_F_EXPIRY_DATE].line, r->field[DSC_F_EXPIRY_DATE].raw,
               dsc_arena_printf(r->arena,
                                "有效期自%s至%s，超过%d年。%s的行政规范性文件有效期不超过%d年，请缩短有效期。",
                                from, r->field[DSC_F_EXPIRY_DATE].value, years,
                                provisional ? "标题含“暂行”或“试行”" : "", years),
               dsc_arena_printf(r->arena, "The term %s to %s exceeds %d years%s.", from,
                                r->field[DSC_F_EXPIRY_DATE].value, years,
                                provisional ? " (the limit for 暂行/试行 titles)" : ""));
}
