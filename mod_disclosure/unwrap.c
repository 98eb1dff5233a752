/* What serving must judge besides pages typed text/html: the same bytes
 * under another type (a symlink or copy named .txt, a file without an
 * extension, a backend that says text/plain) and the same page compressed
 * (a precompressed w.html.gz, a backend that gzips whatever it is asked).
 * Readers see all of these, so a 不予公开 label in them must block too. */
#include "cache.h"

#include <brotli/decode.h>
#include <zlib.h>

#include "apr_strings.h"

int md_is_html_type(const char *ct)
{
    return ct && (!strncasecmp(ct, "text/html", 9) || !strncasecmp(ct, "application/xhtml+xml", 21));
}

static int has_ext(const char *name, const char *const *exts)
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    for (; dot && *exts; exts++)
        if (!strcasecmp(dot, *exts))
            return 1;
    return 0;
}

static const char *const html_exts[] = {".html", ".htm", ".shtml", ".xhtml", NULL};

/* w.html.gz, w.htm.br: a compressed copy of a page, whatever type the
 * server gives it (Debian types .gz as application/gzip) */
static int compressed_page_name(const char *name)
{
    static const char *const z[] = {".gz", ".br", ".z", ".zz", ".deflate", NULL};
    if (!name || !has_ext(name, z))
        return 0;
    const char *dot = strrchr(name, '.');
    char *inner = strndup(name, (size_t)(dot - name));
    int html = inner && has_ext(inner, html_exts);
    free(inner);
    return html;
}

md_judge md_judge_kind(const char *ct, const char *encoding, const char *filename)
{
    if (encoding && *encoding && strcasecmp(encoding, "identity") != 0)
        return (md_is_html_type(ct) || !ct || compressed_page_name(filename)) ? MD_JUDGE_ENCODED : MD_JUDGE_NO;
    if (compressed_page_name(filename))
        return MD_JUDGE_ENCODED;
    if (md_is_html_type(ct))
        return MD_JUDGE_HTML;
    if (!ct)
        return filename && !has_ext(filename, html_exts) ? MD_JUDGE_SNIFF : MD_JUDGE_HTML;
    /* text a browser shows as it is: the label and the body are readable */
    if (!strncasecmp(ct, "text/plain", 10) || !strncasecmp(ct, "application/octet-stream", 24))
        return MD_JUDGE_SNIFF;
    return MD_JUDGE_NO;
}

/* Text, not a binary: no NUL byte in the first KB (images, archives and
 * office files have some early). */
int md_sniff_text(const char *head, apr_size_t n)
{
    return n > 0 && !memchr(head, '\0', n < 1024 ? n : 1024);
}

/* gzip, zlib or raw deflate, inflated to at most max bytes (a bomb stops
 * there); NULL when the data is none of them or is corrupt. */
/* Double a decompression buffer, up to max bytes (+1 for the NUL); frees
 * it and returns NULL when memory runs out. */
static char *grow(char *buf, apr_size_t *cap, apr_size_t max)
{
    *cap = *cap * 2 < max ? *cap * 2 : max;
    char *nb = realloc(buf, *cap + 1);
    if (!nb)
        free(buf);
    return nb;
}

/* n decompressed bytes, moved into the pool as a NUL-terminated string. */
static const char *to_pool(apr_pool_t *p, char *buf, apr_size_t n, apr_size_t *out_len)
{
    char *out = apr_pmemdup(p, buf, n + 1);
    out[n] = '\0';
    free(buf);
    *out_len = n;
    return out;
}

const char *md_inflate(apr_pool_t *p, const char *data, apr_size_t len, apr_size_t max, apr_size_t *out_len)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        z_stream z;
        memset(&z, 0, sizeof z);
        /* 15 + 32: gzip or zlib by the header; -15: raw deflate */
        if (inflateInit2(&z, attempt == 0 ? 15 + 32 : -15) != Z_OK)
            return NULL;
        apr_size_t cap = len * 4 + 4096 < max ? len * 4 + 4096 : max;
        char *buf = malloc(cap + 1);
        int rc = Z_OK;
        z.next_in = (Bytef *)data;
        z.avail_in = (uInt)len;
        while (buf) {
            z.next_out = (Bytef *)buf + z.total_out;
            z.avail_out = (uInt)(cap - z.total_out);
            rc = inflate(&z, Z_NO_FLUSH);
            if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR))
                break;
            if (z.avail_out == 0) {
                if (cap >= max) {
                    /* judged on its first max bytes, as a page that large is */
                    rc = Z_STREAM_END;
                    break;
                }
                buf = grow(buf, &cap, max);
            } else if (rc == Z_BUF_ERROR) {
                break; /* truncated input */
            }
        }
        apr_size_t n = z.total_out;
        inflateEnd(&z);
        if (buf && rc == Z_STREAM_END)
            return to_pool(p, buf, n, out_len);
        free(buf);
    }
    return NULL;
}

/* br through libbrotlidec, streamed into at most max bytes. */
static const char *unbrotli(apr_pool_t *p, const char *data, apr_size_t len, apr_size_t max, apr_size_t *out_len)
{
    BrotliDecoderState *st = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    if (!st)
        return NULL;
    apr_size_t cap = len * 4 + 4096 < max ? len * 4 + 4096 : max;
    char *buf = malloc(cap + 1);
    const uint8_t *in = (const uint8_t *)data;
    size_t avail_in = len, total = 0;
    BrotliDecoderResult rc = BROTLI_DECODER_RESULT_ERROR;
    while (buf) {
        uint8_t *out = (uint8_t *)buf + total;
        size_t avail_out = cap - total;
        rc = BrotliDecoderDecompressStream(st, &avail_in, &in, &avail_out, &out, &total);
        if (rc != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT)
            break;
        if (cap >= max) {
            rc = BROTLI_DECODER_RESULT_SUCCESS; /* the first max bytes */
            break;
        }
        buf = grow(buf, &cap, max);
    }
    BrotliDecoderDestroyInstance(st);
    if (!buf || rc != BROTLI_DECODER_RESULT_SUCCESS) {
        free(buf);
        return NULL;
    }
    return to_pool(p, buf, total, out_len);
}

const char *md_decompress(apr_pool_t *p, const char *encoding, const char *filename, const char *data,
                          apr_size_t len, apr_size_t max, apr_size_t *out_len)
{
    static const char *const z[] = {".gz", ".z", ".zz", ".deflate", NULL};
    static const char *const br[] = {".br", NULL};
    int use_br = 0, use_z = 0;
    if (encoding && *encoding && strcasecmp(encoding, "identity") != 0) {
        use_br = !strcasecmp(encoding, "br");
        use_z = !strcasecmp(encoding, "gzip") || !strcasecmp(encoding, "x-gzip") || !strcasecmp(encoding, "deflate");
    } else {
        use_br = filename && has_ext(filename, br);
        use_z = filename && has_ext(filename, z);
    }
    if (use_z)
        return md_inflate(p, data, len, max, out_len);
    if (use_br)
        return unbrotli(p, data, len, max, out_len);
    return NULL; /* compress, or an encoding this module cannot read */
}
