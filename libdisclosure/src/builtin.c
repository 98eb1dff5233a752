/* The files built into the library (the default policy, taxonomy and
 * calendar) are the same bytes in every policy load, and parsing them was
 * most of a load: every load applies the default policy first, and both it
 * and most sites' policies name the built-in taxonomy and calendar. Each is
 * parsed and validated once per process, on first use, and then shared:
 * like the compiled policy, nothing changes them after loading, so threads
 * read them without a lock. Only successful loads are kept: a failing one
 * runs again and says the same thing. Files read from disk are never kept
 * (they may change between two loads, e.g. before a graceful restart). */
#include <pthread.h>

#include <libxml/tree.h>

#include "policy.h"

#define SLOTS 4 /* the library embeds one taxonomy and one calendar */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static xmlDocPtr policy_doc;
/* One embedded file's parsed form, keyed by the embedded bytes. */
typedef struct {
    const char *data;
    void *obj;
} slot;
static slot taxonomies[SLOTS], calendars[SLOTS];

typedef dsc_status loader(const char *path, const char *data, size_t len, void **out, dsc_error *err);

static dsc_status load_taxonomy(const char *path, const char *data, size_t len, void **out, dsc_error *err)
{
    dsc_taxonomy *t = NULL;
    dsc_status st = dsc_taxonomy_load(path, data, len, &t, err);
    *out = t;
    return st;
}

static dsc_status load_calendar(const char *path, const char *data, size_t len, void **out, dsc_error *err)
{
    dsc_calendar *c = NULL;
    dsc_status st = dsc_calendar_load(path, data, len, &c, err);
    *out = c;
    return st;
}

/* The shared parse of data from slots, loading it on first use. */
static dsc_status shared(slot *slots, loader *load, const char *path, const char *data, size_t len, void **out,
                         int *is_shared, dsc_error *err)
{
    dsc_status st = DSC_OK;
    *out = NULL;
    pthread_mutex_lock(&lock);
    size_t i = 0;
    while (i < SLOTS && slots[i].data && slots[i].data != data)
        i++;
    if (i < SLOTS && slots[i].data) {
        *out = slots[i].obj;
    } else if ((st = load(path, data, len, out, err)) == DSC_OK && i < SLOTS) {
        slots[i].data = data;
        slots[i].obj = *out;
    }
    *is_shared = *out && i < SLOTS;
    pthread_mutex_unlock(&lock);
    return st;
}

xmlDocPtr dsc_builtin_policy_doc(const char *path, dsc_error *err)
{
    pthread_mutex_lock(&lock);
    if (!policy_doc) {
        size_t len;
        const char *data = dsc_embedded("conf/policy.xml", &len);
        policy_doc = dsc_xml_load_valid(path, data, len, "disclosure-policy.xsd", err);
    }
    xmlDocPtr doc = policy_doc;
    pthread_mutex_unlock(&lock);
    return doc;
}

dsc_status dsc_builtin_taxonomy(const char *path, const char *data, size_t len, dsc_taxonomy **out,
                                int *is_shared, dsc_error *err)
{
    void *o;
    dsc_status st = shared(taxonomies, load_taxonomy, path, data, len, &o, is_shared, err);
    *out = o;
    return st;
}

dsc_status dsc_builtin_calendar(const char *path, const char *data, size_t len, dsc_calendar **out,
                                int *is_shared, dsc_error *err)
{
    void *o;
    dsc_status st = shared(calendars, load_calendar, path, data, len, &o, is_shared, err);
    *out = o;
    return st;
}

/* At exit, or when httpd unloads the module on a restart (it loads it
 * again with fresh statics): nothing left for valgrind or LeakSanitizer,
 * nothing lost per restart. */
__attribute__((destructor)) static void builtin_free(void)
{
    xmlFreeDoc(policy_doc);
    policy_doc = NULL;
    for (size_t i = 0; i < SLOTS; i++) {
        dsc_taxonomy_free(taxonomies[i].obj);
        dsc_calendar_free(calendars[i].obj);
        taxonomies[i] = calendars[i] = (slot){NULL, NULL};
    }
}
