/* The registry: SQLite file of the pages a site holds and their relations.
 * WAL, a busy timeout, short write transactions, bound parameters only.
 * Schema changes are numbered migrations applied in order (user_version). */
#include <sqlite3.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "registry.h"
#include "result.h"
#include "rules.h"

#define DSC_REG_STMTS 32

struct dsc_registry {
    sqlite3 *db;
    char *path;
    int busy_ms;
    int batch;            /* dsc_registry_batch: records per transaction, 0 off */
    /* the write path's statements, prepared once (keyed by the SQL text's
     * address: each is a literal of this file) */
    const char *stmt_sql[DSC_REG_STMTS];
    sqlite3_stmt *stmt[DSC_REG_STMTS];
    int pending;          /* records in the open batch transaction */
    long long batch_started;
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
    /* 1 → 2: a change counter that every writer bumps (serve-time caches in
     * other processes compare it), and the tables scans report into */
    "CREATE TABLE generation (n INTEGER NOT NULL);"
    "INSERT INTO generation (n) VALUES (0);"
    "CREATE TRIGGER documents_insert_gen AFTER INSERT ON documents"
    "  BEGIN UPDATE generation SET n = n + 1; END;"
    "CREATE TRIGGER documents_update_gen AFTER UPDATE ON documents"
    "  BEGIN UPDATE generation SET n = n + 1; END;"
    "CREATE TRIGGER documents_delete_gen AFTER DELETE ON documents"
    "  BEGIN UPDATE generation SET n = n + 1; END;"
    "CREATE TRIGGER relations_insert_gen AFTER INSERT ON relations"
    "  BEGIN UPDATE generation SET n = n + 1; END;"
    "CREATE TRIGGER relations_update_gen AFTER UPDATE ON relations"
    "  BEGIN UPDATE generation SET n = n + 1; END;"
    "CREATE TRIGGER relations_delete_gen AFTER DELETE ON relations"
    "  BEGIN UPDATE generation SET n = n + 1; END;"
    "CREATE TABLE scans ("
    "  id INTEGER PRIMARY KEY,"
    "  started, finished,"
    "  sources TEXT,"
    "  pages INTEGER,"
    "  fetch_errors INTEGER"
    ");"
    "CREATE TABLE findings ("
    "  scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
    "  url TEXT NOT NULL,"
    "  rule TEXT NOT NULL,"
    "  severity TEXT NOT NULL,"
    "  field TEXT, message TEXT, message_en TEXT, evidence TEXT, line INTEGER"
    ");"
    "CREATE INDEX findings_scan ON findings(scan_id, url);"
    /* baselines fingerprint findings by (url, rule, field) */
    "CREATE INDEX findings_fingerprint ON findings(url, rule, field);",
    /* 2 → 3: publishes in flight (registry_pending.c): reserved before the
     * handler stores a page, released once it is recorded */
    "CREATE TABLE publishing ("
    "  url TEXT PRIMARY KEY,"
    "  content_hash TEXT,"
    "  started INTEGER NOT NULL"
    ");",
};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

void dsc_reg_lock(dsc_registry *reg)
{
    sqlite3_mutex_enter(sqlite3_db_mutex(reg->db));
}

void dsc_reg_unlock(dsc_registry *reg)
{
    sqlite3_mutex_leave(sqlite3_db_mutex(reg->db));
}

sqlite3 *dsc_reg_db(dsc_registry *reg)
{
    return reg->db;
}

const char *dsc_reg_path(dsc_registry *reg)
{
    return reg->path;
}

int dsc_registry_schema_version(void)
{
    return SCHEMA_VERSION;
}

