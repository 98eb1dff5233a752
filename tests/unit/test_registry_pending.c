/* Publishes in flight (registry_pending.c): a reservation is a committed row
 * another connection sees, a release removes only its own reservation, and a
 * registry that cannot be written refuses the reservation with a reason a
 * sysadmin can act on. Registry files live in a mkdtemp() directory. */
#include <ftw.h>
#include <sqlite3.h>
#include <unistd.h>

#include "helpers.h"

#define URL "https://www.example.gov.cn/zwgk/zcwj/202403/t20240308_1.html"

static char tmpdir[256];

static int setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dsc-test-pending-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    return helpers_setup(state);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    if (tmpdir[0])
        nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return helpers_teardown(state);
}

/* Rows of publishing for URL with this hash, read through a connection of
 * its own (what another httpd child sees). */
static int pending(const char *path, const char *hash)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM publishing WHERE url = ?1 AND content_hash = ?2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, URL, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_reserve_and_release(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/reg.sqlite", tmpdir);
    dsc_registry *reg = NULL;
    dsc_error err;
    assert_int_equal(dsc_registry_open(path, 0, 2000, &reg, &err), DSC_OK);

    assert_int_equal(dsc_registry_reserve(reg, URL, "aaaa", 1700000000, &err), DSC_OK);
    assert_int_equal(pending(path, "aaaa"), 1);
    /* a second publish of the same URL takes the reservation over */
    assert_int_equal(dsc_registry_reserve(reg, URL, "bbbb", 1700000001, &err), DSC_OK);
    assert_int_equal(pending(path, "aaaa"), 0);
    assert_int_equal(pending(path, "bbbb"), 1);
    /* the first one finishing does not release the second's */
    assert_int_equal(dsc_registry_release(reg, URL, "aaaa", &err), DSC_OK);
    assert_int_equal(pending(path, "bbbb"), 1);
    assert_int_equal(dsc_registry_release(reg, URL, "bbbb", &err), DSC_OK);
    assert_int_equal(pending(path, "bbbb"), 0);
    /* a reservation is not a document: cross-page rules do not see it */
    assert_int_equal(dsc_registry_reserve(reg, URL, "cccc", 1700000002, &err), DSC_OK);
    assert_false(dsc_registry_holds(reg, URL));
    dsc_registry_close(reg);
}

static void test_read_only_registry_refuses(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/ro.sqlite", tmpdir);
    dsc_registry *reg = NULL;
    dsc_error err;
    assert_int_equal(dsc_registry_open(path, 0, 2000, &reg, &err), DSC_OK);
    dsc_registry_close(reg);
    /* a handle that cannot write, as a child gets on a read-only file */
    assert_int_equal(dsc_registry_open(path, 1, 500, &reg, &err), DSC_OK);
    memset(&err, 0, sizeof err);
    assert_int_equal(dsc_registry_reserve(reg, URL, "aaaa", 1700000000, &err), DSC_ERR_IO);
    assert_non_null(strstr(err.message, "read-only"));
    assert_non_null(strstr(err.message_zh, "只读"));
    assert_int_equal(pending(path, "aaaa"), 0);
    /* and the handle is still usable for reading */
    assert_false(dsc_registry_holds(reg, URL));
    dsc_registry_close(reg);
}

static void test_locked_registry_refuses_after_the_busy_timeout(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/busy.sqlite", tmpdir);
    dsc_registry *reg = NULL;
    dsc_error err;
    assert_int_equal(dsc_registry_open(path, 0, 200, &reg, &err), DSC_OK);
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(dsc_registry_reserve(reg, URL, "aaaa", 1700000000, &err), DSC_ERR_IO);
    assert_non_null(strstr(err.message, "locked"));
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    /* once the lock is gone the same handle writes again */
    assert_int_equal(dsc_registry_reserve(reg, URL, "aaaa", 1700000000, &err), DSC_OK);
    assert_int_equal(pending(path, "aaaa"), 1);
    dsc_registry_close(reg);
}

int main(void)
{
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        TEST(test_reserve_and_release),
        TEST(test_read_only_registry_refuses),
        TEST(test_locked_registry_refuses_after_the_busy_timeout),
    };
    return cmocka_run_group_tests_name("registry_pending", tests, setup, teardown);
}
