/* disclosure scan: the scan's rows in the registry, and resuming.
 *
 * The library owns the registry's schema (documents, relations, scans,
 * findings). A scan writes its scans row when it starts (finished NULL) and
 * completes it at the end, with its findings. What only a resume needs lives
 * in three tables of the command's own, created here if missing:
 *   scan_runs     (scan_id, options, spool): the sources and checking
 *                 options to repeat (never --header or --cookie), and the
 *                 directory holding fetched pages' bytes;
 *   scan_pages    one row per page once dsc_registry_record has stored it:
 *                 URL, the URL asked for (redirects), where its bytes are;
 *   scan_frontier one row per link a crawl claimed, with its depth, written
 *                 before the page that named it goes to the checking
 *                 threads, so a recorded page's links are never lost.
 * A resume skips the URLs of scan_pages and fetches what scan_frontier
 * holds beyond them. scan_pages and scan_frontier rows are dropped when the
 * scan finishes; the pages themselves stay in documents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "scan_int.h"

/* The store writes through the registry's own connection, under its lock:
 * a scan_pages row then commits in the same transaction as its page (the
 * scan batches records), never before and never without it. */
struct scan_store {
    dsc_registry *reg;
    sqlite3 *db;
    sqlite3_stmt *page, *frontier;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS scan_runs ("
    "  scan_id INTEGER PRIMARY KEY REFERENCES scans(id) ON DELETE CASCADE,"
    "  options TEXT NOT NULL, spool TEXT);"
    "CREATE TABLE IF NOT EXISTS scan_pages ("
    "  scan_id INTEGER NOT NULL, url TEXT NOT NULL, requested TEXT, file TEXT, charset TEXT,"
    "  docroot INTEGER NOT NULL, PRIMARY KEY (scan_id, url));"
    "CREATE TABLE IF NOT EXISTS scan_frontier ("
    "  scan_id INTEGER NOT NULL, url TEXT NOT NULL, depth INTEGER NOT NULL,"
    "  PRIMARY KEY (scan_id, url));";

static void db_fail(scan_store *st, const char *what)
{
    fprintf(stderr, "disclosure: registry: %s: %s\n", what, sqlite3_errmsg(st->db));
}

scan_store *store_open(dsc_registry *reg)
{
    scan_store *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->reg = reg;
    st->db = dsc_reg_db(reg);
    if (sqlite3_exec(st->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO scan_pages(scan_id, url, requested, file, charset, docroot)"
                           " VALUES (?,?,?,?,?,?)", -1, &st->page, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO scan_frontier(scan_id, url, depth) VALUES (?,?,?)", -1,
                           &st->frontier, NULL) != SQLITE_OK) {
        db_fail(st, "preparing the scan tables");
        store_close(st);
        return NULL;
    }
    return st;
}

/* Phase 2 reads the registry four or five times a page: in one read
 * transaction instead of one each, the WAL read lock is taken once, not
 * ~10 fcntl() calls a page, and every page sees the same registry. */
void store_snapshot(dsc_registry *reg, int on)
{
    sqlite3 *db = dsc_reg_db(reg);
    if (on && sqlite3_get_autocommit(db))
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    else if (!on && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}

void store_close(scan_store *st)
{
    if (!st)
        return;
    /* the connection is the registry's: only our statements are ours */
    sqlite3_finalize(st->page);
    sqlite3_finalize(st->frontier);
    free(st);
}

static char *col_dup(sqlite3_stmt *q, int i)
{
    const char *v = (const char *)sqlite3_column_text(q, i);
    return v ? strdup(v) : NULL;
}

int store_find_unfinished(scan_store *st, long long *id, json_t **options, char **spool, char **started)
{
    sqlite3_stmt *q = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(st->db, "SELECT s.id, r.options, r.spool, s.started FROM scans s JOIN scan_runs r"
                           " ON r.scan_id = s.id WHERE s.finished IS NULL ORDER BY s.id DESC LIMIT 1", -1, &q,
                           NULL) != SQLITE_OK) {
        db_fail(st, "finding an unfinished scan");
        return -1;
    }
    int step = sqlite3_step(q);
    if (step == SQLITE_DONE) {
        rc = 1;
    } else if (step == SQLITE_ROW) {
        *id = sqlite3_column_int64(q, 0);
        const char *opt = (const char *)sqlite3_column_text(q, 1);
        *options = opt ? json_loads(opt, 0, NULL) : NULL;
        *spool = col_dup(q, 2);
        *started = col_dup(q, 3);
        rc = *options ? 0 : -1;
        if (rc < 0)
            fprintf(stderr, "disclosure: registry: scan %lld: unreadable options\n", *id);
    } else {
        db_fail(st, "finding an unfinished scan");
    }
    sqlite3_finalize(q);
    return rc;
}

long long store_begin(scan_store *st, const char *started, json_t *sources, json_t *options)
{
    long long id = -1;
    sqlite3_stmt *a = NULL, *b = NULL;
    char *src = json_dumps(sources, JSON_COMPACT);
    char *opt = json_dumps(options, JSON_COMPACT | JSON_SORT_KEYS);
    if (src && opt && sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
        if (sqlite3_prepare_v2(st->db, "INSERT INTO scans(started, sources) VALUES (?,?)", -1, &a, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(st->db, "INSERT INTO scan_runs(scan_id, options) VALUES (?,?)", -1, &b, NULL) == SQLITE_OK) {
            sqlite3_bind_text(a, 1, started, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(a, 2, src, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(a) == SQLITE_DONE) {
                long long sid = sqlite3_last_insert_rowid(st->db);
                sqlite3_bind_int64(b, 1, sid);
                sqlite3_bind_text(b, 2, opt, -1, SQLITE_TRANSIENT);
                if (sqlite3_step(b) == SQLITE_DONE && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
                    id = sid;
            }
        }
        if (id < 0) {
            db_fail(st, "starting the scan");
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        }
    } else {
        db_fail(st, "starting the scan");
    }
    sqlite3_finalize(a);
    sqlite3_finalize(b);
    free(src);
    free(opt);
    return id;
}

int store_set_spool(scan_store *st, long long id, const char *spool)
{
    sqlite3_stmt *q = NULL;
    int ok = sqlite3_prepare_v2(st->db, "UPDATE scan_runs SET spool = ? WHERE scan_id = ?", -1, &q, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(q, 1, spool, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 2, id);
        ok = sqlite3_step(q) == SQLITE_DONE;
    }
    if (!ok)
        db_fail(st, "recording the spool directory");
    sqlite3_finalize(q);
    return ok ? 0 : -1;
}

static void bind_opt(sqlite3_stmt *q, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, i);
}

int store_page(scan_store *st, long long id, const char *url, const char *requested, const char *file,
               const char *charset, int docroot)
{
    dsc_reg_lock(st->reg);
    sqlite3_reset(st->page);
    sqlite3_bind_int64(st->page, 1, id);
    bind_opt(st->page, 2, url);
    bind_opt(st->page, 3, requested);
    bind_opt(st->page, 4, file);
    bind_opt(st->page, 5, charset);
    sqlite3_bind_int(st->page, 6, docroot);
    int ok = sqlite3_step(st->page) == SQLITE_DONE;
    if (!ok)
        db_fail(st, "recording a scanned page");
    dsc_reg_unlock(st->reg);
    return ok ? 0 : -1;
}

int store_frontier(scan_store *st, long long id, const char *url, int depth)
{
    dsc_reg_lock(st->reg);
    sqlite3_reset(st->frontier);
    sqlite3_bind_int64(st->frontier, 1, id);
    bind_opt(st->frontier, 2, url);
    sqlite3_bind_int(st->frontier, 3, depth);
    int ok = sqlite3_step(st->frontier) == SQLITE_DONE;
    if (!ok)
        db_fail(st, "recording a crawl link");
    dsc_reg_unlock(st->reg);
    return ok ? 0 : -1;
}

long store_load_pages(scan_store *st, long long id, scan_state *s)
{
    sqlite3_stmt *q = NULL;
    str_list gone = {0};
    long n = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT url, requested, file, charset, docroot FROM scan_pages WHERE scan_id = ?",
                           -1, &q, NULL) != SQLITE_OK) {
        db_fail(st, "reading the scan's pages");
        return -1;
    }
    sqlite3_bind_int64(q, 1, id);
    while (sqlite3_step(q) == SQLITE_ROW) {
        page_entry e = {col_dup(q, 0), col_dup(q, 2), col_dup(q, 3), sqlite3_column_int(q, 4), NULL};
        const char *req = (const char *)sqlite3_column_text(q, 1);
        /* bytes gone (spool removed): fetch the page again */
        if (!e.url || !e.file || access(e.file, R_OK) != 0) {
            if (e.url)
                list_add(&gone, e.url);
            free(e.url);
            free(e.file);
            free(e.charset);
            continue;
        }
        set_add(&s->seen, e.url);
        if (req)
            set_add(&s->seen, req);
        if (add_page(s, e) == 0)
            n++;
    }
    sqlite3_finalize(q);
    sqlite3_stmt *del = NULL;
    if (gone.n && sqlite3_prepare_v2(st->db, "DELETE FROM scan_pages WHERE scan_id = ? AND url = ?", -1, &del, NULL) == SQLITE_OK)
        for (size_t i = 0; i < gone.n; i++) {
            sqlite3_reset(del);
            sqlite3_bind_int64(del, 1, id);
            sqlite3_bind_text(del, 2, gone.items[i], -1, SQLITE_TRANSIENT);
            sqlite3_step(del);
        }
    sqlite3_finalize(del);
    list_free(&gone);
    return n;
}

int store_load_frontier(scan_store *st, long long id, str_list *urls, int **depths)
{
    sqlite3_stmt *q = NULL;
    size_t cap = 0;
    *depths = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT f.url, f.depth FROM scan_frontier f WHERE f.scan_id = ?1 AND NOT EXISTS"
                           " (SELECT 1 FROM scan_pages p WHERE p.scan_id = ?1 AND (p.url = f.url OR p.requested = f.url))"
                           " ORDER BY f.rowid", -1, &q, NULL) != SQLITE_OK) {
        db_fail(st, "reading the crawl frontier");
        return -1;
    }
    sqlite3_bind_int64(q, 1, id);
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (urls->n == cap) {
            cap = cap ? cap * 2 : 256;
            int *d = realloc(*depths, cap * sizeof *d);
            if (!d)
                break;
            *depths = d;
        }
        size_t before = urls->n;
        list_add(urls, (const char *)sqlite3_column_text(q, 0));
        if (urls->n > before)
            (*depths)[before] = sqlite3_column_int(q, 1);
    }
    sqlite3_finalize(q);
    return 0;
}

