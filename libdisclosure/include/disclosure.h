/*
 * libdisclosure — checks Chinese government policy pages (政策文件) for the
 * disclosure metadata that 政务公开 rules require. See RULES.md for the rule
 * catalogue; every rule id, field name and severity here follows it.
 *
 * Data flows one way: bytes -> decode -> parse -> extract -> record -> rules
 * -> findings. Handles are opaque. A compiled policy is immutable once loaded
 * and may be shared by any number of threads; a result belongs to the caller
 * and to one thread at a time.
 */
#ifndef DISCLOSURE_H
#define DISCLOSURE_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DSC_VERSION "0.1.0"

typedef enum {
    DSC_OK = 0,
    DSC_ERR_NOMEM,      /* out of memory */
    DSC_ERR_IO,         /* a file could not be read */
    DSC_ERR_POLICY,     /* the policy (or its taxonomy/calendar) is invalid */
    DSC_ERR_CHARSET,    /* unknown charset name */
    DSC_ERR_DECODE,     /* bytes are not valid in the page's charset */
    DSC_ERR_TOOLARGE,   /* the page exceeds the policy's size limit */
    DSC_ERR_PARSE,      /* the HTML parser returned no document */
    DSC_ERR_ARG         /* bad argument */
} dsc_status;

/* An error: a code and a one-line reason in English. For decode errors the
 * byte offset of the first bad byte is set; for policy errors file and line. */
typedef struct {
    dsc_status code;
    long offset;        /* byte offset of an undecodable sequence, else -1 */
    long line;          /* line in the policy/taxonomy/calendar file, else 0 */
    char file[512];     /* file the error is about, may be empty */
    char message[512];
    char message_zh[512];
} dsc_error;

typedef enum { DSC_SEV_OFF = 0, DSC_SEV_WARNING = 1, DSC_SEV_ERROR = 2 } dsc_severity;

typedef enum { DSC_KIND_OTHER = 0, DSC_KIND_POLICY, DSC_KIND_INTERPRETATION } dsc_kind;

/* The canonical fields of RULES.md, in its order. */
typedef enum {
    DSC_F_INDEX_NO = 0,
    DSC_F_TITLE,
    DSC_F_ISSUER,
    DSC_F_DOC_NUMBER,
    DSC_F_WRITTEN_DATE,
    DSC_F_PUB_DATE,
    DSC_F_ATTRIBUTE,
    DSC_F_ATTRIBUTE_REASON,
    DSC_F_TOPIC,
    DSC_F_DOC_TYPE,
    DSC_F_VALIDITY,
    DSC_F_EFFECTIVE_DATE,
    DSC_F_EXPIRY_DATE,
    DSC_F_INTERPRETATIONS, /* list */
    DSC_F_INTERPRETS,      /* list */
    DSC_F_REPEALS,         /* list */
    DSC_F_AMENDS,          /* list */
    DSC_F_REPEALED_BY,     /* list */
    DSC_F_AMENDED_BY,      /* list */
    DSC_F__COUNT
} dsc_field;

/* A finding, as RULES.md "Output" defines it. Strings are UTF-8 and owned by
 * the result they came from. field and evidence may be NULL; line is 0 when
 * unknown. */
typedef struct {
    const char *rule;
    dsc_severity severity;
    const char *field;
    const char *message;    /* 简体中文 */
    const char *message_en;
    const char *evidence;   /* at most 200 characters */
    long line;
} dsc_finding;

typedef struct dsc_policy dsc_policy;
typedef struct dsc_result dsc_result;

/* ---- logging: the library never writes to stderr; hosts install a sink ---- */
typedef enum { DSC_LOG_ERROR = 0, DSC_LOG_WARN, DSC_LOG_INFO, DSC_LOG_DEBUG } dsc_log_level;
typedef void dsc_log_fn(void *baton, dsc_log_level level, const char *message);
void dsc_log_set(dsc_log_fn *fn, void *baton);

/* Initialise libxml2 once per process (idempotent, not thread-safe: call it
 * before starting threads). Never calls xmlCleanupParser(). */
void dsc_global_init(void);

/* ---- policy ---- */

/* Load and validate a policy file against schemas/disclosure-policy.xsd, then
 * the taxonomy and calendar it names. path NULL gives the built-in default,
 * which equals conf/policy.xml. Relative file names in a policy resolve
 * against the policy's own directory, then DISCLOSURE_DATADIR (environment)
 * or the installed data directory, then the copy built into the library.
 * On failure *out is NULL and err says why. */
