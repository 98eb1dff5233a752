/* The state of one check: the extracted record, its evidence and findings.
 * Everything lives in the result's arena. */
#ifndef DSC_RESULT_H
#define DSC_RESULT_H
#include <libxml/HTMLparser.h>

#include "arena.h"
#include "policy.h"

typedef struct {
    const char *value;  /* normalised (vocabulary form, ISO date ...) */
    const char *raw;    /* as written, trimmed: evidence for findings */
    long line;
    int ok;             /* value passed its field's normalisation */
} dsc_value;

typedef struct {
    const char **items;
    long *lines;
    size_t n, cap;
} dsc_list;

typedef struct {
    const char *value;  /* vocabulary form when known, else raw */
    const char *raw;
    long line;
    const char *source; /* "label", "note" */
} dsc_attr_seen;

typedef struct {
    const char *name;   /* lower case */
    const char *content;
    long line;
} dsc_meta;

typedef struct {
    const char *text;
    long line;
} dsc_hit;

struct dsc_result {
    dsc_arena *arena;
    const dsc_policy *policy;
    dsc_kind kind;
    const char *url, *path;
    char charset[64];
    int today;

    dsc_value field[DSC_NFIELDS];
    dsc_list list[DSC_NFIELDS];
    int nlabelled;           /* distinct fields found through labels */
    const char *html_title;
    dsc_attr_seen attrs[8];
    size_t nattrs;
    dsc_meta *metas;
    size_t nmetas, metas_cap;
    dsc_hit ids[8];          /* ID numbers found in the text */
    size_t nids;

    dsc_finding *findings;
    size_t nfindings, findings_cap;
};

/* extract.c */
void dsc_extract(dsc_result *r, htmlDocPtr doc);
/* record.c: normalise one field's raw value into r->field[f] (first wins). */
void dsc_record_set(dsc_result *r, int field, const char *raw, long line);
void dsc_record_add(dsc_result *r, int field, const char *value, long line);
const char *dsc_meta_get(const dsc_result *r, const char *name);
const char *dsc_vocab_attribute(dsc_arena *a, const char *v);
const char *dsc_vocab_validity(dsc_arena *a, const char *v);
/* verdict.c: note one reading of 公开属性 (label or body note); bounded, and
 * never drops a reading unlike those kept */
void dsc_attr_push(dsc_result *r, const char *value, const char *raw, long line, const char *source);
/* find "X〔YYYY〕N号"-like document numbers in text; calls fn for each */
typedef void dsc_docno_fn(void *baton, const char *start, size_t len);
void dsc_find_doc_numbers(const char *text, size_t len, dsc_docno_fn *fn, void *baton);

#endif
