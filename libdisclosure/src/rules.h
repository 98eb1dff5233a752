/* The rule engine: a table of rules, each a small function with its id,
 * default severity, group and the page kinds it applies to. A new rule is a
 * new function and a new row in rules.c, never a change to the engine. */
#ifndef DSC_RULES_H
#define DSC_RULES_H
#include "result.h"

#define KIND_POLICY (1u << DSC_KIND_POLICY)
#define KIND_INTERP (1u << DSC_KIND_INTERPRETATION)
#define KIND_OTHER (1u << DSC_KIND_OTHER)
#define KIND_ANY (KIND_POLICY | KIND_INTERP | KIND_OTHER)

typedef void dsc_rule_fn(dsc_result *r, int rule);

typedef struct {
    dsc_rule_info info;
    unsigned kinds;        /* page kinds the rule runs on */
    dsc_rule_fn *fn;       /* NULL: cross-page, run by the registry */
} dsc_rule;

int dsc_rule_index(const char *id);
void dsc_rules_run(dsc_result *r);

/* Report a finding for rule (its index): zh/en are complete messages. */
void dsc_report(dsc_result *r, int rule, int field, long line, const char *evidence,
                const char *zh, const char *en);

/* helpers for rule functions */
const char *dsc_fv(const dsc_result *r, int field);   /* field value or NULL */
const char *dsc_fname(int field);                      /* canonical name */
const char *dsc_fname_zh(int field);                   /* 中文 name */
int dsc_is_normative(const dsc_result *r);             /* 规章 / 行政规范性文件 */
/* A date field that parsed, as days; 0 when absent or invalid. */
int dsc_rule_date(const dsc_result *r, int field, int *days);
/* days as YYYY-MM-DD, in the result's arena */
const char *dsc_rule_fmt_date(dsc_result *r, int days);

/* rule functions, one file per group */
dsc_rule_fn rule_attribute_missing, rule_attribute_invalid, rule_attribute_not_public,
    rule_attribute_conflict, rule_attribute_reason_missing, rule_attribute_reason_invalid;
dsc_rule_fn rule_interpretation_missing, rule_interpretation_target_missing;
dsc_rule_fn rule_validity_missing, rule_validity_invalid, rule_validity_expired_unmarked,
    rule_validity_date_conflict, rule_validity_no_successor, rule_validity_term_too_long;
dsc_rule_fn rule_topic;
dsc_rule_fn rule_metadata_missing, rule_date_invalid, rule_date_order, rule_publish_late,
    rule_doc_number_format, rule_meta_tags_missing, rule_metadata_mismatch;
dsc_rule_fn rule_privacy_id_number;

#endif
