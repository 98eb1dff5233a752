#include "decode.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

static void set_err(dsc_error *err, dsc_status code, long offset, const char *en,
                    const char *zh)
{
    if (!err)
        return;
    memset(err, 0, sizeof(*err));
    err->code = code;
    err->offset = offset;
    snprintf(err->message, sizeof(err->message), "%s", en);
    snprintf(err->message_zh, sizeof(err->message_zh), "%s", zh);
}

const char *dsc_charset_canonical(const char *label, char *buf, size_t bufsize)
{
    /* WHATWG labels that matter on Chinese portals; everything else is
     * handed to iconv under its own name and must open there. */
    static const struct { const char *label, *name; } map[] = {
        {"utf-8", "UTF-8"},       {"utf8", "UTF-8"},          {"unicode-1-1-utf-8", "UTF-8"},
        {"gb2312", "GB18030"},    {"gbk", "GB18030"},         {"x-gbk", "GB18030"},
        {"gb18030", "GB18030"},   {"cp936", "GB18030"},       {"ms936", "GB18030"},
        {"windows-936", "GB18030"}, {"gb_2312-80", "GB18030"}, {"gb_2312", "GB18030"},
        {"euc-cn", "GB18030"},    {"csgb2312", "GB18030"},    {"chinese", "GB18030"},
        {"iso-ir-58", "GB18030"}, {"x-euc-cn", "GB18030"},
        {"big5", "BIG5-HKSCS"},   {"big5-hkscs", "BIG5-HKSCS"}, {"cn-big5", "BIG5-HKSCS"},
        {"x-x-big5", "BIG5-HKSCS"}, {"csbig5", "BIG5-HKSCS"},
        {"iso-8859-1", "WINDOWS-1252"}, {"latin1", "WINDOWS-1252"}, {"us-ascii", "WINDOWS-1252"},
        {"ascii", "WINDOWS-1252"}, {"windows-1252", "WINDOWS-1252"},
        {"utf-16", "UTF-16LE"},   {"utf-16le", "UTF-16LE"},   {"utf-16be", "UTF-16BE"},
    };
    char low[64];
    size_t n = 0;
    while (*label && isspace((unsigned char)*label))
        label++;
    for (; label[n] && n < sizeof(low) - 1; n++)
        low[n] = (char)tolower((unsigned char)label[n]);
    while (n > 0 && (isspace((unsigned char)low[n - 1]) || low[n - 1] == '"' || low[n - 1] == '\''))
        n--;
    low[n] = '\0';
    const char *l = low;
    while (*l == '"' || *l == '\'')
        l++;
    if (!*l)
        return NULL;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(l, map[i].label) == 0) {
            snprintf(buf, bufsize, "%s", map[i].name);
            return buf;
        }
    for (const char *p = l; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.' || *p == ':'))
            return NULL;
    iconv_t cd = iconv_open("UTF-8", l);
    if (cd == (iconv_t)-1)
        return NULL;
    iconv_close(cd);
    snprintf(buf, bufsize, "%s", l);
    for (char *p = buf; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return buf;
}

/* Read an attribute value starting at p (after '='); returns its end. */
static const char *attr_value(const char *p, const char *end, const char **vs, size_t *vn)
{
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p < end && (*p == '"' || *p == '\'')) {
        char q = *p++;
        *vs = p;
        while (p < end && *p != q)
            p++;
        *vn = (size_t)(p - *vs);
        return p < end ? p + 1 : p;
    }
    *vs = p;
    while (p < end && !isspace((unsigned char)*p) && *p != '>')
        p++;
    *vn = (size_t)(p - *vs);
    return p;
}

static int charset_from_content(const char *v, size_t n, char *out, size_t outsize)
{
    for (size_t i = 0; i + 7 <= n; i++) {
        if (strncasecmp(v + i, "charset", 7) != 0)
            continue;
        size_t j = i + 7;
        while (j < n && isspace((unsigned char)v[j]))
            j++;
        if (j >= n || v[j] != '=')
            continue;
        j++;
        while (j < n && (isspace((unsigned char)v[j]) || v[j] == '"' || v[j] == '\''))
            j++;
        size_t k = j;
        while (k < n && !isspace((unsigned char)v[k]) && v[k] != ';' && v[k] != '"' &&
               v[k] != '\'')
            k++;
        if (k > j && k - j < outsize) {
            memcpy(out, v + j, k - j);
            out[k - j] = '\0';
            return 1;
        }
    }
    return 0;
}

