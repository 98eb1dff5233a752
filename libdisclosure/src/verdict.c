/* Serve-time verdicts: what the module needs beyond the findings. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "result.h"
#include "text.h"

/* Words that, anywhere in a 公开属性 value outside the vocabulary, mean the
 * page is not for the public: "不予公开（过程性信息）", "(不予公开)",
 * "免于公开", "暂不公开", "涉密", "内部". The attribute-invalid rule says the
 * value is wrong; serving must meanwhile read it the strict way. */
static int withheld_words(const char *v)
{
    static const char *const words[] = {"不予", "不公开", "不宜公开", "不得公开", "暂缓公开", "免予",
                                        "免于", "依申请", "非公开", "涉密", "秘密", "机密", "内部",
                                        NULL};
    char buf[DSC_NORM_MAX(256)];
    size_t n = strlen(v);
    if (n > 256)
        n = 256;
    dsc_norm_label_to(v, n, buf);
    for (size_t i = 0; words[i]; i++)
        if (strstr(buf, words[i]))
            return 1;
    return 0;
}

static int is_withheld_value(const char *v)
{
    if (strcmp(v, "依申请公开") == 0 || strcmp(v, "不予公开") == 0)
        return 1;
    if (strcmp(v, "主动公开") == 0 || strcmp(v, "删减后公开") == 0)
        return 0;
    return withheld_words(v);
}

int dsc_result_withheld(const dsc_result *r)
{
    int withheld = 0;
    for (size_t i = 0; i < r->nattrs; i++) {
        const char *v = r->attrs[i].value;
        if (is_withheld_value(v))
            withheld = 1;
        /* two labels that disagree: the safe reading is the stricter one */
        if (i > 0 && strcmp(v, r->attrs[0].value) != 0)
            return 2;
    }
    return withheld;
}

/* Keep every reading of the attribute the page gives. The list is bounded;
 * once full, a value unlike those kept replaces a repeated one (or, failing
 * that, a public one): a ninth label saying 不予公开 after eight saying
 * 主动公开 must still count. */
void dsc_attr_push(dsc_result *r, const char *value, const char *raw, long line, const char *source)
{
    const size_t cap = sizeof r->attrs / sizeof r->attrs[0];
    dsc_attr_seen seen = {value, raw, line, source};
    if (r->nattrs < cap) {
        r->attrs[r->nattrs++] = seen;
        return;
    }
    for (size_t i = 0; i < cap; i++)
        if (strcmp(r->attrs[i].value, value) == 0)
            return;
    for (size_t i = cap - 1; i > 0; i--)
        for (size_t k = 0; k < i; k++)
            if (strcmp(r->attrs[i].value, r->attrs[k].value) == 0) {
                r->attrs[i] = seen;
                return;
            }
    if (!is_withheld_value(value))
        return;
    for (size_t i = cap - 1; i > 0; i--)
        if (!is_withheld_value(r->attrs[i].value)) {
            r->attrs[i] = seen;
            return;
        }
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
