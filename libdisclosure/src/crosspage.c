/* Cross-page rules of RULES.md: one page's record against what the site
 * holds. Each rule is a small function with its id and its messages; the
 * queries are in registry.c (registry.h). The page's own side always comes
 * from its result (what is being published or scanned now), the other side
 * from the registry. A finding goes on the page that must change: the one
 * that lacks the link back, the one still not marked, the interpretation
 * that came late. What the registry could not answer is skipped (and
 * logged), never reported as a finding. */
#include <string.h>

#include "registry.h"
#include "result.h"
#include "rules.h"

typedef struct {
    dsc_registry *reg;
    dsc_result *r;
    const char *path;   /* the page's URL path: how other pages' links name it */
} page_ctx;

typedef void xrule_fn(page_ctx *c, int rule);

static int is_kind(const dsc_reg_doc *d, dsc_kind kind)
{
    return d->kind && strcmp(d->kind, dsc_kind_name(kind)) == 0;
}

/* Another document, for messages: 某政发〔2025〕1号“标题”（URL）. */
static const char *describe_zh(dsc_arena *a, const dsc_reg_doc *d)
{
    return dsc_arena_printf(a, "%s“%s”（%s）", d->doc_number ? d->doc_number : "",
                            d->title ? d->title : "无标题", d->url);
}

static const char *describe_en(dsc_arena *a, const dsc_reg_doc *d)
{
    return dsc_arena_printf(a, "%s%s\"%s\" (%s)", d->doc_number ? d->doc_number : "",
                            d->doc_number ? " " : "", d->title ? d->title : "untitled", d->url);
}

/* The same finding twice (check_publish then check_page, or a page checked
 * twice) would only repeat itself. */
static void report_once(dsc_result *r, int rule, int field, long line, const char *evidence,
                        const char *zh, const char *en)
{
    const char *id = dsc_rule_at((size_t)rule)->id;
    const char *fname = dsc_fname(field);
    for (size_t i = 0; i < r->nfindings; i++) {
        const dsc_finding *f = &r->findings[i];
        if (strcmp(f->rule, id) == 0 && f->field && strcmp(f->field, fname) == 0 &&
            f->evidence && evidence && strncmp(f->evidence, evidence, strlen(f->evidence)) == 0)
            return;
    }
    dsc_report(r, rule, field, line, evidence, zh, en);
}

/* 1 when one of the page's links in the list field points at path. */
static int links_to(dsc_result *r, int field, const char *path)
{
    const dsc_list *l = &r->list[field];
    for (size_t i = 0; path && i < l->n; i++) {
        const char *p = dsc_url_path(r->arena, l->items[i]);
        if (p && strcmp(p, path) == 0)
            return 1;
    }
    return 0;
}

/* ---- interpretation-unresolved (error): a link to an interpretation, or
 * from one to its document, that the site does not hold ---- */

static void unresolved_links(dsc_registry *reg, dsc_result *r, int rule, int field,
                             dsc_holds_fn *holds, void *baton)
{
    if (!reg && !holds)
        return; /* nothing to ask: no claim either way */
    const dsc_list *l = &r->list[field];
    for (size_t i = 0; i < l->n; i++) {
        const char *u = l->items[i];
        int held = reg ? dsc_reg_holds(reg, u) : 0;
        if (held != 0 || (holds && holds(baton, u)))
            continue;
        if (field == DSC_F_INTERPRETS)
            report_once(r, rule, field, l->lines[i], u,
                        dsc_arena_printf(r->arena,
                                         "解读关联的政策原文“%s”在本网站上不存在。请先发布政策原文，或改正链接地址。", u),
                        dsc_arena_printf(r->arena,
                                         "The interpreted document \"%s\" is not held by this site. Publish it first or fix the link.", u));
        else
            report_once(r, rule, field, l->lines[i], u,
                        dsc_arena_printf(r->arena,
                                         "本文件链接的政策解读“%s”在本网站上不存在。请先发布解读页面，或改正链接地址。", u),
                        dsc_arena_printf(r->arena,
                                         "The interpretation \"%s\" linked from this page is not held by this site. Publish it first or fix the link.", u));
    }
}

static void interpretation_unresolved(page_ctx *c, int rule)
{
    if (c->r->kind == DSC_KIND_POLICY)
        unresolved_links(c->reg, c->r, rule, DSC_F_INTERPRETATIONS, NULL, NULL);
    else if (c->r->kind == DSC_KIND_INTERPRETATION)
        unresolved_links(c->reg, c->r, rule, DSC_F_INTERPRETS, NULL, NULL);
}

