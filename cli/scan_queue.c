/* disclosure scan: the bounded work queue and the checking threads.
 *
 * Phase 1 (collection): collectors (file walk, fetcher) push pages; each
 * thread checks one (dsc_check), records it (dsc_registry_record, then its
 * scan_pages row) and keeps the result for phase 2 while the budget allows,
 * else only where its bytes are (fetched bytes are spooled to a file).
 * Phase 2 (verdicts): once the registry holds the whole site, each page gets
 * the cross-page rules (dsc_registry_check_page) on its kept result — or on
 * a new check of its file when it was not kept (budget exceeded, or recorded
 * by the interrupted run a resume continues) — and becomes one JSON line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scan_int.h"

int set_add(str_set *s, const char *key)
{
    pthread_mutex_lock(&s->mu);
    int added = json_object_get(s->obj, key) == NULL;
    if (added)
        json_object_set_new(s->obj, key, json_true());
    pthread_mutex_unlock(&s->mu);
    return added;
}

/* A full queue wakes its producer (the file walk, the fetcher) only once it
 * has drained to half: one wake-up per several pages instead of a context
 * switch to and from the producer for every page taken. */
void queue_push(scan_state *s, work w)
{
    pthread_mutex_lock(&s->mu);
    while (s->qlen == s->qcap) {
        s->producers_waiting++;
        pthread_cond_wait(&s->not_full, &s->mu);
        s->producers_waiting--;
    }
    s->q[(s->qhead + s->qlen++) % s->qcap] = w;
    atomic_fetch_add(&s->queued, 1);
    pthread_cond_signal(&s->not_empty);
    pthread_mutex_unlock(&s->mu);
}

static int queue_pop(scan_state *s, work *w)
{
    pthread_mutex_lock(&s->mu);
    while (s->qlen == 0 && !s->closing)
        pthread_cond_wait(&s->not_empty, &s->mu);
    if (s->qlen == 0) {
        pthread_mutex_unlock(&s->mu);
        return 0;
    }
    *w = s->q[s->qhead];
    s->qhead = (s->qhead + 1) % s->qcap;
    s->qlen--;
    if (s->producers_waiting && s->qlen <= s->qcap / 2)
        pthread_cond_broadcast(&s->not_full);
    pthread_mutex_unlock(&s->mu);
    return 1;
}

/* A new file in the spool directory (never one an earlier run left). */
static char *spool_page(scan_state *s, const char *data, size_t len)
{
    size_t fl = strlen(s->spool_dir) + 48;
    char *path = malloc(fl);
    if (!path)
        return NULL;
    for (int tries = 0; tries < 1000; tries++) {
        pthread_mutex_lock(&s->mu);
        long n = ++s->spool_seq;
        pthread_mutex_unlock(&s->mu);
        snprintf(path, fl, "%s/%ld-%ld.html", s->spool_dir, (long)getpid(), n);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            break;
        FILE *f = fdopen(fd, "wb");
        int ok = f && fwrite(data, 1, len, f) == len;
        if (f ? fclose(f) != 0 : close(fd) != 0)
            ok = 0;
        if (ok)
            return path;
        unlink(path);
        break;
    }
    free(path);
    return NULL;
}

int add_page(scan_state *s, page_entry e)
{
    pthread_mutex_lock(&s->mu);
    if (s->npages == s->cappages) {
        size_t cap = s->cappages ? s->cappages * 2 : 256;
        page_entry *p = realloc(s->pages, cap * sizeof *p);
        if (p) {
            s->pages = p;
            s->cappages = cap;
        }
    }
    int ok = s->npages < s->cappages;
    if (ok)
        s->pages[s->npages++] = e;
    pthread_mutex_unlock(&s->mu);
    return ok ? 0 : -1;
}

/* Phase 1: check and record one page; keep its result or where its bytes are. */
static void collect_one(scan_state *s, work *w)
{
    char *data = w->data;
    size_t len = w->len;
    int too_large = 0;
    dsc_result *res = NULL;
    if (!data) {
        if (cli_read_file(w->file, dsc_policy_max_bytes(s->policy), &data, &len, &too_large) < 0) {
            fprintf(stderr, "disclosure: %s: cannot read the file\n", w->file);
            atomic_fetch_add(&s->fetch_errors, 1);
            goto out;
        }
    } else {
        too_large = len > dsc_policy_max_bytes(s->policy);
        if (!(w->file = spool_page(s, data, len))) {
            fprintf(stderr, "disclosure: %s: cannot spool the page\n", w->url);
            atomic_fetch_add(&s->fetch_errors, 1);
            goto out;
        }
    }
    if (too_large) {
        fprintf(stderr, "disclosure: %s: 页面超过%zu字节上限，未检查 (page larger than the limit, not checked)\n",
                w->url, dsc_policy_max_bytes(s->policy));
        atomic_fetch_add(&s->fetch_errors, 1);
        goto out;
    }
    dsc_input in = {data, len, w->charset, w->url, w->docroot ? w->file : NULL, s->o->today};
    dsc_error err;
    atomic_fetch_add(&s->parsed, 1);
    if (dsc_check(s->policy, &in, &res, &err) != DSC_OK) {
        fprintf(stderr, "disclosure: %s: %s (%s)\n", w->url, err.message_zh, err.message);
        atomic_fetch_add(&s->fetch_errors, 1);
        goto out;
    }
    atomic_fetch_add(&s->findings, (long)dsc_result_nfindings(res));
    char hash[41];
    dsc_content_hash(data, len, hash);
    if (dsc_registry_record(s->reg, res, hash, (long long)time(NULL), &err) != DSC_OK) {
        cli_print_error(w->url, &err);
        atomic_fetch_add(&s->fetch_errors, 1);
        goto out;
    }
    /* after the page itself: a row here means the registry holds it */
    if (s->store && store_page(s->store, s->scan_id, w->url, w->requested, w->file, w->charset, w->docroot) < 0) {
        atomic_fetch_add(&s->fetch_errors, 1);
        goto out;
    }
    pthread_mutex_lock(&s->mu);
    int keep = s->kept_pages < s->keep_limit;
    if (keep)
        s->kept_pages++;
    pthread_mutex_unlock(&s->mu);
    if (keep)
        res = dsc_result_compact(res);
    if (add_page(s, (page_entry){w->url, w->file, w->charset, w->docroot, keep ? res : NULL}) == 0) {
        w->url = w->file = w->charset = NULL;
        if (keep)
            res = NULL;
    }
out:
    dsc_result_free(res);
    atomic_fetch_add(&s->done, 1);
    if (data != w->data)
        free(data);
    free(w->data);
    free(w->url);
    free(w->requested);
    free(w->file);
    free(w->charset);
}

