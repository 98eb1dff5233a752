#include "text.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>

static const uint32_t t2s_table[][2] = {
#include "t2s_table.inc"
};

/* External copies of the inline helpers in text.h (C99 inline). */
extern inline uint32_t dsc_utf8_next(const unsigned char *s, size_t n, size_t *len);
extern inline size_t dsc_utf8_put(uint32_t cp, char *out);
extern inline int dsc_is_space_cp(uint32_t cp);

/* Per lead byte: the sequence length (0: no sequence starts here) and the
 * range allowed for the second byte, which is where overlong forms,
 * surrogates and values past U+10FFFF show (the Unicode table 3-7). A table
 * and a straight-line check instead of a dsc_utf8_next call per character:
 * validation touches every byte of every page. */
typedef struct {
    unsigned char len, lo, hi;
} utf8_lead;

/* lead bytes 0xC0..0xFF; 0x80..0xBF start nothing */
static const utf8_lead utf8_leads[64] = {
    /* C0 C1: overlong two-byte forms */
    {0, 0, 0}, {0, 0, 0},
    /* C2..DF */
    {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF},
    {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF},
    {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF},
    {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF},
    {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF},
    {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF}, {2, 0x80, 0xBF},
    /* E0: no overlong; E1..EC; ED: no surrogates; EE EF */
    {3, 0xA0, 0xBF}, {3, 0x80, 0xBF}, {3, 0x80, 0xBF}, {3, 0x80, 0xBF}, {3, 0x80, 0xBF},
    {3, 0x80, 0xBF}, {3, 0x80, 0xBF}, {3, 0x80, 0xBF}, {3, 0x80, 0xBF}, {3, 0x80, 0xBF},
    {3, 0x80, 0xBF}, {3, 0x80, 0xBF}, {3, 0x80, 0xBF}, {3, 0x80, 0x9F}, {3, 0x80, 0xBF},
    {3, 0x80, 0xBF},
    /* F0: no overlong; F1..F3; F4: not past U+10FFFF */
    {4, 0x90, 0xBF}, {4, 0x80, 0xBF}, {4, 0x80, 0xBF}, {4, 0x80, 0xBF}, {4, 0x80, 0x8F},
    /* F5..FF */
    {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0},
    {0, 0, 0}, {0, 0, 0}, {0, 0, 0},
};

int dsc_utf8_valid(const unsigned char *s, size_t n, size_t *bad)
{
    size_t i = 0;
    while (i < n) {
        /* fast path over ASCII, eight bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        /* fast path over CJK text, three-byte characters back to back: a
         * lead byte E1..EF other than ED (no limits on the second byte; bit
         * k of 0xDFFE says whether EK may lead) and two continuation bytes,
         * tested together in one two-byte load */
        while (n - i >= 3) {
            unsigned c = s[i];
            uint16_t t;
            memcpy(&t, s + i + 1, 2);
            if ((c & 0xF0) != 0xE0 || !((0xDFFEu >> (c & 0x0F)) & 1) || (t & 0xC0C0) != 0x8080)
                break;
            i += 3;
        }
        if (i >= n)
            break;
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        utf8_lead l = c >= 0xC0 ? utf8_leads[c - 0xC0] : (utf8_lead){0, 0, 0};
        /* a lead byte >= 0x80 that starts no valid sequence, or one cut
         * short by the end of the page: the error is at the lead byte */
        if (l.len == 0 || n - i < l.len || s[i + 1] < l.lo || s[i + 1] > l.hi ||
            (l.len > 2 && (s[i + 2] & 0xC0) != 0x80) || (l.len > 3 && (s[i + 3] & 0xC0) != 0x80)) {
            *bad = i;
            return 0;
        }
        i += l.len;
    }
    return 1;
}

/* Which code points of U+3400..U+9FFF have a row in t2s_table, one bit
 * each: most characters of a label are already simplified, and this answers
 * for them without a binary search of the whole table. Built once. */
#define T2S_LO 0x3400u
#define T2S_HI 0x9FFFu
static unsigned char t2s_bits[(T2S_HI - T2S_LO + 1) / 8];
static int t2s_outside; /* the table has rows outside LO..HI: search those */
static atomic_int t2s_ready;
static pthread_once_t t2s_once = PTHREAD_ONCE_INIT;

static void t2s_build(void)
{
    for (size_t i = 0; i < sizeof(t2s_table) / sizeof(t2s_table[0]); i++) {
        uint32_t k = t2s_table[i][0];
        if (k >= T2S_LO && k <= T2S_HI)
            t2s_bits[(k - T2S_LO) >> 3] |= (unsigned char)(1u << ((k - T2S_LO) & 7));
        else
            t2s_outside = 1;
    }
    atomic_store_explicit(&t2s_ready, 1, memory_order_release);
}

