/* Report writers of disclosure scan: text, SARIF 2.1.0, JUnit XML here;
 * HTML, JSON (RULES.md "Output") and CSV are the library's (dsc_report_*),
 * which the module's report page shares. Every writer streams the pages
 * file, one page at a time. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "scan.h"

static const char *const format_names[FMT__COUNT] = {"text", "json", "csv", "sarif", "junit", "html"};
static const char *const file_names[FMT__COUNT] = {"scan.txt", "scan.json", "scan.csv", "scan.sarif",
                                                   "scan.junit.xml", "scan.html"};

int report_format_from_name(const char *name)
{
    for (int i = 0; i < FMT__COUNT; i++)
        if (strcmp(name, format_names[i]) == 0)
            return i;
    return -1;
}

const char *report_file_name(report_format f)
{
    return file_names[f];
}

int report_each_page(const report_data *d, int (*fn)(json_t *page, void *baton), void *baton)
{
    FILE *in = fopen(d->pages_file, "r");
    if (!in)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, in) > 0) {
        json_t *p = json_loads(line, 0, NULL);
        if (p)
            rc = fn(p, baton);
        json_decref(p);
    }
    free(line);
    fclose(in);
    return rc;
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int is_known(json_t *f)
{
    return json_is_true(json_object_get(f, "known"));
}

/* ---- HTML, JSON, CSV: the library's, shared with the module ---- */

static int write_shared(const char *format, const report_data *d, FILE *out)
{
    char *scan = d->scan ? json_dumps(d->scan, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    dsc_error err;
    dsc_status st = dsc_report_write_pages_trend(d->pages_file, scan, d->scans, d->have_baseline, format, out, &err);
    free(scan);
    if (st != DSC_OK)
        fprintf(stderr, "disclosure: %s\n", err.message);
    return st == DSC_OK ? 0 : -1;
}

int report_write_html(const report_data *d, FILE *out)
{
    return write_shared("html", d, out);
}

/* ---- SARIF 2.1.0 ---- */

typedef struct {
    json_t *results;
    int baseline;
} sarif_ctx;

static int rule_index(const char *id)
{
    const dsc_rule_info *r;
    for (size_t i = 0; id && (r = dsc_rule_at(i)); i++)
        if (strcmp(r->id, id) == 0)
            return (int)i;
    return -1;
}

static int sarif_page(json_t *page, void *baton)
{
    sarif_ctx *c = baton;
    const char *url = str(page, "url");
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(page, "findings"), i, f) {
        const char *rule = str(f, "rule"), *field = str(f, "field");
        char text[4096], fp[2048];
        snprintf(text, sizeof text, "%s (%s)%s%s", str(f, "message") ? str(f, "message") : "",
                 str(f, "message_en") ? str(f, "message_en") : "", str(f, "evidence") ? " — " : "",
                 str(f, "evidence") ? str(f, "evidence") : "");
        snprintf(fp, sizeof fp, "%s|%s|%s", url ? url : "", rule ? rule : "", field ? field : "");
        json_t *loc = json_pack("{s:{s:s}}", "artifactLocation", "uri", url ? url : "");
        json_t *ln = json_object_get(f, "line");
        if (json_is_integer(ln) && json_integer_value(ln) > 0)
            json_object_set_new(loc, "region", json_pack("{s:I}", "startLine", json_integer_value(ln)));
        json_t *r = json_pack("{s:s,s:s,s:{s:s},s:[{s:o}],s:{s:s}}", "ruleId", rule ? rule : "",
                              "level", str(f, "severity") && strcmp(str(f, "severity"), "error") == 0 ? "error" : "warning",
                              "message", "text", text, "locations", "physicalLocation", loc,
                              "partialFingerprints", "disclosure/v1", fp);
        if (!r)
            continue;
        int idx = rule_index(rule);
        if (idx >= 0)
            json_object_set_new(r, "ruleIndex", json_integer(idx));
        if (c->baseline)
            json_object_set_new(r, "baselineState", json_string(is_known(f) ? "unchanged" : "new"));
        json_array_append_new(c->results, r);
    }
    return 0;
}

