/* 元数据 and timeliness: 条例 第十二条 目录 entries, 第二十六条 20 working
 * days, GB/T 9704 发文字号, 指引 网页标签. */
#include <stdio.h>
#include <string.h>

#include "rules.h"
#include "text.h"


void rule_metadata_missing(dsc_result *r, int rule)
{
    const dsc_policy *p = r->policy;
    for (size_t i = 0; i < p->nrequired; i++) {
        const dsc_required *q = &p->required[i];
        if (q->doc_types.n && !dsc_words_has(&q->doc_types, dsc_fv(r, DSC_F_DOC_TYPE)))
            continue;
        int f = q->field;
        int present = f < DSC_F__COUNT && (dsc_fv(r, f) || r->list[f].n > 0);
        if (present)
            continue;
        const char *zh = dsc_fname_zh(f);
        dsc_report(r, rule, f, 0, NULL,
                   q->doc_types.n
                       ? dsc_arena_printf(r->arena, "缺少%s（%s必须填写）。请在元数据中填写“%s”。", zh,
                                          dsc_fv(r, DSC_F_DOC_TYPE), zh)
                       : dsc_arena_printf(r->arena, "缺少%s，或其内容为空。请在元数据中填写“%s”。", zh, zh),
                   dsc_arena_printf(r->arena, "Required field %s (%s) is missing or empty.", dsc_fname(f), zh));
    }
}

void rule_date_invalid(dsc_result *r, int rule)
{
    static const int dates[] = {DSC_F_WRITTEN_DATE, DSC_F_PUB_DATE, DSC_F_EFFECTIVE_DATE, DSC_F_EXPIRY_DATE};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        const dsc_value *v = &r->field[dates[i]];
        if (!v->value || v->ok)
            continue;
        dsc_report(r, rule, dates[i], v->line, v->raw,
                   dsc_arena_printf(r->arena,
                                    "%s“%s”不是有效日期。请填写真实的日期，格式如“2017-05-12”或“2017年5月12日”。",
                                    dsc_fname_zh(dates[i]), v->raw),
                   dsc_arena_printf(r->arena, "%s \"%s\" is not a real calendar date in a known format (2017-05-12, 2017年5月12日).",
                                    dsc_fname(dates[i]), v->raw));
    }
}

void rule_date_order(dsc_result *r, int rule)
{
    int w, pub;
    if (!dsc_rule_date(r, DSC_F_PUB_DATE, &pub))
        return;
    const dsc_value *pv = &r->field[DSC_F_PUB_DATE];
    if (dsc_rule_date(r, DSC_F_WRITTEN_DATE, &w) && pub < w) {
        dsc_report(r, rule, DSC_F_PUB_DATE, pv->line, pv->raw,
                   dsc_arena_printf(r->arena, "发布日期%s早于成文日期%s。请核对两个日期。", pv->value,
                                    r->field[DSC_F_WRITTEN_DATE].value),
                   dsc_arena_printf(r->arena, "pub_date %s is before written_date %s.", pv->value,
                                    r->field[DSC_F_WRITTEN_DATE].value));
        return;
    }
    if (pub > r->today)
        dsc_report(r, rule, DSC_F_PUB_DATE, pv->line, pv->raw,
                   dsc_arena_printf(r->arena, "发布日期%s晚于今天（%s）。不得预填或伪造发布日期。", pv->value,
                                    dsc_rule_fmt_date(r, r->today)),
                   dsc_arena_printf(r->arena, "pub_date %s is in the future (today is %s).", pv->value,
                                    dsc_rule_fmt_date(r, r->today)));
}