static void dsc_registry_check_publish_unlocked(dsc_registry *reg, dsc_result *res, dsc_holds_fn *holds, void *baton)
{
    /* a document may go up before its interpretation, never the reverse */
    if (!res || res->kind != DSC_KIND_INTERPRETATION)
        return;
    int rule = dsc_rule_index("interpretation-unresolved");
    if (rule >= 0 && res->policy->severity[rule] != DSC_SEV_OFF)
        unresolved_links(reg, res, rule, DSC_F_INTERPRETS, holds, baton);
}

void dsc_registry_check_publish(dsc_registry *reg, dsc_result *res, dsc_holds_fn *holds, void *baton)
{
    if (reg)
        dsc_reg_lock(reg);
    dsc_registry_check_publish_unlocked(reg, res, holds, baton);
    if (reg)
        dsc_reg_unlock(reg);
}

/* ---- interpretation-not-reciprocal (warning): A names B as its
 * interpretation but B does not name A (or names another document); B
 * interprets A but A does not list B. The page lacking the link back gets
 * the finding. ---- */

static void not_named_back_by_interpretation(page_ctx *c, int rule)
{
    dsc_result *r = c->r;
    dsc_reg_docs from;
    if (dsc_reg_sources(c->reg, r->arena, "interpretation", c->path, c->path, &from) < 0)
        return;
    const dsc_list *mine = &r->list[DSC_F_INTERPRETS];
    for (size_t i = 0; i < from.n; i++) {
        const dsc_reg_doc *a = &from.items[i];
        if (!is_kind(a, DSC_KIND_POLICY) || links_to(r, DSC_F_INTERPRETS, a->path))
            continue;
        const char *zh, *en;
        if (mine->n == 0) {
            zh = dsc_arena_printf(r->arena,
                                  "政策文件%s将本页列为它的解读，但本页没有指向该文件的原文链接。"
                                  "请添加链接文字为“政策原文”的链接指向该文件；如果本页解读的不是该文件，请改正该文件上的解读链接。",
                                  describe_zh(r->arena, a));
            en = dsc_arena_printf(r->arena,
                                  "The document %s lists this page as its interpretation, but this page does not link back to it. "
                                  "Add a 政策原文 link to it; if this page interprets another document, fix the link on that document instead.",
                                  describe_en(r->arena, a));
        } else {
            zh = dsc_arena_printf(r->arena,
                                  "政策文件%s将本页列为它的解读，但本页的原文链接指向“%s”。"
                                  "请核对：本页解读的若是该文件，请改正本页的原文链接；否则请改正该文件上的解读链接。",
                                  describe_zh(r->arena, a), mine->items[0]);
            en = dsc_arena_printf(r->arena,
                                  "The document %s lists this page as its interpretation, but this page's 原文 link points to \"%s\". "
                                  "If this page interprets that document, fix the link here; otherwise fix the link on that document.",
                                  describe_en(r->arena, a), mine->items[0]);
        }
        report_once(r, rule, DSC_F_INTERPRETS, mine->n ? mine->lines[0] : 0, a->url, zh, en);
    }
}

static void not_listing_its_interpretation(page_ctx *c, int rule)
{
    dsc_result *r = c->r;
    dsc_reg_docs from;
    if (dsc_reg_sources(c->reg, r->arena, "interprets", c->path, c->path, &from) < 0)
        return;
    const dsc_list *mine = &r->list[DSC_F_INTERPRETATIONS];
    for (size_t i = 0; i < from.n; i++) {
        const dsc_reg_doc *b = &from.items[i];
        if (!is_kind(b, DSC_KIND_INTERPRETATION) || links_to(r, DSC_F_INTERPRETATIONS, b->path))
            continue;
        report_once(r, rule, DSC_F_INTERPRETATIONS, mine->n ? mine->lines[0] : 0, b->url,
                    dsc_arena_printf(r->arena,
                                     "解读%s以本文件为政策原文，但本页没有指向该解读的链接。"
                                     "请在本页添加该解读的链接（链接文字含“解读”）；如果该解读针对的不是本文件，请改正该解读页面上的原文链接。",
                                     describe_zh(r->arena, b)),
                    dsc_arena_printf(r->arena,
                                     "The interpretation %s names this document as its original, but this page does not link to it. "
                                     "Add a link to it (its text containing 解读); if it interprets another document, fix the link on that interpretation.",
                                     describe_en(r->arena, b)));
    }
}