static dsc_status db_error(dsc_registry *reg, dsc_error *err, const char *what)
{
    int code = sqlite3_errcode(reg->db) & 0xff;
    const char *msg = reg->db ? sqlite3_errmsg(reg->db) : "out of memory";
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
        dsc_set_error(err, DSC_ERR_IO, reg->path, 0,
                      "registry: %s: the registry is locked by another connection"
                      " (gave up after %d ms; try again later)", what, reg->busy_ms);
        if (err)
            snprintf(err->message_zh, sizeof err->message_zh,
                     "登记库被其他连接锁定，等待%d毫秒后放弃，请稍后重试", reg->busy_ms);
    } else if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
        dsc_set_error(err, DSC_ERR_IO, reg->path, 0,
                      "registry: %s: the file is not a registry database or is damaged (%s)", what, msg);
        if (err)
            snprintf(err->message_zh, sizeof err->message_zh,
                     "登记库文件不是有效的数据库或已损坏（%s），请检查文件路径或从备份恢复", msg);
    } else {
        dsc_set_error(err, DSC_ERR_IO, reg->path, 0, "registry: %s: %s", what, msg);
        if (err)
            snprintf(err->message_zh, sizeof err->message_zh, "登记库出错：%s", msg);
    }
    return DSC_ERR_IO;
}

dsc_status dsc_reg_error(dsc_registry *reg, dsc_error *err, const char *what)
{
    return db_error(reg, err, what);
}

/* A query the cross-page rules needed failed: they skip rather than report
 * what they could not see, and the host hears why. */
static int query_failed(dsc_registry *reg, const char *what)
{
    dsc_log(DSC_LOG_WARN, "registry %s: %s: %s", reg->path, what, sqlite3_errmsg(reg->db));
    return -1;
}

static int exec(dsc_registry *reg, const char *sql)
{
    return sqlite3_exec(reg->db, sql, NULL, NULL, NULL);
}