dsc_status dsc_policy_load(const char *path, dsc_policy **out, dsc_error *err);
/* The same from a policy's text in memory (len bytes of data): name is what
 * errors and dsc_policy_describe() call it (NULL: "(memory)"). Relative file
 * names in it resolve against DISCLOSURE_DATADIR or the installed data
 * directory, then the built-in copy. */
dsc_status dsc_policy_load_memory(const char *data, size_t len, const char *name,
                                  dsc_policy **out, dsc_error *err);
void dsc_policy_free(dsc_policy *policy);
/* Short human description, e.g. "conf/policy.xml (taxonomy 国务院公文主题分类,
 * calendar 2017-2026)". Owned by the policy. */
const char *dsc_policy_describe(const dsc_policy *policy);
/* The policy's limit on page size in bytes. */
size_t dsc_policy_max_bytes(const dsc_policy *policy);

/* ---- checking one page ---- */

typedef struct {
    const char *data;       /* the page's bytes, any charset */
    size_t len;
    const char *charset;    /* declared charset (HTTP Content-Type, --charset), or NULL */
    const char *url;        /* the page's public URL, or NULL */
    const char *path;       /* a file path, for reports, or NULL */
    int today;              /* days since 1970-01-01 (dsc_date_parse), or 0 for the system date */
} dsc_input;

/* Decode, parse, extract and run every single-page rule. On DSC_OK *out holds
 * a result the caller frees with dsc_result_free(). Decode and size problems
 * are errors (err set, no result). */
dsc_status dsc_check(const dsc_policy *policy, const dsc_input *in, dsc_result **out,
                     dsc_error *err);
void dsc_result_free(dsc_result *res);
/* The same result in as little memory as it needs (the check's scratch is
 * dropped; ~2 KB instead of ~17 KB for a typical page), for callers that
 * keep many results. res is freed and the copy returned; when memory runs
 * out res is returned unchanged. Accessors, JSON and cross-page checks see
 * no difference. */
dsc_result *dsc_result_compact(dsc_result *res);
/* For serving, which must judge every page: as dsc_check, but bytes the
 * charset cannot decode read as U+FFFD, a page past the size limit is judged
 * on its first max-page-bytes, and the page is read as declared, as its own
 * BOM or <meta> says, as UTF-8 and as GB18030; the result returned is the
 * strictest (dsc_result_withheld) of those readings. Fails only on a bad
 * argument or out of memory. */
dsc_status dsc_check_lenient(const dsc_policy *policy, const dsc_input *in, dsc_result **out,
                             dsc_error *err);

dsc_kind dsc_result_kind(const dsc_result *res);
const char *dsc_kind_name(dsc_kind kind);          /* "policy", "interpretation", "other" */
const char *dsc_result_charset(const dsc_result *res); /* the charset actually used */
const char *dsc_result_url(const dsc_result *res);
const char *dsc_result_path(const dsc_result *res);

/* Scalar fields: the normalised value or NULL. List fields: use _list. */
const char *dsc_result_field(const dsc_result *res, dsc_field field);
size_t dsc_result_list(const dsc_result *res, dsc_field field, const char *const **items);

size_t dsc_result_nfindings(const dsc_result *res);
const dsc_finding *dsc_result_finding(const dsc_result *res, size_t i);
/* Counts of findings by severity. */
size_t dsc_result_count(const dsc_result *res, dsc_severity severity);

/* 1 when any 公开属性 label of the page (table, meta, body note) says
 * 依申请公开 or 不予公开; 2 when its labels disagree (attribute-conflict);
 * 0 otherwise. Independent of rule severities: this is what serving blocks. */
int dsc_result_withheld(const dsc_result *res);

/* The content of the page's <meta name="..."> (name compared without case),
 * "" when present but empty, NULL when absent: ColumnName for reports. */
const char *dsc_result_meta(const dsc_result *res, const char *name);

/* SHA-1 of a page's bytes as 40 hex digits (the registry's content hash;
 * "" when the digest is unavailable). */
void dsc_content_hash(const void *data, size_t len, char out[41]);

/* Add a finding computed outside the library's single-page rules (cross-page
 * rules, the module). Strings are copied. The severity is the policy's for
 * that rule id, or def when the policy does not name it; OFF drops it. */
