/* The library never writes to stderr or calls a host's logger directly: hosts
 * install a sink (the module maps it to ap_log_error, the CLI to stderr). */
#include <stdarg.h>
#include <stdio.h>

#include <libxml/parser.h>

#include "internal.h"

static dsc_log_fn *sink;
static void *sink_baton;

void dsc_log_set(dsc_log_fn *fn, void *baton)
{
    sink = fn;
    sink_baton = baton;
}

void dsc_log(dsc_log_level level, const char *fmt, ...)
{
    if (!sink)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sink(sink_baton, level, buf);
}

/* libxml2 reports through global handlers that default to stderr; the
 * library reports through dsc_error instead. */
static void quiet_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void quiet_structured(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
}

void dsc_global_init(void)
{
    static int done;
    if (!done) {
        done = 1;
        xmlInitParser();
        xmlThrDefSetGenericErrorFunc(NULL, quiet_generic);
        xmlThrDefSetStructuredErrorFunc(NULL, quiet_structured);
    }
    /* the handlers are per thread: set them for the caller too */
    xmlSetGenericErrorFunc(NULL, quiet_generic);
    xmlSetStructuredErrorFunc(NULL, quiet_structured);
}
