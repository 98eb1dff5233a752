/* The rule catalogue of RULES.md, in its order, and the engine that runs it. */
#include <string.h>

#include "rules.h"
#include "text.h"

#define E DSC_SEV_ERROR
#define W DSC_SEV_WARNING

/* topic-* rules share one function: it decides which of the four applies */
static const dsc_rule rules[] = {
    {{"attribute-missing", E, "attribute", "缺少公开属性", "No disclosure attribute", 0}, KIND_POLICY, rule_attribute_missing},
    {{"attribute-invalid", E, "attribute", "公开属性取值无效", "Invalid disclosure attribute", 0}, KIND_POLICY, rule_attribute_invalid},
    {{"attribute-not-public", E, "attribute", "非主动公开的文件被公开发布", "Withheld document published", 0}, KIND_ANY, rule_attribute_not_public},
    {{"attribute-conflict", E, "attribute", "公开属性前后矛盾", "Conflicting disclosure attributes", 0}, KIND_ANY, rule_attribute_conflict},
    {{"attribute-reason-missing", E, "attribute", "未说明不公开理由", "No reason for withholding", 0}, KIND_ANY, rule_attribute_reason_missing},
    {{"attribute-reason-invalid", W, "attribute", "不公开理由无法定依据", "Reason names no statutory ground", 0}, KIND_ANY, rule_attribute_reason_invalid},
    {{"interpretation-missing", E, "interpretation", "缺少政策解读链接", "No link to an interpretation", 0}, KIND_POLICY, rule_interpretation_missing},
    {{"interpretation-target-missing", E, "interpretation", "解读未关联政策原文", "Interpretation links no document", 0}, KIND_INTERP, rule_interpretation_target_missing},
    {{"interpretation-unresolved", E, "interpretation", "解读关联的文件不存在", "Linked document not held by the site", 1}, KIND_ANY, NULL},
    {{"interpretation-not-reciprocal", W, "interpretation", "文件与解读未双向关联", "Interpretation link not reciprocal", 1}, KIND_ANY, NULL},
    {{"interpretation-late", W, "interpretation", "解读发布不及时", "Interpretation published late", 1}, KIND_ANY, NULL},
    {{"validity-missing", E, "validity", "缺少有效性标注", "No validity mark", 0}, KIND_POLICY, rule_validity_missing},
    {{"validity-invalid", E, "validity", "有效性取值无效", "Invalid validity mark", 0}, KIND_POLICY, rule_validity_invalid},
    {{"validity-expired-unmarked", E, "validity", "已过有效期仍标注有效", "Expired but marked in force", 0}, KIND_POLICY, rule_validity_expired_unmarked},
    {{"validity-date-conflict", E, "validity", "有效性与日期矛盾", "Validity contradicts the dates", 0}, KIND_POLICY, rule_validity_date_conflict},
    {{"validity-repealed-unmarked", E, "validity", "已被废止但未标注", "Repealed but not marked", 1}, KIND_ANY, NULL},
    {{"validity-amended-unmarked", W, "validity", "已被修改但未标注", "Amended but not marked", 1}, KIND_ANY, NULL},
    {{"validity-no-successor", W, "validity", "未注明废止或修改依据", "No repealing or amending document named", 0}, KIND_POLICY, rule_validity_no_successor},
    {{"validity-term-too-long", W, "validity", "有效期超过规定年限", "Validity term too long", 0}, KIND_POLICY, rule_validity_term_too_long},
    {{"topic-missing", E, "topic", "缺少主题分类", "No topic classification", 0}, KIND_POLICY, rule_topic},
    {{"topic-unknown", E, "topic", "主题分类不在分类表中", "Unknown topic", 0}, KIND_POLICY, NULL},
    {{"topic-incomplete", E, "topic", "主题分类未到二级", "Topic lacks its second level", 0}, KIND_POLICY, NULL},
    {{"topic-mismatch", E, "topic", "二级分类不属于该一级分类", "Second level not under the first", 0}, KIND_POLICY, NULL},
    {{"metadata-missing", E, "metadata", "缺少必填元数据", "Required metadata missing", 0}, KIND_POLICY, rule_metadata_missing},
    {{"date-invalid", E, "metadata", "日期无效", "Invalid date", 0}, KIND_ANY, rule_date_invalid},
    {{"date-order", E, "metadata", "日期顺序错误", "Dates out of order", 0}, KIND_POLICY, rule_date_order},
    {{"publish-late", W, "metadata", "公开不及时", "Published late", 0}, KIND_POLICY, rule_publish_late},
    {{"doc-number-format", W, "metadata", "发文字号格式不规范", "Document number badly formed", 0}, KIND_POLICY, rule_doc_number_format},
    {{"meta-tags-missing", W, "metadata", "网页标签缺失", "Page meta tags missing", 0}, KIND_POLICY | KIND_INTERP, rule_meta_tags_missing},
    {{"metadata-mismatch", W, "metadata", "网页标签与页面信息不一致", "Meta tags disagree with the page", 0}, KIND_POLICY, rule_metadata_mismatch},
    {{"privacy-id-number", E, "privacy", "页面含有居民身份证号码", "ID card number on a public page", 0}, KIND_ANY, rule_privacy_id_number},
};