int dsc_charset_prescan(const char *data, size_t len, char *out, size_t outsize)
{
    const char *end = data + (len < 1024 ? len : 1024);
    const char *p = data;
    while (p < end) {
        if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            const char *c = p + 4;
            while (c + 3 <= end && memcmp(c, "-->", 3) != 0)
                c++;
            p = c + 3;
            continue;
        }
        if (end - p >= 6 && p[0] == '<' && strncasecmp(p + 1, "meta", 4) == 0 &&
            (isspace((unsigned char)p[5]) || p[5] == '/')) {
            const char *q = p + 5;
            int http_equiv_ct = 0;
            const char *content = NULL;
            size_t content_n = 0;
            while (q < end && *q != '>') {
                while (q < end && (isspace((unsigned char)*q) || *q == '/'))
                    q++;
                const char *an = q;
                while (q < end && !isspace((unsigned char)*q) && *q != '=' && *q != '>' && *q != '/')
                    q++;
                size_t ann = (size_t)(q - an);
                while (q < end && isspace((unsigned char)*q))
                    q++;
                const char *vs = NULL;
                size_t vn = 0;
                if (q < end && *q == '=')
                    q = attr_value(q + 1, end, &vs, &vn);
                if (ann == 0) {
                    if (q < end && *q != '>')
                        q++;
                    continue;
                }
                if (ann == 7 && strncasecmp(an, "charset", 7) == 0 && vs && vn > 0 &&
                    vn < outsize) {
                    memcpy(out, vs, vn);
                    out[vn] = '\0';
                    return 1;
                }
                if (ann == 10 && strncasecmp(an, "http-equiv", 10) == 0 && vs && vn == 12 &&
                    strncasecmp(vs, "content-type", 12) == 0)
                    http_equiv_ct = 1;
                if (ann == 7 && strncasecmp(an, "content", 7) == 0 && vs) {
                    content = vs;
                    content_n = vn;
                }
            }
            /* attribute order varies on real pages: decide once the tag is read */
            if (http_equiv_ct && content && charset_from_content(content, content_n, out, outsize))
                return 1;
            p = q;
            continue;
        }
        p++;
    }
    return 0;
}

/* Room for n more bytes at *o in the growing buffer *buf of capacity *cap. */
static int reserve(char **buf, char **o, size_t *cap, size_t *outleft, size_t n)
{
    if (*outleft >= n)
        return 1;
    size_t used = (size_t)(*o - *buf);
    size_t ncap = *cap * 2 + n;
    char *nb = realloc(*buf, ncap + 1);
    if (!nb)
        return 0;
    *buf = nb;
    *o = nb + used;
    *cap = ncap;
    *outleft = ncap - used;
    return 1;
}