static void interpretation_not_reciprocal(page_ctx *c, int rule)
{
    if (!c->path)
        return;
    if (c->r->kind == DSC_KIND_INTERPRETATION)
        not_named_back_by_interpretation(c, rule);
    else if (c->r->kind == DSC_KIND_POLICY)
        not_listing_its_interpretation(c, rule);
}

/* ---- interpretation-late (warning): the interpretation was published more
 * than interp_late_days working days after its document. It goes on the
 * interpretation: that is the page that was late. ---- */

static void add_doc(dsc_arena *a, dsc_reg_docs *l, size_t *cap, const dsc_reg_doc *d)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].url, d->url) == 0)
            return;
    if (l->n == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        dsc_reg_doc *items = dsc_arena_alloc(a, *cap * sizeof *items);
        if (!items)
            return;
        if (l->n)
            memcpy(items, l->items, l->n * sizeof *items);
        l->items = items;
    }
    l->items[l->n++] = *d;
}

/* The documents this interpretation is about: those it links as its
 * original, and those that list it as their interpretation. */
static int interpreted_documents(page_ctx *c, dsc_reg_docs *out)
{
    dsc_result *r = c->r;
    size_t cap = 0;
    out->items = NULL;
    out->n = 0;
    const dsc_list *l = &r->list[DSC_F_INTERPRETS];
    for (size_t i = 0; i < l->n; i++) {
        dsc_reg_doc d;
        int found = dsc_reg_doc_get(c->reg, r->arena, l->items[i], &d);
        if (found < 0)
            return -1;
        if (found && !is_kind(&d, DSC_KIND_INTERPRETATION))
            add_doc(r->arena, out, &cap, &d);
    }
    dsc_reg_docs from;
    if (c->path) {
        if (dsc_reg_sources(c->reg, r->arena, "interpretation", c->path, c->path, &from) < 0)
            return -1;
        for (size_t i = 0; i < from.n; i++)
            if (is_kind(&from.items[i], DSC_KIND_POLICY))
                add_doc(r->arena, out, &cap, &from.items[i]);
    }
    return 0;
}

static void interpretation_late(page_ctx *c, int rule)
{
    dsc_result *r = c->r;
    const dsc_value *pv = &r->field[DSC_F_PUB_DATE];
    int pub, limit = r->policy->interp_late_days;
    dsc_reg_docs docs;
    if (r->kind != DSC_KIND_INTERPRETATION || !pv->value || !pv->ok ||
        dsc_date_parse(pv->value, &pub) != 0 || interpreted_documents(c, &docs) < 0)
        return;
    for (size_t i = 0; i < docs.n; i++) {
        const dsc_reg_doc *d = &docs.items[i];
        int dpub, beyond = 0;
        if (!d->pub_date || dsc_date_parse(d->pub_date, &dpub) != 0 || pub <= dpub)
            continue;
        int days = dsc_working_days(r->policy, dpub, pub, &beyond);
        if (days <= limit)
            continue;
        report_once(r, rule, DSC_F_PUB_DATE, pv->line, pv->raw,
                    dsc_arena_printf(r->arena,
                                     "本解读发布于%s，所解读的政策文件%s发布于%s，相隔%d个工作日，超过规定的%d个工作日。"
                                     "解读应与文件同步发布；如发布日期填写有误，请改正。%s",
                                     pv->value, describe_zh(r->arena, d), d->pub_date, days, limit,
                                     beyond ? "（工作日历未覆盖该年份，按周一至周五计算。）" : ""),
                    dsc_arena_printf(r->arena,
                                     "This interpretation was published on %s, %d working days after the document %s (published %s); "
                                     "the limit is %d. Publish interpretations with their documents; if the date is wrong, correct it.%s",
                                     pv->value, days, describe_en(r->arena, d), d->pub_date, limit,
                                     beyond ? " (The calendar does not cover these dates; Monday to Friday was assumed.)" : ""));
    }
}

/* ---- validity-repealed-unmarked (error) and validity-amended-unmarked
 * (warning): another held document repeals or amends this one (by its
 * document number) and the page does not say so. ---- */

/* Held documents that rel ("repeals", "amends") this page; 0 when none or
 * the registry could not say. */
static size_t changed_by(page_ctx *c, const char *rel, dsc_reg_docs *by)
{
    const char *num = dsc_fv(c->r, DSC_F_DOC_NUMBER);
    if (!num || dsc_reg_sources(c->reg, c->r->arena, rel, num, c->path, by) < 0)
        return 0;
    return by->n;
}

