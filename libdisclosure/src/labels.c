/* Labels and their values: a label is a known word (after removing spaces and
 * the colon, traditional characters read as simplified) standing alone in an
 * element or a text, or before a colon in running text; its value is what
 * follows it, the next cell, or the cell below. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>
#include <libxml/xpath.h>

#include "extract.h"

#define MAX_LABEL_BYTES 64

int ex_label_of(ex *x, const char *s, size_t n, const char **norm)
{
    if (n == 0 || n > MAX_LABEL_BYTES)
        return -1;
    /* A lower bound on the label's length in characters: an ideograph's lead
     * byte (E4..E9) and an ASCII letter or digit each give one character that
     * is neither white space nor a colon. Past the longest label, skip the
     * normalisation and the lookup (label_of runs on every short text). */
    size_t chars = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 0xE4 && c <= 0xE9) || (c >= '0' && c <= '9') ||
            ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
            if (++chars > x->p->max_label_chars)
                return -1;
        }
    }
    /* normalise on the stack; only a label found is kept in the arena */
    char buf[DSC_NORM_MAX(MAX_LABEL_BYTES)];
    size_t o = dsc_norm_label_to(s, n, buf);
    if (o == 0)
        return -1;
    int f = dsc_policy_label_field(x->p, buf);
    if (f >= 0 && !(*norm = dsc_arena_strndup(x->a, buf, o)))
        return -1;
    return f;
}

int ex_node_is_label(ex *x, xmlNodePtr n, const char **norm)
{
    char buf[96];
    sbuf b = {buf, 0, 80, 0, NULL};
    buf[0] = '\0';
    ex_subtree_text(n, &b, 16);
    if (b.href)
        xmlFree((xmlChar *)b.href);
    if (b.overflow)
        return -1;
    return ex_label_of(x, buf, b.len, norm);
}

/* Is there a label ending at byte c (the colon) of s? Returns the field and
 * the label's start; the label must start the text or follow a space or a
 * non-ideographic character, so prose such as "本办法实施日期：" is not one. */
static int label_before(ex *x, const char *s, size_t c, size_t *start)
{
    size_t pos[24];
    uint32_t cps[24];
    int k = 0;
    size_t i = c;
    while (i > 0 && k < (int)x->p->max_label_chars + 1 && k < 24) {
        size_t j = i - 1;
        while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80)
            j--;
        size_t len;
        uint32_t cp = dsc_utf8_next((const unsigned char *)s + j, i - j, &len);
        if (dsc_is_space_cp(cp)) {
            i = j;
            continue;
        }
        if (cp < 0x3400 || cp > 0x9FFF)
            break;
        pos[k] = j;
        cps[k] = cp;
        k++;
        i = j;
    }
    /* try the longest candidate first */
    for (int len = k; len >= 2; len--) {
        char lab[128];
        size_t o = 0;
        for (int m = len - 1; m >= 0; m--)
            o += dsc_utf8_put(dsc_t2s_cp(cps[m]), lab + o);
        lab[o] = '\0';
        int f = dsc_policy_label_field(x->p, lab);
        if (f < 0)
            continue;
        size_t st = pos[len - 1];
        /* boundary: start of text, white space, or a non-ideograph before */
        if (st > 0) {
            size_t j = st - 1;
            while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80)
                j--;
            size_t l2;
            uint32_t prev = dsc_utf8_next((const unsigned char *)s + j, st - j, &l2);
            if (prev >= 0x3400 && prev <= 0x9FFF)
                continue;
        }
        *start = st;
        return f;
    }
    return -1;
}


/* Strip leading colons and spaces from gathered text; cut it at the next
 * "label：" so one line holding several pairs gives each its own value. */
