/* Working-day calendar: statutory holidays and 调休 working weekends
 * (schemas/calendar.xsd). Outside its range, Monday–Friday is assumed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "policy.h"

enum { DAY_NORMAL = 0, DAY_HOLIDAY = 1, DAY_WORKDAY = 2 };

struct dsc_calendar {
    int from, to;          /* inclusive, days since epoch */
    unsigned char *days;   /* to - from + 1 entries */
    char range[32];
};

static int date_prop(xmlNodePtr n, const char *name, int *out)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    int rc = v ? dsc_date_parse((const char *)v, out) : -1;
    xmlFree(v);
    return rc;
}

dsc_status dsc_calendar_load(const char *path, const char *data, size_t len,
                             dsc_calendar **out, dsc_error *err)
{
    xmlDocPtr doc = dsc_xml_load_valid(path, data, len, "calendar.xsd", err);
    if (!doc)
        return err ? err->code : DSC_ERR_POLICY;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    dsc_calendar *c = calloc(1, sizeof(*c));
    if (date_prop(root, "from", &c->from) < 0 || date_prop(root, "to", &c->to) < 0 ||
        c->to < c->from) {
        dsc_set_error(err, DSC_ERR_POLICY, path, xmlGetLineNo(root),
                      "calendar: from/to must be dates with from <= to");
        goto fail;
    }
    c->days = calloc((size_t)(c->to - c->from + 1), 1);
    for (xmlNodePtr y = root->children; y; y = y->next) {
        if (y->type != XML_ELEMENT_NODE)
            continue;
        for (xmlNodePtr n = y->children; n; n = n->next) {
            if (n->type != XML_ELEMENT_NODE)
                continue;
            int a, b;
            unsigned char mark;
            if (strcmp((const char *)n->name, "holiday") == 0) {
                if (date_prop(n, "from", &a) < 0 || date_prop(n, "to", &b) < 0 || b < a) {
                    dsc_set_error(err, DSC_ERR_POLICY, path, xmlGetLineNo(n),
                                  "calendar: holiday needs dates with from <= to");
                    goto fail;
                }
                mark = DAY_HOLIDAY;
            } else if (strcmp((const char *)n->name, "workday") == 0) {
                if (date_prop(n, "date", &a) < 0) {
                    dsc_set_error(err, DSC_ERR_POLICY, path, xmlGetLineNo(n),
                                  "calendar: workday needs a valid date");
                    goto fail;
                }
                b = a;
                mark = DAY_WORKDAY;
            } else {
                continue;
            }
            if (a < c->from || b > c->to) {
                dsc_set_error(err, DSC_ERR_POLICY, path, xmlGetLineNo(n),
                              "calendar: date outside the calendar's from/to range");
                goto fail;
            }
            for (int d = a; d <= b; d++) {
                if (c->days[d - c->from] && c->days[d - c->from] != mark) {
                    char buf[11];
                    dsc_date_format(d, buf);
                    dsc_set_error(err, DSC_ERR_POLICY, path, xmlGetLineNo(n),
                                  "calendar: %s is both a holiday and a working day", buf);
                    goto fail;
                }
                c->days[d - c->from] = mark;
            }
        }
    }
    snprintf(c->range, sizeof c->range, "%d-%d", dsc_date_year(c->from), dsc_date_year(c->to));
    xmlFreeDoc(doc);
    *out = c;
    return DSC_OK;
fail:
    xmlFreeDoc(doc);
    dsc_calendar_free(c);
    return DSC_ERR_POLICY;
}

void dsc_calendar_free(dsc_calendar *c)
{
    if (!c)
        return;
    free(c->days);
    free(c);
}

const char *dsc_calendar_range(const dsc_calendar *c)
{
    return c->range;
}

int dsc_is_working_day(const dsc_policy *p, int day, int *beyond)
{
    const dsc_calendar *c = p->calendar;
    if (c && day >= c->from && day <= c->to) {
        unsigned char m = c->days[day - c->from];
        if (m == DAY_HOLIDAY)
            return 0;
        if (m == DAY_WORKDAY)
            return 1;
    } else if (beyond) {
        *beyond = 1;
    }
    int w = dsc_weekday(day);
    return w != 0 && w != 6;
}

int dsc_working_days(const dsc_policy *p, int from, int to, int *beyond)
{
    int n = 0;
    if (beyond)
        *beyond = 0;
    for (int d = from + 1; d <= to; d++)
        n += dsc_is_working_day(p, d, beyond);
    return n;
}