static int read_version(dsc_registry *reg, int *version)
{
    sqlite3_stmt *st;
    *version = 0;
    if (sqlite3_prepare_v2(reg->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

static dsc_status too_new(dsc_registry *reg, dsc_error *err, int version)
{
    dsc_set_error(err, DSC_ERR_IO, reg->path, 0,
                  "registry schema version %d is newer than this program (%d); upgrade mod_disclosure",
                  version, SCHEMA_VERSION);
    if (err)
        snprintf(err->message_zh, sizeof err->message_zh,
                 "登记库版本%d高于本程序支持的版本%d，请升级mod_disclosure", version, SCHEMA_VERSION);
    return DSC_ERR_IO;
}

static dsc_status migrate(dsc_registry *reg, dsc_error *err)
{
    int version;
    if (read_version(reg, &version) < 0)
        return db_error(reg, err, "reading the schema version");
    if (version > SCHEMA_VERSION)
        return too_new(reg, err, version);
    if (version == SCHEMA_VERSION)
        return DSC_OK;
    if (exec(reg, "BEGIN IMMEDIATE") != SQLITE_OK)
        return db_error(reg, err, "starting the migration");
    /* another process may have migrated while we waited for the lock */
    if (read_version(reg, &version) < 0) {
        dsc_status s = db_error(reg, err, "reading the schema version");
        exec(reg, "ROLLBACK");
        return s;
    }
    if (version > SCHEMA_VERSION) {
        exec(reg, "ROLLBACK");
        return too_new(reg, err, version);
    }
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

/* A read-only handle does not migrate, but it still must be a registry. */
static dsc_status probe(dsc_registry *reg, dsc_error *err)
{
    int version;
    if (read_version(reg, &version) < 0 ||
        exec(reg, "SELECT count(*) FROM sqlite_master") != SQLITE_OK)
        return db_error(reg, err, "reading");
    if (version > SCHEMA_VERSION)
        return too_new(reg, err, version);
    if (version < 1) {
        dsc_set_error(err, DSC_ERR_IO, reg->path, 0,
                      "registry: the file holds no registry (open it once read-write to create one)");
        if (err)
            snprintf(err->message_zh, sizeof err->message_zh, "该文件中没有登记库（请先以读写方式打开以创建）");
        return DSC_ERR_IO;
    }
    return DSC_OK;
}

dsc_status dsc_registry_open(const char *path, int readonly, int busy_ms, dsc_registry **out,
                             dsc_error *err)
{
    *out = NULL;
    if (err)
        memset(err, 0, sizeof *err);
    if (!path || !*path) {
        dsc_set_error(err, DSC_ERR_ARG, NULL, 0, "registry: no file name");
        return DSC_ERR_ARG;
    }
    dsc_registry *reg = calloc(1, sizeof(*reg));
    if (!reg || !(reg->path = strdup(path))) {
        free(reg);
        dsc_set_error(err, DSC_ERR_NOMEM, path, 0, "out of memory");
        return DSC_ERR_NOMEM;
    }
    reg->busy_ms = busy_ms > 0 ? busy_ms : 5000;
    int flags = SQLITE_OPEN_FULLMUTEX |
                (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path, &reg->db, flags, NULL) != SQLITE_OK) {
        dsc_status s = db_error(reg, err, "opening");
        dsc_registry_close(reg);
        return s;
    }
    sqlite3_busy_timeout(reg->db, reg->busy_ms);
    exec(reg, "PRAGMA foreign_keys = ON");
    /* statement and savepoint journals in memory: with the default, every
     * recorded page's savepoint wrote its sub-journal to a file in /var/tmp
     * (38,000 writes for a scan of 2,000 pages) */
    exec(reg, "PRAGMA temp_store = MEMORY");
    dsc_status s = DSC_OK;
    if (readonly) {
        s = probe(reg, err);
    } else if (exec(reg, "PRAGMA journal_mode = WAL") != SQLITE_OK ||
               exec(reg, "PRAGMA synchronous = NORMAL") != SQLITE_OK) {
        /* WAL lets serving read while a publish writes */
        s = db_error(reg, err, "setting up");
    } else {
        s = migrate(reg, err);
    }
    if (s != DSC_OK) {
        dsc_registry_close(reg);
        return s;
    }
    *out = reg;
    return DSC_OK;
}

void dsc_registry_close(dsc_registry *reg)
{
    if (!reg)
        return;
    /* a batch left open is committed, not lost */
    if (reg->db && !sqlite3_get_autocommit(reg->db))
        exec(reg, "COMMIT");
    for (int i = 0; i < DSC_REG_STMTS; i++)
        sqlite3_finalize(reg->stmt[i]);
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

/* A prepared statement kept for the handle's life: preparing the same SQL
 * for every page cost more than running it (a scan spent a third of its
 * registry time in sqlite3_prepare). Every user runs it to the end (or
 * resets it) before the next call, so one statement per SQL text is enough:
 * no caller nests two uses of the same one. */
static sqlite3_stmt *cached(dsc_registry *reg, const char *sql)
{
    for (int i = 0; i < DSC_REG_STMTS; i++) {
        if (reg->stmt_sql[i] == sql)
            return reg->stmt[i];
        if (!reg->stmt_sql[i]) {
            if (sqlite3_prepare_v3(reg->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &reg->stmt[i], NULL) != SQLITE_OK)
                return NULL;
            reg->stmt_sql[i] = sql;
            return reg->stmt[i];
        }
    }
    return NULL;
}

/* Done with a cached statement: ready for its next use. */
static void release(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

static int add_relations(dsc_registry *reg, const char *url, const dsc_result *res, int field,
                         const char *rel)
{
    for (size_t i = 0; i < res->list[field].n; i++) {
        sqlite3_stmt *st = cached(reg, "INSERT OR IGNORE INTO relations(src, rel, target) VALUES (?, ?, ?)");
        if (!st)
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
    sqlite3_stmt *st = cached(reg, sql);
    if (!st)
        return 0;
    bind_text(st, 1, a);
    bind_text(st, 2, b);
    return step_done(st);
}

/* page: the result's JSON, made by the caller outside the registry's lock
 * (it is most of a record's CPU, and threads checking pages in parallel
 * should not queue behind it); the function takes it over. */
static dsc_status dsc_registry_record_unlocked(dsc_registry *reg, const dsc_result *res, char *page,
                                               const char *content_hash, long long now, dsc_error *err)
{
    const char *url = res->url ? res->url : res->path;
    if (!url) {
        dsc_set_error(err, DSC_ERR_ARG, NULL, 0, "registry: a page needs a URL or a path");
        free(page);
        return DSC_ERR_ARG;
    }
    char *path = url_path_dup(url);
    dsc_status s = DSC_OK;
    /* in a batch the page is a savepoint of the batch's transaction */
    int batched = reg->batch > 0;
    if (batched && sqlite3_get_autocommit(reg->db)) {
        if (exec(reg, "BEGIN IMMEDIATE") != SQLITE_OK) {
            s = db_error(reg, err, "starting a write");
            goto out;
        }
        reg->pending = 0;
        reg->batch_started = (long long)time(NULL);
    }
    if (exec(reg, batched ? "SAVEPOINT page" : "BEGIN IMMEDIATE") != SQLITE_OK) {
        s = db_error(reg, err, "starting a write");
        goto out;
    }
    static const char upsert[] =
                           "INSERT INTO documents(url, path, kind, title, doc_number, issuer, pub_date,"
                           " validity, expiry_date, page_json, content_hash, first_seen, last_seen)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)"
                           " ON CONFLICT(url) DO UPDATE SET path = ?2, kind = ?3, title = ?4,"
                           " doc_number = ?5, issuer = ?6, pub_date = ?7, validity = ?8,"
                           " expiry_date = ?9, page_json = ?10, content_hash = ?11, last_seen = ?12";
    sqlite3_stmt *st = cached(reg, upsert);
    if (!st) {
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
    if (batched) {
        exec(reg, "RELEASE page");
        /* a batch commits every `batch` pages, and at least every second */
        if (++reg->pending >= reg->batch || (long long)time(NULL) > reg->batch_started) {
            if (exec(reg, "COMMIT") != SQLITE_OK)
                s = db_error(reg, err, "committing");
            reg->pending = 0;
        }
        goto out;
    }
    if (exec(reg, "COMMIT") != SQLITE_OK) {
        s = db_error(reg, err, "committing");
        goto rollback;
    }
    goto out;
rollback:
    if (batched) {
        exec(reg, "ROLLBACK TO page");
        exec(reg, "RELEASE page");
    } else {
        exec(reg, "ROLLBACK");
    }
out:
    free(path);
    free(page);
    return s;
}

dsc_status dsc_registry_record(dsc_registry *reg, const dsc_result *res, const char *content_hash,
                               long long now, dsc_error *err)
{
    char *page = res ? dsc_result_json(res, DSC_JSON_EXTRAS) : NULL;
    if (reg)
        dsc_reg_lock(reg);
    dsc_status r = dsc_registry_record_unlocked(reg, res, page, content_hash, now, err);
    if (reg)
        dsc_reg_unlock(reg);
    return r;
}

char *dsc_url_path(dsc_arena *a, const char *url)
{
    if (!url)
        return NULL;
    char *p = url_path_dup(url);
    char *s = p ? dsc_arena_strdup(a, p) : NULL;
    free(p);
    return s;
}

int dsc_reg_holds(dsc_registry *reg, const char *url)
{
    char *path = url_path_dup(url);
    sqlite3_stmt *st;
    int found = -1;
    if (path && (st = cached(reg, "SELECT 1 FROM documents WHERE url = ?1 OR path = ?2 LIMIT 1"))) {
        bind_text(st, 1, url);
        bind_text(st, 2, path);
        int rc = sqlite3_step(st);
        found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
        release(st);
    }
    free(path);
    return found < 0 ? query_failed(reg, "looking a page up") : found;
}

static int dsc_registry_holds_unlocked(dsc_registry *reg, const char *url)
{
    return reg && url && dsc_reg_holds(reg, url) > 0;
}

dsc_status dsc_registry_batch(dsc_registry *reg, int n, dsc_error *err)
{
    dsc_status s = DSC_OK;
    dsc_reg_lock(reg);
    if (n <= 0 && !sqlite3_get_autocommit(reg->db) && exec(reg, "COMMIT") != SQLITE_OK)
        s = db_error(reg, err, "committing a batch");
    reg->batch = n > 0 ? n : 0;
    reg->pending = 0;
    dsc_reg_unlock(reg);
    return s;
}

dsc_status dsc_registry_forget(dsc_registry *reg, const char *url, dsc_error *err)
{
    dsc_reg_lock(reg);
    dsc_status s = DSC_OK;
    /* relations go with the document (ON DELETE CASCADE) */
    if (!mark(reg, "DELETE FROM documents WHERE url = ?1", url, NULL))
        s = db_error(reg, err, "forgetting a page");
    dsc_reg_unlock(reg);
    return s;
}

int dsc_registry_holds(dsc_registry *reg, const char *url)
{
    if (reg)
        dsc_reg_lock(reg);
    int r = dsc_registry_holds_unlocked(reg, url);
    if (reg)
        dsc_reg_unlock(reg);
    return r;
}

#define DOC_COLUMNS "d.url, d.path, d.kind, d.title, d.doc_number, d.pub_date, d.validity, d.status, d.status_by"

static const char *column(dsc_arena *a, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? dsc_arena_strdup(a, (const char *)t) : NULL;
}

static void read_doc(dsc_arena *a, sqlite3_stmt *st, dsc_reg_doc *d)
{
    d->url = column(a, st, 0);
    d->path = column(a, st, 1);
    d->kind = column(a, st, 2);
    d->title = column(a, st, 3);
    d->doc_number = column(a, st, 4);
    d->pub_date = column(a, st, 5);
    d->validity = column(a, st, 6);
    d->status = column(a, st, 7);
    d->status_by = column(a, st, 8);
}

int dsc_reg_doc_get(dsc_registry *reg, dsc_arena *a, const char *url, dsc_reg_doc *out)
{
    memset(out, 0, sizeof *out);
    char *path = url_path_dup(url);
    sqlite3_stmt *st;
    int found = -1;
    /* the exact URL first, then any page at the same path */
    if (path && (st = cached(reg, "SELECT " DOC_COLUMNS " FROM documents d WHERE d.url = ?1 OR d.path = ?2"
                                  " ORDER BY d.url = ?1 DESC, d.url LIMIT 1"))) {
        bind_text(st, 1, url);
        bind_text(st, 2, path);
        int rc = sqlite3_step(st);
        found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
        if (found == 1)
            read_doc(a, st, out);
        release(st);
    }
    free(path);
    return found < 0 ? query_failed(reg, "reading a page") : found;
}

int dsc_reg_sources(dsc_registry *reg, dsc_arena *a, const char *rel, const char *target,
                    const char *not_path, dsc_reg_docs *out)
{
    out->items = NULL;
    out->n = 0;
    sqlite3_stmt *st = cached(reg, "SELECT " DOC_COLUMNS " FROM relations r JOIN documents d ON d.url = r.src"
                                    " WHERE r.rel = ?1 AND r.target = ?2 AND (?3 IS NULL OR d.path <> ?3)"
                                    " ORDER BY d.pub_date IS NULL, d.pub_date, d.url");
    if (!st)
        return query_failed(reg, "reading relations");
    bind_text(st, 1, rel);
    bind_text(st, 2, target);
    bind_text(st, 3, not_path);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 4;
            dsc_reg_doc *items = dsc_arena_alloc(a, cap * sizeof *items);
            if (!items)
                break;
            if (out->n)
                memcpy(items, out->items, out->n * sizeof *items);
            out->items = items;
        }
        read_doc(a, st, &out->items[out->n++]);
    }
    release(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : query_failed(reg, "reading relations");
}

int dsc_reg_targets(dsc_registry *reg, dsc_arena *a, const char *url, const char *rel,
                    const char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = cached(reg, "SELECT target FROM relations WHERE src = ?1 AND rel = ?2 ORDER BY target");
    if (!st)
        return query_failed(reg, "reading relations");
    bind_text(st, 1, url);
    bind_text(st, 2, rel);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 4;
            const char **items = dsc_arena_alloc(a, cap * sizeof *items);
            if (!items)
                break;
            if (*n)
                memcpy(items, *out, *n * sizeof *items);
            *out = items;
        }
        (*out)[(*n)++] = column(a, st, 0);
    }
    release(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : query_failed(reg, "reading relations");
}

static long long dsc_registry_generation_unlocked(dsc_registry *reg)
{
    sqlite3_stmt *st;
    long long n = -1;
    if (!reg)
        return -1;
    /* -1 (unknown) for a read-only handle on a registry older than schema 2 */
    if (sqlite3_prepare_v2(reg->db, "SELECT n FROM generation LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return query_failed(reg, "reading the generation");
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

long long dsc_registry_generation(dsc_registry *reg)
{
    if (reg)
        dsc_reg_lock(reg);
    long long r = dsc_registry_generation_unlocked(reg);
    if (reg)
        dsc_reg_unlock(reg);
    return r;
}
