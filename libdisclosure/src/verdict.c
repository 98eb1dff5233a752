/* Serve-time verdicts: what the module needs beyond the findings. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

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

/* The content hash every part records (the module computes the same with
 * APR's SHA-1): SHA-1 through OpenSSL's libcrypto, not a hand-written one. */
void dsc_content_hash(const void *data, size_t len, char out[41])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    out[0] = '\0';
    if (!EVP_Digest(data, len, md, &n, EVP_sha1(), NULL) || n != 20)
        return;
    for (unsigned int i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}
