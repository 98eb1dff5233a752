/* Publishes in flight: the module reserves a page's URL in the registry's
 * `publishing` table before the page is handed to the handler (mod_dav,
 * mod_proxy) and releases it once the page is recorded. The reservation is a
 * real write transaction, so a registry that cannot take one (read-only
 * file, full disk, a lock held too long) is found before anything is
 * published, and the publish fails closed. A row that stays behind names a
 * page the server stored but never recorded (the process died in between,
 * or the record failed): a scan of the docroot puts it right. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "registry.h"

/* Fill err from the connection's last failure, with the two reasons a
 * sysadmin must act on said plainly; the rest as registry.c says them. */
static dsc_status write_failed(dsc_registry *reg, dsc_error *err, const char *what)
{
    sqlite3 *db = dsc_reg_db(reg);
    int code = sqlite3_errcode(db) & 0xff;
    if (code == SQLITE_READONLY) {
        dsc_set_error(err, DSC_ERR_IO, dsc_reg_path(reg), 0,
                      "registry: %s: the registry is read-only (%s); check the file's and its directory's"
                      " permissions and mount, then restart httpd gracefully", what, sqlite3_errmsg(db));
        if (err)
            snprintf(err->message_zh, sizeof err->message_zh, "登记库只读，无法写入");
        return DSC_ERR_IO;
    }
    if (code == SQLITE_FULL) {
        dsc_set_error(err, DSC_ERR_IO, dsc_reg_path(reg), 0,
                      "registry: %s: the disk holding the registry is full (%s)", what, sqlite3_errmsg(db));
        if (err)
            snprintf(err->message_zh, sizeof err->message_zh, "登记库所在磁盘已满，无法写入");
        return DSC_ERR_IO;
    }
    return dsc_reg_error(reg, err, what);
}

/* One statement with (url, hash[, now]) in its own IMMEDIATE transaction:
 * IMMEDIATE takes the write lock up front, so a writer waits (busy timeout)
 * instead of failing on a stale snapshot. */
static dsc_status write_one(dsc_registry *reg, const char *sql, const char *url, const char *hash,
                            long long now, const char *what, dsc_error *err)
{
    sqlite3 *db = dsc_reg_db(reg);
    sqlite3_stmt *st = NULL;
    dsc_status s = DSC_OK;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return write_failed(reg, err, what);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        s = write_failed(reg, err, what);
        goto rollback;
    }
    sqlite3_bind_text(st, 1, url, -1, SQLITE_TRANSIENT);
    if (hash)
        sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 2);
    if (sqlite3_bind_parameter_count(st) >= 3)
        sqlite3_bind_int64(st, 3, now);
    if (sqlite3_step(st) != SQLITE_DONE) {
        s = write_failed(reg, err, what);
        goto rollback;
    }
    sqlite3_finalize(st);
    st = NULL;
    /* a full disk shows here: the WAL grows at commit */
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        s = write_failed(reg, err, what);
        goto rollback;
    }
    return DSC_OK;
rollback:
    sqlite3_finalize(st);
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return s;
}

dsc_status dsc_registry_reserve(dsc_registry *reg, const char *url, const char *content_hash, long long now,
                                dsc_error *err)
{
    if (!reg || !url) {
        dsc_set_error(err, DSC_ERR_ARG, NULL, 0, "registry: reserve needs a registry and a URL");
        return DSC_ERR_ARG;
    }
    dsc_reg_lock(reg);
    dsc_status s = write_one(reg,
                             "INSERT INTO publishing(url, content_hash, started) VALUES (?1, ?2, ?3)"
                             " ON CONFLICT(url) DO UPDATE SET content_hash = ?2, started = ?3",
                             url, content_hash, now, "reserving a page", err);
    dsc_reg_unlock(reg);
    return s;
}

dsc_status dsc_registry_release(dsc_registry *reg, const char *url, const char *content_hash, dsc_error *err)
{
    if (!reg || !url) {
        dsc_set_error(err, DSC_ERR_ARG, NULL, 0, "registry: release needs a registry and a URL");
        return DSC_ERR_ARG;
    }
    dsc_reg_lock(reg);
    /* only our own reservation: a later publish of the same URL may have
     * replaced it and still be in flight */
    dsc_status s = write_one(reg, "DELETE FROM publishing WHERE url = ?1 AND content_hash IS ?2", url, content_hash,
                             0, "releasing a page", err);
    dsc_reg_unlock(reg);
    return s;
}
