/* The HTML report: one self-contained page (inline CSS, inline SVG charts,
 * no script, no external resource), Chinese first with English. Totals,
 * the trend against earlier scans, findings by rule, issuer and column, the
 * worst pages, then every finding under the page it is about. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report.h"

#define WORST 20

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Only http(s) URLs become links: a javascript: URL from a page must not. */
static int linkable(const char *url)
{
    return url && (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0);
}

typedef struct {
    size_t pages, with_findings, errors, warnings, known, kinds[3];
    json_t *by_rule, *by_issuer, *by_column; /* key -> [errors, warnings] */
    json_t *worst;                           /* [{url,title,errors,warnings}] sorted */
} html_ctx;

static void bump(json_t *map, const char *key, int is_error)
{
    json_t *v = json_object_get(map, key);
    if (!v) {
        v = json_pack("[i,i]", 0, 0);
        json_object_set_new(map, key, v);
    }
    size_t i = is_error ? 0 : 1;
    json_array_set_new(v, i, json_integer(json_integer_value(json_array_get(v, i)) + 1));
}

/* The column of a page: its ColumnName meta tag (the page object's
 * "column"), else its URL directory (/zwgk/zcwj/). */
static void column_of(json_t *page, char *buf, size_t n)
{
    const char *name = str(page, "column");
    if (name && *name) {
        snprintf(buf, n, "%s", name);
        return;
    }
    const char *url = str(page, "url");
    const char *p = url ? strstr(url, "://") : NULL;
    p = p ? strchr(p + 3, '/') : url && *url == '/' ? url : NULL;
    if (!p) {
        snprintf(buf, n, "/");
        return;
    }
    const char *q = p + strcspn(p, "?#");
    const char *slash = p;
    for (const char *c = p; c < q; c++)
        if (*c == '/')
            slash = c;
    size_t len = (size_t)(slash - p) + 1;
    if (len >= n)
        len = n - 1;
    memcpy(buf, p, len);
    buf[len] = 0;
}

static long long score(json_t *w)
{
    return json_integer_value(json_object_get(w, "errors")) * 1000 + json_integer_value(json_object_get(w, "warnings"));
}

/* Worst first; among equals, by URL, so that the same pages rank the same
 * whatever order they came in (a scan's, the registry's). */
static int ranks_before(json_t *a, json_t *b)
{
    long long sa = score(a), sb = score(b);
    if (sa != sb)
        return sa > sb;
    const char *ua = str(a, "url"), *ub = str(b, "url");
    return strcmp(ua ? ua : "", ub ? ub : "") < 0;
}

static int is_error(json_t *f)
{
    const char *sev = str(f, "severity");
    return sev && strcmp(sev, "error") == 0;
}

static int tally(void *baton, json_t *page)
{
    html_ctx *c = baton;
    c->pages++;
    const char *kind = str(page, "kind");
    c->kinds[kind && strcmp(kind, "policy") == 0 ? 1 : kind && strcmp(kind, "interpretation") == 0 ? 2 : 0]++;
    json_t *fs = json_object_get(page, "findings"), *rec = json_object_get(page, "record");
    if (!json_array_size(fs))
        return 0;
    c->with_findings++;
    const char *issuer = str(rec, "issuer");
    char col[512];
    column_of(page, col, sizeof col);
    long e = 0, w = 0;
    size_t i;
    json_t *f;
    json_array_foreach(fs, i, f) {
        int err = is_error(f);
        err ? e++ : w++;
        if (json_is_true(json_object_get(f, "known")))
            c->known++;
        bump(c->by_rule, str(f, "rule") ? str(f, "rule") : "?", err);
        bump(c->by_issuer, issuer && *issuer ? issuer : "（未标注 not given）", err);
        bump(c->by_column, col, err);
    }
    c->errors += (size_t)e;
    c->warnings += (size_t)w;
    json_t *entry = json_pack("{s:s?,s:s?,s:I,s:I}", "url", str(page, "url"), "title", str(rec, "title"),
                              "errors", (json_int_t)e, "warnings", (json_int_t)w);
    if (!entry)
        return 0;
    size_t pos = json_array_size(c->worst);
    while (pos > 0 && ranks_before(entry, json_array_get(c->worst, pos - 1)))
        pos--;
    if (pos < WORST)
        json_array_insert_new(c->worst, pos, entry);
    else
        json_decref(entry);
    if (json_array_size(c->worst) > WORST)
        json_array_remove(c->worst, WORST);
    return 0;
}

