/* disclosure scan: the end of a scan. Its findings go to the registry
 * (store_finish) while the report files are written, each on a thread of
 * its own, up to --jobs threads: every one of them reads the pages file
 * again (10,000 pages: ~0.3 s of JSON parsing apiece), which would
 * otherwise run one after another on one CPU while the others idle. Reports
 * to standard output come after, one after another, in format order.
 *
 * The reports name the scan's registry id before the store has finished;
 * when storing fails, the report files are written again without it. The
 * HTML report's trend is the registry's earlier scans and this one, with
 * the counts this run found (its findings are not stored yet). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scan_int.h"

/* One format to one file. 0 or -1 (said on stderr). */
static int write_file(report_format f, const char *output_dir, const report_data *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", output_dir, report_file_name(f));
    FILE *out = fopen(path, "wb");
    int rc = out && report_write(f, d, out) == 0 ? 0 : -1;
    if (out && fclose(out) != 0)
        rc = -1;
    if (rc < 0)
        fprintf(stderr, "disclosure: %s: cannot write the report\n", path);
    return rc;
}

static int to_stdout(int f, const char *output_dir)
{
    return f == FMT_TEXT || !output_dir;
}

static int make_output_dir(const char *output_dir)
{
    if (output_dir && mkdir(output_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "disclosure: %s: cannot create the directory: %s\n", output_dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int write_stdout_reports(const int formats[FMT__COUNT], const char *output_dir, const report_data *d)
{
    int rc = 0;
    for (int f = 0; f < FMT__COUNT; f++)
        if (formats[f] && to_stdout(f, output_dir)) {
            if (report_write((report_format)f, d, stdout) < 0)
                rc = -1;
            fflush(stdout);
        }
    return rc;
}

/* The registry's scans, oldest first, this one's entry with this run's
 * counts: the HTML report's trend. NULL when the registry cannot say. */
static char *trend_scans(dsc_registry *reg, json_t *scan, long errors, long warnings)
{
    char *text = dsc_report_scans_json(reg);
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    json_t *all = json_object_get(doc, "scans");
    if (!json_is_array(all)) {
        json_decref(doc);
        return NULL;
    }
    json_int_t id = json_integer_value(json_object_get(scan, "id"));
    json_t *me = json_deep_copy(scan);
    json_object_set_new(me, "errors", json_integer(errors));
    json_object_set_new(me, "warnings", json_integer(warnings));
    size_t i;
    json_t *s;
    int found = 0;
    json_array_foreach(all, i, s)
        if (json_integer_value(json_object_get(s, "id")) == id) {
            json_array_set(all, i, me);
            found = 1;
        }
    if (!found)
        json_array_append(all, me);
    json_decref(me);
    char *out = json_dumps(all, JSON_COMPACT);
    json_decref(doc);
    return out;
}

typedef struct {
    const scan_opts *o;
    scan_store *store;
    long long id;
    json_t *scan;
    const report_data *d;
    int tasks[FMT__COUNT + 1]; /* -1: the store; else a report format */
    int ntasks;
    atomic_int next, reports_failed;
    int stored; /* the store's thread writes it, the caller reads it after the join */
} tail;

static void *tail_worker(void *arg)
{
    tail *t = arg;
    for (int i; (i = atomic_fetch_add(&t->next, 1)) < t->ntasks;) {
        if (t->tasks[i] < 0)
            t->stored = store_finish(t->store, t->id, t->scan, t->d->pages_file) == 0;
        else if (write_file((report_format)t->tasks[i], t->o->output_dir, t->d) < 0)
            atomic_store(&t->reports_failed, 1);
    }
    return NULL;
}

int scan_finish(const scan_opts *o, dsc_registry *reg, scan_store *store, long long id, json_t *scan,
                const char *pages_file, long errors, long warnings, int *stored)
{
    *stored = 0;
    json_object_set_new(scan, "id", json_integer(id));
    char *scans = trend_scans(reg, scan, errors, warnings);
    report_data d = {pages_file, scan, o->baseline != NULL, o->fail_on, scans};
    tail t = {.o = o, .store = store, .id = id, .scan = scan, .d = &d};
    atomic_init(&t.next, 0);
    atomic_init(&t.reports_failed, 0);
    int rc = make_output_dir(o->output_dir);
    t.tasks[t.ntasks++] = -1;
    for (int f = 0; rc == 0 && f < FMT__COUNT; f++)
        if (o->formats[f] && !to_stdout(f, o->output_dir))
            t.tasks[t.ntasks++] = f;
    int n = o->jobs < t.ntasks ? o->jobs : t.ntasks;
    pthread_t th[FMT__COUNT + 1];
    int started = 0;
    for (int i = 1; i < n; i++) /* the calling thread is the first */
        if (pthread_create(&th[started], NULL, tail_worker, &t) == 0)
            started++;
    tail_worker(&t);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (atomic_load(&t.reports_failed))
        rc = -1;
    *stored = t.stored;
    if (!t.stored) {
        /* the files named a scan the registry does not hold */
        json_object_set_new(scan, "id", json_null());
        d.scans = NULL;
        for (int i = 1; rc == 0 && i < t.ntasks; i++)
            if (write_file((report_format)t.tasks[i], o->output_dir, &d) < 0)
                rc = -1;
    }
    if (write_stdout_reports(o->formats, o->output_dir, &d) < 0)
        rc = -1;
    free(scans);
    return rc;
}