static void finish_value(ex *x, int f, sbuf *b, long line)
{
    char *s = b->buf;
    size_t n = b->len;
    for (;;) {
        size_t len;
        if (n == 0)
            break;
        uint32_t cp = dsc_utf8_next((const unsigned char *)s, n, &len);
        if (dsc_is_space_cp(cp) || cp == ':' || cp == 0xFF1A) {
            s += len;
            n -= len;
        } else {
            break;
        }
    }
    for (size_t i = 0; i < n; i++) {
        size_t c = i;
        if (s[i] == ':' || (i + 3 <= n && memcmp(s + i, "\xEF\xBC\x9A", 3) == 0)) {
            size_t st;
            if (label_before(x, s, c, &st) >= 0) {
                n = st;
                break;
            }
        }
    }
    ex_add_value(x, f, s, n, b->href, line, 0);
}

/* 政策解读 is both a label (of a link) and a value (of 公文种类). */
int ex_is_link_field(int f)
{
    return f == DSC_F_INTERPRETATIONS || f == DSC_F_INTERPRETS;
}

static int has_colon(ex *x, xmlNodePtr n)
{
    char buf[96];
    sbuf b = {buf, 0, 80, 0, NULL};
    buf[0] = '\0';
    ex_subtree_text(n, &b, 16);
    (void)x;
    if (b.href)
        xmlFree((xmlChar *)b.href);
    return strchr(buf, ':') || strstr(buf, "：");
}

/* The value of a label at node e: what follows it among its siblings, or,
 * when the label fills its container (a td, a dt, a span), the next
 * container. */
/* A row of labels over a row of values:
 *   <tr><th>索引号</th><th>发布机构</th></tr><tr><td>…</td><td>…</td></tr>
 * the value is the cell in the same column of the next row. */
static int column_value(ex *x, xmlNodePtr n, int f, long line)
{
    xmlNodePtr cell = n;
    for (int up = 0; cell && up < 4 && !(name_is(cell, "td") || name_is(cell, "th")); up++)
        cell = cell->parent;
    if (!cell || !cell->parent || !name_is(cell->parent, "tr"))
        return 0;
    int col = 0;
    for (xmlNodePtr c = cell->parent->children; c && c != cell; c = c->next)
        if (name_is(c, "td") || name_is(c, "th"))
            col++;
    xmlNodePtr row = cell->parent->next;
    while (row && row->type != XML_ELEMENT_NODE)
        row = row->next;
    if (!row || !name_is(row, "tr"))
        return 0;
    for (xmlNodePtr c = row->children; c; c = c->next) {
        if (!(name_is(c, "td") || name_is(c, "th")) || col-- > 0)
            continue;
        const char *other;
        if (ex_node_is_label(x, c, &other) >= 0)
            return 0;
        char buf[MAX_VALUE_BYTES + 8];
        sbuf b = {buf, 0, MAX_VALUE_BYTES, 0, NULL};
        buf[0] = '\0';
        ex_subtree_text(c, &b, 200);
        int found = dsc_norm_value(x->a, b.buf, b.len) != NULL;
        if (found)
            ex_add_value(x, f, b.buf, b.len, b.href, line, 0);
        if (b.href)
            xmlFree((xmlChar *)b.href);
        return found;
    }
    return 0;
}

static int is_control(xmlNodePtr n)
{
    return name_is(n, "select") || name_is(n, "input") || name_is(n, "button");
}

/* <form>公开方式：<select>…</select></form>: a label of a form control */
static int holds_control(xmlNodePtr e)
{
    if (e->type != XML_ELEMENT_NODE)
        return 0;
    for (xmlNodePtr c = e->children; c; c = c->next)
        if (is_control(c))
            return 1;
    return 0;
}

