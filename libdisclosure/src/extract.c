/* Extraction: one iterative walk over the parsed page collects meta tags,
 * labelled values (table cells, span/b/strong + text, dl, "label：value"),
 * the 此件… notes, links, document numbers and ID numbers. Iterative, because
 * hostile pages nest elements a hundred thousand deep. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>
#include <libxml/xpath.h>

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

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        n = b->cap - b->len;
        b->overflow = 1;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

/* Element names: libxml2's HTML parser lowercases them as it reads them
 * (htmlParseHTMLName), so a byte compare is exact, and testing the first
 * byte first spares most strcmp calls (strcasecmp chains on every element
 * were ~2% of dsc_check). name must be lower case. */
static inline int name_is(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->name && n->name[0] == (xmlChar)name[0] &&
           strcmp((const char *)n->name, name) == 0;
}

static int name_in(const char *s, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(s, *names) == 0)
            return 1;
    return 0;
}

/* A switch on the first letter for the same reason as name_is. */
static int is_skipped(xmlNodePtr n)
{
    if (n->type != XML_ELEMENT_NODE || !n->name)
        return 0;
    const char *s = (const char *)n->name;
    switch (s[0]) {
    case 's':
        return strcmp(s, "script") == 0 || strcmp(s, "style") == 0 || strcmp(s, "select") == 0;
    case 'n':
        return strcmp(s, "noscript") == 0;
    case 't':
        return strcmp(s, "template") == 0 || strcmp(s, "textarea") == 0;
    default:
        return 0;
    }
}

/* td th tr table tbody thead dd dt dl div p li ul ol h1-h6 section article
 * header footer nav form center, by first letter as in is_skipped */
static int is_block(xmlNodePtr n)
{
    static const char *const t[] = {"td", "th", "tr", "table", "tbody", "thead", NULL};
    static const char *const d[] = {"dd", "dt", "dl", "div", NULL};
    static const char *const f[] = {"footer", "form", NULL};
    if (n->type != XML_ELEMENT_NODE || !n->name)
        return 0;
    const char *s = (const char *)n->name;
    switch (s[0]) {
    case 't': return name_in(s, t);
    case 'd': return name_in(s, d);
    case 'f': return name_in(s, f);
    case 'p': return s[1] == '\0';
    case 'l': return strcmp(s, "li") == 0;
    case 'u': return strcmp(s, "ul") == 0;
    case 'o': return strcmp(s, "ol") == 0;
    case 'h':
        return (s[1] >= '1' && s[1] <= '6' && s[2] == '\0') || strcmp(s, "header") == 0;
    case 's': return strcmp(s, "section") == 0;
    case 'a': return strcmp(s, "article") == 0;
    case 'n': return strcmp(s, "nav") == 0;
    case 'c': return strcmp(s, "center") == 0;
    default: return 0;
    }
}

/* Text of a subtree, bounded in bytes and in nodes visited. */
static void subtree_text(xmlNodePtr top, sbuf *b, int max_nodes)
{
    xmlNodePtr n = top;
    int visited = 0;
    if (top->type == XML_TEXT_NODE || top->type == XML_CDATA_SECTION_NODE) {
        if (top->content)
            sb_add(b, (const char *)top->content, strlen((const char *)top->content));
        return;
    }
    n = top->children;
    while (n && !b->overflow) {
        if (++visited > max_nodes) {
            b->overflow = 1;
            break;
        }
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content)
            sb_add(b, (const char *)n->content, strlen((const char *)n->content));
        else if (name_is(n, "br"))
            sb_add(b, " ", 1);
        else if (name_is(n, "a") && !b->href)
            b->href = xmlGetProp(n, (const xmlChar *)"href");
        if (n->type == XML_ELEMENT_NODE && n->children && !is_skipped(n)) {
            n = n->children;
            continue;
        }
        while (n && n != top && !n->next)
            n = n->parent;
        if (!n || n == top)
            break;
        n = n->next;
    }
}

