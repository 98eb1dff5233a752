/* The registry: SQLite file of the pages a site holds and their relations.
 * WAL, a busy timeout, short write transactions, bound parameters only.
 * Schema changes are numbered migrations applied in order (user_version). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "result.h"
#include "rules.h"

struct dsc_registry {
    sqlite3 *db;
    char *path;
};

/* Each entry moves the schema from version i to i + 1. Never edit a
 * released entry: add a new one. */
static const char *const migrations[] = {
    /* 0 → 1 */
    "CREATE TABLE documents ("
    "  url TEXT PRIMARY KEY,"
    "  path TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  title TEXT, doc_number TEXT, issuer TEXT, pub_date TEXT,"
    "  validity TEXT, expiry_date TEXT,"
    "  page_json TEXT NOT NULL,"
    "  content_hash TEXT,"
    "  first_seen INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  status TEXT, status_by TEXT"
    ");"
    "CREATE INDEX documents_path ON documents(path);"
    "CREATE INDEX documents_doc_number ON documents(doc_number);"
    "CREATE TABLE relations ("
    "  src TEXT NOT NULL REFERENCES documents(url) ON DELETE CASCADE,"
    "  rel TEXT NOT NULL CHECK (rel IN ('interpretation','interprets','repeals','amends','repealed_by','amended_by')),"
    "  target TEXT NOT NULL,"
    "  PRIMARY KEY (src, rel, target)"
    ");"
    "CREATE INDEX relations_target ON relations(target, rel);",
};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

int dsc_registry_schema_version(void)
{
    return SCHEMA_VERSION;
}

static dsc_status db_error(dsc_registry *reg, dsc_error *err, const char *what)
{
    int code = sqlite3_errcode(reg->db);
    dsc_set_error(err, DSC_ERR_IO, reg->path, 0, "registry: %s: %s", what, sqlite3_errmsg(reg->db));
    if (err && (code == SQLITE_BUSY || code == SQLITE_LOCKED))
        snprintf(err->message_zh, sizeof err->message_zh, "登记库正忙（被锁定），请稍后重试");
    else if (err)
        snprintf(err->message_zh, sizeof err->message_zh, "登记库出错：%s", sqlite3_errmsg(reg->db));
    return DSC_ERR_IO;
}

static int exec(dsc_registry *reg, const char *sql)
{
    return sqlite3_exec(reg->db, sql, NULL, NULL, NULL);
}

static dsc_status migrate(dsc_registry *reg, dsc_error *err)
{
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(reg->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return db_error(reg, err, "reading the schema version");
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version > SCHEMA_VERSION) {
        dsc_set_error(err, DSC_ERR_IO, reg->path, 0,
                      "registry schema version %d is newer than this program (%d); upgrade mod_disclosure",
                      version, SCHEMA_VERSION);
        return DSC_ERR_IO;
    }
    if (version == SCHEMA_VERSION)
        return DSC_OK;
    if (exec(reg, "BEGIN IMMEDIATE") != SQLITE_OK)
        return db_error(reg, err, "starting the migration");
    for (int v = version; v < SCHEMA_VERSION; v++)
        if (exec(reg, migrations[v]) != SQLITE_OK) {
            dsc_status s = db_error(reg, err, "migrating the schema");
            exec(reg, "ROLLBACK");
            return s;
        }
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_VERSION);
    if (exec(reg, sql) != SQLITE_OK || exec(reg, "COMMIT") != SQLITE_OK) {
        dsc_status s = db_error(reg, err, "finishing the migration");
        exec(reg, "ROLLBACK");
        return s;
    }
    return DSC_OK;
}

