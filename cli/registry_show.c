/* disclosure registry show | export: read the SQLite file directly
 * (read-only), because they list everything, which the library's small
 * registry interface does not. */
#include <getopt.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "registry_cli.h"

#define BUSY_MS 5000

/* ---- reading the file for show and export ---- */

/* Validate through the library (same errors as everywhere), then read with
 * a read-only connection of our own. */
static sqlite3 *open_for_reading(const char *path)
{
    dsc_registry *reg = NULL;
    dsc_error err;
    if (dsc_registry_open(path, 1, BUSY_MS, &reg, &err) != DSC_OK) {
        cli_print_error(path, &err);
        return NULL;
    }
    dsc_registry_close(reg);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "disclosure: %s: %s\n", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, BUSY_MS);
    return db;
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "disclosure: registry: %s\n", sqlite3_errmsg(db));
        return NULL;
    }
    return st;
}

static const char *text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : NULL;
}

static const char *iso_time(long long t, char buf[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, 32, "%lld", t);
    return buf;
}

/* The status other documents give a page, as dsc_registry_page_status
 * computes it: a held repealing document first, then an amending one, then
 * the mark stored at record time. */
#define STATUS_SQL(d) \
    "CASE WHEN " d ".doc_number IS NOT NULL AND EXISTS (SELECT 1 FROM relations r JOIN documents s" \
    " ON s.url = r.src WHERE r.rel = 'repeals' AND r.target = " d ".doc_number AND s.path <> " d ".path)" \
    " THEN '废止' WHEN " d ".doc_number IS NOT NULL AND EXISTS (SELECT 1 FROM relations r JOIN documents s" \
    " ON s.url = r.src WHERE r.rel = 'amends' AND r.target = " d ".doc_number AND s.path <> " d ".path)" \
    " THEN '已修改' ELSE " d ".status END"

/* ---- show ---- */

/* Columns on a terminal: CJK characters take two cells. */
static size_t cells(const char *s)
{
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        uint32_t cp;
        int n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        cp = n == 1 ? *p : n == 2 ? *p & 0x1F : n == 3 ? *p & 0x0F : *p & 0x07;
        for (int i = 1; i < n && (p[i] & 0xC0) == 0x80; i++)
            cp = cp << 6 | (p[i] & 0x3F);
        w += (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                     (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                     (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                     (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD)
                 ? 2
                 : 1;
        for (p++; *p && (*p & 0xC0) == 0x80; p++)
            ;
    }
    return w;
}

static void cell(const char *s, size_t width)
{
    s = s && *s ? s : "-";
    fputs(s, stdout);
    for (size_t w = cells(s); w < width; w++)
        fputc(' ', stdout);
    fputs("  ", stdout);
}

static int show_list(sqlite3 *db)
{
    sqlite3_stmt *st = prepare(db, "SELECT d.path, d.kind, d.doc_number, " STATUS_SQL("d") ", d.title"
                                   " FROM documents d ORDER BY d.path, d.url");
    if (!st)
        return EXIT_CANNOT_RUN;
    size_t width[4] = {cells("path"), cells("kind"), cells("doc_number"), cells("status")};
    int rc;
    /* two passes: widths, then rows */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        for (int i = 0; i < 4; i++) {
            size_t w = cells(text(st, i) ? text(st, i) : "-");
            if (w > width[i])
                width[i] = w;
        }
    size_t n = 0;
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        const char *head[] = {"path", "kind", "doc_number", "status"};
        for (int i = 0; i < 4; i++)
            cell(head[i], width[i]);
        puts("title");
        for (; (rc = sqlite3_step(st)) == SQLITE_ROW; n++) {
            for (int i = 0; i < 4; i++)
                cell(text(st, i), width[i]);
            puts(text(st, 4) ? text(st, 4) : "-");
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "disclosure: registry: %s\n", sqlite3_errmsg(db));
        return EXIT_CANNOT_RUN;
    }
    printf("%zu 个文件 (%zu documents)\n", n, n);
    return EXIT_CLEAN;
}

/* Relations as "rel  other-end" lines; the statement's parameters ?1..?3
 * get a, b, c (NULL binds NULL). */
static void show_relations(sqlite3 *db, const char *sql, const char *a, const char *b, const char *c,
                           const char *heading)
{
    sqlite3_stmt *st = prepare(db, sql);
    if (!st)
        return;
    const char *args[] = {a, b, c};
    for (int i = 0; i < sqlite3_bind_parameter_count(st) && i < 3; i++)
        if (args[i])
            sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, i + 1);
    puts(heading);
    int any = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        printf("  %-16s %s\n", text(st, 0), text(st, 1));
        any = 1;
    }
    if (!any)
        puts("  -");
    sqlite3_finalize(st);
}

