/* 主题分类至二级 (根河 附录A). The four topic-* rules are consecutive in the
 * table; this one function decides which of them a page breaks. */
#include <string.h>

#include "rules.h"
#include "text.h"

enum { T_MISSING = 0, T_UNKNOWN, T_INCOMPLETE, T_MISMATCH };

void rule_topic(dsc_result *r, int rule)
{
    const dsc_value *v = &r->field[DSC_F_TOPIC];
    const dsc_policy *p = r->policy;
    if (!v->value) {
        dsc_report(r, rule + T_MISSING, DSC_F_TOPIC, 0, NULL,
                   "未标注主题分类。请按主题分类表填写到二级，如“综合政务/政务公开”。",
                   "No 主题分类 (topic). Give it to the second level, e.g. 综合政务/政务公开.");
        return;
    }
    char *first = dsc_arena_strdup(r->arena, v->value);
    char *second = strchr(first, '/');
    if (second)
        *second++ = '\0';
    const char *c1, *c2;
    switch (dsc_taxonomy_check(p->taxonomy, first, second, &c1, &c2)) {
    case DSC_TOPIC_OK:
        return;
    case DSC_TOPIC_UNKNOWN:
        dsc_report(r, rule + T_UNKNOWN, DSC_F_TOPIC, v->line, v->raw,
                   dsc_arena_printf(r->arena, "主题分类“%s”的一级分类“%s”不在分类表《%s》中。请从分类表中选择。",
                                    v->raw, first, dsc_taxonomy_name(p->taxonomy)),
                   dsc_arena_printf(r->arena, "The first level \"%s\" of topic \"%s\" is not in the taxonomy %s.",
                                    first, v->raw, dsc_taxonomy_name(p->taxonomy)));
        return;
    case DSC_TOPIC_INCOMPLETE:
        dsc_report(r, rule + T_INCOMPLETE, DSC_F_TOPIC, v->line, v->raw,
                   dsc_arena_printf(r->arena, "主题分类“%s”只有一级分类，须细化到二级（“%s”下有：%s）。",
                                    v->raw, c1, dsc_taxonomy_examples(p->taxonomy, first)),
                   dsc_arena_printf(r->arena, "Topic \"%s\" has only its first level; add the second (e.g. %s).",
                                    v->raw, dsc_taxonomy_examples(p->taxonomy, first)));
        return;
    case DSC_TOPIC_MISMATCH:
        dsc_report(r, rule + T_MISMATCH, DSC_F_TOPIC, v->line, v->raw,
                   dsc_arena_printf(r->arena, "二级分类“%s”不属于一级分类“%s”（“%s”下有：%s）。",
                                    second, c1, c1, dsc_taxonomy_examples(p->taxonomy, first)),
                   dsc_arena_printf(r->arena, "The second level \"%s\" is not under \"%s\" (which has %s).",
                                    second, c1, dsc_taxonomy_examples(p->taxonomy, first)));
        return;
    }
}