dsc_status dsc_registry_open(const char *path, int readonly, int busy_ms, dsc_registry **out,
                             dsc_error *err)
{
    *out = NULL;
    dsc_registry *reg = calloc(1, sizeof(*reg));
    if (!reg)
        return DSC_ERR_NOMEM;
    reg->path = strdup(path);
    int flags = SQLITE_OPEN_FULLMUTEX |
                (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path, &reg->db, flags, NULL) != SQLITE_OK) {
        dsc_status s = db_error(reg, err, "opening");
        dsc_registry_close(reg);
        return s;
    }
    sqlite3_busy_timeout(reg->db, busy_ms > 0 ? busy_ms : 5000);
    exec(reg, "PRAGMA foreign_keys = ON");
    if (!readonly) {
        /* WAL lets serving read while a publish writes */
        if (exec(reg, "PRAGMA journal_mode = WAL") != SQLITE_OK ||
            exec(reg, "PRAGMA synchronous = NORMAL") != SQLITE_OK) {
            dsc_status s = db_error(reg, err, "setting up");
            dsc_registry_close(reg);
            return s;
        }
        dsc_status s = migrate(reg, err);
        if (s != DSC_OK) {
            dsc_registry_close(reg);
            return s;
        }
    }
    *out = reg;
    return DSC_OK;
}

void dsc_registry_close(dsc_registry *reg)
{
    if (!reg)
        return;
    sqlite3_close_v2(reg->db);
    free(reg->path);
    free(reg);
}

/* The path part of a URL: how links between pages of one site compare. */
static char *url_path_dup(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : url;
    if (!p)
        p = "/";
    size_t n = strcspn(p, "?#");
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

static int add_relations(dsc_registry *reg, const char *url, const dsc_result *res, int field,
                         const char *rel)
{
    for (size_t i = 0; i < res->list[field].n; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(reg->db, "INSERT OR IGNORE INTO relations(src, rel, target) VALUES (?, ?, ?)",
                               -1, &st, NULL) != SQLITE_OK)
            return 0;
        bind_text(st, 1, url);
        bind_text(st, 2, rel);
        /* links compare by path, document numbers as written */
        char *t = (field == DSC_F_INTERPRETATIONS || field == DSC_F_INTERPRETS)
                      ? url_path_dup(res->list[field].items[i])
                      : strdup(res->list[field].items[i]);
        bind_text(st, 3, t);
        free(t);
        if (!step_done(st))
            return 0;
    }
    return 1;
}

static int mark(dsc_registry *reg, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    bind_text(st, 1, a);
    bind_text(st, 2, b);
    return step_done(st);
}

