/* Running text: the 此件… notes, 居民身份证号码, and document numbers in
 * sentences that repeal or amend. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>
#include <libxml/xpath.h>

#include "extract.h"

/* One note at p (just after 此件): records it and returns 1 when its closing
 * bracket comes within 12 characters; 0 when the text ends first. */
static int note_at(ex *x, const char *q, long line)
{
    const char *end = q;
    int chars = 0;
    while (*end && chars < 12) {
        if (strncmp(end, "）", 3) == 0 || *end == ')')
            break;
        end++;
        while ((*end & 0xC0) == 0x80)
            end++;
        chars++;
    }
    if (!*end)
        return 0;
    if (chars > 0) {
        char *v = dsc_norm_label(x->a, q, (size_t)(end - q));
        const char *attr = NULL;
        if (strcmp(v, "公开发布") == 0 || strcmp(v, "主动公开") == 0 || strcmp(v, "公开") == 0)
            attr = "主动公开";
        else
            attr = dsc_vocab_attribute(x->a, v);
        if (attr)
            dsc_attr_push(x->r, attr,
                          dsc_arena_printf(x->a, "（此件%s）", dsc_norm_value(x->a, q, (size_t)(end - q))),
                          line, "note");
    }
    return 1;
}

static int is_inline(xmlNodePtr n)
{
    return n && n->type == XML_ELEMENT_NODE && !ex_is_block(n) && !name_is(n, "body") && !name_is(n, "html");
}

/* The text that follows t in the same block: its next siblings, then its
 * inline parents' (bounded), for a note a template split across tags:
 * （此件<span>不予</span>公开）, （<b>此件</b>不予公开）. */
static void text_after(xmlNodePtr t, sbuf *b)
{
    int nodes = 0;
    for (xmlNodePtr n = t; n && nodes < 12 && !b->overflow; n = n->parent) {
        for (xmlNodePtr s = n->next; s && nodes < 12 && !b->overflow; s = s->next, nodes++) {
            if (s->type == XML_ELEMENT_NODE && (ex_is_block(s) || ex_is_skipped(s) || name_is(s, "br")))
                return;
            ex_subtree_text(s, b, 8);
            if (strstr(b->buf, "）") || strchr(b->buf, ')'))
                return;
        }
        if (!is_inline(n->parent))
            return;
    }
}

/* The notes under the date line: （此件公开发布）（此件不予公开）… */
void ex_body_notes(ex *x, xmlNodePtr t, const char *s, long line)
{
    const char *p = s, *open = NULL;
    while ((p = strstr(p, "此件"))) {
        p += strlen("此件");
        if (!note_at(x, p, line))
            open = p - strlen("此件");
    }
    /* a note cut by the end of this text, or a text ending in its first
     * character: read on into the elements that follow */
    size_t n = strlen(s);
    if (!open && n >= 3 && memcmp(s + n - 3, "此", 3) == 0)
        open = s + n - 3;
    if (!open || strlen(open) > 48)
        return;
    char buf[160];
    sbuf b = {buf, 0, 120, 0, NULL};
    buf[0] = '\0';
    ex_sb_add(&b, open, strlen(open));
    text_after(t, &b);
    if (b.href)
        xmlFree((xmlChar *)b.href);
    const char *q = strstr(buf, "此件");
    if (q)
        note_at(x, q + strlen("此件"), line);
}

static int id_check_digit_ok(const char *d)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[] = "10X98765432";
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (d[i] - '0') * w[i];
    char c = d[17] == 'x' ? 'X' : d[17];
    return map[sum % 11] == c;
}

/* Is any byte of the eight in w an ASCII digit? ("hasbetween" of Bit
 * Twiddling Hacks: exact per byte, no carries between bytes.) */
static inline int has_digit8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, low7 = ones * 0x7F;
    return (((ones * (127 + '9' + 1) - (w & low7)) & ~w & ((w & low7) + ones * (127 - ('0' - 1)))) &
            (ones * 0x80)) != 0;
}

/* 18-character 居民身份证号码 with a real birth date and a valid check digit.
 * s has n bytes and a NUL after them. */
