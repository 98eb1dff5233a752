/* Shared by the fuzz targets: a silent log sink, a failure that stops the
 * run (libFuzzer saves the input as a crash), a UTF-8 validity check. */
#ifndef DSC_FUZZ_UTIL_H
#define DSC_FUZZ_UTIL_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disclosure.h"

static inline void fuzz_log(void *baton, dsc_log_level level, const char *message)
{
    (void)baton;
    (void)level;
    (void)message;
}

static inline void fuzz_quiet(void)
{
    dsc_log_set(fuzz_log, NULL);
}

__attribute__((noreturn)) static inline void fuzz_fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

/* s (may be NULL) must be well-formed UTF-8 without overlongs or
 * surrogates, and of at most max characters when max > 0. */
static inline void fuzz_utf8(const char *what, const char *s, size_t max)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    size_t chars = 0;
    while (*p) {
        unsigned c = *p;
        size_t n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 9;
        if (n == 9 || c == 0xC0 || c == 0xC1 || c > 0xF4)
            fuzz_fail(what, "invalid UTF-8 lead byte");
        unsigned cp = n == 0 ? c : n == 1 ? c & 0x1F : n == 2 ? c & 0x0F : c & 0x07;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                fuzz_fail(what, "truncated UTF-8 sequence");
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            fuzz_fail(what, "overlong UTF-8 or surrogate");
        p += n + 1;
        chars++;
    }
    if (max && chars > max)
        fuzz_fail(what, "longer than its limit");
}
#endif
