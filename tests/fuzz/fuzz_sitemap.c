/* libFuzzer target: bytes -> the sitemap parser of `disclosure scan`
 * (gzip, then the XML streaming reader) -> page and nested sitemap URLs.
 * Oracles: a failure says why; every URL is non-empty and trimmed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/scan_int.h"
#include "fuzz_util.h"

static void check_list(const str_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *u = l->items[i];
        size_t n = strlen(u);
        if (n == 0 || strchr(" \t\r\n", u[0]) || strchr(" \t\r\n", u[n - 1]))
            fuzz_fail("sitemap URL empty or not trimmed", u);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* libxml2's global error handlers silenced, as the command does at
     * start-up: without it every badly encoded input wrote "I/O error :
     * encoder error" to the log, 230,000 lines in 7 minutes of a campaign,
     * and the writing slowed it */
    dsc_global_init();
    str_list pages = {0}, nested = {0};
    char why[256] = "";
    int rc = sitemap_parse((const char *)data, size, "https://www.example.gov.cn/sitemap.xml", &pages, &nested,
                           why, sizeof why);
    if (rc < 0 && !why[0])
        fuzz_fail("sitemap refused without a reason", NULL);
    check_list(&pages);
    check_list(&nested);
    list_free(&pages);
    list_free(&nested);
    return 0;
}