#define MAX_LABEL_BYTES 64

static int label_of(ex *x, const char *s, size_t n, const char **norm)
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

static int node_is_label(ex *x, xmlNodePtr n, const char **norm)
{
    char buf[96];
    sbuf b = {buf, 0, 80, 0, NULL};
    buf[0] = '\0';
    subtree_text(n, &b, 16);
    if (b.href)
        xmlFree((xmlChar *)b.href);
    if (b.overflow)
        return -1;
    return label_of(x, buf, b.len, norm);
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

static void add_value(ex *x, int f, const char *s, size_t n, const xmlChar *href, long line,
                      int inline_pair);
static int in_menu(ex *x, xmlNodePtr n);

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
    add_value(x, f, s, n, b->href, line, 0);
}

/* 政策解读 is both a label (of a link) and a value (of 公文种类). */
static int is_link_field(int f)
{
    return f == DSC_F_INTERPRETATIONS || f == DSC_F_INTERPRETS;
}

static int has_colon(ex *x, xmlNodePtr n)
{
    char buf[96];
    sbuf b = {buf, 0, 80, 0, NULL};
    buf[0] = '\0';
    subtree_text(n, &b, 16);
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
        if (node_is_label(x, c, &other) >= 0)
            return 0;
        char buf[MAX_VALUE_BYTES + 8];
        sbuf b = {buf, 0, MAX_VALUE_BYTES, 0, NULL};
        buf[0] = '\0';
        subtree_text(c, &b, 200);
        int found = dsc_norm_value(x->a, b.buf, b.len) != NULL;
        if (found)
            add_value(x, f, b.buf, b.len, b.href, line, 0);
        if (b.href)
            xmlFree((xmlChar *)b.href);
        return found;
    }
    return 0;
}

static void value_after(ex *x, xmlNodePtr e, int f, const char *label, long line)
{
    char buf[MAX_VALUE_BYTES + 8];
    xmlNodePtr start = e;
    for (int climb = 0; climb < 4 && e; climb++) {
        sbuf b = {buf, 0, MAX_VALUE_BYTES, 0, NULL};
        buf[0] = '\0';
        for (xmlNodePtr s = e->next; s && !b.overflow; s = s->next) {
            if (s->type == XML_TEXT_NODE || s->type == XML_CDATA_SECTION_NODE) {
                if (s->content)
                    sb_add(&b, (const char *)s->content, strlen((const char *)s->content));
                continue;
            }
            if (s->type != XML_ELEMENT_NODE || is_skipped(s))
                continue;
            const char *other;
            int of = node_is_label(x, s, &other);
            if (of >= 0 && !(is_link_field(of) && !is_link_field(f) && !has_colon(x, s)))
                break;
            if (name_is(s, "br") || name_is(s, "hr")) {
                if (dsc_norm_value(x->a, b.buf, b.len))
                    break;
                continue;
            }
            if (is_block(s)) {
                if (dsc_norm_value(x->a, b.buf, b.len))
                    break;
                subtree_text(s, &b, 200);
                if (dsc_norm_value(x->a, b.buf, b.len))
                    break;
                continue;
            }
            if (name_is(s, "a") && !b.href)
                b.href = xmlGetProp(s, (const xmlChar *)"href");
            subtree_text(s, &b, 200);
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
        if (node_is_label(x, parent, &pl) < 0 || strcmp(pl, label) != 0)
            break;
        e = parent;
    }
    if (column_value(x, start, f, line))
        return;
    /* The label is there but its value is empty: the field is present and
     * empty, which metadata-missing treats as missing. */
    x->labelled[f] = 1;
}

static const char *resolve_href(ex *x, const xmlChar *href)
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

static void add_value(ex *x, int f, const char *s, size_t n, const xmlChar *href, long line,
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
        const char *u = resolve_href(x, href);
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
static int inline_pairs(ex *x, xmlNodePtr t, const char *s, size_t n)
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
            value_after(x, t, fields[j], l, line);
        } else {
            add_value(x, fields[j], vs, vn, NULL, line, 1);
        }
    }
    return k > 0;
}