static int write_sarif(const report_data *d, FILE *out)
{
    json_t *rules = json_array();
    const dsc_rule_info *ri;
    for (size_t i = 0; (ri = dsc_rule_at(i)); i++) {
        char full[1024];
        snprintf(full, sizeof full, "%s — %s", ri->title, ri->title_en);
        json_array_append_new(
            rules, json_pack("{s:s,s:s,s:{s:s},s:{s:s},s:{s:s},s:{s:s,s:b}}", "id", ri->id, "name", ri->id,
                             "shortDescription", "text", ri->title_en, "fullDescription", "text", full,
                             "defaultConfiguration", "level",
                             ri->default_severity == DSC_SEV_ERROR ? "error" : "warning", "properties",
                             "group", ri->group, "crossPage", ri->cross_page != 0));
    }
    sarif_ctx c = {json_array(), d->have_baseline};
    int rc = report_each_page(d, sarif_page, &c);
    json_t *run = json_pack("{s:{s:{s:s,s:s,s:s,s:o}},s:o}", "tool", "driver", "name", "disclosure",
                            "version", DSC_VERSION, "informationUri",
                            "https://github.com/mod-disclosure/mod_disclosure", "rules", rules,
                            "results", c.results);
    json_t *doc = json_pack("{s:s,s:s,s:[o]}", "$schema",
                            "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0",
                            "runs", run);
    if (!doc || rc < 0 || json_dumpf(doc, out, JSON_PRESERVE_ORDER | JSON_INDENT(2)) < 0) {
        json_decref(doc);
        return -1;
    }
    fputc('\n', out);
    json_decref(doc);
    return 0;
}

/* ---- JUnit: one test case per page and rule group ---- */

void xml_escape(FILE *out, const char *s);
void xml_escape(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            /* control characters are not allowed in XML 1.0 */
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
                fputc(' ', out);
            else
                fputc(*p, out);
        }
    }
}

static const char *group_of(const char *rule)
{
    int i = rule_index(rule);
    return i >= 0 ? dsc_rule_at((size_t)i)->group : "other";
}

static const char *const groups[] = {"attribute", "interpretation", "validity", "topic", "metadata", "privacy"};
#define NGROUPS (sizeof groups / sizeof groups[0])

typedef struct {
    FILE *out;
    dsc_severity fail_on;
} junit_ctx;

static int fails(json_t *f, dsc_severity fail_on)
{
    const char *sev = str(f, "severity");
    int err = sev && strcmp(sev, "error") == 0;
    return !is_known(f) && (err || fail_on == DSC_SEV_WARNING);
}

static int junit_page(json_t *page, void *baton)
{
    junit_ctx *c = baton;
    FILE *out = c->out;
    const char *url = str(page, "url");
    json_t *fs = json_object_get(page, "findings");
    size_t failures = 0;
    for (size_t g = 0; g < NGROUPS; g++) {
        size_t i;
        json_t *f;
        json_array_foreach(fs, i, f) if (strcmp(group_of(str(f, "rule")), groups[g]) == 0 && fails(f, c->fail_on)) {
            failures++;
            break;
        }
    }
    fputs("  <testsuite name=\"", out);
    xml_escape(out, url);
    fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", NGROUPS, failures);
    for (size_t g = 0; g < NGROUPS; g++) {
        fputs("    <testcase classname=\"", out);
        xml_escape(out, url);
        fprintf(out, "\" name=\"%s\">\n", groups[g]);
        int failed = 0;
        size_t i;
        json_t *f;
        json_array_foreach(fs, i, f) {
            if (strcmp(group_of(str(f, "rule")), groups[g]) != 0)
                continue;
            if (fails(f, c->fail_on) && !failed) {
                failed = 1;
                fputs("      <failure type=\"", out);
                xml_escape(out, str(f, "rule"));
                fputs("\" message=\"", out);
                xml_escape(out, str(f, "message"));
                fputs("\">", out);
                size_t k;
                json_t *g2;
                json_array_foreach(fs, k, g2) if (strcmp(group_of(str(g2, "rule")), groups[g]) == 0 &&
                                                 fails(g2, c->fail_on)) {
                    xml_escape(out, str(g2, "severity"));
                    fputs(" ", out);
                    xml_escape(out, str(g2, "rule"));
                    fputs(": ", out);
                    xml_escape(out, str(g2, "message"));
                    fputs(" / ", out);
                    xml_escape(out, str(g2, "message_en"));
                    fputs("\n", out);
                }
                fputs("</failure>\n", out);
            }
        }
        json_array_foreach(fs, i, f) if (strcmp(group_of(str(f, "rule")), groups[g]) == 0 && !fails(f, c->fail_on)) {
            fputs("      <system-out>", out);
            xml_escape(out, str(f, "severity"));
            fputs(is_known(f) ? " (known) " : " ", out);
            xml_escape(out, str(f, "rule"));
            fputs(": ", out);
            xml_escape(out, str(f, "message"));
            fputs("</system-out>\n", out);
            break;
        }
        fputs("    </testcase>\n", out);
    }
    fputs("  </testsuite>\n", out);
    return 0;
}