static void link_open(FILE *out, const char *url)
{
    if (linkable(url)) {
        fputs("<a href=\"", out);
        dsc_html_escape(out, url);
        fputs("\">", out);
    }
}

static void link_close(FILE *out, const char *url)
{
    if (linkable(url))
        fputs("</a>", out);
}

/* Every finding, grouped by page; the page's title links to the page. */
static int list_page(void *baton, json_t *page)
{
    FILE *out = baton;
    json_t *fs = json_object_get(page, "findings"), *rec = json_object_get(page, "record");
    if (!json_array_size(fs))
        return 0;
    const char *url = str(page, "url"), *title = str(rec, "title");
    fputs("<section class=\"page\"><h3>", out);
    link_open(out, url);
    dsc_html_escape(out, title && *title ? title : url);
    link_close(out, url);
    fputs("</h3><p class=\"url\">", out);
    link_open(out, url);
    dsc_html_escape(out, url);
    link_close(out, url);
    fputs(" · ", out);
    dsc_html_escape(out, str(rec, "issuer"));
    fputs("</p>\n<table><tr><th>级别 severity</th><th>规则 rule</th><th>字段 field</th><th>说明 message</th><th>证据 evidence</th></tr>\n", out);
    size_t i;
    json_t *f;
    json_array_foreach(fs, i, f) {
        int err = is_error(f), known = json_is_true(json_object_get(f, "known"));
        fprintf(out, "<tr class=\"%s%s\"><td>%s%s</td><td><code>", err ? "error" : "warning", known ? " known" : "",
                err ? "错误 error" : "警告 warning", known ? " · 已知 known" : "");
        dsc_html_escape(out, str(f, "rule"));
        fputs("</code></td><td>", out);
        dsc_html_escape(out, str(f, "field"));
        fputs("</td><td>", out);
        dsc_html_escape(out, str(f, "message"));
        fputs("<br><small>", out);
        dsc_html_escape(out, str(f, "message_en"));
        fputs("</small></td><td>", out);
        dsc_html_escape(out, str(f, "evidence"));
        fputs("</td></tr>\n", out);
    }
    fputs("</table></section>\n", out);
    return 0;
}

static const char css[] =
    "body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",\"PingFang SC\",sans-serif;margin:2em;color:#222;max-width:1200px}"
    "h1{font-size:1.6em}h2{border-bottom:2px solid #1565c0;padding-bottom:.2em;margin-top:1.6em}"
    ".totals{display:flex;flex-wrap:wrap;gap:1em}.totals div{background:#f2f5fa;padding:.8em 1.2em;border-radius:6px}"
    ".totals b{display:block;font-size:1.6em}table{border-collapse:collapse;width:100%;margin:.5em 0}"
    "td,th{border:1px solid #ccd;padding:.3em .5em;text-align:left;vertical-align:top;font-size:.9em}"
    "th{background:#e8edf5}tr.error td:first-child{color:#c62828;font-weight:bold}tr.warning td:first-child{color:#b26a00}"
    "tr.known{opacity:.6}tr.current td{font-weight:bold}.url{color:#555;font-size:.85em;word-break:break-all}"
    "figure.chart{margin:1em 0}table.trend{width:auto}"
    "figcaption{font-weight:bold;margin-bottom:.3em}svg text{fill:#222}small{color:#555}";

static void head(const dsc_report_src *s, FILE *out)
{
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width\">"
                 "<title>政务公开检查报告 Disclosure scan report</title><style>%s</style></head><body>\n"
                 "<h1>政务公开检查报告 <small>Disclosure scan report</small></h1>\n", css);
    if (!s->scan)
        return;
    fprintf(out, "<p class=\"url\">扫描 scan #%lld · ", (long long)json_integer_value(json_object_get(s->scan, "id")));
    dsc_html_escape(out, str(s->scan, "started"));
    fputs(" — ", out);
    dsc_html_escape(out, str(s->scan, "finished"));
    fputs(" · 来源 sources: ", out);
    size_t i;
    json_t *src;
    json_array_foreach(json_object_get(s->scan, "sources"), i, src) {
        if (i)
            fputs(", ", out);
        dsc_html_escape(out, json_string_value(src));
    }
    fputs("</p>\n", out);
}

