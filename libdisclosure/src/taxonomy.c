/* 主题分类: a two-level taxonomy (schemas/taxonomy.xsd). */
#include <string.h>

#include <libxml/tree.h>

#include "arena.h"
#include "policy.h"
#include "text.h"

typedef struct {
    const char *name;     /* as written in the file */
    const char **keys;    /* vocabulary forms of name and aliases */
    size_t nkeys;
} entry;

typedef struct {
    entry self;
    entry *subs;
    size_t nsubs;
    const char *examples;
} topic;

struct dsc_taxonomy {
    dsc_arena *arena;
    const char *name;
    topic *topics;
    size_t ntopics;
};

static size_t count_children(xmlNodePtr n, const char *name)
{
    size_t c = 0;
    for (xmlNodePtr k = n->children; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE && strcmp((const char *)k->name, name) == 0)
            c++;
    return c;
}

static const char *prop(dsc_arena *a, xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    const char *r = dsc_arena_strdup(a, v ? (const char *)v : "");
    xmlFree(v);
    return r;
}

static void fill_entry(dsc_arena *a, xmlNodePtr n, entry *e)
{
    e->name = prop(a, n, "name");
    e->nkeys = 1 + count_children(n, "alias");
    e->keys = dsc_arena_alloc(a, e->nkeys * sizeof(char *));
    size_t i = 0;
    e->keys[i++] = dsc_norm_vocab(a, e->name);
    for (xmlNodePtr k = n->children; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE && strcmp((const char *)k->name, "alias") == 0)
            e->keys[i++] = dsc_norm_vocab(a, prop(a, k, "name"));
}

static int entry_matches(const entry *e, const char *key)
{
    for (size_t i = 0; i < e->nkeys; i++)
        if (e->keys[i] && strcmp(e->keys[i], key) == 0)
            return 1;
    return 0;
}

dsc_status dsc_taxonomy_load(const char *path, const char *data, size_t len,
                             dsc_taxonomy **out, dsc_error *err)
{
    xmlDocPtr doc = dsc_xml_load_valid(path, data, len, "taxonomy.xsd", err);
    if (!doc)
        return err ? err->code : DSC_ERR_POLICY;
    dsc_arena *a = dsc_arena_new(16384);
    dsc_taxonomy *t = dsc_arena_alloc(a, sizeof(*t));
    memset(t, 0, sizeof(*t));
    t->arena = a;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    t->name = prop(a, root, "name");
    t->ntopics = count_children(root, "topic");
    t->topics = dsc_arena_alloc(a, (t->ntopics ? t->ntopics : 1) * sizeof(topic));
    size_t i = 0;
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "topic") != 0)
            continue;
        topic *tp = &t->topics[i++];
        fill_entry(a, n, &tp->self);
        tp->nsubs = count_children(n, "sub");
        tp->subs = dsc_arena_alloc(a, (tp->nsubs ? tp->nsubs : 1) * sizeof(entry));
        size_t j = 0;
        char ex[256] = "";
        size_t exl = 0;
        for (xmlNodePtr s = n->children; s; s = s->next) {
            if (s->type != XML_ELEMENT_NODE || strcmp((const char *)s->name, "sub") != 0)
                continue;
            fill_entry(a, s, &tp->subs[j]);
            if (j < 3 && exl + strlen(tp->subs[j].name) + 4 < sizeof ex)
                exl += (size_t)snprintf(ex + exl, sizeof ex - exl, "%s%s", j ? "、" : "",
                                        tp->subs[j].name);
            j++;
        }
        if (tp->nsubs > 3 && exl + 4 < sizeof ex)
            snprintf(ex + exl, sizeof ex - exl, "…");
        tp->examples = dsc_arena_strdup(a, ex);
    }
    xmlFreeDoc(doc);
    *out = t;
    return DSC_OK;
}

void dsc_taxonomy_free(dsc_taxonomy *t)
{
    if (t)
        dsc_arena_free(t->arena);
}

const char *dsc_taxonomy_name(const dsc_taxonomy *t)
{
    return t->name;
}

static const topic *find_topic(const dsc_taxonomy *t, const char *first)
{
    for (size_t i = 0; i < t->ntopics; i++)
        if (entry_matches(&t->topics[i].self, first))
            return &t->topics[i];
    return NULL;
}

dsc_topic_verdict dsc_taxonomy_check(const dsc_taxonomy *t, const char *first,
                                     const char *second, const char **canon1,
                                     const char **canon2)
{
    *canon1 = *canon2 = NULL;
    const topic *tp = find_topic(t, first);
    if (!tp)
        return DSC_TOPIC_UNKNOWN;
    *canon1 = tp->self.name;
    if (!second || !*second)
        return tp->nsubs ? DSC_TOPIC_INCOMPLETE : DSC_TOPIC_OK;
    for (size_t j = 0; j < tp->nsubs; j++)
        if (entry_matches(&tp->subs[j], second)) {
            *canon2 = tp->subs[j].name;
            return DSC_TOPIC_OK;
        }
    return DSC_TOPIC_MISMATCH;
}

const char *dsc_taxonomy_examples(const dsc_taxonomy *t, const char *first)
{
    const topic *tp = find_topic(t, first);
    return tp ? tp->examples : "";
}
