/* What the cross-page rules and the serve-time status may ask the registry.
 * All SQL stays in registry.c, so another backend (a shared database server
 * for a portal on several web servers) replaces one file. */
#ifndef DSC_REGISTRY_H
#define DSC_REGISTRY_H
#include "arena.h"
#include "disclosure.h"

/* A held document as the registry stores it; strings live in the arena the
 * query was given and may be NULL. */
typedef struct {
    const char *url, *path, *kind, *title, *doc_number, *pub_date, *validity;
    const char *status, *status_by;
} dsc_reg_doc;

typedef struct {
    dsc_reg_doc *items;
    size_t n;
} dsc_reg_docs;

/* The path part of a URL, without query or fragment: how links between the
 * pages of one site compare (relations store link targets this way). */
char *dsc_url_path(dsc_arena *a, const char *url);

/* The held document at url, else one at the same path: 1 found, 0 not held,
 * -1 the registry failed (logged). */
int dsc_reg_doc_get(dsc_registry *reg, dsc_arena *a, const char *url, dsc_reg_doc *out);

/* Held documents with relation rel ("interpretation", "interprets",
 * "repeals", "amends" ...) to target (a path, or a document number for
 * repeals/amends), oldest pub_date first, leaving out the documents at
 * not_path. 0 ok, -1 the registry failed (logged). */
int dsc_reg_sources(dsc_registry *reg, dsc_arena *a, const char *rel, const char *target,
                    const char *not_path, dsc_reg_docs *out);

/* The targets of the relation rel that the document at url holds.
 * 0 ok, -1 the registry failed (logged). */
int dsc_reg_targets(dsc_registry *reg, dsc_arena *a, const char *url, const char *rel,
                    const char ***out, size_t *n);

/* 1 held, 0 not held, -1 the registry failed (logged). */
int dsc_reg_holds(dsc_registry *reg, const char *url);

/* One handle serves several threads (httpd workers): every public entry
 * point holds the connection's own (recursive) mutex for its whole run, so
 * one thread's BEGIN…COMMIT and error message are never interleaved with
 * another's. */
void dsc_reg_lock(dsc_registry *reg);
void dsc_reg_unlock(dsc_registry *reg);

/* The connection, for the other registry-side files (registry_report.c);
 * nothing outside them touches SQL. */
struct sqlite3 *dsc_reg_db(dsc_registry *reg);
const char *dsc_reg_path(dsc_registry *reg);

/* Fill err from the registry's last failure. */
dsc_status dsc_reg_error(dsc_registry *reg, dsc_error *err, const char *what);

#endif