static dsc_status convert(const char *data, size_t len, const char *cs, unsigned flags,
                          dsc_decoded *out, dsc_error *err)
{
    iconv_t cd = iconv_open("UTF-8", cs);
    if (cd == (iconv_t)-1) {
        char en[256], zh[256];
        snprintf(en, sizeof en, "unknown charset \"%s\"", cs);
        snprintf(zh, sizeof zh, "无法识别的字符集“%s”", cs);
        set_err(err, DSC_ERR_CHARSET, -1, en, zh);
        return DSC_ERR_CHARSET;
    }
    size_t cap = len * 2 + 16; /* GB18030 → UTF-8 grows by at most 3/2; UTF-16 by 3/2 */
    char *buf = malloc(cap + 1);
    if (!buf) {
        iconv_close(cd);
        set_err(err, DSC_ERR_NOMEM, -1, "out of memory", "内存不足");
        return DSC_ERR_NOMEM;
    }
    char *in = (char *)data, *o = buf;
    size_t inleft = len, outleft = cap;
    while (inleft > 0) {
        size_t r = iconv(cd, &in, &inleft, &o, &outleft);
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG) {
            size_t used = (size_t)(o - buf);
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                iconv_close(cd);
                set_err(err, DSC_ERR_NOMEM, -1, "out of memory", "内存不足");
                return DSC_ERR_NOMEM;
            }
            buf = nb;
            o = buf + used;
            outleft = cap - used;
            continue;
        }
        if (flags & DSC_DECODE_LENIENT) {
            /* one undecodable byte (or a truncated last character) → U+FFFD */
            if (!reserve(&buf, &o, &cap, &outleft, 3)) {
                free(buf);
                iconv_close(cd);
                set_err(err, DSC_ERR_NOMEM, -1, "out of memory", "内存不足");
                return DSC_ERR_NOMEM;
            }
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            outleft -= 3;
            if (errno == EINVAL)
                break;
            in++;
            inleft--;
            continue;
        }
        long off = (long)(in - data);
        char en[300], zh[300];
        if (errno == EINVAL) {
            snprintf(en, sizeof en, "incomplete %s sequence at the end of the page (byte offset %ld)",
                     cs, off);
            snprintf(zh, sizeof zh, "页面末尾（第%ld字节）的%s编码字符不完整", off, cs);
        } else {
            snprintf(en, sizeof en, "bytes at offset %ld are not valid %s", off, cs);
            snprintf(zh, sizeof zh, "第%ld字节处的内容不是有效的%s编码", off, cs);
        }
        free(buf);
        iconv_close(cd);
        set_err(err, DSC_ERR_DECODE, off, en, zh);
        return DSC_ERR_DECODE;
    }
    iconv_close(cd);
    out->len = (size_t)(o - buf);
    buf[out->len] = '\0';
    out->utf8 = buf;
    out->text = buf;
    return DSC_OK;
}

/* A copy of data with every invalid UTF-8 sequence as U+FFFD. */
static dsc_status utf8_repair(const char *data, size_t len, dsc_decoded *out, dsc_error *err)
{
    char *buf = malloc(len * 3 + 1), *o = buf;
    if (!buf) {
        set_err(err, DSC_ERR_NOMEM, -1, "out of memory", "内存不足");
        return DSC_ERR_NOMEM;
    }
    const unsigned char *u = (const unsigned char *)data;
    size_t i = 0;
    while (i < len) {
        size_t n;
        uint32_t cp = dsc_utf8_next(u + i, len - i, &n);
        if (cp == 0xFFFD && n == 1 && u[i] >= 0x80) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
        } else {
            memcpy(o, data + i, n);
            o += n;
        }
        i += n;
    }
    *o = '\0';
    out->utf8 = buf;
    out->text = buf;
    out->len = (size_t)(o - buf);
    return DSC_OK;
}

static dsc_status take_utf8(const char *data, size_t len, unsigned flags, dsc_decoded *out,
                            dsc_error *err)
{
    size_t bad;
    if (!dsc_utf8_valid((const unsigned char *)data, len, &bad)) {
        if (flags & DSC_DECODE_LENIENT)
            return utf8_repair(data, len, out, err);
        char en[200], zh[200];
        int truncated = len - bad < 4 && ((unsigned char)data[bad] & 0xC0) == 0xC0;
        if (truncated) {
            snprintf(en, sizeof en,
                     "incomplete UTF-8 sequence at the end of the page (byte offset %zu)", bad);
            snprintf(zh, sizeof zh, "页面末尾（第%zu字节）的UTF-8编码字符不完整", bad);
        } else {
            snprintf(en, sizeof en, "bytes at offset %zu are not valid UTF-8", bad);
            snprintf(zh, sizeof zh, "第%zu字节处的内容不是有效的UTF-8编码", bad);
        }
        set_err(err, DSC_ERR_DECODE, (long)bad, en, zh);
        return DSC_ERR_DECODE;
    }
    if (flags & DSC_DECODE_BORROW) {
        /* nothing to change: the parser can read the caller's bytes, which
         * spares a malloc and a copy of the whole page */
        out->utf8 = NULL;
        out->text = data;
        out->len = len;
        return DSC_OK;
    }
    out->utf8 = malloc(len + 1);
    if (!out->utf8) {
        set_err(err, DSC_ERR_NOMEM, -1, "out of memory", "内存不足");
        return DSC_ERR_NOMEM;
    }
    memcpy(out->utf8, data, len);
    out->utf8[len] = '\0';
    out->text = out->utf8;
    out->len = len;
    return DSC_OK;
}