static void *collect_worker(void *arg)
{
    scan_state *s = arg;
    work w;
    while (queue_pop(s, &w))
        collect_one(s, &w);
    return NULL;
}

void pool_start(scan_pool *p)
{
    p->t = calloc((size_t)p->n, sizeof *p->t);
    for (int i = 0; p->t && i < p->n; i++)
        if (pthread_create(&p->t[i], NULL, collect_worker, p->s) == 0)
            p->started++;
}

void pool_finish(scan_pool *p)
{
    pthread_mutex_lock(&p->s->mu);
    p->s->closing = 1;
    pthread_cond_broadcast(&p->s->not_empty);
    pthread_mutex_unlock(&p->s->mu);
    if (!p->started)
        collect_worker(p->s);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->t[i], NULL);
    free(p->t);
}

/* The page's result for phase 2: the kept one, or a new check of its file. */
static dsc_result *page_result(scan_state *s, page_entry *p)
{
    dsc_result *res = p->kept;
    p->kept = NULL;
    if (res)
        return res;
    char *data;
    size_t len;
    int too_large;
    if (cli_read_file(p->file, dsc_policy_max_bytes(s->policy), &data, &len, &too_large) < 0)
        return NULL;
    dsc_input in = {data, len, p->charset, p->url, p->docroot ? p->file : NULL, s->o->today};
    dsc_error err;
    atomic_fetch_add(&s->parsed, 1);
    dsc_status st = dsc_check(s->policy, &in, &res, &err);
    free(data);
    return st == DSC_OK ? res : NULL;
}

/* The baseline's key of a finding: (URL, rule, field). */
static int baseline_known(scan_state *s, const char *url, const dsc_finding *f)
{
    if (!json_object_size(s->baseline.obj))
        return 0;
    char key[2048];
    snprintf(key, sizeof key, "%s\x1f%s\x1f%s", url, f->rule ? f->rule : "", f->field ? f->field : "");
    return json_object_get(s->baseline.obj, key) != NULL;
}

/* Mark the findings the baseline knows ("known": true) in the page's JSON
 * line: parsed again only for the pages that have one. */
static char *mark_known(char *js, const unsigned char *known, size_t n)
{
    json_t *page = json_loads(js, 0, NULL);
    json_t *fs = json_object_get(page, "findings");
    if (!page || json_array_size(fs) != n) {
        json_decref(page);
        return js;
    }
    for (size_t i = 0; i < n; i++)
        if (known[i])
            json_object_set_new(json_array_get(fs, i), "known", json_true());
    char *line = json_dumps(page, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(page);
    if (!line)
        return js;
    free(js);
    return line;
}

/* Phase 2: the page's final verdict, as one JSON line. */
static void verdict_one(scan_state *s, page_entry *p)
{
    dsc_result *res = page_result(s, p);
    if (!res)
        return;
    dsc_registry_check_page(s->reg, res);
    size_t n = dsc_result_nfindings(res);
    unsigned char *known = n ? calloc(n, 1) : NULL;
    size_t nknown = 0;
    for (size_t i = 0; i < n; i++) {
        const dsc_finding *f = dsc_result_finding(res, i);
        int is_error = f->severity == DSC_SEV_ERROR;
        atomic_fetch_add(is_error ? &s->errors : &s->warnings, 1);
        if (known && baseline_known(s, p->url, f)) {
            known[i] = 1;
            nknown++;
            atomic_fetch_add(&s->known, 1);
        } else if (is_error || s->o->fail_on == DSC_SEV_WARNING) {
            atomic_fetch_add(&s->failing, 1);
        }
    }
    char *line = dsc_result_json(res, DSC_JSON_EXTRAS);
    dsc_result_free(res);
    if (line && nknown)
        line = mark_known(line, known, n);
    free(known);
    if (!line)
        return;
    pthread_mutex_lock(&s->mu);
    fputs(line, s->out);
    fputc('\n', s->out);
    pthread_mutex_unlock(&s->mu);
    free(line);
    atomic_fetch_add(&s->done, 1);
}

static void *verdict_worker(void *arg)
{
    scan_state *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        size_t i = s->next++;
        pthread_mutex_unlock(&s->mu);
        if (i >= s->npages)
            return NULL;
        verdict_one(s, &s->pages[i]);
    }
}

void run_verdicts(scan_state *s, int jobs)
{
    pthread_t *t = calloc((size_t)jobs, sizeof *t);
    int started = 0;
    for (int i = 0; t && i < jobs; i++)
        if (pthread_create(&t[i], NULL, verdict_worker, s) == 0)
            started++;
    if (!started)
        verdict_worker(s);
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);
}
