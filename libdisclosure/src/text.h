/* UTF-8 helpers and the normalisation RULES.md asks for: labels compared
 * without spaces and trailing colon, values trimmed, full-width digits and
 * letters as ASCII, traditional characters as simplified. */
#ifndef DSC_TEXT_H
#define DSC_TEXT_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"

/* Decode one code point at s (n bytes left); *len gets its byte length.
 * Invalid sequences give 0xFFFD with length 1. */
uint32_t dsc_utf8_next(const unsigned char *s, size_t n, size_t *len);
size_t dsc_utf8_put(uint32_t cp, char *out);
/* Returns 1 when valid; else 0 and *bad gets the offset of the first bad byte
 * (for a truncated final sequence, its first byte). */
int dsc_utf8_valid(const unsigned char *s, size_t n, size_t *bad);

int dsc_is_space_cp(uint32_t cp);
uint32_t dsc_t2s_cp(uint32_t cp);

/* Label form: no white space of any kind, no trailing ：or :, simplified,
 * full-width ASCII folded. */
char *dsc_norm_label(dsc_arena *a, const char *s, size_t n);
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