void dsc_result_add(dsc_result *res, const char *rule, dsc_severity def, const char *field,
                    const char *evidence, long line, const char *message,
                    const char *message_en);

/* The page object of RULES.md "Output": {"path","url","kind","record","findings"}
 * as a JSON text (malloc'd, caller frees). flags: DSC_JSON_INDENT indents;
 * DSC_JSON_EXTRAS adds "column" (the ColumnName meta), for the registry and
 * reports by column, not for RULES.md output. */
#define DSC_JSON_INDENT 1
#define DSC_JSON_EXTRAS 2
char *dsc_result_json(const dsc_result *res, int flags);

/* ---- names and helpers ---- */
const char *dsc_field_name(dsc_field field);       /* "index_no" ... */
int dsc_field_from_name(const char *name);         /* -1 when unknown */
const char *dsc_severity_name(dsc_severity sev);   /* "off", "warning", "error" */
const char *dsc_status_name(dsc_status st);

/* Rule catalogue, for reports and SARIF: iterate i = 0.. until NULL. */
typedef struct {
    const char *id;
    dsc_severity default_severity;
    const char *group;       /* attribute, interpretation, validity, topic, metadata, privacy */
    const char *title;       /* 简体中文 */
    const char *title_en;
    int cross_page;
} dsc_rule_info;
const dsc_rule_info *dsc_rule_at(size_t i);
dsc_severity dsc_policy_severity(const dsc_policy *policy, const char *rule_id);

/* Dates: parse any accepted format ("2017-05-12", "2017年5月12日",
 * "2017/05/12", "2017.05.12", optional time) into days since 1970-01-01.
 * Returns 0 on success, -1 when the text is no real calendar date. */
int dsc_date_parse(const char *text, int *days);
/* Format days as YYYY-MM-DD into buf (at least 11 bytes). */
void dsc_date_format(int days, char *buf);
int dsc_today(void);

/* Working days after from, up to and including to (0 when to <= from), on the
 * policy's calendar. *beyond is set when either date is outside the calendar
 * (Monday–Friday was assumed). */
int dsc_working_days(const dsc_policy *policy, int from, int to, int *beyond);
int dsc_is_working_day(const dsc_policy *policy, int day, int *beyond);

/* ---- registry: what the site holds, for cross-page rules ----
 * SQLite behind this small interface (registry.c); a portal run on several
 * web servers gets another backend by implementing these functions. One
 * handle may be used from several threads (serialized). */
typedef struct dsc_registry dsc_registry;

/* Open (and create or migrate) the registry at path. busy_ms: how long a
 * writer waits for a lock before giving up. */
dsc_status dsc_registry_open(const char *path, int readonly, int busy_ms, dsc_registry **out,
                             dsc_error *err);
void dsc_registry_close(dsc_registry *reg);
/* Store (insert or replace) the page of a result: its record, relations and
 * content hash, seen at time now (seconds since the epoch). A document that
 * repeals or amends another marks that one in the registry. */
dsc_status dsc_registry_record(dsc_registry *reg, const dsc_result *res, const char *content_hash,
                               long long now, dsc_error *err);
/* Group records: with n > 0 every n pages (or every second) share one
 * transaction, which a bulk writer (a scan) needs to be fast; n = 0 commits
 * what is pending and returns to one transaction per record. Other writers
 * wait while a batch is open, so only bulk jobs use this. */
dsc_status dsc_registry_batch(dsc_registry *reg, int n, dsc_error *err);
/* A publish in flight (the module, before it hands a checked page to the
 * handler): a real write transaction that records url in the registry's
 * publishing table. Failing here (read-only registry, full disk, a lock held
 * past the busy timeout) means the page must not be published. */
dsc_status dsc_registry_reserve(dsc_registry *reg, const char *url, const char *content_hash, long long now,
                                dsc_error *err);
/* The reservation of url for content_hash is done with: the page was
 * recorded, or never stored. A row left behind names a page stored but not
 * recorded. */
dsc_status dsc_registry_release(dsc_registry *reg, const char *url, const char *content_hash, dsc_error *err);
/* The page at url is gone (deleted or moved away): drop it and its
 * relations. Not holding it is no error. */
dsc_status dsc_registry_forget(dsc_registry *reg, const char *url, dsc_error *err);
/* 1 when the site holds a page at url (compared by path when hosts differ). */
int dsc_registry_holds(dsc_registry *reg, const char *url);
/* Publish-time cross-page rules: an interpretation whose document the site
 * does not hold (interpretation-unresolved). holds_fn, when set, is asked
 * too (the module looks the URL up in its own URL space). */
