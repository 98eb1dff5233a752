/* Extraction, internal: the walk (extract.c), labels and their values
 * (labels.c), notes, ID numbers and relations in running text (textscan.c). */
#ifndef DSC_EXTRACT_H
#define DSC_EXTRACT_H
#include <stdint.h>
#include <string.h>

#include <libxml/tree.h>

#include "result.h"
#include "text.h"


#define MAX_VALUE_BYTES 1000
#define MAX_INLINE_TEXT 400

/* A value found in what looks like a menu, kept until the walk ends. */
typedef struct deferred {
    struct deferred *next;
    int field;
    const char *value, *href;
    size_t len;
    long line;
    int inline_pair;
} deferred;

typedef struct {
    const void *node;
    unsigned char bits;
} attr_memo;

typedef struct {
    dsc_result *r;
    const dsc_policy *p;
    dsc_arena *a;
    unsigned char labelled[DSC_NFIELDS];
    const xmlChar *base;
    int menu;                 /* the label being read sits in a menu */
    deferred *later, **later_tail;
    attr_memo *memo;          /* see attrs_have */
    size_t memo_n, memo_cap;
} ex;

typedef struct {
    char *buf;
    size_t len, cap;
    int overflow;
    const xmlChar *href; /* first link seen in the gathered content */
} sbuf;

static inline int name_is(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->name && n->name[0] == (xmlChar)name[0] &&
           strcmp((const char *)n->name, name) == 0;
}

/* extract.c */
void ex_sb_add(sbuf *b, const char *s, size_t n);
int ex_is_skipped(xmlNodePtr n);
int ex_is_block(xmlNodePtr n);
/* Text of a subtree, bounded in bytes and in nodes visited. */
void ex_subtree_text(xmlNodePtr top, sbuf *b, int max_nodes);
/* In a menu or side tree (labels) / in navigation (links). */
int ex_in_menu(ex *x, xmlNodePtr n);
int ex_in_navigation(ex *x, xmlNodePtr n);

/* labels.c */
int ex_label_of(ex *x, const char *s, size_t n, const char **norm);
int ex_node_is_label(ex *x, xmlNodePtr n, const char **norm);
void ex_value_after(ex *x, xmlNodePtr e, int f, const char *label, long line);
int ex_inline_pairs(ex *x, xmlNodePtr t, const char *s, size_t n);
void ex_add_value(ex *x, int f, const char *s, size_t n, const xmlChar *href, long line, int inline_pair);
int ex_is_link_field(int f);
const char *ex_resolve_href(ex *x, const xmlChar *href);

/* textscan.c */
void ex_body_notes(ex *x, xmlNodePtr t, const char *s, long line);
void ex_find_id_numbers(ex *x, const char *s, size_t n, long line);
void ex_relations(ex *x, xmlNodePtr t, const char *s);

#endif