static dsc_status decode_as(const char *data, size_t len, const char *cs, unsigned flags,
                            dsc_decoded *out, dsc_error *err)
{
    snprintf(out->charset, sizeof out->charset, "%s", cs);
    if (strcmp(cs, "UTF-8") == 0)
        return take_utf8(data, len, flags, out, err);
    return convert(data, len, cs, flags, out, err);
}

dsc_status dsc_decode(const char *data, size_t len, const char *declared,
                      const char *default_cs, const char *fallback_cs, dsc_decoded *out,
                      dsc_error *err)
{
    return dsc_decode_ex(data, len, declared, default_cs, fallback_cs, 0, out, err);
}

dsc_status dsc_decode_ex(const char *data, size_t len, const char *declared,
                         const char *default_cs, const char *fallback_cs, unsigned flags,
                         dsc_decoded *out, dsc_error *err)
{
    char buf[64], found[64];
    const char *cs = NULL;
    memset(out, 0, sizeof(*out));

    if (declared && *declared) {
        cs = dsc_charset_canonical(declared, buf, sizeof buf);
        if (!cs) {
            char en[256], zh[256];
            snprintf(en, sizeof en, "unknown charset \"%.100s\" (declared)", declared);
            snprintf(zh, sizeof zh, "声明的字符集“%.100s”无法识别", declared);
            set_err(err, DSC_ERR_CHARSET, -1, en, zh);
            return DSC_ERR_CHARSET;
        }
        out->source = "declared";
    }
    const unsigned char *u = (const unsigned char *)data;
    int bom = 0;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        bom = 3;
    else if (len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE)))
        bom = 2;
    if (!cs && bom) {
        cs = bom == 3 ? "UTF-8" : (u[0] == 0xFE ? "UTF-16BE" : "UTF-16LE");
        out->source = "bom";
    }
    /* A BOM is never content: drop it when it matches the charset in use. */
    if (bom == 3 && cs && strcmp(cs, "UTF-8") == 0) {
        data += 3;
        len -= 3;
    } else if (bom == 2 && cs && strncmp(cs, "UTF-16", 6) == 0) {
        data += 2;
        len -= 2;
    }
    if (!cs && dsc_charset_prescan(data, len, found, sizeof found)) {
        cs = dsc_charset_canonical(found, buf, sizeof buf);
        if (!cs) {
            char en[256], zh[256];
            snprintf(en, sizeof en, "unknown charset \"%.100s\" in <meta>", found);
            snprintf(zh, sizeof zh, "页面<meta>中声明的字符集“%.100s”无法识别", found);
            set_err(err, DSC_ERR_CHARSET, -1, en, zh);
            return DSC_ERR_CHARSET;
        }
        /* A page that says UTF-16 in a meta tag but has no BOM is ASCII-compatible
         * bytes in practice (the WHATWG rule): read it as UTF-8. */
        if (strncmp(cs, "UTF-16", 6) == 0)
            cs = "UTF-8";
        out->source = "meta";
    }
    if (cs)
        return decode_as(data, len, cs, flags, out, err);

    cs = dsc_charset_canonical(default_cs && *default_cs ? default_cs : "UTF-8", buf, sizeof buf);
    if (!cs)
        cs = "UTF-8";
    out->source = "default";
    dsc_status st = decode_as(data, len, cs, flags, out, err);
    if (st == DSC_ERR_DECODE && fallback_cs && *fallback_cs) {
        char fb[64];
        const char *fcs = dsc_charset_canonical(fallback_cs, fb, sizeof fb);
        if (fcs && strcmp(fcs, cs) != 0) {
            dsc_error err2;
            if (decode_as(data, len, fcs, flags, out, &err2) == DSC_OK) {
                out->source = "fallback";
                return DSC_OK;
            }
        }
    }
    return st;
}

dsc_status dsc_decoded_own(dsc_decoded *d, dsc_error *err)
{
    if (d->utf8)
        return DSC_OK;
    char *copy = malloc(d->len + 1);
    if (!copy) {
        set_err(err, DSC_ERR_NOMEM, -1, "out of memory", "内存不足");
        return DSC_ERR_NOMEM;
    }
    if (d->len)
        memcpy(copy, d->text, d->len);
    copy[d->len] = '\0';
    d->utf8 = copy;
    d->text = copy;
    return DSC_OK;
}

void dsc_decoded_free(dsc_decoded *d)
{
    free(d->utf8);
    d->utf8 = NULL;
    d->text = NULL;
}