void ex_value_after(ex *x, xmlNodePtr e, int f, const char *label, long line)
{
    char buf[MAX_VALUE_BYTES + 8];
    xmlNodePtr start = e;
    if (holds_control(e))
        return;
    for (int climb = 0; climb < 4 && e; climb++) {
        sbuf b = {buf, 0, MAX_VALUE_BYTES, 0, NULL};
        buf[0] = '\0';
        for (xmlNodePtr s = e->next; s && !b.overflow; s = s->next) {
            if (s->type == XML_TEXT_NODE || s->type == XML_CDATA_SECTION_NODE) {
                if (s->content)
                    ex_sb_add(&b, (const char *)s->content, strlen((const char *)s->content));
                continue;
            }
            /* a search form's "公开方式：<select>": the reader picks the value
             * (the href of a link before it is not kept either) */
            if (is_control(s)) {
                if (b.href)
                    xmlFree((xmlChar *)b.href);
                return;
            }
            if (s->type != XML_ELEMENT_NODE || ex_is_skipped(s))
                continue;
            const char *other;
            int of = ex_node_is_label(x, s, &other);
            if (of >= 0 && !(ex_is_link_field(of) && !ex_is_link_field(f) && !has_colon(x, s)))
                break;
            if (name_is(s, "br") || name_is(s, "hr")) {
                if (dsc_norm_value(x->a, b.buf, b.len))
                    break;
                continue;
            }
            if (ex_is_block(s)) {
                if (dsc_norm_value(x->a, b.buf, b.len))
                    break;
                ex_subtree_text(s, &b, 200);
                if (dsc_norm_value(x->a, b.buf, b.len))
                    break;
                continue;
            }
            if (name_is(s, "a") && !b.href)
                b.href = xmlGetProp(s, (const xmlChar *)"href");
            ex_subtree_text(s, &b, 200);
        }
        /* a value of only colons and spaces is no value */
        if (dsc_label_nonempty(b.buf, b.len)) {
            finish_value(x, f, &b, line);
            if (b.href)
                xmlFree((xmlChar *)b.href);
            return;
        }
        if (b.href)
            xmlFree((xmlChar *)b.href);
        xmlNodePtr parent = e->parent;
        if (!parent || parent->type != XML_ELEMENT_NODE || name_is(parent, "body") ||
            name_is(parent, "html"))
            break;
        const char *pl;
        if (ex_node_is_label(x, parent, &pl) < 0 || strcmp(pl, label) != 0)
            break;
        e = parent;
    }
    if (column_value(x, start, f, line))
        return;
    /* The label is there but its value is empty: the field is present and
     * empty, which metadata-missing treats as missing. */
    x->labelled[f] = 1;
}

const char *ex_resolve_href(ex *x, const xmlChar *href)
{
    if (!href)
        return NULL;
    const char *h = (const char *)href;
    while (*h == ' ' || *h == '\t' || *h == '\n' || *h == '\r')
        h++;
    if (!*h || *h == '#' || strncasecmp(h, "javascript:", 11) == 0 ||
        strncasecmp(h, "mailto:", 7) == 0)
        return NULL;
    if (x->base) {
        xmlChar *abs = xmlBuildURI((const xmlChar *)h, x->base);
        if (abs) {
            const char *r = dsc_arena_strdup(x->a, (const char *)abs);
            xmlFree(abs);
            return r;
        }
    }
    return dsc_norm_value(x->a, h, strlen(h));
}