/* The page's validity mark when it is one of the vocabulary, else NULL. */
static const char *validity_mark(const dsc_result *r)
{
    const dsc_value *v = &r->field[DSC_F_VALIDITY];
    return v->value && v->ok ? v->value : NULL;
}

static const char *mark_zh(dsc_result *r)
{
    const dsc_value *v = &r->field[DSC_F_VALIDITY];
    return v->raw ? dsc_arena_printf(r->arena, "有效性标注为“%s”", v->raw) : "没有标注有效性";
}

static const char *mark_en(dsc_result *r)
{
    const dsc_value *v = &r->field[DSC_F_VALIDITY];
    return v->raw ? dsc_arena_printf(r->arena, "is marked %s", v->raw) : "carries no validity mark";
}

static void validity_repealed_unmarked(page_ctx *c, int rule)
{
    dsc_result *r = c->r;
    dsc_reg_docs by;
    const char *v = validity_mark(r);
    if ((v && strcmp(v, "废止") == 0) || !changed_by(c, "repeals", &by))
        return;
    const dsc_reg_doc *d = &by.items[0];
    report_once(r, rule, DSC_F_VALIDITY, r->field[DSC_F_VALIDITY].line,
                dsc_arena_printf(r->arena, "%s %s", d->doc_number ? d->doc_number : "", d->url),
                dsc_arena_printf(r->arena,
                                 "本文件（%s）已被%s废止，但页面%s。请将有效性改为“废止”，并注明和链接废止它的文件。",
                                 dsc_fv(r, DSC_F_DOC_NUMBER), describe_zh(r->arena, d), mark_zh(r)),
                dsc_arena_printf(r->arena,
                                 "This document (%s) was repealed by %s, but the page %s. Mark it 废止 and name and link the repealing document.",
                                 dsc_fv(r, DSC_F_DOC_NUMBER), describe_en(r->arena, d), mark_en(r)));
}

static void validity_amended_unmarked(page_ctx *c, int rule)
{
    dsc_result *r = c->r;
    dsc_reg_docs by;
    const char *v = validity_mark(r);
    /* 废止 also counts as marked; a repealed page is told to say 废止 instead */
    if ((v && (strcmp(v, "已修改") == 0 || strcmp(v, "废止") == 0)) || changed_by(c, "repeals", &by) ||
        !changed_by(c, "amends", &by))
        return;
    const dsc_reg_doc *d = &by.items[0];
    report_once(r, rule, DSC_F_VALIDITY, r->field[DSC_F_VALIDITY].line,
                dsc_arena_printf(r->arena, "%s %s", d->doc_number ? d->doc_number : "", d->url),
                dsc_arena_printf(r->arena,
                                 "本文件（%s）已被%s修改，但页面%s。请将有效性改为“已修改”，并注明和链接修改它的文件。",
                                 dsc_fv(r, DSC_F_DOC_NUMBER), describe_zh(r->arena, d), mark_zh(r)),
                dsc_arena_printf(r->arena,
                                 "This document (%s) was amended by %s, but the page %s. Mark it 已修改 and name and link the amending document.",
                                 dsc_fv(r, DSC_F_DOC_NUMBER), describe_en(r->arena, d), mark_en(r)));
}

/* ---- the cross-page rules in RULES.md order (rules.c holds their rows
 * with fn NULL: the registry runs them) ---- */

static const struct {
    const char *id;
    xrule_fn *fn;
} cross_rules[] = {
    {"interpretation-unresolved", interpretation_unresolved},
    {"interpretation-not-reciprocal", interpretation_not_reciprocal},
    {"interpretation-late", interpretation_late},
    {"validity-repealed-unmarked", validity_repealed_unmarked},
    {"validity-amended-unmarked", validity_amended_unmarked},
};

static void dsc_registry_check_page_unlocked(dsc_registry *reg, dsc_result *res)
{
    if (!reg || !res)
        return;
    const char *url = res->url ? res->url : res->path;
    page_ctx c = {reg, res, url ? dsc_url_path(res->arena, url) : NULL};
    for (size_t i = 0; i < sizeof cross_rules / sizeof cross_rules[0]; i++) {
        int rule = dsc_rule_index(cross_rules[i].id);
        if (rule >= 0 && res->policy->severity[rule] != DSC_SEV_OFF)
            cross_rules[i].fn(&c, rule);
    }
}