void rule_publish_late(dsc_result *r, int rule)
{
    int w, pub, beyond = 0;
    if (!dsc_rule_date(r, DSC_F_WRITTEN_DATE, &w) || !dsc_rule_date(r, DSC_F_PUB_DATE, &pub) || pub <= w)
        return;
    int limit = r->policy->publish_late_days;
    int days = dsc_working_days(r->policy, w, pub, &beyond);
    if (days <= limit)
        return;
    const dsc_value *pv = &r->field[DSC_F_PUB_DATE];
    dsc_report(r, rule, DSC_F_PUB_DATE, pv->line, pv->raw,
               dsc_arena_printf(r->arena,
                                "成文日期%s至发布日期%s相隔%d个工作日，超过《条例》第二十六条规定的%d个工作日。%s",
                                r->field[DSC_F_WRITTEN_DATE].value, pv->value, days, limit,
                                beyond ? "（工作日历未覆盖该年份，按周一至周五计算。）" : ""),
               dsc_arena_printf(r->arena, "Published %d working days after it was written (%s to %s); the limit is %d.%s",
                                days, r->field[DSC_F_WRITTEN_DATE].value, pv->value, limit,
                                beyond ? " (The calendar does not cover these dates; Monday to Friday was assumed.)" : ""));
}

static int prefix_at(const char *s, const char *const *set, size_t *len)
{
    for (size_t i = 0; set[i]; i++)
        if (strncmp(s, set[i], strlen(set[i])) == 0) {
            *len = strlen(set[i]);
            return (int)i;
        }
    return -1;
}

void rule_doc_number_format(dsc_result *r, int rule)
{
    static const char *const open[] = {"〔", "[", "(", "（", "【", "［", "〈", "{", "｛", "<", NULL};
    static const char *const close[] = {"〕", "]", ")", "）", "】", "］", "〉", "}", "｝", ">", NULL};
    const dsc_value *v = &r->field[DSC_F_DOC_NUMBER];
    if (!v->value)
        return;
    const char *s = v->value;
    const char *p = s;
    size_t ol = 0, cl = 0;
    int oi = -1;
    while (*p && (oi = prefix_at(p, open, &ol)) < 0)
        p++;
    int ok = oi >= 0 && p > s;
    const char *year = ok ? p + ol : NULL;
    int ci = -1;
    if (ok) {
        for (int i = 0; i < 4; i++)
            ok = ok && year[i] >= '0' && year[i] <= '9';
        ok = ok && (ci = prefix_at(year + 4, close, &cl)) >= 0;
    }
    const char *q = ok ? year + 4 + cl : NULL;
    int di = 0;
    if (ok && strncmp(q, "第", 3) == 0) {
        di = 1;
        q += 3;
    }
    const char *num = q;
    if (ok) {
        while (*q >= '0' && *q <= '9')
            q++;
        ok = q > num && strcmp(q, "号") == 0;
    }
    if (!ok) {
        dsc_report(r, rule, DSC_F_DOC_NUMBER, v->line, v->raw,
                   dsc_arena_printf(r->arena, "发文字号“%s”不符合“机关代字〔年份〕序号号”的格式，如“国办发〔2017〕47号”。", v->raw),
                   dsc_arena_printf(r->arena, "Document number \"%s\" is not of the form 机关代字〔YYYY〕N号 (e.g. 国办发〔2017〕47号).", v->raw));
        return;
    }
    int brackets = oi != 0 || ci != 0;
    const char *digits = num;
    while (*digits == '0' && digits[1] >= '0' && digits[1] <= '9')
        digits++;
    int zeros = digits != num;
    if (!brackets && !di && !zeros)
        return;
    const char *fixed = dsc_arena_printf(r->arena, "%.*s〔%.4s〕%.*s号", (int)(p - s), s, year,
                                         (int)(q - digits), digits);
    char zh[256] = "", en[256] = "";
    if (brackets) {
        strcat(zh, "应使用六角括号");
        strcat(en, "use 〔〕 around the year");
    }
    if (di) {
        strcat(zh, *zh ? "，不加“第”字" : "不应加“第”字");
        strcat(en, *en ? ", no 第" : "no 第");
    }
    if (zeros) {
        strcat(zh, *zh ? "，序号不编虚位" : "序号不编虚位（不加前导零）");
        strcat(en, *en ? ", no leading zeros" : "no leading zeros");
    }
    dsc_report(r, rule, DSC_F_DOC_NUMBER, v->line, v->raw,
               dsc_arena_printf(r->arena, "发文字号“%s”%s：%s", v->raw, zh, fixed),
               dsc_arena_printf(r->arena, "Document number \"%s\": %s (GB/T 9704): %s", v->raw, en, fixed));
}

