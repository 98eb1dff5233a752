/* UTF-8 helpers and the normalisation RULES.md asks for: labels compared
 * without spaces and trailing colon, values trimmed, full-width digits and
 * letters as ASCII, traditional characters as simplified. */
#ifndef DSC_TEXT_H
#define DSC_TEXT_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"

/* Decode one code point at s (n bytes left); *len gets its byte length.
 * Invalid sequences give 0xFFFD with length 1.
 * Inline (C99 inline; text.c emits the external copy): it runs once per
 * character of every label candidate, and a call per character cost more
 * than the decoding itself. */
inline uint32_t dsc_utf8_next(const unsigned char *s, size_t n, size_t *len)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    *len = 1;
    if (c < 0xC2 || c > 0xF4)
        return 0xFFFD;
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 0xFFFD;
        *len = 2;
        return ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0xFFFD;
        uint32_t cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        /* reject overlong forms and surrogates */
        if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0xFFFD;
        *len = 3;
        return cp;
    }
    if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
        return 0xFFFD;
    uint32_t cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                  ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    /* reject overlong forms and values past U+10FFFF */
    if (cp < 0x10000 || cp > 0x10FFFF)
        return 0xFFFD;
    *len = 4;
    return cp;
}

/* Inline for the same reason as dsc_utf8_next. */
inline size_t dsc_utf8_put(uint32_t cp, char *out)
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

/* Returns 1 when valid; else 0 and *bad gets the offset of the first bad byte
 * (for a truncated final sequence, its first byte). */
int dsc_utf8_valid(const unsigned char *s, size_t n, size_t *bad);

/* White space and the invisible format characters a template or an editor
 * leaves inside words (soft hyphen, zero-width space, joiner and non-joiner,
 * word joiner, direction marks, BOM): "不\u200C予公开" reads as 不予公开.
 * Inline: called per character; ideographs (the common case) leave at the
 * first test. */
inline int dsc_is_space_cp(uint32_t cp)
{
    if (cp > 0x3000)
        return cp == 0xFEFF;
    if (cp < 0x80)
        return cp == ' ' || (cp >= '\t' && cp <= '\r');
    return cp == 0xA0 || cp == 0xAD || cp == 0x1680 || cp == 0x180E || (cp >= 0x2000 && cp <= 0x200F) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x2060 || cp == 0x3000;
}
uint32_t dsc_t2s_cp(uint32_t cp);

/* Label form: no white space of any kind, no trailing ：or :, simplified,
 * full-width ASCII folded. */
char *dsc_norm_label(dsc_arena *a, const char *s, size_t n);
/* The most bytes a normal form of n input bytes can take, NUL included: an
 * invalid byte becomes U+FFFD (three bytes), and some traditional characters
 * (three bytes) have a simplified form outside the BMP (four). */
#define DSC_NORM_MAX(n) (3 * (n) + 1)
/* dsc_norm_label into out (DSC_NORM_MAX(n) bytes) rather than an arena, for
 * lookups that keep the result only when it is a label; returns its length. */
size_t dsc_norm_label_to(const char *s, size_t n, char *out);
/* 1 when dsc_norm_label(s, n) would not be empty: some character is neither
 * white space nor a colon (nothing else normalises to nothing). */
int dsc_label_nonempty(const char *s, size_t n);
/* Value form: trimmed, inner white space runs as one ASCII space, full-width
 * digits/letters as ASCII. Returns NULL for an empty value (blank, -, --, 无,
 * /, 暂无). */
char *dsc_norm_value(dsc_arena *a, const char *s, size_t n);
/* Vocabulary form: value form without any white space, simplified. */
char *dsc_norm_vocab(dsc_arena *a, const char *s);
/* At most max characters of s (evidence). */
char *dsc_utf8_prefix(dsc_arena *a, const char *s, size_t max_chars);
size_t dsc_utf8_chars(const char *s);

int dsc_str_ends_with(const char *s, const char *suffix);
int dsc_streq_ci(const char *a, const char *b);

#endif