int store_finish(scan_store *st, long long id, json_t *scan, const char *pages_file)
{
    sqlite3_stmt *up = NULL, *fs = NULL;
    int ok = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(st->db, "UPDATE scans SET finished = ?, pages = ?, fetch_errors = ? WHERE id = ?", -1,
                                &up, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(st->db, "INSERT INTO findings(scan_id, url, rule, severity, field, message, message_en,"
                                " evidence, line) VALUES (?,?,?,?,?,?,?,?,?)", -1, &fs, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(up, 1, json_string_value(json_object_get(scan, "finished")), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(up, 2, json_integer_value(json_object_get(scan, "pages")));
        sqlite3_bind_int64(up, 3, json_integer_value(json_object_get(scan, "fetch_errors")));
        sqlite3_bind_int64(up, 4, id);
        ok = sqlite3_step(up) == SQLITE_DONE;
    }
    FILE *in = ok ? fopen(pages_file, "r") : NULL;
    char *line = NULL;
    size_t cap = 0;
    ok = ok && in != NULL;
    while (ok && getline(&line, &cap, in) > 0) {
        json_t *p = json_loads(line, 0, NULL);
        const char *url = json_string_value(json_object_get(p, "url"));
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(p, "findings"), i, f) {
            static const char *const cols[] = {"rule", "severity", "field", "message", "message_en", "evidence"};
            sqlite3_reset(fs);
            sqlite3_bind_int64(fs, 1, id);
            sqlite3_bind_text(fs, 2, url, -1, SQLITE_TRANSIENT);
            for (int k = 0; k < 6; k++)
                bind_opt(fs, 3 + k, json_string_value(json_object_get(f, cols[k])));
            json_t *ln = json_object_get(f, "line");
            if (json_is_integer(ln))
                sqlite3_bind_int64(fs, 9, json_integer_value(ln));
            else
                sqlite3_bind_null(fs, 9);
            if (sqlite3_step(fs) != SQLITE_DONE)
                ok = 0;
        }
        json_decref(p);
    }
    free(line);
    if (in)
        fclose(in);
    if (ok) {
        char sql[160];
        snprintf(sql, sizeof sql, "DELETE FROM scan_pages WHERE scan_id = %lld; DELETE FROM scan_frontier WHERE scan_id = %lld",
                 id, id);
        ok = sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    }
    if (!ok) {
        db_fail(st, "storing the scan");
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_finalize(up);
    sqlite3_finalize(fs);
    return ok ? 0 : -1;
}