void ex_find_id_numbers(ex *x, const char *s, size_t n, long line)
{
    for (size_t i = 0; i + 18 <= n; i++) {
        /* most text is not digits: pass over eight bytes at a time until some are */
        uint64_t w;
        while (i + 18 <= n && (memcpy(&w, s + i, 8), !has_digit8(w)))
            i += 8;
        if (i + 18 > n)
            break;
        if (s[i] < '0' || s[i] > '9' || (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9'))
            continue;
        size_t j = i;
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
        size_t run = j - i;
        int x_end = run == 17 && (s[j] == 'X' || s[j] == 'x');
        if (!(run == 18 || x_end)) {
            i = j;
            continue;
        }
        size_t endpos = i + 18;
        if (endpos < n && ((s[endpos] >= '0' && s[endpos] <= '9') ||
                           (s[endpos] >= 'A' && s[endpos] <= 'Z') || (s[endpos] >= 'a' && s[endpos] <= 'z'))) {
            i = j;
            continue;
        }
        char date[16];
        snprintf(date, sizeof date, "%.4s-%.2s-%.2s", s + i + 6, s + i + 10, s + i + 12);
        int d;
        if (dsc_date_parse(date, &d) == 0 && dsc_date_year(d) >= 1900 && d <= x->r->today &&
            id_check_digit_ok(s + i) && x->r->nids < sizeof x->r->ids / sizeof x->r->ids[0]) {
            /* The report must not spread what it protects: mask the birth date. */
            dsc_hit *h = &x->r->ids[x->r->nids++];
            h->text = dsc_arena_printf(x->a, "%.6s********%.4s", s + i, s + i + 14);
            h->line = line;
        }
        i = endpos - 1;
    }
}

typedef struct {
    ex *x;
    const char *ctx;
    long line;
} docno_ctx;

static int in_same_sentence(const char *ctx, const char *at, const char *word, int *before)
{
    /* sentence bounds around at */
    const char *st = at;
    while (st > ctx) {
        const char *q = st - 1;
        while (q > ctx && ((unsigned char)*q & 0xC0) == 0x80)
            q--;
        if (strncmp(q, "。", 3) == 0 || strncmp(q, "；", 3) == 0 || *q == ';' || *q == '\n')
            break;
        st = q;
    }
    const char *en = at;
    while (*en && strncmp(en, "。", 3) != 0 && strncmp(en, "；", 3) != 0 && *en != ';' && *en != '\n')
        en++;
    size_t wl = strlen(word);
    for (const char *p = st; p + wl <= en; p++)
        if (memcmp(p, word, wl) == 0) {
            /* 被…废止 / 已被…修改: this page is the one repealed */
            *before = 0;
            for (const char *b = st; b + 3 <= p; b++)
                if (memcmp(b, "被", 3) == 0)
                    *before = 1;
            return 1;
        }
    return 0;
}

static void on_docno(void *baton, const char *start, size_t len)
{
    docno_ctx *c = baton;
    ex *x = c->x;
    char *num = dsc_norm_value(x->a, start, len);
    if (!num)
        return;
    int passive = 0;
    if (in_same_sentence(c->ctx, start, "废止", &passive))
        dsc_record_add(x->r, passive ? DSC_F_REPEALED_BY : DSC_F_REPEALS, num, c->line);
    else if (in_same_sentence(c->ctx, start, "修改", &passive) ||
             in_same_sentence(c->ctx, start, "修订", &passive))
        dsc_record_add(x->r, passive ? DSC_F_AMENDED_BY : DSC_F_AMENDS, num, c->line);
}

static int has_relation_word(const char *s)
{
    return strstr(s, "废止") || strstr(s, "修改") || strstr(s, "修订");
}

/* Documents this page repeals or amends, or that repealed or amended it:
 * document numbers in a sentence that says 废止 / 修改 / 修订. */
void ex_relations(ex *x, xmlNodePtr t, const char *s)
{
    if (!strstr(s, "号"))
        return;
    size_t n = strlen(s);
    docno_ctx c = {x, s, xmlGetLineNo(t)};
    if (has_relation_word(s)) {
        dsc_find_doc_numbers(s, n, on_docno, &c);
        return;
    }
    /* 废止《…》（<a>某政〔2015〕3号</a>）: the sentence is in the parent */
    xmlNodePtr host = t->parent && name_is(t->parent, "a") ? t->parent->parent : t->parent;
    if (!host || host->type != XML_ELEMENT_NODE || n > 200)
        return;
    char buf[2048];
    sbuf b = {buf, 0, sizeof buf - 8, 0, NULL};
    buf[0] = '\0';
    ex_subtree_text(host, &b, 200);
    if (b.href)
        xmlFree((xmlChar *)b.href);
    const char *at = strstr(buf, s);
    if (!at || !has_relation_word(buf))
        return;
    c.ctx = dsc_arena_strdup(x->a, buf);
    dsc_find_doc_numbers(c.ctx + (at - buf), n, on_docno, &c);
}
