/* 政策解读: 三同步; 指引: 解读页面关联政策文件. Cross-page rules live with the registry. */
#include <string.h>

#include "rules.h"

void rule_interpretation_missing(dsc_result *r, int rule)
{
    const char *dt = dsc_fv(r, DSC_F_DOC_TYPE);
    const char *marked = dsc_fv(r, DSC_F_NEEDS_INTERP);
    int needed = dsc_words_has(&r->policy->needs_interp, dt) || (marked && strcmp(marked, "是") == 0);
    if (!needed || r->list[DSC_F_INTERPRETATIONS].n > 0)
        return;
    const char *why = dsc_words_has(&r->policy->needs_interp, dt) ? dt : "标注为需解读的文件";
    dsc_report(r, rule, DSC_F_INTERPRETATIONS, 0, dt,
               dsc_arena_printf(r->arena,
                                "本文件为%s，须与政策解读同步发布，但页面没有解读链接。请添加文字含“解读”的链接（如“政策解读”），指向对应的解读页面。",
                                why),
               dsc_arena_printf(r->arena,
                                "This %s must be published with its interpretation, but the page links none. Add a link whose text contains 解读.",
                                dt ? dt : "document"));
}

void rule_interpretation_target_missing(dsc_result *r, int rule)
{
    if (r->list[DSC_F_INTERPRETS].n > 0)
        return;
    dsc_report(r, rule, DSC_F_INTERPRETS, 0, dsc_fv(r, DSC_F_TITLE),
               "解读页面没有关联政策原文。请添加链接文字为“政策原文”或“相关文件”的链接，指向被解读的文件。",
               "The interpretation links no original document. Add a link reading 政策原文 (or 相关文件) to the document it interprets.");
}