/* The notes under the date line: （此件公开发布）（此件不予公开）… */
static void body_notes(ex *x, const char *s, long line)
{
    const char *p = s;
    while ((p = strstr(p, "此件"))) {
        const char *q = p + strlen("此件");
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
        if (*end && chars > 0) {
            char *v = dsc_norm_label(x->a, q, (size_t)(end - q));
            const char *attr = NULL;
            if (strcmp(v, "公开发布") == 0 || strcmp(v, "主动公开") == 0 || strcmp(v, "公开") == 0)
                attr = "主动公开";
            else
                attr = dsc_vocab_attribute(x->a, v);
            if (attr && x->r->nattrs < sizeof x->r->attrs / sizeof x->r->attrs[0]) {
                dsc_attr_seen *a = &x->r->attrs[x->r->nattrs++];
                a->value = attr;
                a->raw = dsc_arena_printf(x->a, "（此件%s）", dsc_norm_value(x->a, q, (size_t)(end - q)));
                a->line = line;
                a->source = "note";
            }
        }
        p = q;
    }
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
static void find_id_numbers(ex *x, const char *s, size_t n, long line)
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
static void relations(ex *x, xmlNodePtr t, const char *s)
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
    subtree_text(host, &b, 200);
    if (b.href)
        xmlFree((xmlChar *)b.href);
    const char *at = strstr(buf, s);
    if (!at || !has_relation_word(buf))
        return;
    c.ctx = dsc_arena_strdup(x->a, buf);
    dsc_find_doc_numbers(c.ctx + (at - buf), n, on_docno, &c);
}

/* strcasestr in the C locale (ASCII letters only), without glibc's set-up
 * cost per call: class and id values are short. */
static int ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int ci_contains(const char *h, const char *w)
{
    if (!*w)
        return 1;
    int w0 = ascii_lower((unsigned char)w[0]);
    for (; *h; h++) {
        if (ascii_lower((unsigned char)*h) != w0)
            continue;
        size_t k = 1;
        while (w[k] && ascii_lower((unsigned char)h[k]) == ascii_lower((unsigned char)w[k]))
            k++;
        if (!w[k])
            return 1;
    }
    return 0;
}

/* Does the element's id or class hold one of the words? The answer is
 * remembered per element and word list (x->memo, a hash set keyed by the
 * node's address): each element is looked at once instead of once per text
 * below it (xmlGetProp and strcasestr on every ancestor of every labelled
 * text were ~4% of dsc_check). Not in the node's _private: a host's own
 * libxml2 node callbacks may use that. */
enum { ATTRS_MENU = 0, ATTRS_NAV = 2 }; /* shift: bit 0 known, bit 1 hit */

static unsigned char *memo_slot(ex *x, const void *node)
{
    if (x->memo_n * 2 >= x->memo_cap) {
        size_t cap = x->memo_cap ? x->memo_cap * 2 : 256;
        attr_memo *m = calloc(cap, sizeof *m);
        if (!m)
            return NULL;
        for (size_t i = 0; i < x->memo_cap; i++) {
            if (!x->memo[i].node)
                continue;
            size_t h = ((uintptr_t)x->memo[i].node >> 4) * 0x9E3779B97F4A7C15ULL & (cap - 1);
            while (m[h].node)
                h = (h + 1) & (cap - 1);
            m[h] = x->memo[i];
        }
        free(x->memo);
        x->memo = m;
        x->memo_cap = cap;
    }
    size_t h = ((uintptr_t)node >> 4) * 0x9E3779B97F4A7C15ULL & (x->memo_cap - 1);
    while (x->memo[h].node && x->memo[h].node != node)
        h = (h + 1) & (x->memo_cap - 1); /* the capacity is a power of two */
    if (!x->memo[h].node) {
        x->memo[h].node = node;
        x->memo_n++;
    }
    return &x->memo[h].bits;
}