dsc_status dsc_registry_record(dsc_registry *reg, const dsc_result *res, const char *content_hash,
                               long long now, dsc_error *err)
{
    const char *url = res->url ? res->url : res->path;
    if (!url) {
        dsc_set_error(err, DSC_ERR_ARG, NULL, 0, "registry: a page needs a URL or a path");
        return DSC_ERR_ARG;
    }
    char *path = url_path_dup(url);
    char *page = dsc_result_json(res, 0);
    dsc_status s = DSC_OK;
    if (exec(reg, "BEGIN IMMEDIATE") != SQLITE_OK) {
        s = db_error(reg, err, "starting a write");
        goto out;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(reg->db,
                           "INSERT INTO documents(url, path, kind, title, doc_number, issuer, pub_date,"
                           " validity, expiry_date, page_json, content_hash, first_seen, last_seen)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)"
                           " ON CONFLICT(url) DO UPDATE SET path = ?2, kind = ?3, title = ?4,"
                           " doc_number = ?5, issuer = ?6, pub_date = ?7, validity = ?8,"
                           " expiry_date = ?9, page_json = ?10, content_hash = ?11, last_seen = ?12",
                           -1, &st, NULL) != SQLITE_OK) {
        s = db_error(reg, err, "preparing");
        goto rollback;
    }
    bind_text(st, 1, url);
    bind_text(st, 2, path);
    bind_text(st, 3, dsc_kind_name(res->kind));
    bind_text(st, 4, res->field[DSC_F_TITLE].value);
    bind_text(st, 5, res->field[DSC_F_DOC_NUMBER].value);
    bind_text(st, 6, res->field[DSC_F_ISSUER].value);
    bind_text(st, 7, res->field[DSC_F_PUB_DATE].value);
    bind_text(st, 8, res->field[DSC_F_VALIDITY].value);
    bind_text(st, 9, res->field[DSC_F_EXPIRY_DATE].value);
    bind_text(st, 10, page ? page : "{}");
    bind_text(st, 11, content_hash);
    sqlite3_bind_int64(st, 12, now);
    if (!step_done(st) || !mark(reg, "DELETE FROM relations WHERE src = ?1", url, NULL) ||
        !add_relations(reg, url, res, DSC_F_INTERPRETATIONS, "interpretation") ||
        !add_relations(reg, url, res, DSC_F_INTERPRETS, "interprets") ||
        !add_relations(reg, url, res, DSC_F_REPEALS, "repeals") ||
        !add_relations(reg, url, res, DSC_F_AMENDS, "amends") ||
        !add_relations(reg, url, res, DSC_F_REPEALED_BY, "repealed_by") ||
        !add_relations(reg, url, res, DSC_F_AMENDED_BY, "amended_by")) {
        s = db_error(reg, err, "writing the page");
        goto rollback;
    }
    /* this page repeals or amends documents the site holds: mark them */
    const char *repeal_sql = "UPDATE documents SET status = '废止', status_by = ?2"
                             " WHERE doc_number = ?1 AND url <> ?2";
    const char *amend_sql = "UPDATE documents SET status = '已修改', status_by = ?2"
                            " WHERE doc_number = ?1 AND url <> ?2 AND (status IS NULL OR status <> '废止')";
    for (size_t i = 0; i < res->list[DSC_F_REPEALS].n; i++)
        if (!mark(reg, repeal_sql, res->list[DSC_F_REPEALS].items[i], url)) {
            s = db_error(reg, err, "marking a repealed document");
            goto rollback;
        }
    for (size_t i = 0; i < res->list[DSC_F_AMENDS].n; i++)
        if (!mark(reg, amend_sql, res->list[DSC_F_AMENDS].items[i], url)) {
            s = db_error(reg, err, "marking an amended document");
            goto rollback;
        }
    /* and a page published after the one that repeals it gets its mark too */
    const char *own = res->field[DSC_F_DOC_NUMBER].value;
    if (own &&
        !mark(reg,
              "UPDATE documents SET (status, status_by) = (SELECT CASE r.rel WHEN 'repeals' THEN '废止' ELSE '已修改' END, r.src"
              " FROM relations r WHERE r.target = ?1 AND r.rel IN ('repeals','amends') AND r.src <> ?2"
              " ORDER BY r.rel DESC LIMIT 1)"
              " WHERE url = ?2 AND EXISTS (SELECT 1 FROM relations r WHERE r.target = ?1"
              " AND r.rel IN ('repeals','amends') AND r.src <> ?2)",
              own, url)) {
        s = db_error(reg, err, "reading the page's status");
        goto rollback;
    }
    if (exec(reg, "COMMIT") != SQLITE_OK) {
        s = db_error(reg, err, "committing");
        goto rollback;
    }
    goto out;
rollback:
    exec(reg, "ROLLBACK");
out:
    free(path);
    free(page);
    return s;
}

int dsc_registry_holds(dsc_registry *reg, const char *url)
{
    char *path = url_path_dup(url);
    sqlite3_stmt *st;
    int found = 0;
    if (path && sqlite3_prepare_v2(reg->db, "SELECT 1 FROM documents WHERE url = ?1 OR path = ?2 LIMIT 1",
                                   -1, &st, NULL) == SQLITE_OK) {
        bind_text(st, 1, url);
        bind_text(st, 2, path);
        found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    free(path);
    return found;
}

void dsc_registry_check_publish(dsc_registry *reg, dsc_result *res, dsc_holds_fn *holds, void *baton)
{
    if (res->kind != DSC_KIND_INTERPRETATION)
        return;
    for (size_t i = 0; i < res->list[DSC_F_INTERPRETS].n; i++) {
        const char *u = res->list[DSC_F_INTERPRETS].items[i];
        if ((reg && dsc_registry_holds(reg, u)) || (holds && holds(baton, u)))
            continue;
        dsc_result_add(res, "interpretation-unresolved", DSC_SEV_ERROR, "interprets", u,
                       res->list[DSC_F_INTERPRETS].lines[i],
                       dsc_arena_printf(res->arena,
                                        "解读关联的政策原文“%s”在本网站上不存在。请先发布政策原文，或改正链接地址。", u),
                       dsc_arena_printf(res->arena,
                                        "The interpreted document \"%s\" is not held by this site. Publish it first or fix the link.", u));
    }
}
