/* dsc_result_compact: a result copied into an arena of its own size.
 *
 * A check allocates its scratch (subtree texts, normalised labels, the
 * evidence it looked at and dropped) in the result's arena, so a result
 * holds ~17 KB for the ~2 KB it reports. A scan keeps its results until the
 * cross-page phase; compacted, ten thousand of them fit in the memory a
 * thousand took. Rule ids and field names point into static tables and are
 * kept as they are; every other string moves. */
#include <string.h>

#include "result.h"

typedef struct {
    dsc_arena *a;
    int failed;
} copier;

static const char *cp_str(copier *c, const char *s)
{
    if (!s)
        return NULL;
    char *d = dsc_arena_strdup(c->a, s);
    if (!d)
        c->failed = 1;
    return d;
}

static void *cp_mem(copier *c, const void *p, size_t n)
{
    if (!p || !n)
        return NULL;
    void *d = dsc_arena_alloc(c->a, n);
    if (!d) {
        c->failed = 1;
        return NULL;
    }
    return memcpy(d, p, n);
}

static void cp_list(copier *c, dsc_list *l)
{
    const char **items = cp_mem(c, l->items, l->n * sizeof *l->items);
    l->lines = cp_mem(c, l->lines, l->n * sizeof *l->lines);
    for (size_t i = 0; items && i < l->n; i++)
        items[i] = cp_str(c, items[i]);
    l->items = items;
    l->cap = l->n;
}

dsc_result *dsc_result_compact(dsc_result *r)
{
    if (!r)
        return NULL;
    copier c = {dsc_arena_new(dsc_arena_used(r->arena)), 0};
    if (!c.a)
        return r;
    dsc_result *n = dsc_arena_alloc(c.a, sizeof *n);
    if (!n) {
        dsc_arena_free(c.a);
        return r;
    }
    *n = *r;
    n->arena = c.a;
    n->url = cp_str(&c, r->url);
    n->path = cp_str(&c, r->path);
    n->html_title = cp_str(&c, r->html_title);
    for (int f = 0; f < DSC_NFIELDS; f++) {
        n->field[f].value = cp_str(&c, r->field[f].value);
        n->field[f].raw = cp_str(&c, r->field[f].raw);
        cp_list(&c, &n->list[f]);
    }
    for (size_t i = 0; i < n->nattrs; i++) {
        n->attrs[i].value = cp_str(&c, r->attrs[i].value);
        n->attrs[i].raw = cp_str(&c, r->attrs[i].raw);
        n->attrs[i].source = cp_str(&c, r->attrs[i].source);
    }
    n->metas = cp_mem(&c, r->metas, r->nmetas * sizeof *r->metas);
    n->metas_cap = n->nmetas;
    for (size_t i = 0; n->metas && i < n->nmetas; i++) {
        n->metas[i].name = cp_str(&c, r->metas[i].name);
        n->metas[i].content = cp_str(&c, r->metas[i].content);
    }
    for (size_t i = 0; i < n->nids; i++)
        n->ids[i].text = cp_str(&c, r->ids[i].text);
    n->findings = cp_mem(&c, r->findings, r->nfindings * sizeof *r->findings);
    n->findings_cap = n->nfindings;
    for (size_t i = 0; n->findings && i < n->nfindings; i++) {
        n->findings[i].message = cp_str(&c, r->findings[i].message);
        n->findings[i].message_en = cp_str(&c, r->findings[i].message_en);
        n->findings[i].evidence = cp_str(&c, r->findings[i].evidence);
    }
    if (c.failed) {
        dsc_arena_free(c.a);
        return r;
    }
    dsc_arena_free(r->arena); /* r itself lives in it */
    return n;
}