static void totals(const dsc_report_src *s, const html_ctx *c, FILE *out)
{
    long fe = s->scan ? (long)json_integer_value(json_object_get(s->scan, "fetch_errors")) : 0;
    /* an older scan's clean pages were recorded again since: its own count */
    size_t pages = c->pages;
    json_int_t scanned = s->scan ? json_integer_value(json_object_get(s->scan, "pages")) : 0;
    if (scanned > 0 && (size_t)scanned > pages)
        pages = (size_t)scanned;
    fprintf(out, "<h2>总览 Overview</h2>\n<div class=\"totals\">"
                 "<div><b>%zu</b>页面 pages</div><div><b>%zu</b>政策文件 policy</div><div><b>%zu</b>政策解读 interpretation</div>"
                 "<div><b>%zu</b>有问题的页面 pages with findings</div><div><b>%zu</b>错误 errors</div>"
                 "<div><b>%zu</b>警告 warnings</div><div><b>%ld</b>获取失败 fetch errors</div>",
            pages, c->kinds[1], c->kinds[2], c->with_findings, c->errors, c->warnings, fe);
    if (s->have_baseline)
        fprintf(out, "<div><b>%zu</b>基线已知 known</div><div><b>%zu</b>新增 new</div>", c->known,
                c->errors + c->warnings - c->known);
    fputs("</div>\n", out);
}

static void worst(const html_ctx *c, FILE *out)
{
    fputs("<h2>问题最多的页面 Worst pages</h2>\n<table><tr><th>页面 page</th><th>错误 errors</th><th>警告 warnings</th></tr>\n", out);
    size_t i;
    json_t *w;
    json_array_foreach(c->worst, i, w) {
        const char *url = str(w, "url"), *title = str(w, "title");
        fputs("<tr><td>", out);
        link_open(out, url);
        dsc_html_escape(out, title && *title ? title : url);
        link_close(out, url);
        fputs("<br><span class=\"url\">", out);
        dsc_html_escape(out, url);
        fprintf(out, "</span></td><td>%lld</td><td>%lld</td></tr>\n",
                (long long)json_integer_value(json_object_get(w, "errors")),
                (long long)json_integer_value(json_object_get(w, "warnings")));
    }
    fputs("</table>\n", out);
}

int dsc_report_html(const dsc_report_src *s, FILE *out)
{
    html_ctx c;
    memset(&c, 0, sizeof c);
    c.by_rule = json_object();
    c.by_issuer = json_object();
    c.by_column = json_object();
    c.worst = json_array();
    int rc = s->each(s->src, tally, &c);
    head(s, out);
    totals(s, &c, out);
    if (s->trend) {
        fputs("<h2>趋势 Trend</h2>\n", out);
        dsc_svg_trend(out, s->trend, s->scan ? (long long)json_integer_value(json_object_get(s->scan, "id")) : 0);
    }
    fputs("<h2>按规则 By rule</h2>\n", out);
    dsc_svg_bars(out, c.by_rule, "各规则的问题数（错误/警告） Findings per rule (errors / warnings)", 40);
    fputs("<h2>按发布机构 By issuer (department)</h2>\n", out);
    dsc_svg_bars(out, c.by_issuer, "各部门的问题数 Findings per issuer", 25);
    fputs("<h2>按栏目 By column</h2>\n", out);
    dsc_svg_bars(out, c.by_column, "各栏目的问题数（ColumnName，或网址目录） Findings per column (ColumnName, else URL directory)", 25);
    worst(&c, out);
    fputs("<h2>全部问题 All findings</h2>\n", out);
    if (rc == 0)
        rc = s->each(s->src, list_page, out);
    fputs("<footer><p class=\"url\">disclosure " DSC_VERSION " · RULES.md</p></footer></body></html>\n", out);
    json_decref(c.by_rule);
    json_decref(c.by_issuer);
    json_decref(c.by_column);
    json_decref(c.worst);
    return rc < 0 || ferror(out) ? -1 : 0;
}