static int show_one(sqlite3 *db, const char *registry, const char *url)
{
    /* a full URL, or the path of one */
    const char *path = strstr(url, "://") ? strchr(strstr(url, "://") + 3, '/') : url;
    sqlite3_stmt *st = prepare(db, "SELECT url, path, kind, title, doc_number, issuer, pub_date, validity,"
                                   " expiry_date, content_hash, first_seen, last_seen FROM documents"
                                   " WHERE url = ?1 OR path = ?2 ORDER BY url = ?1 DESC, url LIMIT 1");
    if (!st)
        return EXIT_CANNOT_RUN;
    sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, path ? path : "/", -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        fprintf(stderr, "disclosure: %s: %s is not in the registry\n", registry, url);
        return EXIT_CANNOT_RUN;
    }
    static const char *const names[] = {"url", "path", "kind", "title", "doc_number", "issuer",
                                        "pub_date", "validity", "expiry_date", "content_hash"};
    for (int i = 0; i < 10; i++)
        printf("%-14s %s\n", names[i], text(st, i) ? text(st, i) : "-");
    char b1[32], b2[32];
    printf("%-14s %s\n%-14s %s\n", "first_seen", iso_time(sqlite3_column_int64(st, 10), b1), "last_seen",
           iso_time(sqlite3_column_int64(st, 11), b2));
    char *durl = strdup(text(st, 0)), *dpath = strdup(text(st, 1));
    char *num = text(st, 4) ? strdup(text(st, 4)) : NULL;
    sqlite3_finalize(st);
    if (!durl || !dpath) {
        free(durl);
        free(dpath);
        free(num);
        return EXIT_CANNOT_RUN;
    }
    show_relations(db, "SELECT rel, target FROM relations WHERE src = ?1 ORDER BY rel, target", durl, NULL,
                   NULL, "关联 relations (this page → others):");
    show_relations(db, "SELECT r.rel, r.src FROM relations r WHERE r.src <> ?1 AND ("
                       "(r.rel IN ('interpretation', 'interprets') AND r.target = ?2)"
                       " OR (r.rel IN ('repealed_by', 'amended_by') AND r.target = ?1)"
                       " OR (r.rel IN ('repeals', 'amends', 'repealed_by', 'amended_by') AND r.target = ?3))"
                       " ORDER BY r.rel, r.src",
                   durl, dpath, num, "被关联 relations (others → this page):");
    free(dpath);
    free(num);

    dsc_registry *reg = NULL;
    dsc_page_status *ps = NULL;
    dsc_error err;
    int rc = EXIT_CLEAN;
    if (dsc_registry_open(registry, 1, BUSY_MS, &reg, &err) != DSC_OK ||
        dsc_registry_page_status(reg, durl, &ps, &err) != DSC_OK) {
        cli_print_error(registry, &err);
        rc = EXIT_CANNOT_RUN;
    } else {
        printf("状态 status:     %s", ps->status ? ps->status : "-");
        if (ps->status_by)
            printf(" — %s%s%s %s (%s)", ps->status_by_number ? ps->status_by_number : "",
                   ps->status_by_number ? " " : "", ps->status_by_title ? ps->status_by_title : "",
                   ps->status_by, ps->status_by_date ? ps->status_by_date : "-");
        puts("");
        puts("解读 interpretations naming this page:");
        for (size_t i = 0; i < ps->ninterpretations; i++)
            printf("  %s  %s\n", ps->interpretation_urls[i],
                   ps->interpretation_titles[i] ? ps->interpretation_titles[i] : "-");
        if (!ps->ninterpretations)
            puts("  -");
        printf("generation     %lld\n", ps->changed);
    }
    dsc_page_status_free(ps);
    dsc_registry_close(reg);
    free(durl);
    return rc;
}

int cmd_registry_show(int argc, char **argv)
{
    registry_options o = {NULL, NULL, NULL, NULL, 0};
    int first = registry_parse_args(argc, argv, &o, 0);
    if (first < 0)
        return EXIT_CANNOT_RUN;
    if (argc - first > 1) {
        fputs("disclosure: registry show takes at most one URL\n", stderr);
        return EXIT_CANNOT_RUN;
    }
    sqlite3 *db = open_for_reading(o.registry);
    if (!db)
        return EXIT_CANNOT_RUN;
    int rc = first < argc ? show_one(db, o.registry, argv[first]) : show_list(db);
    sqlite3_close(db);
    return rc;
}

/* ---- export ---- */

#define EXPORT_COLUMNS 14
static const char *const export_names[EXPORT_COLUMNS] = {
    "url", "path", "kind", "title", "doc_number", "issuer", "pub_date", "validity",
    "expiry_date", "status", "status_by", "content_hash", "first_seen", "last_seen"};
static const char *const relation_names[] = {"interpretation", "interprets", "repeals",
                                             "amends", "repealed_by", "amended_by"};
#define NRELATIONS (sizeof relation_names / sizeof relation_names[0])

static json_t *json_str(const char *s)
{
    json_t *j = s ? json_string(s) : json_null();
    return j ? j : json_string("\xEF\xBF\xBD");
}

static void csv_field(const char *s, int last)
{
    s = s ? s : "";
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', stdout);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', stdout);
            fputc(*s, stdout);
        }
        fputc('"', stdout);
    } else {
        fputs(s, stdout);
    }
    fputs(last ? "\r\n" : ",", stdout);
}