typedef int dsc_holds_fn(void *baton, const char *url);
void dsc_registry_check_publish(dsc_registry *reg, dsc_result *res, dsc_holds_fn *holds,
                                void *baton);
/* The schema version this library writes. */
int dsc_registry_schema_version(void);

/* Cross-page rules of RULES.md for one page against what the registry holds:
 * interpretation-unresolved, interpretation-not-reciprocal,
 * interpretation-late, validity-repealed-unmarked, validity-amended-unmarked.
 * Findings are added to res (severities from the policy). */
void dsc_registry_check_page(dsc_registry *reg, dsc_result *res);

/* What the registry knows about a page, for serve time: the status other
 * documents gave it and the interpretations that name it. NULL fields are
 * unknown. Free with dsc_page_status_free(). */
typedef struct {
    const char *status;          /* "废止", "已修改" or NULL */
    const char *status_by;       /* URL of the repealing/amending document */
    const char *status_by_title;
    const char *status_by_number;
    const char *status_by_date;  /* its pub_date, ISO */
    size_t ninterpretations;
    const char **interpretation_urls;   /* pages whose interprets names this page */
    const char **interpretation_titles;
    long long changed;           /* registry change counter when read (cache key) */
} dsc_page_status;
dsc_status dsc_registry_page_status(dsc_registry *reg, const char *url, dsc_page_status **out,
                                    dsc_error *err);
void dsc_page_status_free(dsc_page_status *st);
/* A number that grows whenever the registry changes (any process): caches of
 * serve-time verdicts compare it to know they are stale. */
long long dsc_registry_generation(dsc_registry *reg);


/* ---- reports: a stored scan rendered again ----
 * The HTML, JSON and CSV reports of `disclosure report` and of the module's
 * report page (SetHandler disclosure-report), from the registry's scans and
 * findings. HTML is one self-contained page (inline CSS and SVG charts, no
 * script, no external resource): totals, the trend against earlier scans,
 * findings by rule, issuer and column (ColumnName meta, else URL directory),
 * the worst pages and every finding under its page; page text is escaped.
 * JSON is RULES.md "Output" with the scan member; CSV its per-finding rows.
 * Reading holds the registry handle's mutex while the pages stream. */

/* Write the report of scan scan_id (0: the latest) in format "html", "json"
 * or "csv". A registry that holds no scan reports every held document as
 * recorded. DSC_ERR_ARG for a bad format or a scan the registry does not
 * hold; DSC_ERR_IO when reading or writing failed. */
dsc_status dsc_report_write(dsc_registry *reg, long long scan_id, const char *format, FILE *out,
                            dsc_error *err);
/* The same into a malloc'd string (caller frees), or NULL with err set. */
char *dsc_report_render(dsc_registry *reg, long long scan_id, const char *format, dsc_error *err);
/* The same from a file of page objects, one compact JSON object per line
 * (findings may carry "known": true), and the scan member as JSON text (or
 * NULL): what `disclosure scan` writes before its scan is stored. No trend. */
dsc_status dsc_report_write_pages(const char *pages_file, const char *scan_json, int have_baseline,
                                  const char *format, FILE *out, dsc_error *err);
/* The same with the HTML report's trend: scans_json is a JSON array of scan
 * objects as dsc_report_scans_json lists them ("id", "started", "pages",
 * "errors", "warnings", ...), oldest first, the reported scan included; the
 * trend shows the last of them up to the scan member's "id". NULL: no trend. */
dsc_status dsc_report_write_pages_trend(const char *pages_file, const char *scan_json, const char *scans_json,
                                        int have_baseline, const char *format, FILE *out, dsc_error *err);
/* {"version": 1, "scans": [{"id","started","finished","sources","pages",
 * "fetch_errors","errors","warnings"}, ...]} oldest first (malloc'd), or
 * NULL when the registry failed. */
char *dsc_report_scans_json(dsc_registry *reg);
/* What the registry holds about the page at url (else one at its path):
 * {"url","held", "document": {its columns, "page": the stored page object},
 * "registry_status": {"status","status_by",...,"interpretations"}}.
 * *held (may be NULL) is set to 1 when held. NULL with err set on failure. */
char *dsc_report_page_json(dsc_registry *reg, const char *url, int *held, dsc_error *err);

#ifdef __cplusplus
}
#endif
#endif
