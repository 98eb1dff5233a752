/* The inline SVG charts of the HTML report, and the escaping every page-
 * derived text goes through (titles, issuers, columns are hostile input). */
#include <stdlib.h>
#include <string.h>

#include "report.h"

void dsc_html_escape(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            /* control characters are not allowed in XML (inline SVG) */
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
                fputc(' ', out);
            else
                fputc(*p, out);
        }
    }
}

typedef struct {
    const char *key;
    long e, w;
} bar;

static int by_total(const void *a, const void *b)
{
    const bar *x = a, *y = b;
    long d = (y->e + y->w) - (x->e + x->w);
    return d ? (d > 0 ? 1 : -1) : strcmp(x->key, y->key);
}

void dsc_svg_bars(FILE *out, json_t *map, const char *title, size_t limit)
{
    size_t n = json_object_size(map), k = 0;
    bar *bars = calloc(n ? n : 1, sizeof *bars);
    if (!bars)
        return;
    const char *key;
    json_t *v;
    json_object_foreach(map, key, v) {
        bars[k++] = (bar){key, (long)json_integer_value(json_array_get(v, 0)),
                          (long)json_integer_value(json_array_get(v, 1))};
    }
    qsort(bars, n, sizeof *bars, by_total);
    if (n > limit)
        n = limit;
    long max = 1;
    for (size_t i = 0; i < n; i++)
        if (bars[i].e + bars[i].w > max)
            max = bars[i].e + bars[i].w;
    fputs("<figure class=\"chart\"><figcaption>", out);
    dsc_html_escape(out, title);
    fputs("</figcaption>\n", out);
    if (!n)
        fputs("<p>无 none</p>", out);
    else {
        int h = (int)n * 26 + 8;
        fprintf(out, "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"960\" height=\"%d\""
                     " viewBox=\"0 0 960 %d\">\n", h, h);
        for (size_t i = 0; i < n; i++) {
            int y = (int)i * 26 + 4;
            double we = 560.0 * (double)bars[i].e / (double)max, ww = 560.0 * (double)bars[i].w / (double)max;
            fprintf(out, "<text x=\"310\" y=\"%d\" text-anchor=\"end\" font-size=\"13\">", y + 15);
            dsc_html_escape(out, bars[i].key);
            fprintf(out, "</text><rect x=\"320\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"#c62828\"><title>错误 errors %ld</title></rect>"
                         "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"#f9a825\"><title>警告 warnings %ld</title></rect>"
                         "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%ld / %ld</text>\n",
                    y, we, bars[i].e, 320 + we, y, ww, bars[i].w, 326 + we + ww, y + 14, bars[i].e, bars[i].w);
        }
        fputs("</svg>\n", out);
    }
    fputs("</figure>\n", out);
    free(bars);
}

/* ---- the trend: errors and warnings per stored scan ---- */

#define TW 960
#define TH 280
#define LEFT 60
#define RIGHT 50
#define TOP 20
#define BOTTOM 60

static long long ival(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

static double px(size_t i, size_t n)
{
    return n > 1 ? LEFT + (double)(TW - LEFT - RIGHT) * (double)i / (double)(n - 1) : LEFT + (TW - LEFT - RIGHT) / 2.0;
}

static double py(long long v, long long max)
{
    return TOP + (double)(TH - TOP - BOTTOM) * (1.0 - (double)v / (double)max);
}

static void line(FILE *out, json_t *scans, const char *key, long long max, const char *colour, const char *label)
{
    size_t n = json_array_size(scans), i;
    json_t *s;
    fprintf(out, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" points=\"", key, colour);
    json_array_foreach(scans, i, s)
        fprintf(out, "%s%.1f,%.1f", i ? " " : "", px(i, n), py(ival(s, key), max));
    fputs("\"/>\n", out);
    json_array_foreach(scans, i, s)
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>#%lld %s %lld</title></circle>\n",
                px(i, n), py(ival(s, key), max), colour, ival(s, "id"), label, ival(s, key));
}

void dsc_svg_trend(FILE *out, json_t *scans, long long current)
{
    size_t n = json_array_size(scans), i;
    json_t *s;
    fputs("<figure class=\"chart\"><figcaption>各次扫描的错误与警告 Errors and warnings per scan</figcaption>\n", out);
    if (!n) {
        fputs("<p>登记库中尚无扫描记录 no scan stored in the registry</p></figure>\n", out);
        return;
    }
    long long max = 1;
    json_array_foreach(scans, i, s) {
        if (ival(s, "errors") > max)
            max = ival(s, "errors");
        if (ival(s, "warnings") > max)
            max = ival(s, "warnings");
    }
    fprintf(out, "<svg class=\"trend\" id=\"trend\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"%d\""
                 " height=\"%d\" viewBox=\"0 0 %d %d\">\n", TW, TH, TW, TH);
    /* axes, and gridlines at quarters of the largest count */
    for (int q = 0; q <= 4; q++) {
        long long v = max * q / 4;
        double y = py(v, max);
        fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>"
                     "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%lld</text>\n",
                LEFT, y, TW - RIGHT, y, q ? "#dde" : "#889", LEFT - 6, y + 4, v);
    }
    json_array_foreach(scans, i, s) {
        const char *started = json_string_value(json_object_get(s, "started"));
        char day[11] = "";
        if (started)
            snprintf(day, sizeof day, "%s", started);
        int cur = ival(s, "id") == current;
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\"%s>#%lld</text>"
                     "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">",
                px(i, n), TH - BOTTOM + 16, cur ? " font-weight=\"bold\"" : "", ival(s, "id"), px(i, n),
                TH - BOTTOM + 30);
        dsc_html_escape(out, day);
        fputs("</text>\n", out);
        if (cur)
            fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#1565c0\" stroke-dasharray=\"4 3\"/>\n",
                    px(i, n), TOP, px(i, n), TH - BOTTOM);
    }
    line(out, scans, "errors", max, "#c62828", "错误 errors");
    line(out, scans, "warnings", max, "#f9a825", "警告 warnings");
    fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"#c62828\"/>"
                 "<text x=\"%d\" y=\"%d\" font-size=\"12\">错误 errors</text>"
                 "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"#f9a825\"/>"
                 "<text x=\"%d\" y=\"%d\" font-size=\"12\">警告 warnings</text>\n</svg>\n",
            LEFT, TH - 18, LEFT + 16, TH - 8, LEFT + 110, TH - 18, LEFT + 126, TH - 8);
    /* the same numbers as a table, for screen readers and copying */
    fputs("<table class=\"trend\"><tr><th>扫描 scan</th><th>开始 started</th><th>页面 pages</th>"
          "<th>错误 errors</th><th>警告 warnings</th></tr>\n", out);
    json_array_foreach(scans, i, s) {
        fprintf(out, "<tr%s><td>#%lld</td><td>", ival(s, "id") == current ? " class=\"current\"" : "", ival(s, "id"));
        dsc_html_escape(out, json_string_value(json_object_get(s, "started")));
        fprintf(out, "</td><td>%lld</td><td>%lld</td><td>%lld</td></tr>\n", ival(s, "pages"), ival(s, "errors"),
                ival(s, "warnings"));
    }
    fputs("</table></figure>\n", out);
}
