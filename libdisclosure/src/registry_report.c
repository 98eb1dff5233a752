/* What reports read from the registry: stored scans (scans table), their
 * findings (findings table) and the pages recorded while they ran
 * (documents). Read-only; every call holds the connection's mutex. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "registry.h"
#include "report.h"

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static json_t *str_or_null(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null();
}

static int failed(dsc_registry *reg, const char *what)
{
    dsc_log(DSC_LOG_WARN, "registry %s: %s: %s", dsc_reg_path(reg), what, sqlite3_errmsg(dsc_reg_db(reg)));
    return -1;
}

/* A registry at schema version 1 (opened read-only, never migrated) has no
 * scans table: it simply holds no scan. */
static int has_scans_table(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int n = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'scans'", -1,
                           &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n > 0;
}

#define SCAN_COLUMNS                                                                                          \
    "s.id, s.started, s.finished, s.sources, s.pages, s.fetch_errors,"                                        \
    " (SELECT count(*) FROM findings f WHERE f.scan_id = s.id AND f.severity = 'error'),"                     \
    " (SELECT count(*) FROM findings f WHERE f.scan_id = s.id AND f.severity <> 'error')"

static json_t *read_scan(sqlite3_stmt *st)
{
    json_t *sources = col(st, 3) ? json_loads(col(st, 3), 0, NULL) : NULL;
    return json_pack("{s:I,s:o,s:o,s:o,s:I,s:I,s:I,s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                     "started", str_or_null(col(st, 1)), "finished", str_or_null(col(st, 2)), "sources",
                     json_is_array(sources) ? sources : (json_decref(sources), json_array()), "pages",
                     (json_int_t)sqlite3_column_int64(st, 4), "fetch_errors",
                     (json_int_t)sqlite3_column_int64(st, 5), "errors", (json_int_t)sqlite3_column_int64(st, 6),
                     "warnings", (json_int_t)sqlite3_column_int64(st, 7));
}

json_t *dsc_reg_scan_list(dsc_registry *reg)
{
    dsc_reg_lock(reg);
    sqlite3 *db = dsc_reg_db(reg);
    json_t *list = json_array();
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE;
    if (has_scans_table(db)) {
        if (sqlite3_prepare_v2(db, "SELECT " SCAN_COLUMNS " FROM scans s ORDER BY s.id", -1, &st, NULL) != SQLITE_OK)
            rc = SQLITE_ERROR;
        else
            while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                json_array_append_new(list, read_scan(st));
    }
    if (rc != SQLITE_DONE) {
        failed(reg, "reading the scans");
        json_decref(list);
        list = NULL;
    }
    sqlite3_finalize(st);
    dsc_reg_unlock(reg);
    return list;
}

int dsc_reg_scan_get(dsc_registry *reg, long long id, json_t **out)
{
    *out = NULL;
    dsc_reg_lock(reg);
    sqlite3 *db = dsc_reg_db(reg);
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (has_scans_table(db)) {
        const char *sql = id > 0 ? "SELECT " SCAN_COLUMNS " FROM scans s WHERE s.id = ?1"
                                 : "SELECT " SCAN_COLUMNS " FROM scans s WHERE s.finished IS NOT NULL ORDER BY s.id DESC LIMIT 1";
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
            found = failed(reg, "reading a scan");
        } else {
            if (id > 0)
                sqlite3_bind_int64(st, 1, id);
            int rc = sqlite3_step(st);
            if (rc == SQLITE_ROW) {
                *out = read_scan(st);
                found = *out ? 1 : -1;
            } else if (rc != SQLITE_DONE) {
                found = failed(reg, "reading a scan");
            }
        }
    }
    sqlite3_finalize(st);
    dsc_reg_unlock(reg);
    return found;
}

static json_t *read_findings(sqlite3_stmt *fs, long long id, const char *url)
{
    json_t *arr = json_array();
    sqlite3_reset(fs);
    sqlite3_bind_int64(fs, 1, id);
    sqlite3_bind_text(fs, 2, url, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(fs) == SQLITE_ROW)
        json_array_append_new(
            arr, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "rule", str_or_null(col(fs, 0)), "severity",
                           str_or_null(col(fs, 1)), "field", str_or_null(col(fs, 2)), "message",
                           str_or_null(col(fs, 3)), "message_en", str_or_null(col(fs, 4)), "evidence",
                           str_or_null(col(fs, 5)), "line",
                           sqlite3_column_type(fs, 6) == SQLITE_NULL ? json_null()
                                                                     : json_integer(sqlite3_column_int64(fs, 6))));
    return arr;
}

