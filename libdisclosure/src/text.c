#include "text.h"

#include <string.h>
#include <strings.h>

static const uint32_t t2s_table[][2] = {
#include "t2s_table.inc"
};

uint32_t dsc_utf8_next(const unsigned char *s, size_t n, size_t *len)
{
    unsigned char c = s[0];
    uint32_t cp;
    size_t need;
    if (c < 0x80) {
        *len = 1;
        return c;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
        cp = c & 0x1F;
        need = 1;
    } else if ((c & 0xF0) == 0xE0) {
        cp = c & 0x0F;
        need = 2;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
        cp = c & 0x07;
        need = 3;
    } else {
        *len = 1;
        return 0xFFFD;
    }
    if (n < need + 1) {
        *len = 1;
        return 0xFFFD;
    }
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *len = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* reject overlong forms, surrogates and values past U+10FFFF */
    if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
        *len = 1;
        return 0xFFFD;
    }
    *len = need + 1;
    return cp;
}

size_t dsc_utf8_put(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    } else if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

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
        if (i >= n)
            break;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp = dsc_utf8_next(s + i, n - i, &len);
        (void)cp;
        if (len == 1) { /* a lead byte >= 0x80 that starts no valid sequence */
            *bad = i;
            return 0;
        }
        i += len;
    }
    return 1;
}

int dsc_is_space_cp(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
           cp == 0xA0 || cp == 0x3000 || cp == 0x200B || cp == 0xFEFF || cp == 0x2002 ||
           cp == 0x2003 || cp == 0x2009;
}

uint32_t dsc_t2s_cp(uint32_t cp)
{
    if (cp < 0x3400)
        return cp;
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

static uint32_t fold_fullwidth(uint32_t cp)
{
    if ((cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
        (cp >= 0xFF41 && cp <= 0xFF5A))
        return cp - 0xFEE0;
    return cp;
}

char *dsc_norm_label(dsc_arena *a, const char *s, size_t n)
{
    char *out = dsc_arena_alloc(a, n + 1);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (i < n) {
        size_t len;
        uint32_t cp = dsc_utf8_next(u + i, n - i, &len);
        i += len;
        if (dsc_is_space_cp(cp))
            continue;
        cp = dsc_t2s_cp(fold_fullwidth(cp));
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
    return out;
}

static int is_empty_marker(const char *v)
{
    static const char *const markers[] = {"-", "--", "---", "—", "——", "/", "无", "暂无", "空",
                                          "null", "NULL", "N/A", NULL};
    for (size_t i = 0; markers[i]; i++)
        if (strcmp(v, markers[i]) == 0)
            return 1;
    return 0;
}

char *dsc_norm_value(dsc_arena *a, const char *s, size_t n)
{
    char *out = dsc_arena_alloc(a, n + 1);
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
        o += dsc_utf8_put(dsc_t2s_cp(fold_fullwidth(cp)), out + o);
    }
    out[o] = '\0';
    if (o == 0 || is_empty_marker(out))
        return NULL;
    return out;
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
