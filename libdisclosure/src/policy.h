/* The compiled policy: immutable after dsc_policy_load(), shared by threads. */
#ifndef DSC_POLICY_H
#define DSC_POLICY_H
#include <libxml/xpath.h>

#include "disclosure.h"
#include "internal.h"

#define DSC_F_NEEDS_INTERP DSC_F__COUNT  /* extra, policy-only field */
#define DSC_NFIELDS (DSC_F__COUNT + 1)
#define DSC_MAX_RULES 64

typedef struct { char *label; int field; } dsc_label;
typedef struct { char **items; size_t n; } dsc_words;

typedef struct {
    dsc_kind kind;
    char *url_prefix;
    char *xpath_src;
    xmlXPathCompExprPtr xpath;
} dsc_kind_rule;

typedef struct {
    char *src;
    xmlXPathCompExprPtr expr;
} dsc_xpath;

typedef struct {
    int field;
    dsc_words doc_types; /* empty: every policy page */
} dsc_required;

typedef struct dsc_taxonomy dsc_taxonomy;
typedef struct dsc_calendar dsc_calendar;

struct dsc_policy {
    struct dsc_arena *arena;
    char *source;
    char *description;
    char *default_charset, *fallback_charset;
    size_t max_bytes;
    char *taxonomy_file, *calendar_file;
    dsc_taxonomy *taxonomy;
    dsc_calendar *calendar;
    int taxonomy_shared, calendar_shared;      /* built-in (builtin.c): not freed with the policy */
    int publish_late_days, interp_late_days, term_years, provisional_term_years;
    int table_fields;
    dsc_severity severity[DSC_MAX_RULES];     /* indexed like dsc_rule_at() */
    dsc_required *required;
    size_t nrequired;
    dsc_words normative, needs_interp, term_limited;
    dsc_words meta_required;
    dsc_kind_rule *kinds;
    size_t nkinds;
    dsc_words interp_text, original_text, nav_words;
    dsc_label *labels;                         /* sorted by label */
    size_t nlabels;
    size_t max_label_chars;
    dsc_words meta[DSC_NFIELDS];               /* meta names per field */
    dsc_xpath *xpaths[DSC_NFIELDS];
    size_t nxpaths[DSC_NFIELDS];
};

int dsc_words_has(const dsc_words *w, const char *s);
int dsc_policy_label_field(const dsc_policy *p, const char *norm_label);
const char *dsc_field_name_ext(int field);

/* taxonomy.c */
typedef enum { DSC_TOPIC_OK, DSC_TOPIC_UNKNOWN, DSC_TOPIC_INCOMPLETE, DSC_TOPIC_MISMATCH } dsc_topic_verdict;
dsc_status dsc_taxonomy_load(const char *path, const char *data, size_t len,
                             dsc_taxonomy **out, dsc_error *err);
void dsc_taxonomy_free(dsc_taxonomy *t);
const char *dsc_taxonomy_name(const dsc_taxonomy *t);
/* first/second are in vocabulary form; canon1 and canon2 get the taxonomy's
 * own spelling (aliases resolved). */
dsc_topic_verdict dsc_taxonomy_check(const dsc_taxonomy *t, const char *first,
                                     const char *second, const char **canon1,
                                     const char **canon2);
/* A few second levels of a first level, for messages ("政务公开、政务督查…"). */
const char *dsc_taxonomy_examples(const dsc_taxonomy *t, const char *first);

/* calendar.c */
dsc_status dsc_calendar_load(const char *path, const char *data, size_t len,
                             dsc_calendar **out, dsc_error *err);
void dsc_calendar_free(dsc_calendar *c);
const char *dsc_calendar_range(const dsc_calendar *c); /* "2017-2026" */

/* builtin.c: the built-in default policy, taxonomy and calendar, parsed
 * once per process and shared; the caller never frees them. data is the
 * embedded copy (dsc_embedded) and keys the cache; *shared says whether the
 * result is the shared one. */
xmlDocPtr dsc_builtin_policy_doc(const char *path, dsc_error *err);
dsc_status dsc_builtin_taxonomy(const char *path, const char *data, size_t len, dsc_taxonomy **out,
                                int *shared, dsc_error *err);
dsc_status dsc_builtin_calendar(const char *path, const char *data, size_t len, dsc_calendar **out,
                                int *shared, dsc_error *err);

/* xmlutil.c: parse an XML policy or data file safely (no network, no external
 * entities) and validate it against an embedded schema. */
#include <libxml/tree.h>
xmlDocPtr dsc_xml_load_valid(const char *path, const char *data, size_t len,
                             const char *schema_name, dsc_error *err);
const char *dsc_embedded(const char *name, size_t *len);
void dsc_set_error(dsc_error *err, dsc_status code, const char *file, long line,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
