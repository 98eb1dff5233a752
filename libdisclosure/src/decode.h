/* Charset detection and conversion to UTF-8 (the order of mod_xml2enc, with
 * its gaps filled: HTML5 <meta charset>, gb2312/gbk read as GB18030). */
#ifndef DSC_DECODE_H
#define DSC_DECODE_H
#include <stddef.h>
#include "disclosure.h"

typedef struct {
    char *utf8;          /* malloc'd, NUL-terminated, BOM removed */
    size_t len;
    char charset[64];    /* canonical name used, e.g. "UTF-8", "GB18030" */
    const char *source;  /* "declared", "bom", "meta", "default", "fallback" */
} dsc_decoded;

/* Canonical iconv name for an HTML/HTTP charset label, or NULL when unknown. */
const char *dsc_charset_canonical(const char *label, char *buf, size_t bufsize);
/* Find a charset in <meta> within the first 1024 bytes; 1 when found. */
int dsc_charset_prescan(const char *data, size_t len, char *out, size_t outsize);

dsc_status dsc_decode(const char *data, size_t len, const char *declared,
                      const char *default_cs, const char *fallback_cs, dsc_decoded *out,
                      dsc_error *err);
void dsc_decoded_free(dsc_decoded *d);

#endif