static int attrs_have(ex *x, xmlNodePtr p, const dsc_words *words, int shift)
{
    unsigned char *slot = memo_slot(x, p);
    unsigned bits = slot ? *slot : 0;
    if (!(bits & (1u << shift))) {
        static const char *const attrs[] = {"id", "class"};
        int hit = 0;
        for (int i = 0; i < 2 && !hit; i++) {
            xmlChar *v = xmlGetProp(p, (const xmlChar *)attrs[i]);
            if (!v)
                continue;
            for (size_t w = 0; w < words->n && !hit; w++)
                if (ci_contains((const char *)v, words->items[w]))
                    hit = 1;
            xmlFree(v);
        }
        bits |= (1u | ((unsigned)hit << 1)) << shift;
        if (slot)
            *slot = (unsigned char)bits;
    }
    return (bits >> (shift + 1)) & 1;
}

/* Links inside menus, headers and footers are not the page's own links. For
 * labels the test is narrower: a metadata table may well sit in a
 * "policyLibraryOverview_header", but never in a menu or a side tree. */
static int in_block_of(ex *x, xmlNodePtr n, const dsc_words *words, int shift, int tags)
{
    int depth = 0;
    for (xmlNodePtr p = n->parent; p && p->type == XML_ELEMENT_NODE && depth < 64;
         p = p->parent, depth++) {
        if (tags && (name_is(p, "nav") || name_is(p, "header") || name_is(p, "footer")))
            return 1;
        if (name_is(p, "nav"))
            return 1;
        if (attrs_have(x, p, words, shift))
            return 1;
    }
    return 0;
}

static int in_navigation(ex *x, xmlNodePtr n)
{
    return in_block_of(x, n, &x->p->nav_words, ATTRS_NAV, 1);
}

static int in_menu(ex *x, xmlNodePtr n)
{
    static char *menu_words[] = {"nav", "menu", "tree", "side", "crumb", "daohang"};
    static const dsc_words menus = {menu_words, sizeof menu_words / sizeof menu_words[0]};
    return in_block_of(x, n, &menus, ATTRS_MENU, 0);
}

static int text_has_any(const char *s, const dsc_words *w)
{
    for (size_t i = 0; i < w->n; i++)
        if (strstr(s, w->items[i]))
            return 1;
    return 0;
}

/* A link to the 政策解读 column itself ("政策解读" → /zcjd/index.html) is
 * navigation, wherever the template puts it. */
static int column_link(const char *text, const char *href)
{
    static const char *const columns[] = {"政策解读", "解读", "图解", "图解政策", "政策图解",
                                          "解读回应", "政策解读专栏", "解读专栏", "文件解读", NULL};
    int is_column = 0;
    for (size_t i = 0; columns[i]; i++)
        if (strcmp(text, columns[i]) == 0)
            is_column = 1;
    if (!is_column)
        return 0;
    const char *q = strpbrk(href, "?#");
    size_t n = q ? (size_t)(q - href) : strlen(href);
    while (n > 0 && (href[n - 1] == ' ' || href[n - 1] == '\n'))
        n--;
    if (n == 0 || href[n - 1] == '/')
        return 1;
    const char *slash = href;
    for (size_t i = 0; i < n; i++)
        if (href[i] == '/')
            slash = href + i + 1;
    return strncmp(slash, "index", 5) == 0 || strncmp(slash, "list", 4) == 0 ||
           strncmp(slash, "default", 7) == 0;
}