void dsc_registry_check_page(dsc_registry *reg, dsc_result *res)
{
    if (reg)
        dsc_reg_lock(reg);
    dsc_registry_check_page_unlocked(reg, res);
    if (reg)
        dsc_reg_unlock(reg);
}

/* ---- serve time: what other documents say about a page ---- */

/* The public struct first, so that the arena holding everything is found
 * again from the pointer the caller frees. */
typedef struct {
    dsc_page_status pub;
    dsc_arena *arena;
} status_box;

static int status_from_relations(dsc_registry *reg, dsc_arena *a, const dsc_reg_doc *self,
                                 const char *path, dsc_page_status *st, dsc_reg_doc *by)
{
    static const char *const rels[] = {"repeals", "amends"};
    static const char *const marks[] = {"废止", "已修改"};
    for (size_t k = 0; self->doc_number && k < 2; k++) {
        dsc_reg_docs docs;
        if (dsc_reg_sources(reg, a, rels[k], self->doc_number, path, &docs) < 0)
            return -1;
        if (docs.n) {
            st->status = marks[k];
            *by = docs.items[0];
            return 1;
        }
    }
    return 0;
}

static dsc_status dsc_registry_page_status_unlocked(dsc_registry *reg, const char *url, dsc_page_status **out,
                                    dsc_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    if (out)
        *out = NULL;
    if (!reg || !url || !out) {
        dsc_set_error(err, DSC_ERR_ARG, NULL, 0, "registry: a page status needs a registry and a URL");
        return DSC_ERR_ARG;
    }
    dsc_arena *a = dsc_arena_new(4096);
    status_box *box = a ? dsc_arena_alloc(a, sizeof *box) : NULL;
    if (!box) {
        dsc_arena_free(a);
        dsc_set_error(err, DSC_ERR_NOMEM, NULL, 0, "out of memory");
        return DSC_ERR_NOMEM;
    }
    memset(box, 0, sizeof *box);
    box->arena = a;
    dsc_page_status *st = &box->pub;
    /* read first: a change made while we read leaves the answer stale, never
     * fresher than its key */
    st->changed = dsc_registry_generation(reg);
    const char *path = dsc_url_path(a, url);
    dsc_reg_doc self, by;
    int held = dsc_reg_doc_get(reg, a, url, &self), have_by = 0;
    if (held < 0 || (held && (have_by = status_from_relations(reg, a, &self, path, st, &by)) < 0))
        goto failed;
    if (held && !st->status && self.status) {
        /* marked at record time by a document the registry no longer links */
        st->status = self.status;
        st->status_by = self.status_by;
        if (self.status_by && (have_by = dsc_reg_doc_get(reg, a, self.status_by, &by)) < 0)
            goto failed;
    }
    if (have_by) {
        st->status_by = by.url;
        st->status_by_title = by.title;
        st->status_by_number = by.doc_number;
        st->status_by_date = by.pub_date;
    }
    dsc_reg_docs in;
    if (dsc_reg_sources(reg, a, "interprets", path, path, &in) < 0)
        goto failed;
    st->interpretation_urls = dsc_arena_alloc(a, (in.n + 1) * sizeof(char *));
    st->interpretation_titles = dsc_arena_alloc(a, (in.n + 1) * sizeof(char *));
    if (!st->interpretation_urls || !st->interpretation_titles) {
        dsc_arena_free(a);
        dsc_set_error(err, DSC_ERR_NOMEM, NULL, 0, "out of memory");
        return DSC_ERR_NOMEM;
    }
    for (size_t i = 0; i < in.n; i++)
        if (is_kind(&in.items[i], DSC_KIND_INTERPRETATION)) {
            st->interpretation_urls[st->ninterpretations] = in.items[i].url;
            st->interpretation_titles[st->ninterpretations++] = in.items[i].title;
        }
    *out = st;
    return DSC_OK;
failed:;
    dsc_status s = dsc_reg_error(reg, err, "reading a page's status");
    dsc_arena_free(a);
    return s;
}

dsc_status dsc_registry_page_status(dsc_registry *reg, const char *url, dsc_page_status **out,
                                    dsc_error *err)
{
    if (reg)
        dsc_reg_lock(reg);
    dsc_status r = dsc_registry_page_status_unlocked(reg, url, out, err);
    if (reg)
        dsc_reg_unlock(reg);
    return r;
}

void dsc_page_status_free(dsc_page_status *st)
{
    if (st)
        dsc_arena_free(((status_box *)st)->arena);
}
