/* Reports rendered from stored scans (registry) or from a file of page
 * objects (a scan in progress): HTML, JSON, CSV. The writers see pages only
 * through an iterator, so they hold no SQL and stream one page at a time. */
#ifndef DSC_REPORT_H
#define DSC_REPORT_H
#include <jansson.h>
#include <stdio.h>

#include "disclosure.h"

/* Called once per page object (RULES.md "Output"; findings may carry
 * "known": true; "column" may be set). Return 0 to go on. The page is
 * borrowed for the call. */
typedef int dsc_page_fn(void *baton, json_t *page);

typedef struct {
    /* Call fn on every page, in order; may be called more than once (HTML
     * reads the pages twice). 0 ok, -1 failed. */
    int (*each)(void *src, dsc_page_fn *fn, void *baton);
    void *src;
    json_t *scan;      /* {"id","started","finished","sources","pages","fetch_errors"} or NULL */
    json_t *trend;     /* earlier scans and this one, oldest first, each with "errors"
                        * and "warnings"; NULL when the pages come from no registry */
    int have_baseline;
} dsc_report_src;

int dsc_report_html(const dsc_report_src *s, FILE *out);
int dsc_report_json(const dsc_report_src *s, FILE *out);
int dsc_report_csv(const dsc_report_src *s, FILE *out);

/* report_svg.c: escaping and the inline SVG charts. */
void dsc_html_escape(FILE *out, const char *s);
/* map: key -> [errors, warnings]; the limit largest, stacked bars. */
void dsc_svg_bars(FILE *out, json_t *map, const char *title, size_t limit);
/* scans as in dsc_report_src.trend; current is the scan the report is about. */
void dsc_svg_trend(FILE *out, json_t *scans, long long current);

/* ---- registry_report.c: the only SQL of reports ---- */

/* Every stored scan, oldest first, with "errors" and "warnings" counted
 * from its findings. An empty array when the registry holds none; NULL
 * when it failed (logged). */
json_t *dsc_reg_scan_list(dsc_registry *reg);
/* The scan with this id (0: the latest) into *out. 1 found, 0 no such
 * scan, -1 the registry failed (logged). */
int dsc_reg_scan_get(dsc_registry *reg, long long id, json_t **out);
/* The pages of scan id with the findings stored for it; id 0: every held
 * document with the findings of its stored page object. */
int dsc_reg_scan_pages(dsc_registry *reg, long long id, dsc_page_fn *fn, void *baton);
/* The held document at url (else one at its path): its columns and the
 * stored page object as "page". 1 found, 0 not held, -1 failed (logged). */
int dsc_reg_page_get(dsc_registry *reg, const char *url, json_t **out);

#endif