static void link(ex *x, xmlNodePtr a)
{
    xmlChar *href = xmlGetProp(a, (const xmlChar *)"href");
    if (!href)
        return;
    char buf[400];
    sbuf b = {buf, 0, 300, 0, NULL};
    buf[0] = '\0';
    subtree_text(a, &b, 50);
    if (b.href)
        xmlFree((xmlChar *)b.href);
    xmlChar *title = NULL;
    if (b.len == 0)
        title = xmlGetProp(a, (const xmlChar *)"title");
    /* the text is only tested here: normalise it on the stack (b.len <= 300) */
    char norm[DSC_NORM_MAX(300)];
    const char *text = norm;
    if (title)
        text = dsc_norm_label(x->a, (const char *)title, strlen((const char *)title));
    else
        dsc_norm_label_to(buf, b.len, norm);
    xmlFree(title);
    int interp = text_has_any(text, &x->p->interp_text) && !column_link(text, (const char *)href);
    int orig = text_has_any(text, &x->p->original_text);
    if ((interp || orig) && !in_navigation(x, a)) {
        const char *u = resolve_href(x, href);
        if (u && !(x->r->url && strcmp(u, x->r->url) == 0)) {
            if (interp)
                dsc_record_add(x->r, DSC_F_INTERPRETATIONS, u, xmlGetLineNo(a));
            /* a link reading "政策原文解读" is an interpretation, not the original */
            if (orig && !interp)
                dsc_record_add(x->r, DSC_F_INTERPRETS, u, xmlGetLineNo(a));
        }
    }
    xmlFree(href);
}