void ex_add_value(ex *x, int f, const char *s, size_t n, const xmlChar *href, long line,
                      int inline_pair)
{
    if (x->menu) {
        /* a side tree headed 主题分类, or a page whose unclosed menu <div>
         * swallowed the rest: use it only if the page says nothing else */
        deferred *d = dsc_arena_alloc(x->a, sizeof(*d));
        d->next = NULL;
        d->field = f;
        d->value = dsc_arena_strndup(x->a, s, n);
        d->len = n;
        d->href = href ? dsc_arena_strdup(x->a, (const char *)href) : NULL;
        d->line = line;
        d->inline_pair = inline_pair;
        *x->later_tail = d;
        x->later_tail = &d->next;
        return;
    }
    x->labelled[f] = 1;
    if (f == DSC_F_INTERPRETATIONS || f == DSC_F_INTERPRETS || f == DSC_F_REPEALED_BY ||
        f == DSC_F_AMENDED_BY) {
        const char *u = ex_resolve_href(x, href);
        if (u)
            dsc_record_add(x->r, f, u, line);
        else if (f == DSC_F_REPEALED_BY || f == DSC_F_AMENDED_BY) {
            char *v = dsc_norm_value(x->a, s, n);
            if (v)
                dsc_record_add(x->r, f, v, line);
        }
        return;
    }
    char *v = dsc_norm_value(x->a, s, n);
    if (!v)
        return;
    if (inline_pair && (f == DSC_F_WRITTEN_DATE || f == DSC_F_PUB_DATE ||
                        f == DSC_F_EFFECTIVE_DATE || f == DSC_F_EXPIRY_DATE)) {
        /* prose such as "一、实施日期：本办法自…起施行" is not a field */
        int d;
        if (dsc_date_parse(v, &d) < 0 && dsc_utf8_chars(v) > 20)
            return;
    }
    if (inline_pair && dsc_utf8_chars(v) > 120)
        return;
    dsc_record_set(x->r, f, v, line);
}

/* Where the next "词语：" starts in s (n when none): pages put labels the
 * policy does not know on the same line ("发布日期：2024-05-15 浏览次数：12",
 * "字号：大 中 小"), and they end the value before them as well. */
static size_t any_label_at(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t clen = s[i] == ':' ? 1 : (i + 3 <= n && memcmp(s + i, "\xEF\xBC\x9A", 3) == 0) ? 3 : 0;
        if (!clen)
            continue;
        /* 2 to 6 ideographs right before the colon, after a space or a non-ideograph */
        size_t j = i;
        int chars = 0;
        while (j >= 3 && chars < 7) {
            size_t len;
            uint32_t cp = dsc_utf8_next((const unsigned char *)s + j - 3, 3, &len);
            if (len != 3 || cp < 0x3400 || cp > 0x9FFF)
                break;
            j -= 3;
            chars++;
        }
        if (chars < 2 || chars > 6 || j == 0)
            continue;
        size_t b = j;
        /* the byte before the word must be white space (ASCII or U+3000) */
        if (s[b - 1] == ' ' || s[b - 1] == '\t' || (b >= 3 && memcmp(s + b - 3, "\xE3\x80\x80", 3) == 0))
            return b;
    }
    return n;
}

/* "label：value" pairs inside one text node. Returns 1 when any was found. */
int ex_inline_pairs(ex *x, xmlNodePtr t, const char *s, size_t n)
{
    size_t starts[16], ends[16];
    int fields[16], k = 0;
    for (size_t i = 0; i < n && k < 16; i++) {
        /* a colon is ':' or EF BC 9A: most bytes are neither lead */
        if (s[i] != ':' && (unsigned char)s[i] != 0xEF)
            continue;
        size_t clen = s[i] == ':' ? 1 : (i + 3 <= n && memcmp(s + i, "\xEF\xBC\x9A", 3) == 0) ? 3 : 0;
        if (!clen)
            continue;
        size_t st;
        int f = label_before(x, s, i, &st);
        if (f >= 0) {
            starts[k] = st;
            ends[k] = i + clen;
            fields[k] = f;
            k++;
        }
        i += clen - 1;
    }
    long line = xmlGetLineNo(t);
    for (int j = 0; j < k; j++) {
        size_t vend = j + 1 < k ? starts[j + 1] : n;
        vend = ends[j] + any_label_at(s + ends[j], vend - ends[j]);
        const char *vs = s + ends[j];
        size_t vn = vend - ends[j];
        if (!dsc_norm_value(x->a, vs, vn) && j + 1 == k) {
            const char *l = dsc_norm_label(x->a, s + starts[j], ends[j] - starts[j]);
            ex_value_after(x, t, fields[j], l, line);
        } else {
            ex_add_value(x, fields[j], vs, vn, NULL, line, 1);
        }
    }
    return k > 0;
}