/* 指引 PubDate: YYYY-MM-DD HH:MM */
static int pubdate_format_ok(const char *s)
{
    const char *f = "dddd-dd-dd dd:dd";
    for (size_t i = 0; f[i]; i++) {
        if (f[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != f[i])
            return 0;
    }
    int d;
    char day[11];
    memcpy(day, s, 10);
    day[10] = '\0';
    return s[16] == '\0' && dsc_date_parse(day, &d) == 0;
}

void rule_meta_tags_missing(dsc_result *r, int rule)
{
    const dsc_words *req = &r->policy->meta_required;
    char missing[512] = "";
    size_t o = 0;
    int n = 0;
    for (size_t i = 0; i < req->n; i++) {
        const char *c = dsc_meta_get(r, req->items[i]);
        if (c && *c)
            continue;
        o += (size_t)snprintf(missing + o, o < sizeof missing ? sizeof missing - o : 0, "%s%s",
                              n++ ? ", " : "", req->items[i]);
        if (o >= sizeof missing)
            o = sizeof missing - 1;
    }
    if (n)
        dsc_report(r, rule, -1, 0, missing,
                   dsc_arena_printf(r->arena, "缺少《政府网站发展指引》规定的网页标签（或内容为空）：%s。请在页面<head>中补充<meta name=\"…\" content=\"…\">。", missing),
                   dsc_arena_printf(r->arena, "指引 meta tags missing or empty: %s.", missing));
    const char *pd = dsc_meta_get(r, "PubDate");
    if (pd && *pd && !pubdate_format_ok(pd)) {
        long line = 0;
        for (size_t i = 0; i < r->nmetas; i++)
            if (dsc_streq_ci(r->metas[i].name, "pubdate"))
                line = r->metas[i].line;
        dsc_report(r, rule, DSC_F_PUB_DATE, line, pd,
                   dsc_arena_printf(r->arena, "网页标签PubDate“%s”格式不对，应为“YYYY-MM-DD HH:MM”，如“2017-05-15 10:30”。", pd),
                   dsc_arena_printf(r->arena, "Meta tag PubDate \"%s\" is not YYYY-MM-DD HH:MM.", pd));
    }
}

static void compare(dsc_result *r, int rule, int f, const char *meta_name, int as_date)
{
    const char *m = dsc_meta_get(r, meta_name);
    const dsc_value *v = &r->field[f];
    if (!m || !*m || !v->value)
        return;
    const char *a = dsc_norm_vocab(r->arena, m), *b = dsc_norm_vocab(r->arena, v->value);
    if (as_date) {
        int d1, d2;
        char day[11] = "";
        snprintf(day, sizeof day, "%s", m);
        if (dsc_date_parse(day, &d1) < 0 || dsc_date_parse(v->value, &d2) < 0 || d1 == d2)
            return;
    } else if (strcmp(a, b) == 0) {
        return;
    }
    dsc_report(r, rule, f, v->line, dsc_arena_printf(r->arena, "%s / %s", m, v->raw),
               dsc_arena_printf(r->arena, "网页标签%s“%s”与页面上的%s“%s”不一致。请统一。", meta_name, m,
                                dsc_fname_zh(f), v->raw),
               dsc_arena_printf(r->arena, "Meta tag %s \"%s\" disagrees with the page's %s \"%s\".", meta_name, m,
                                dsc_fname(f), v->raw));
}

void rule_metadata_mismatch(dsc_result *r, int rule)
{
    compare(r, rule, DSC_F_TITLE, "ArticleTitle", 0);
    compare(r, rule, DSC_F_PUB_DATE, "PubDate", 1);
    compare(r, rule, DSC_F_ISSUER, "ContentSource", 0);
}