static void meta(ex *x, xmlNodePtr n)
{
    xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
    if (!name)
        return;
    xmlChar *content = xmlGetProp(n, (const xmlChar *)"content");
    dsc_result *r = x->r;
    if (r->nmetas == r->metas_cap) {
        r->metas_cap = r->metas_cap ? r->metas_cap * 2 : 32;
        dsc_meta *nm = dsc_arena_alloc(x->a, r->metas_cap * sizeof(dsc_meta));
        if (r->nmetas)
            memcpy(nm, r->metas, r->nmetas * sizeof(dsc_meta));
        r->metas = nm;
    }
    dsc_meta *m = &r->metas[r->nmetas++];
    char *lname = dsc_norm_value(x->a, (const char *)name, strlen((const char *)name));
    for (char *p = lname; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    m->name = lname ? lname : "";
    m->content = content ? dsc_norm_value(x->a, (const char *)content, strlen((const char *)content))
                         : NULL;
    m->line = xmlGetLineNo(n);
    xmlFree(name);
    xmlFree(content);
}

/* Merge text split by comments ("不予<!-- -->公开") into one node. */
static void merge_text(xmlNodePtr t)
{
    while (t->next) {
        xmlNodePtr nx = t->next;
        if (nx->type == XML_COMMENT_NODE) {
            xmlUnlinkNode(nx);
            xmlFreeNode(nx);
        } else if (nx->type == XML_TEXT_NODE) {
            xmlNodeAddContent(t, nx->content);
            xmlUnlinkNode(nx);
            xmlFreeNode(nx);
        } else {
            break;
        }
    }
}

static void text_node(ex *x, xmlNodePtr t, int in_link)
{
    merge_text(t);
    const char *s = (const char *)t->content;
    if (!s || !*s)
        return;
    /* Indentation between tags: none of the tests below can find anything
     * in ASCII white space (no digit, no word, no label, no colon), and such
     * nodes are about half of all text nodes. */
    const char *q = s;
    while (*q == ' ' || (*q >= '\t' && *q <= '\r'))
        q++;
    if (!*q)
        return;
    size_t n = (size_t)(q - s) + strlen(q);
    long line = xmlGetLineNo(t);
    find_id_numbers(x, s, n, line);
    if (strstr(s, "此件"))
        body_notes(x, s, line);
    relations(x, t, s);
    if (in_link)
        return;
    const char *lab;
    int f = label_of(x, s, n, &lab);
    if (f >= 0) {
        x->menu = in_menu(x, t);
        value_after(x, t, f, lab, line);
        x->menu = 0;
        return;
    }
    /* Pairs need a colon: without one, skip inline_pairs' byte loop. Menus
     * and side trees carry label words too ("主题分类" as a heading of a
     * topic tree); only look up the ancestors when a colon makes a pair
     * likely. */
    if (n <= MAX_INLINE_TEXT && (memchr(s, ':', n) || strstr(s, "："))) {
        x->menu = in_menu(x, t);
        inline_pairs(x, t, s, n);
        x->menu = 0;
    }
}

void dsc_extract(dsc_result *r, htmlDocPtr doc)
{
    ex x = {r, r->policy, r->arena, {0}, (const xmlChar *)r->url, 0, NULL, NULL, NULL, 0, 0};
    x.later_tail = &x.later;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root)
        return;
    /* <base href> changes where relative links point */
    xmlChar *base_href = NULL;
    xmlNodePtr n = root;
    xmlNodePtr link_el = NULL;
    while (n) {
        int descend = 1;
        if (n->type == XML_ELEMENT_NODE) {
            if (is_skipped(n)) {
                descend = 0;
            } else if (name_is(n, "meta")) {
                meta(&x, n);
            } else if (name_is(n, "title") && !r->html_title) {
                char buf[600];
                sbuf b = {buf, 0, 512, 0, NULL};
                buf[0] = '\0';
                subtree_text(n, &b, 8);
                r->html_title = dsc_norm_value(x.a, buf, b.len);
                descend = 0;
            } else if (name_is(n, "base") && !base_href) {
                base_href = xmlGetProp(n, (const xmlChar *)"href");
                if (base_href) {
                    xmlChar *abs = r->url ? xmlBuildURI(base_href, (const xmlChar *)r->url) : NULL;
                    x.base = (const xmlChar *)dsc_arena_strdup(x.a, (const char *)(abs ? abs : base_href));
                    xmlFree(abs);
                }
            } else if (name_is(n, "a")) {
                link(&x, n);
                if (!link_el)
                    link_el = n;
            } else if (!link_el && n->children && n->children->type == XML_TEXT_NODE) {
                /* a container whose whole text is a label: <td><b>索引号</b>：</td> */
                const char *lab;
                int f = -1;
                if (!name_is(n, "body") && !name_is(n, "html") && n->children->next)
                    f = node_is_label(&x, n, &lab);
                if (f >= 0) {
                    x.menu = in_menu(&x, n);
                    value_after(&x, n, f, lab, xmlGetLineNo(n));
                    x.menu = 0;
                    descend = 0;
                }
            }
        } else if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            text_node(&x, n, link_el != NULL);
        }
        if (descend && n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            continue;
        }
        while (n && !n->next) {
            n = n->parent;
            if (n == link_el)
                link_el = NULL;
            if (n == root || n == NULL)
                n = NULL;
        }
        if (!n)
            break;
        if (n == link_el)
            link_el = NULL;
        n = n->next;
    }
    xmlFree(base_href);
    /* values from menus fill only what the page itself left empty */
    unsigned char had[DSC_NFIELDS];
    memcpy(had, x.labelled, sizeof had);
    for (deferred *d = x.later; d; d = d->next)
        /* a link in a menu is never the page's own (as in link()) */
        if (!had[d->field] && !is_link_field(d->field))
            add_value(&x, d->field, d->value, d->len, (const xmlChar *)d->href, d->line, d->inline_pair);
    for (int f = 0; f < DSC_NFIELDS; f++)
        r->nlabelled += x.labelled[f] &&
                        (f == DSC_F_INDEX_NO || f == DSC_F_ISSUER || f == DSC_F_DOC_NUMBER ||
                         f == DSC_F_WRITTEN_DATE || f == DSC_F_PUB_DATE || f == DSC_F_ATTRIBUTE ||
                         f == DSC_F_TOPIC || f == DSC_F_VALIDITY || f == DSC_F_TITLE);
    free(x.memo);
}
