/* disclosure scan: sitemaps and sitemap indexes (file or URL, .gz too),
 * and the URL lists they fill. */
#include <libxml/xmlreader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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

/* Read a sitemap or sitemap index (file or URL, gzip or not) with the
 * streaming reader: no DTD, no entity expansion, no network access by the
 * parser itself. Page URLs go to pages; nested sitemaps are followed. */
int load_sitemap(const fetch_opts *o, const char *loc, int depth, str_list *pages)
{
    if (depth > 3) {
        fprintf(stderr, "disclosure: %s: sitemap index nested too deep\n", loc);
        return -1;
    }
    char tmp[] = "/tmp/disclosure-sitemap-XXXXXX";
    const char *file = loc;
    int have_tmp = 0;
    if (strncasecmp(loc, "http://", 7) == 0 || strncasecmp(loc, "https://", 8) == 0) {
        char *data;
        size_t len;
        if (fetch_one(o, loc, &data, &len) != 0) {
            fprintf(stderr, "disclosure: %s: 无法获取站点地图 cannot fetch the sitemap\n", loc);
            return -1;
        }
        int fd = mkstemp(tmp);
        int ok = fd >= 0 && write(fd, data, len) == (ssize_t)len;
        if (fd >= 0)
            close(fd);
        free(data);
        if (!ok) {
            if (fd >= 0)
                unlink(tmp);
            return -1;
        }
        file = tmp;
        have_tmp = 1;
    }
    /* xmlReaderForFile inflates gzip transparently */
    xmlTextReaderPtr r = xmlReaderForFile(file, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!r) {
        fprintf(stderr, "disclosure: %s: cannot read the sitemap\n", loc);
        if (have_tmp)
            unlink(tmp);
        return -1;
    }
    int index = -1, rc = 0, ret;
    str_list nested = {0};
    while ((ret = xmlTextReaderRead(r)) == 1) {
        if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT)
            continue;
        const char *name = (const char *)xmlTextReaderConstLocalName(r);
        if (index < 0) {
            if (strcmp(name, "sitemapindex") == 0)
                index = 1;
            else if (strcmp(name, "urlset") == 0)
                index = 0;
            else {
                fprintf(stderr, "disclosure: %s: not a sitemap (root <%s>)\n", loc, name);
                rc = -1;
                break;
            }
        } else if (strcmp(name, "loc") == 0) {
            xmlChar *v = xmlTextReaderReadString(r);
            if (v) {
                char *t = (char *)v;
                while (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r')
                    t++;
                for (char *e = t + strlen(t); e > t && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\t' || e[-1] == '\r');)
                    *--e = 0;
                if (*t)
                    list_add(index ? &nested : pages, t);
                xmlFree(v);
            }
        }
    }
    if (ret < 0) {
        fprintf(stderr, "disclosure: %s: the sitemap is not well-formed XML\n", loc);
        rc = -1;
    }
    xmlFreeTextReader(r);
    if (have_tmp)
        unlink(tmp);
    for (size_t i = 0; rc == 0 && i < nested.n; i++)
        if (load_sitemap(o, nested.items[i], depth + 1, pages) < 0)
            rc = -1;
    list_free(&nested);
    return rc;
}
