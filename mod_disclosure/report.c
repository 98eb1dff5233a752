/* SetHandler disclosure-report: the report of stored scans and a small
 * read-only JSON API, from the server's DisclosureRegistry.
 *
 *   <location>/                 the HTML report of the latest scan (?scan=ID)
 *   <location>/api/scans        the stored scans, oldest first
 *   <location>/api/scans/ID     that scan as RULES.md "Output" JSON
 *   <location>/api/pages?url=U  what the registry holds about a page
 *
 * Rendering is the library's (dsc_report_*), the same as `disclosure
 * report`. conf/disclosure.conf restricts the location (Require local). */
#include "mod_disclosure.h"

#include "apr_strings.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The report shows hostile page text (escaped) and needs no script, no
 * external resource: the policy forbids them even if escaping failed. */
#define CSP "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

static int answer(request_rec *r, int status, const char *type, const char *body)
{
    r->status = status;
    ap_set_content_type(r, type);
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    apr_table_setn(r->headers_out, "Content-Security-Policy", CSP);
    ap_set_content_length(r, (apr_off_t)strlen(body));
    if (!r->header_only)
        ap_rputs(body, r);
    return OK;
}

/* A problem (RFC 9457) for the API, a short page for the HTML report. */
static int problem(request_rec *r, int status, int api, const char *zh, const char *en)
{
    if (api)
        return answer(r, status, "application/problem+json; charset=utf-8",
                    apr_psprintf(r->pool, "{\"type\": \"about:blank\", \"status\": %d, \"title\": \"%s\","
                                          " \"detail\": \"%s\"}\n", status, zh, en));
    return answer(r, status, "text/html; charset=utf-8",
                apr_psprintf(r->pool, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                                      "<title>%d</title></head><body><h1>%s</h1><p>%s</p></body></html>\n",
                             status, zh, en));
}

/* The value of name in the query string, URL-decoded, or NULL. */
static const char *arg(request_rec *r, const char *name)
{
    if (!r->args)
        return NULL;
    size_t n = strlen(name);
    char *args = apr_pstrdup(r->pool, r->args), *last = NULL;
    for (char *p = apr_strtok(args, "&", &last); p; p = apr_strtok(NULL, "&", &last)) {
        if (strncmp(p, name, n) != 0 || p[n] != '=')
            continue;
        char *v = p + n + 1;
        return ap_unescape_urlencoded(v) == OK ? v : NULL;
    }
    return NULL;
}

/* A positive scan id, 0 when absent, -1 when it is no number. */
static long long scan_id(const char *s)
{
    if (!s)
        return 0;
    char *end;
    errno = 0;
    long long id = strtoll(s, &end, 10);
    return errno || end == s || *end || id <= 0 ? -1 : id;
}

/* The request path below the handler's <Location>. */
static const char *sub_path(request_rec *r)
{
    md_dir_conf *d = ap_get_module_config(r->per_dir_config, &disclosure_module);
    const char *loc = d ? d->location : NULL;
    if (loc && strcmp(loc, "/") == 0)
        return r->uri;
    size_t n = loc ? strlen(loc) : 0;
    if (n && strncmp(r->uri, loc, n) == 0 && (r->uri[n] == '\0' || r->uri[n] == '/'))
        return r->uri + n;
    /* not under a plain <Location> (LocationMatch, Directory): what the
     * path walk left over */
    return r->path_info ? r->path_info : "";
}

static int registry_failed(request_rec *r, int api, const dsc_error *err)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "disclosure: report: %s", err->message);
    return problem(r, HTTP_INTERNAL_SERVER_ERROR, api, "读取登记库失败", "the registry could not be read; see the error log");
}

static int report(request_rec *r, dsc_registry *reg, long long id, const char *format, int api)
{
    dsc_error err;
    char *body = dsc_report_render(reg, id, format, &err);
    if (!body) {
        if (err.code == DSC_ERR_ARG)
            return problem(r, HTTP_NOT_FOUND, api, "登记库中没有该次扫描", "the registry holds no such scan");
        return registry_failed(r, api, &err);
    }
    answer(r, HTTP_OK, api ? "application/json; charset=utf-8" : "text/html; charset=utf-8",
         apr_pstrdup(r->pool, body));
    free(body);
    return OK;
}

static int scans(request_rec *r, dsc_registry *reg)
{
    char *body = dsc_report_scans_json(reg);
    if (!body) {
        dsc_error err = {.code = DSC_ERR_IO, .message = "reading the scans failed"};
        return registry_failed(r, 1, &err);
    }
    answer(r, HTTP_OK, "application/json; charset=utf-8", apr_pstrcat(r->pool, body, "\n", NULL));
    free(body);
    return OK;
}

static int page(request_rec *r, dsc_registry *reg)
{
    const char *url = arg(r, "url");
    if (!url || !*url)
        return problem(r, HTTP_BAD_REQUEST, 1, "缺少url参数", "give the page as ?url=...");
    int held = 0;
    dsc_error err;
    char *body = dsc_report_page_json(reg, url, &held, &err);
    if (!body) {
        if (err.code == DSC_ERR_ARG)
            return problem(r, HTTP_BAD_REQUEST, 1, "url参数无效", "the url parameter is not valid UTF-8");
        return registry_failed(r, 1, &err);
    }
    answer(r, held ? HTTP_OK : HTTP_NOT_FOUND, "application/json; charset=utf-8",
         apr_pstrcat(r->pool, body, "\n", NULL));
    free(body);
    return OK;
}

int md_report_handler(request_rec *r)
{
    if (!r->handler || strcmp(r->handler, "disclosure-report") != 0)
        return DECLINED;
    r->allowed |= AP_METHOD_BIT << M_GET;
    if (r->method_number != M_GET)
        return HTTP_METHOD_NOT_ALLOWED;
    const char *path = sub_path(r);
    int api = strncmp(path, "/api/", 5) == 0;
    dsc_registry *reg = md_server(r->server)->registry;
    if (!reg)
        return problem(r, HTTP_SERVICE_UNAVAILABLE, api, "未配置登记库（DisclosureRegistry），没有可显示的报告",
                       "no DisclosureRegistry is configured for this server (or it could not be opened:"
                       " see the error log), so there is no report to show");
    if (*path == '\0' || strcmp(path, "/") == 0) {
        long long id = scan_id(arg(r, "scan"));
        if (id < 0)
            return problem(r, HTTP_BAD_REQUEST, 0, "scan参数必须是扫描编号", "?scan= takes a scan id");
        return report(r, reg, id, "html", 0);
    }
    if (strcmp(path, "/api/scans") == 0 || strcmp(path, "/api/scans/") == 0)
        return scans(r, reg);
    if (strncmp(path, "/api/scans/", 11) == 0) {
        long long id = scan_id(path + 11);
        if (id <= 0)
            return problem(r, HTTP_NOT_FOUND, 1, "没有该资源", "no such resource");
        return report(r, reg, id, "json", 1);
    }
    if (strcmp(path, "/api/pages") == 0)
        return page(r, reg);
    return problem(r, HTTP_NOT_FOUND, api, "没有该资源", "no such resource");
}
