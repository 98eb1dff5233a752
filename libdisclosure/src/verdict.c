/* Serve-time verdicts: what the module needs beyond the findings. */
#include <string.h>

#include "result.h"

int dsc_result_withheld(const dsc_result *r)
{
    int withheld = 0;
    for (size_t i = 0; i < r->nattrs; i++) {
        const char *v = r->attrs[i].value;
        if (strcmp(v, "依申请公开") == 0 || strcmp(v, "不予公开") == 0)
            withheld = 1;
        /* two labels that disagree: the safe reading is the stricter one */
        if (i > 0 && strcmp(v, r->attrs[0].value) != 0)
            return 2;
    }
    return withheld;
}

const char *dsc_result_meta(const dsc_result *r, const char *name)
{
    return dsc_meta_get(r, name);
}