/* The targets of one relation of one document, one per line. */
static char *targets_of(sqlite3_stmt *rel, const char *url, const char *name)
{
    sqlite3_reset(rel);
    sqlite3_bind_text(rel, 1, url, -1, SQLITE_STATIC);
    sqlite3_bind_text(rel, 2, name, -1, SQLITE_STATIC);
    size_t len = 0;
    char *out = NULL;
    while (sqlite3_step(rel) == SQLITE_ROW) {
        const char *t = text(rel, 0);
        size_t n = strlen(t);
        char *grown = realloc(out, len + n + 2);
        if (!grown)
            break;
        out = grown;
        if (len)
            out[len++] = '\n';
        memcpy(out + len, t, n + 1);
        len += n;
    }
    return out;
}

static int export_csv(sqlite3 *db, sqlite3_stmt *docs)
{
    sqlite3_stmt *rel = prepare(db, "SELECT target FROM relations WHERE src = ?1 AND rel = ?2 ORDER BY target");
    if (!rel)
        return -1;
    for (int i = 0; i < EXPORT_COLUMNS; i++)
        csv_field(export_names[i], 0);
    for (size_t k = 0; k < NRELATIONS; k++)
        csv_field(relation_names[k], k + 1 == NRELATIONS);
    int rc;
    while ((rc = sqlite3_step(docs)) == SQLITE_ROW) {
        char b[32];
        for (int i = 0; i < EXPORT_COLUMNS; i++)
            csv_field(i >= 12 ? iso_time(sqlite3_column_int64(docs, i), b) : text(docs, i), 0);
        for (size_t k = 0; k < NRELATIONS; k++) {
            char *t = targets_of(rel, text(docs, 0), relation_names[k]);
            csv_field(t, k + 1 == NRELATIONS);
            free(t);
        }
    }
    sqlite3_finalize(rel);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int export_json(sqlite3 *db, sqlite3_stmt *docs)
{
    json_t *root = json_object(), *jd = json_array(), *jr = json_array();
    int version = 0, rc;
    sqlite3_stmt *v = prepare(db, "PRAGMA user_version");
    if (v && sqlite3_step(v) == SQLITE_ROW)
        version = sqlite3_column_int(v, 0);
    sqlite3_finalize(v);
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "schema_version", json_integer(version));
    while ((rc = sqlite3_step(docs)) == SQLITE_ROW) {
        json_t *o = json_object();
        char b[32];
        for (int i = 0; i < EXPORT_COLUMNS; i++)
            json_object_set_new(o, export_names[i],
                                i >= 12 ? json_string(iso_time(sqlite3_column_int64(docs, i), b))
                                        : json_str(text(docs, i)));
        json_t *page = text(docs, EXPORT_COLUMNS) ? json_loads(text(docs, EXPORT_COLUMNS), 0, NULL) : NULL;
        json_object_set_new(o, "page", page ? page : json_null());
        json_array_append_new(jd, o);
    }
    sqlite3_stmt *rel = rc == SQLITE_DONE ? prepare(db, "SELECT src, rel, target FROM relations ORDER BY src, rel, target") : NULL;
    if (rel) {
        while ((rc = sqlite3_step(rel)) == SQLITE_ROW) {
            json_t *o = json_object();
            json_object_set_new(o, "src", json_str(text(rel, 0)));
            json_object_set_new(o, "rel", json_str(text(rel, 1)));
            json_object_set_new(o, "target", json_str(text(rel, 2)));
            json_array_append_new(jr, o);
        }
        sqlite3_finalize(rel);
    }
    json_object_set_new(root, "documents", jd);
    json_object_set_new(root, "relations", jr);
    if (rc == SQLITE_DONE) {
        json_dumpf(root, stdout, JSON_PRESERVE_ORDER | JSON_INDENT(2));
        fputc('\n', stdout);
    }
    json_decref(root);
    return rc == SQLITE_DONE ? 0 : -1;
}

int cmd_registry_export(int argc, char **argv)
{
    registry_options o = {NULL, NULL, NULL, "json", 0};
    int first = registry_parse_args(argc, argv, &o, 1);
    if (first < 0)
        return EXIT_CANNOT_RUN;
    if (first < argc) {
        fprintf(stderr, "disclosure: registry export takes no argument \"%s\"\n", argv[first]);
        return EXIT_CANNOT_RUN;
    }
    sqlite3 *db = open_for_reading(o.registry);
    if (!db)
        return EXIT_CANNOT_RUN;
    /* one read transaction: documents and relations from the same moment */
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *docs = prepare(db, "SELECT url, path, kind, title, doc_number, issuer, pub_date, validity,"
                                     " expiry_date, status, status_by, content_hash, first_seen, last_seen,"
                                     " page_json FROM documents ORDER BY path, url");
    int rc = docs ? (strcmp(o.format, "csv") == 0 ? export_csv(db, docs) : export_json(db, docs)) : -1;
    if (rc < 0)
        fprintf(stderr, "disclosure: %s: %s\n", o.registry, sqlite3_errmsg(db));
    sqlite3_finalize(docs);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc < 0 ? EXIT_CANNOT_RUN : EXIT_CLEAN;
}