static uint32_t t2s_search(uint32_t cp)
{
    size_t lo = 0, hi = sizeof(t2s_table) / sizeof(t2s_table[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t2s_table[mid][0] == cp)
            return t2s_table[mid][1];
        if (t2s_table[mid][0] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return cp;
}

static inline uint32_t t2s(uint32_t cp)
{
    if (cp < 0x3400)
        return cp;
    /* the flag spares the pthread_once call on every character after the first */
    if (!atomic_load_explicit(&t2s_ready, memory_order_acquire))
        pthread_once(&t2s_once, t2s_build);
    if (cp <= T2S_HI) {
        uint32_t k = cp - T2S_LO;
        if (!(t2s_bits[k >> 3] & (1u << (k & 7))))
            return cp;
        return t2s_search(cp);
    }
    return t2s_outside ? t2s_search(cp) : cp;
}

uint32_t dsc_t2s_cp(uint32_t cp)
{
    return t2s(cp);
}

static uint32_t fold_fullwidth(uint32_t cp)
{
    if ((cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
        (cp >= 0xFF41 && cp <= 0xFF5A))
        return cp - 0xFEE0;
    return cp;
}

size_t dsc_norm_label_to(const char *s, size_t n, char *out)
{
    size_t o = 0, i = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (i < n) {
        size_t len;
        uint32_t cp = dsc_utf8_next(u + i, n - i, &len);
        i += len;
        if (dsc_is_space_cp(cp))
            continue;
        cp = t2s(fold_fullwidth(cp));
        o += dsc_utf8_put(cp, out + o);
    }
    out[o] = '\0';
    /* drop trailing colons (one or more: "标题：:" happens) */
    for (;;) {
        if (o >= 3 && memcmp(out + o - 3, "\xEF\xBC\x9A", 3) == 0)
            o -= 3;
        else if (o >= 1 && out[o - 1] == ':')
            o -= 1;
        else
            break;
        out[o] = '\0';
    }
    return o;
}

int dsc_label_nonempty(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = dsc_utf8_next(u + i, n - i, &len);
        i += len;
        /* folding and t2s never give a space or a colon */
        if (!dsc_is_space_cp(cp) && cp != ':' && cp != 0xFF1A)
            return 1;
    }
    return 0;
}

/* Normalise into a scratch buffer of DSC_NORM_MAX(n) bytes (on the stack
 * when small), then keep only the result in the arena: the output can be
 * longer than the input, which an n + 1 arena block did not allow for. */
#define NORM_STACK 1024

char *dsc_norm_label(dsc_arena *a, const char *s, size_t n)
{
    char stack[NORM_STACK];
    char *buf = DSC_NORM_MAX(n) <= sizeof stack ? stack : malloc(DSC_NORM_MAX(n));
    if (!buf)
        return NULL;
    size_t o = dsc_norm_label_to(s, n, buf);
    char *out = dsc_arena_strndup(a, buf, o);
    if (buf != stack)
        free(buf);
    return out;
}

static int is_empty_marker(const char *v)
{
    static const char *const markers[] = {"-", "--", "---", "—", "——", "/", "无", "暂无", "空",
                                          "null", "NULL", "N/A", NULL};
    /* the longest marker has 6 bytes: most values are longer */
    if (strnlen(v, 7) > 6)
        return 0;
    for (size_t i = 0; markers[i]; i++)
        if (strcmp(v, markers[i]) == 0)
            return 1;
    return 0;
}

char *dsc_norm_value(dsc_arena *a, const char *s, size_t n)
{
    char stack[NORM_STACK];
    char *out = DSC_NORM_MAX(n) <= sizeof stack ? stack : malloc(DSC_NORM_MAX(n));
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    int pending_space = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (i < n) {
        size_t len;
        uint32_t cp = dsc_utf8_next(u + i, n - i, &len);
        i += len;
        if (dsc_is_space_cp(cp)) {
            pending_space = o > 0;
            continue;
        }
        if (pending_space) {
            out[o++] = ' ';
            pending_space = 0;
        }
        o += dsc_utf8_put(t2s(fold_fullwidth(cp)), out + o);
    }
    out[o] = '\0';
    char *v = o == 0 || is_empty_marker(out) ? NULL : dsc_arena_strndup(a, out, o);
    if (out != stack)
        free(out);
    return v;
}

char *dsc_norm_vocab(dsc_arena *a, const char *s)
{
    return s ? dsc_norm_label(a, s, strlen(s)) : NULL;
}

size_t dsc_utf8_chars(const char *s)
{
    size_t c = 0;
    for (; *s; s++)
        if ((*s & 0xC0) != 0x80)
            c++;
    return c;
}

char *dsc_utf8_prefix(dsc_arena *a, const char *s, size_t max_chars)
{
    if (!s)
        return NULL;
    size_t i = 0, c = 0;
    while (s[i] && c < max_chars) {
        i++;
        while ((s[i] & 0xC0) == 0x80)
            i++;
        c++;
    }
    return dsc_arena_strndup(a, s, i);
}

int dsc_str_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int dsc_streq_ci(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}