static int write_junit(const report_data *d, FILE *out)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"disclosure scan\">\n", out);
    junit_ctx c = {out, d->fail_on};
    int rc = report_each_page(d, junit_page, &c);
    fputs("</testsuites>\n", out);
    return rc < 0 || ferror(out) ? -1 : 0;
}

/* ---- text summary ---- */

typedef struct {
    size_t pages, errors, warnings, known, failing;
    json_t *by_rule;
    dsc_severity fail_on;
} text_ctx;

static int text_page(json_t *page, void *baton)
{
    text_ctx *c = baton;
    c->pages++;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(page, "findings"), i, f) {
        const char *sev = str(f, "severity"), *rule = str(f, "rule");
        if (sev && strcmp(sev, "error") == 0)
            c->errors++;
        else
            c->warnings++;
        if (is_known(f))
            c->known++;
        if (fails(f, c->fail_on))
            c->failing++;
        if (rule) {
            json_t *n = json_object_get(c->by_rule, rule);
            json_object_set_new(c->by_rule, rule, json_integer(n ? json_integer_value(n) + 1 : 1));
        }
    }
    return 0;
}

static int write_text(const report_data *d, FILE *out)
{
    text_ctx c = {0, 0, 0, 0, 0, json_object(), d->fail_on};
    int rc = report_each_page(d, text_page, &c);
    long fe = d->scan ? (long)json_integer_value(json_object_get(d->scan, "fetch_errors")) : 0;
    fprintf(out, "扫描 scan: %zu 个页面 pages, %zu 个错误 errors, %zu 个警告 warnings, %ld 个获取失败 fetch errors\n",
            c.pages, c.errors, c.warnings, fe);
    if (d->have_baseline)
        fprintf(out, "基线 baseline: %zu 个已知 known, %zu 个新增 new\n", c.known, c.errors + c.warnings - c.known);
    const char *k;
    json_t *v;
    if (json_object_size(c.by_rule))
        fputs("按规则 by rule:\n", out);
    json_object_foreach(c.by_rule, k, v)
        fprintf(out, "  %-32s %lld\n", k, (long long)json_integer_value(v));
    fprintf(out, "%s (%zu 个达到 --fail-on 的问题 findings at or above --fail-on)\n",
            c.failing ? "未通过 FAILED" : "通过 PASSED", c.failing);
    json_decref(c.by_rule);
    return rc;
}

int report_write(report_format f, const report_data *d, FILE *out)
{
    switch (f) {
    case FMT_TEXT: return write_text(d, out);
    case FMT_JSON: return write_shared("json", d, out);
    case FMT_CSV: return write_shared("csv", d, out);
    case FMT_SARIF: return write_sarif(d, out);
    case FMT_JUNIT: return write_junit(d, out);
    case FMT_HTML: return report_write_html(d, out);
    default: return -1;
    }
}
