/* The publish check (publish.c) and its bookkeeping in the registry
 * (publish_record.c): what one checked publish carries between them. */
#ifndef MD_PUBLISH_H
#define MD_PUBLISH_H

#include "mod_disclosure.h"
#include "util_filter.h"

#define RECORD_FILTER "DISCLOSURE_RECORD"

/* What the check of one publish leaves for the handler and the log phase. */
typedef struct {
    const char *mem;          /* body in memory, or NULL when spilled */
    apr_file_t *spill;        /* the temporary file holding the body */
    apr_off_t length;
    const char *hash;         /* SHA-1 of the body, hex */
    dsc_result *res;          /* verdict, kept for the registry */
    int record;               /* store in the registry if the handler succeeds */
    int reserved;             /* a row in the registry's publishing table to release */
    int recorded;             /* the page is in the registry */
    const char *url;
    request_rec *r;           /* the first request (of an internal redirect chain) */
} md_body;

/* Reserve the page in the registry before the handler may store it (a real
 * write). OK, or HTTP_SERVICE_UNAVAILABLE with err filled: the publish must
 * be refused (DisclosureEngine On; ReportOnly logs and goes on). */
int md_publish_reserve(request_rec *r, md_body *body, const char *url, md_engine engine, dsc_error *err);
/* The output filter that records a stored page once the handler said 2xx. */
apr_status_t md_record_filter(ap_filter_t *f, apr_bucket_brigade *bb);

#endif
