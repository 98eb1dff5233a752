/* Charset detection and conversion to UTF-8 (the order of mod_xml2enc, with
 * its gaps filled: HTML5 <meta charset>, gb2312/gbk read as GB18030). */
#ifndef DSC_DECODE_H
#define DSC_DECODE_H
#include <stddef.h>
#include "disclosure.h"

typedef struct {
    char *utf8;          /* malloc'd, NUL-terminated, BOM removed; NULL when text is borrowed */
    size_t len;
    char charset[64];    /* canonical name used, e.g. "UTF-8", "GB18030" */
    const char *source;  /* "declared", "bom", "meta", "default", "fallback" */
    const char *text;    /* the len decoded bytes: utf8, or the caller's own bytes when
                          * borrowed (then not NUL-terminated, valid while they are) */
} dsc_decoded;

/* dsc_decode_ex flag: a page that is already valid UTF-8 is not copied;
 * out->text points into data (past any BOM) and out->utf8 is NULL. */
#define DSC_DECODE_BORROW 1u
/* dsc_decode_ex flag: bytes the charset cannot decode become U+FFFD instead
 * of an error (serving must judge a page with a bad byte, not pass it). */
#define DSC_DECODE_LENIENT 2u

/* Canonical iconv name for an HTML/HTTP charset label, or NULL when unknown. */
const char *dsc_charset_canonical(const char *label, char *buf, size_t bufsize);
/* Find a charset in <meta> within the first 1024 bytes; 1 when found. */
int dsc_charset_prescan(const char *data, size_t len, char *out, size_t outsize);

dsc_status dsc_decode(const char *data, size_t len, const char *declared,
                      const char *default_cs, const char *fallback_cs, dsc_decoded *out,
                      dsc_error *err);
dsc_status dsc_decode_ex(const char *data, size_t len, const char *declared,
                         const char *default_cs, const char *fallback_cs, unsigned flags,
                         dsc_decoded *out, dsc_error *err);
/* Give a borrowed result its own malloc'd, NUL-terminated copy (no-op when
 * it has one already), so that its bytes can be changed. */
dsc_status dsc_decoded_own(dsc_decoded *d, dsc_error *err);
void dsc_decoded_free(dsc_decoded *d);

#endif
