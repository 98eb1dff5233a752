/* Calendar dates as days since 1970-01-01 (proleptic Gregorian). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "disclosure.h"

static int days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int)doe - 719468;
}

static void civil_from_days(int z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, unsigned m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static const char *skip_spaces(const char *p)
{
    for (;;) {
        if (*p == ' ' || *p == '\t')
            p++;
        else if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 &&
                 (unsigned char)p[2] == 0x80)
            p += 3; /* U+3000 */
        else
            return p;
    }
}

static int read_num(const char **pp, int min_digits, int max_digits, int *out)
{
    const char *p = *pp;
    int n = 0, v = 0;
    while (*p >= '0' && *p <= '9' && n < max_digits) {
        v = v * 10 + (*p - '0');
        p++;
        n++;
    }
    if (n < min_digits || (*p >= '0' && *p <= '9'))
        return -1;
    *out = v;
    *pp = p;
    return 0;
}

static int accept(const char **pp, const char *tok)
{
    size_t n = strlen(tok);
    if (strncmp(*pp, tok, n) == 0) {
        *pp += n;
        return 1;
    }
    return 0;
}

/* Optional time: [T or spaces] H:MM[:SS], also with 时/分 written out. */
static int read_time(const char **pp)
{
    const char *p = *pp;
    int h, mi, s;
    if (*p == 'T')
        p++;
    p = skip_spaces(p);
    if (read_num(&p, 1, 2, &h) < 0)
        return -1;
    if (!accept(&p, ":") && !accept(&p, "时") && !accept(&p, "時"))
        return -1;
    if (read_num(&p, 2, 2, &mi) < 0)
        return -1;
    accept(&p, "分");
    if (accept(&p, ":")) {
        if (read_num(&p, 2, 2, &s) < 0 || s > 59)
            return -1;
        accept(&p, "秒");
    }
    if (h > 23 || mi > 59)
        return -1;
    *pp = p;
    return 0;
}

int dsc_date_parse(const char *text, int *days)
{
    if (!text)
        return -1;
    const char *p = skip_spaces(text);
    int y, m, d;
    if (read_num(&p, 4, 4, &y) < 0)
        return -1;
    p = skip_spaces(p);
    int cjk = 0;
    char sep = 0;
    if (accept(&p, "年"))
        cjk = 1;
    else if (*p == '-' || *p == '/' || *p == '.')
        sep = *p++;
    else
        return -1;
    p = skip_spaces(p);
    if (read_num(&p, 1, 2, &m) < 0)
        return -1;
    p = skip_spaces(p);
    if (cjk ? !accept(&p, "月") : *p++ != sep)
        return -1;
    p = skip_spaces(p);
    if (read_num(&p, 1, 2, &d) < 0)
        return -1;
    if (cjk) {
        p = skip_spaces(p);
        if (!accept(&p, "日") && !accept(&p, "号"))
            return -1;
    }
    const char *rest = skip_spaces(p);
    if (*rest) {
        if (read_time(&rest) < 0)
            return -1;
        rest = skip_spaces(rest);
        if (*rest)
            return -1;
    }
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, (unsigned)m))
        return -1;
    *days = days_from_civil(y, (unsigned)m, (unsigned)d);
    return 0;
}

void dsc_date_format(int days, char *buf)
{
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, 11, "%04d-%02u-%02u", y, m, d);
}

int dsc_date_year(int days)
{
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    return y;
}

int dsc_date_add_years(int days, int years)
{
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    y += years;
    if (m == 2 && d == 29 && days_in_month(y, 2) == 28)
        d = 28;
    return days_from_civil(y, m, d);
}

int dsc_weekday(int days)
{
    /* 1970-01-01 was a Thursday; 0 = Sunday ... 6 = Saturday */
    int w = (days + 4) % 7;
    return w < 0 ? w + 7 : w;
}

int dsc_today(void)
{
    /* The portal's "today" is China Standard Time, whatever the server's TZ. */
    time_t now = time(NULL) + 8 * 3600;
    return (int)(now / 86400);
}