/* A page the scan found problems on but the registry no longer holds
 * (forgotten since): what the findings table still knows. */
static json_t *bare_page(const char *url)
{
    return json_pack("{s:n,s:s,s:s,s:{}}", "path", "url", url, "kind", "other", "record");
}

int dsc_reg_scan_pages(dsc_registry *reg, long long id, dsc_page_fn *fn, void *baton)
{
    dsc_reg_lock(reg);
    sqlite3 *db = dsc_reg_db(reg);
    sqlite3_stmt *st = NULL, *fs = NULL;
    /* the pages of a scan: those recorded while it ran, and any page it
     * stored findings for (an older scan's pages were recorded again since) */
    const char *sql =
        id > 0 ? "SELECT u.url, d.page_json FROM ("
                 "  SELECT d.url AS url FROM documents d, scans s WHERE s.id = ?1"
                 "   AND d.last_seen >= CAST(strftime('%s', s.started) AS INTEGER)"
                 "   AND d.last_seen <= CAST(strftime('%s', s.finished) AS INTEGER)"
                 "  UNION SELECT url FROM findings WHERE scan_id = ?1"
                 ") u LEFT JOIN documents d ON d.url = u.url ORDER BY u.url"
               : "SELECT url, page_json FROM documents ORDER BY url";
    int rc = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        (id > 0 && sqlite3_prepare_v2(db, "SELECT rule, severity, field, message, message_en, evidence, line"
                                          " FROM findings WHERE scan_id = ?1 AND url = ?2 ORDER BY rowid",
                                      -1, &fs, NULL) != SQLITE_OK)) {
        failed(reg, "reading the pages of a scan");
        goto out;
    }
    if (id > 0)
        sqlite3_bind_int64(st, 1, id);
    int step;
    rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *url = col(st, 0);
        json_t *page = col(st, 1) ? json_loads(col(st, 1), 0, NULL) : NULL;
        if (!json_is_object(page)) {
            json_decref(page);
            page = url ? bare_page(url) : NULL;
        }
        if (!page)
            continue;
        if (id > 0)
            json_object_set_new(page, "findings", read_findings(fs, id, url));
        else if (!json_is_array(json_object_get(page, "findings")))
            json_object_set_new(page, "findings", json_array());
        rc = fn(baton, page);
        json_decref(page);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = failed(reg, "reading the pages of a scan");
out:
    sqlite3_finalize(st);
    sqlite3_finalize(fs);
    dsc_reg_unlock(reg);
    return rc;
}

int dsc_reg_page_get(dsc_registry *reg, const char *url, json_t **out)
{
    *out = NULL;
    dsc_arena *a = dsc_arena_new(1024);
    char *path = a ? dsc_url_path(a, url) : NULL;
    if (!path) {
        dsc_arena_free(a);
        return -1;
    }
    dsc_reg_lock(reg);
    sqlite3_stmt *st = NULL;
    int found = -1;
    if (sqlite3_prepare_v2(dsc_reg_db(reg),
                           "SELECT url, path, kind, title, doc_number, issuer, pub_date, validity, expiry_date,"
                           " content_hash, first_seen, last_seen, status, status_by, page_json"
                           " FROM documents WHERE url = ?1 OR path = ?2 ORDER BY url = ?1 DESC, url LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, url, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, path, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
        if (found == 1) {
            static const char *const names[] = {"url", "path", "kind", "title", "doc_number", "issuer",
                                                "pub_date", "validity", "expiry_date", "content_hash"};
            json_t *o = json_object();
            for (int i = 0; i < 10; i++)
                json_object_set_new(o, names[i], str_or_null(col(st, i)));
            json_object_set_new(o, "first_seen", json_integer(sqlite3_column_int64(st, 10)));
            json_object_set_new(o, "last_seen", json_integer(sqlite3_column_int64(st, 11)));
            json_object_set_new(o, "status", str_or_null(col(st, 12)));
            json_object_set_new(o, "status_by", str_or_null(col(st, 13)));
            json_t *page = col(st, 14) ? json_loads(col(st, 14), 0, NULL) : NULL;
            json_object_set_new(o, "page", page ? page : json_null());
            *out = o;
        }
    }
    if (found < 0)
        failed(reg, "reading a page");
    sqlite3_finalize(st);
    dsc_reg_unlock(reg);
    dsc_arena_free(a);
    return found;
}
