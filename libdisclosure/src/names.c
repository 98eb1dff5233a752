/* Names shared by every output: fields, severities, kinds, status codes. */
#include <string.h>

#include "policy.h"

static const char *const field_names[DSC_NFIELDS] = {
    "index_no", "title", "issuer", "doc_number", "written_date", "pub_date", "attribute",
    "attribute_reason", "topic", "doc_type", "validity", "effective_date", "expiry_date",
    "interpretations", "interprets", "repeals", "amends", "repealed_by", "amended_by",
    "needs_interpretation"};

const char *dsc_field_name(dsc_field f)
{
    return (int)f >= 0 && f < DSC_F__COUNT ? field_names[f] : NULL;
}

const char *dsc_field_name_ext(int f)
{
    return f >= 0 && f < DSC_NFIELDS ? field_names[f] : NULL;
}

int dsc_field_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < DSC_F__COUNT; i++)
        if (strcmp(field_names[i], name) == 0)
            return i;
    return -1;
}

const char *dsc_severity_name(dsc_severity s)
{
    return s == DSC_SEV_ERROR ? "error" : s == DSC_SEV_WARNING ? "warning" : "off";
}

const char *dsc_kind_name(dsc_kind k)
{
    return k == DSC_KIND_POLICY ? "policy" : k == DSC_KIND_INTERPRETATION ? "interpretation" : "other";
}

const char *dsc_status_name(dsc_status st)
{
    static const char *const n[] = {"ok", "out of memory", "i/o error", "invalid policy",
                                    "unknown charset", "undecodable bytes", "page too large",
                                    "parse error", "bad argument"};
    return (size_t)st < sizeof n / sizeof n[0] ? n[st] : "unknown error";
}
