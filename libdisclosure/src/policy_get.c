/* The compiled policy once loaded (policy.c loads it): what the checks and
 * hosts read from it, and its release. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "policy.h"
#include "rules.h"

int dsc_words_has(const dsc_words *w, const char *s)
{
    if (!s)
        return 0;
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->items[i], s) == 0)
            return 1;
    return 0;
}

static int label_cmp(const void *a, const void *b)
{
    return strcmp(((const dsc_label *)a)->label, ((const dsc_label *)b)->label);
}

int dsc_policy_label_field(const dsc_policy *p, const char *norm_label)
{
    dsc_label key = {(char *)norm_label, 0};
    const dsc_label *hit = bsearch(&key, p->labels, p->nlabels, sizeof(dsc_label), label_cmp);
    return hit ? hit->field : -1;
}

void dsc_policy_free(dsc_policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nkinds; i++)
        if (p->kinds[i].xpath)
            xmlXPathFreeCompExpr(p->kinds[i].xpath);
    for (int f = 0; f < DSC_NFIELDS; f++)
        for (size_t i = 0; i < p->nxpaths[f]; i++)
            xmlXPathFreeCompExpr(p->xpaths[f][i].expr);
    if (!p->taxonomy_shared)
        dsc_taxonomy_free(p->taxonomy);
    if (!p->calendar_shared)
        dsc_calendar_free(p->calendar);
    dsc_arena_free(p->arena);
}

const char *dsc_policy_describe(const dsc_policy *p)
{
    return p->description;
}

size_t dsc_policy_max_bytes(const dsc_policy *p)
{
    return p->max_bytes;
}

dsc_severity dsc_policy_severity(const dsc_policy *p, const char *rule_id)
{
    int i = dsc_rule_index(rule_id);
    return i < 0 ? DSC_SEV_OFF : p->severity[i];
}
