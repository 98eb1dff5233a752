/* Library-internal declarations shared across src/. */
#ifndef DSC_INTERNAL_H
#define DSC_INTERNAL_H
#include "disclosure.h"

int dsc_date_year(int days);
int dsc_date_add_years(int days, int years);
int dsc_weekday(int days);

void dsc_log(dsc_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
