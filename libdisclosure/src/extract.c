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

#include "extract.h"

void ex_sb_add(sbuf *b, const char *s, size_t n)
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

static int name_in(const char *s, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(s, *names) == 0)
            return 1;
    return 0;
}

/* Never page text: scripts, styles and a form's <select> options (a search
 * form lists every 公开属性). <noscript>, <template> and <textarea> are read:
 * readers see them (without scripts, or once a script shows them), and a
 * 公开属性 label there counts like any other. A switch on the first letter
 * for the same reason as name_is. */
int ex_is_skipped(xmlNodePtr n)
{
    if (n->type != XML_ELEMENT_NODE || !n->name)
        return 0;
    const char *s = (const char *)n->name;
    switch (s[0]) {
    case 's':
        return strcmp(s, "script") == 0 || strcmp(s, "style") == 0 || strcmp(s, "select") == 0;
    default:
        return 0;
    }
}

/* td th tr table tbody thead dd dt dl div p li ul ol h1-h6 section article
 * header footer nav form center, by first letter as in is_skipped */
int ex_is_block(xmlNodePtr n)
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
void ex_subtree_text(xmlNodePtr top, sbuf *b, int max_nodes)
{
    xmlNodePtr n = top;
    int visited = 0;
    if (top->type == XML_TEXT_NODE || top->type == XML_CDATA_SECTION_NODE) {
        if (top->content)
            ex_sb_add(b, (const char *)top->content, strlen((const char *)top->content));
        return;
    }
    n = top->children;
    while (n && !b->overflow) {
        if (++visited > max_nodes) {
            b->overflow = 1;
            break;
        }
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content)
            ex_sb_add(b, (const char *)n->content, strlen((const char *)n->content));
        else if (name_is(n, "br"))
            ex_sb_add(b, " ", 1);
        else if (name_is(n, "a") && !b->href)
            b->href = xmlGetProp(n, (const xmlChar *)"href");
        if (n->type == XML_ELEMENT_NODE && n->children && !ex_is_skipped(n)) {
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

int ex_in_navigation(ex *x, xmlNodePtr n)
{
    return in_block_of(x, n, &x->p->nav_words, ATTRS_NAV, 1);
}

int ex_in_menu(ex *x, xmlNodePtr n)
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
    ex_subtree_text(a, &b, 50);
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
    if ((interp || orig) && !ex_in_navigation(x, a)) {
        const char *u = ex_resolve_href(x, href);
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
    ex_find_id_numbers(x, s, n, line);
    if (strstr(s, "此"))
        ex_body_notes(x, t, s, line);
    ex_relations(x, t, s);
    if (in_link)
        return;
    const char *lab;
    int f = ex_label_of(x, s, n, &lab);
    if (f >= 0) {
        x->menu = ex_in_menu(x, t);
        ex_value_after(x, t, f, lab, line);
        x->menu = 0;
        return;
    }
    /* Pairs need a colon: without one, skip inline_pairs' byte loop. Menus
     * and side trees carry label words too ("主题分类" as a heading of a
     * topic tree); only look up the ancestors when a colon makes a pair
     * likely. */
    if (n <= MAX_INLINE_TEXT && (memchr(s, ':', n) || strstr(s, "："))) {
        x->menu = ex_in_menu(x, t);
        ex_inline_pairs(x, t, s, n);
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
            if (ex_is_skipped(n)) {
                descend = 0;
            } else if (name_is(n, "meta")) {
                meta(&x, n);
            } else if (name_is(n, "title") && !r->html_title) {
                char buf[600];
                sbuf b = {buf, 0, 512, 0, NULL};
                buf[0] = '\0';
                ex_subtree_text(n, &b, 8);
                if (b.href) /* a link inside <title>: kept by the walk, unused here */
                    xmlFree((xmlChar *)b.href);
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
                    f = ex_node_is_label(&x, n, &lab);
                if (f >= 0) {
                    x.menu = ex_in_menu(&x, n);
                    ex_value_after(&x, n, f, lab, xmlGetLineNo(n));
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
        if (!had[d->field] && !ex_is_link_field(d->field))
            ex_add_value(&x, d->field, d->value, d->len, (const xmlChar *)d->href, d->line, d->inline_pair);
    for (int f = 0; f < DSC_NFIELDS; f++)
        r->nlabelled += x.labelled[f] &&
                        (f == DSC_F_INDEX_NO || f == DSC_F_ISSUER || f == DSC_F_DOC_NUMBER ||
                         f == DSC_F_WRITTEN_DATE || f == DSC_F_PUB_DATE || f == DSC_F_ATTRIBUTE ||
                         f == DSC_F_TOPIC || f == DSC_F_VALIDITY || f == DSC_F_TITLE);
    free(x.memo);
}
