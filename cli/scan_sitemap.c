/* disclosure scan: sitemaps and sitemap indexes (file or URL, .gz too),
 * and the URL lists they fill. Fetching and reading files is load_sitemap's;
 * sitemap_parse turns bytes into URLs. */
#include <libxml/xmlreader.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "scan_int.h"

void list_add(str_list *l, const char *v)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **it = realloc(l->items, cap * sizeof *it);
        if (!it)
            return;
        l->items = it;
        l->cap = cap;
    }
    char *c = strdup(v);
    if (c)
        l->items[l->n++] = c;
}

void list_free(str_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
}

/* sitemaps.org allows 50 MB uncompressed; beyond this a sitemap is refused
 * (a small .gz can inflate to gigabytes). */
#define SITEMAP_MAX_BYTES (64u * 1024 * 1024)

/* Inflate gzip data (concatenated members too), at most SITEMAP_MAX_BYTES.
 * Returns a malloc'd buffer, or NULL with why set. */
static char *gunzip(const unsigned char *in, size_t len, size_t *outlen, char *why, size_t whylen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (len > UINT32_MAX || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        snprintf(why, whylen, "cannot inflate the sitemap");
        return NULL;
    }
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)len;
    size_t cap = 65536, n = 0;
    char *out = malloc(cap);
    int rc = Z_OK, too_large = 0;
    while (out) {
        if (n == cap) {
            if (cap >= SITEMAP_MAX_BYTES) {
                too_large = 1;
                break;
            }
            char *o = realloc(out, cap * 2);
            if (!o)
                break;
            out = o;
            cap *= 2;
        }
        z.next_out = (unsigned char *)out + n;
        z.avail_out = (uInt)(cap - n);
        rc = inflate(&z, Z_NO_FLUSH);
        n = cap - z.avail_out;
        if (rc == Z_STREAM_END) {
            /* another member may follow; other trailing bytes are ignored */
            if (z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b && inflateReset(&z) == Z_OK)
                continue;
            break;
        }
        if (rc == Z_BUF_ERROR && z.avail_in == 0) /* the data ends inside a member */
            break;
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            break;
    }
    inflateEnd(&z);
    if (!out || rc != Z_STREAM_END || too_large) {
        if (too_large)
            snprintf(why, whylen, "the sitemap inflates beyond %u MB", SITEMAP_MAX_BYTES >> 20);
        else
            snprintf(why, whylen, "the sitemap is not valid gzip");
        free(out);
        return NULL;
    }
    *outlen = n;
    return out;
}

/* The <loc> just closed: its text, trimmed, to the list it belongs to;
 * the buffer emptied for the next. */
static void loc_done(xmlBufferPtr text, str_list *list)
{
    char *b = (char *)xmlBufferContent(text), *e = b + xmlBufferLength(text);
    while (*b == ' ' || *b == '\n' || *b == '\t' || *b == '\r')
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = 0;
    if (*b)
        list_add(list, b);
    xmlBufferEmpty(text);
}

/* The streaming reader over the bytes: no DTD loaded, no entity expansion,
 * no network access by the parser itself. A <loc>'s text is gathered as the
 * reader passes it, never by xmlTextReaderReadString: that expands the
 * element, and a broken sitemap of unclosed <loc>s nested hundreds deep
 * made each one read to the end of the document again (a 3 KB input took
 * a second; 64 MB would have taken hours). Now each byte is read once. */
int sitemap_parse(const char *data, size_t len, const char *base, str_list *pages, str_list *nested,
                  char *why, size_t whylen)
{
    char *plain = NULL;
    if (len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b) {
        if (!(plain = gunzip((const unsigned char *)data, len, &len, why, whylen)))
            return -1;
        data = plain;
    }
    if (len > SITEMAP_MAX_BYTES) {
        snprintf(why, whylen, "the sitemap is larger than %u MB", SITEMAP_MAX_BYTES >> 20);
        free(plain);
        return -1;
    }
    xmlTextReaderPtr r = xmlReaderForMemory(data, (int)len, base, NULL,
                                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlBufferPtr loc = xmlBufferCreate(); /* a <loc>'s text, as the reader passes it */
    if (!r || !loc) {
        snprintf(why, whylen, "cannot read the sitemap");
        xmlFreeTextReader(r);
        xmlBufferFree(loc);
        free(plain);
        return -1;
    }
    int index = -1, rc = 0, ret;
    int loc_depth = -1; /* the <loc>'s depth while inside one */
    /* a <loc> split into many text nodes grows it in doublings */
    xmlBufferSetAllocationScheme(loc, XML_BUFFER_ALLOC_DOUBLEIT);
    while ((ret = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r);
        if (loc_depth >= 0) {
            /* inside a <loc>: its text, and that of anything in it, as
             * xmlTextReaderReadString would give it */
            if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
                type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || type == XML_READER_TYPE_WHITESPACE) {
                const xmlChar *v = xmlTextReaderConstValue(r);
                if (v && xmlBufferCat(loc, v) != 0) {
                    snprintf(why, whylen, "out of memory");
                    rc = -1;
                    break;
                }
            } else if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(r) == loc_depth) {
                loc_done(loc, index ? nested : pages);
                loc_depth = -1;
            }
            continue;
        }
        if (type != XML_READER_TYPE_ELEMENT)
            continue;
        const char *name = (const char *)xmlTextReaderConstLocalName(r);
        if (!name)
            continue;
        if (index < 0) {
            if (strcmp(name, "sitemapindex") == 0)
                index = 1;
            else if (strcmp(name, "urlset") == 0)
                index = 0;
            else {
                snprintf(why, whylen, "not a sitemap (root <%.64s>)", name);
                rc = -1;
                break;
            }
        } else if (strcmp(name, "loc") == 0 && !xmlTextReaderIsEmptyElement(r)) {
            loc_depth = xmlTextReaderDepth(r);
        }
    }
    if (rc == 0 && ret < 0) {
        snprintf(why, whylen, "the sitemap is not well-formed XML");
        rc = -1;
    }
    xmlBufferFree(loc);
    xmlFreeTextReader(r);
    free(plain);
    return rc;
}

/* A local sitemap file, whole, at most SITEMAP_MAX_BYTES. */
static int read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap > SITEMAP_MAX_BYTES)
            break;
        char *b = realloc(buf, cap * 2);
        if (!b) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = b;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

int load_sitemap(const fetch_opts *o, const char *loc, int depth, str_list *pages)
{
    if (depth > 3) {
        fprintf(stderr, "disclosure: %s: sitemap index nested too deep\n", loc);
        return -1;
    }
    char *data;
    size_t len;
    if (strncasecmp(loc, "http://", 7) == 0 || strncasecmp(loc, "https://", 8) == 0) {
        if (fetch_one(o, loc, &data, &len) != 0) {
            fprintf(stderr, "disclosure: %s: 无法获取站点地图 cannot fetch the sitemap\n", loc);
            return -1;
        }
    } else if (read_file(loc, &data, &len) != 0) {
        fprintf(stderr, "disclosure: %s: cannot read the sitemap\n", loc);
        return -1;
    }
    str_list nested = {0};
    char why[256] = "";
    int rc = sitemap_parse(data, len, loc, pages, &nested, why, sizeof why);
    free(data);
    if (rc < 0)
        fprintf(stderr, "disclosure: %s: %s\n", loc, why);
    for (size_t i = 0; rc == 0 && i < nested.n; i++)
        if (load_sitemap(o, nested.items[i], depth + 1, pages) < 0)
            rc = -1;
    list_free(&nested);
    return rc;
}