#define NRULES (sizeof rules / sizeof rules[0])
_Static_assert(NRULES <= DSC_MAX_RULES, "raise DSC_MAX_RULES");

const dsc_rule_info *dsc_rule_at(size_t i)
{
    return i < NRULES ? &rules[i].info : NULL;
}

int dsc_rule_index(const char *id)
{
    if (!id)
        return -1;
    /* the first letter first: every finding and policy <rule> asks, and a
     * strcmp of each id cost more than the rule itself under the fuzzer */
    for (size_t i = 0; i < NRULES; i++)
        if (rules[i].info.id[0] == id[0] && strcmp(rules[i].info.id, id) == 0)
            return (int)i;
    return -1;
}

void dsc_rules_run(dsc_result *r)
{
    unsigned kind = 1u << r->kind;
    for (size_t i = 0; i < NRULES; i++) {
        if (!rules[i].fn || !(rules[i].kinds & kind))
            continue;
        /* topic-* share a function: run it if any of the four is on */
        if (rules[i].fn == rule_topic) {
            int on = 0;
            for (size_t j = i; j < i + 4; j++)
                on |= r->policy->severity[j] != DSC_SEV_OFF;
            if (!on)
                continue;
        } else if (r->policy->severity[i] == DSC_SEV_OFF) {
            continue;
        }
        rules[i].fn(r, (int)i);
    }
}

void dsc_report(dsc_result *r, int rule, int field, long line, const char *evidence,
                const char *zh, const char *en)
{
    dsc_severity sev = r->policy->severity[rule];
    if (sev == DSC_SEV_OFF)
        return;
    if (r->nfindings == r->findings_cap) {
        size_t cap = r->findings_cap ? r->findings_cap * 2 : 8;
        dsc_finding *nf = dsc_arena_alloc(r->arena, cap * sizeof(dsc_finding));
        if (!nf)
            return;
        if (r->nfindings)
            memcpy(nf, r->findings, r->nfindings * sizeof(dsc_finding));
        r->findings = nf;
        r->findings_cap = cap;
    }
    dsc_finding *f = &r->findings[r->nfindings++];
    f->rule = rules[rule].info.id;
    f->severity = sev;
    f->field = field >= 0 && field < DSC_F__COUNT ? dsc_field_name((dsc_field)field) : NULL;
    f->message = zh;
    f->message_en = en;
    f->evidence = evidence ? dsc_utf8_prefix(r->arena, evidence, 200) : NULL;
    f->line = line > 0 ? line : 0;
}

const char *dsc_fv(const dsc_result *r, int field)
{
    return r->field[field].value;
}

const char *dsc_fname(int field)
{
    return dsc_field_name((dsc_field)field);
}

const char *dsc_fname_zh(int field)
{
    static const char *const zh[] = {"索引号", "标题", "发布机构", "文号", "成文日期", "发布日期",
                                     "公开属性", "不公开理由", "主题分类", "公文种类", "有效性",
                                     "实施日期", "失效日期", "解读", "原文", "废止", "修改",
                                     "被废止", "被修改", "是否解读"};
    return field >= 0 && field < (int)(sizeof zh / sizeof zh[0]) ? zh[field] : "";
}

int dsc_is_normative(const dsc_result *r)
{
    return dsc_words_has(&r->policy->normative, dsc_fv(r, DSC_F_DOC_TYPE));
}

int dsc_rule_date(const dsc_result *r, int f, int *d)
{
    const dsc_value *v = &r->field[f];
    return v->value && v->ok && dsc_date_parse(v->value, d) == 0;
}

const char *dsc_rule_fmt_date(dsc_result *r, int d)
{
    char *b = dsc_arena_alloc(r->arena, 11);
    dsc_date_format(d, b);
    return b;
}
