/* Safe loading of the project's own XML files: the policy, taxonomy and
 * calendar. No network, no DTD, no entities (so no XXE, no billion laughs),
 * validated against the schema built into the library. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "policy.h"

void dsc_set_error(dsc_error *err, dsc_status code, const char *file, long line,
                   const char *fmt, ...)
{
    if (!err)
        return;
    memset(err, 0, sizeof(*err));
    err->code = code;
    err->offset = -1;
    err->line = line;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    /* libxml2 messages end in a newline */
    size_t n = strlen(err->message);
    while (n > 0 && (err->message[n - 1] == '\n' || err->message[n - 1] == ' '))
        err->message[--n] = '\0';
    snprintf(err->message_zh, sizeof err->message_zh, "%s", err->message);
}

typedef struct {
    dsc_error *err;
    const char *path;
    int seen;
} verr_ctx;

static void on_valid_error(void *data, xmlErrorPtr e)
{
    verr_ctx *v = data;
    if (v->seen++)
        return;
    dsc_set_error(v->err, DSC_ERR_POLICY, v->path, e->line, "%s", e->message ? e->message : "invalid");
}

static long doctype_line(const char *path, const char *data, size_t len)
{
    char buf[8192];
    size_t n = 0;
    if (data) {
        n = len < sizeof buf ? len : sizeof buf;
        memcpy(buf, data, n);
    } else {
        FILE *f = fopen(path, "rb");
        if (!f)
            return 0;
        n = fread(buf, 1, sizeof buf, f);
        fclose(f);
    }
    long line = 1;
    for (size_t i = 0; i + 9 <= n; i++) {
        if (memcmp(buf + i, "<!DOCTYPE", 9) == 0)
            return line;
        if (buf[i] == '\n')
            line++;
    }
    return 0;
}

/* Compiling a schema took more time than parsing and validating the file
 * it checks (a fifth of a policy load, which compiled the policy schema
 * twice and the taxonomy and calendar schemas once each). The schemas are
 * built into the library, so each is compiled once per process, on first
 * use; libxml2 does not change a compiled schema while validating, so
 * threads share it and only the validation context is per call. */
static struct {
    const char *name;
    xmlSchemaPtr schema;
} schemas[] = {{"disclosure-policy.xsd", NULL}, {"taxonomy.xsd", NULL}, {"calendar.xsd", NULL}};
/* a mutex rather than pthread_once: helgrind and TSan see what it orders */
static pthread_mutex_t schemas_lock = PTHREAD_MUTEX_INITIALIZER;
static int schemas_done;

static void schemas_compile(void)
{
    for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++) {
        size_t len;
        const char *xsd = dsc_embedded(schemas[i].name, &len);
        xmlSchemaParserCtxtPtr pctxt = xsd ? xmlSchemaNewMemParserCtxt(xsd, (int)len) : NULL;
        schemas[i].schema = pctxt ? xmlSchemaParse(pctxt) : NULL;
        xmlSchemaFreeParserCtxt(pctxt);
    }
}

/* Runs when the process exits or the library is unloaded (httpd unloads
 * the module on a restart and loads it again, with fresh statics): nothing
 * is left for valgrind or LeakSanitizer, nor lost on each restart. It runs
 * before libxml2's own destructor, which the library depends on. */
__attribute__((destructor)) static void schemas_free(void)
{
    for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++) {
        xmlSchemaFree(schemas[i].schema);
        schemas[i].schema = NULL;
    }
}

static xmlSchemaPtr builtin_schema(const char *name)
{
    pthread_mutex_lock(&schemas_lock);
    if (!schemas_done) {
        schemas_compile();
        schemas_done = 1;
    }
    pthread_mutex_unlock(&schemas_lock);
    for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++)
        if (strcmp(schemas[i].name, name) == 0)
            return schemas[i].schema;
    return NULL;
}

xmlDocPtr dsc_xml_load_valid(const char *path, const char *data, size_t len,
                             const char *schema_name, dsc_error *err)
{
    const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        dsc_set_error(err, DSC_ERR_NOMEM, path, 0, "out of memory");
        return NULL;
    }
    xmlDocPtr doc = data ? xmlCtxtReadMemory(ctxt, data, (int)len, path, NULL, opts)
                         : xmlCtxtReadFile(ctxt, path, NULL, opts);
    if (!doc) {
        xmlErrorPtr e = xmlCtxtGetLastError(ctxt);
        FILE *f = data ? NULL : fopen(path, "rb");
        if (!data && !f)
            dsc_set_error(err, DSC_ERR_IO, path, 0, "cannot read the file");
        else
            dsc_set_error(err, DSC_ERR_POLICY, path, e ? e->line : 0, "not well-formed XML: %s",
                          e && e->message ? e->message : "parse error");
        if (f)
            fclose(f);
        xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    xmlFreeParserCtxt(ctxt);
    if (doc->intSubset || doc->extSubset) {
        /* libxml2 keeps no line for a DTD: find it in the text */
        long line = doctype_line(path, data, len);
        dsc_set_error(err, DSC_ERR_POLICY, path, line,
                      "a DOCTYPE is not allowed here (entities and external DTDs are refused)");
        xmlFreeDoc(doc);
        return NULL;
    }

    xmlSchemaPtr schema = builtin_schema(schema_name);
    if (!schema) {
        dsc_set_error(err, DSC_ERR_POLICY, schema_name, 0, "built-in schema does not load");
        xmlFreeDoc(doc);
        return NULL;
    }
    xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(schema);
    verr_ctx v = {err, path, 0};
    xmlSchemaSetValidStructuredErrors(vctxt, on_valid_error, &v);
    int rc = xmlSchemaValidateDoc(vctxt, doc);
    xmlSchemaFreeValidCtxt(vctxt);
    if (rc != 0) {
        if (!v.seen)
            dsc_set_error(err, DSC_ERR_POLICY, path, 0, "does not validate against %s", schema_name);
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}
