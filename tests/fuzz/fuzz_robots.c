/* libFuzzer target: bytes -> robots.txt rules of `disclosure scan` -> the
 * allow decision for fixed paths and for each rule's own text. Oracle: a
 * plain rule (no '*', no '$') matches its own path, so that path's verdict
 * is that of some rule at least as long. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/scan_int.h"
#include "fuzz_util.h"

static const char *const paths[] = {"/", "/index.html", "/zwgk/2025/content_1.html?id=7", "/private/a.pdf",
                                    "/search?q=%E6%94%BF%E7%AD%96", ""};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    robots_rules r = {0};
    robots_parse((const char *)data, size, &r);
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        (void)robots_allows(&r, paths[i]);
    /* the oracle is quadratic in rules: the first 16 are enough */
    for (size_t i = 0; i < r.n && i < 16; i++) {
        const char *pre = r.rules[i].prefix;
        if (!pre || !*pre)
            fuzz_fail("empty robots rule kept", NULL);
        if (strpbrk(pre, "*$"))
            continue;
        /* the longest match wins: an equal-length rule of the other kind
         * may win the tie only as Allow */
        int allowed = robots_allows(&r, pre);
        if (!allowed && r.rules[i].allow) {
            int longer = 0;
            for (size_t k = 0; k < r.n; k++)
                longer |= !r.rules[k].allow && strlen(r.rules[k].prefix) > strlen(pre);
            if (!longer)
                fuzz_fail("a plain Allow rule does not allow its own path", pre);
        }
    }
    robots_free(&r);
    return 0;
}
