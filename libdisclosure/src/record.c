/* The disclosure record: each field normalised as RULES.md says (ISO dates,
 * vocabulary forms, 一级/二级 topics), the first occurrence winning. */
#include <string.h>

#include "result.h"
#include "text.h"

#include <stdint.h>

typedef struct {
    const char *from, *to;
} vmap;

static const char *lookup(const vmap *m, const char *v)
{
    for (size_t i = 0; m[i].from; i++)
        if (strcmp(m[i].from, v) == 0)
            return m[i].to;
    return NULL;
}

/* Strip decoration real pages add around a vocabulary word: 。 and brackets. */
static char *undecorate(dsc_arena *a, const char *v)
{
    char *s = dsc_norm_vocab(a, v);
    if (!s)
        return NULL;
    static const char *const trail[] = {"。", ".", "；", ";", NULL};
    for (int again = 1; again;) {
        again = 0;
        for (size_t i = 0; trail[i]; i++)
            if (dsc_str_ends_with(s, trail[i]) && strlen(s) > strlen(trail[i])) {
                s[strlen(s) - strlen(trail[i])] = '\0';
                again = 1;
            }
    }
    size_t n = strlen(s);
    if (n > 6 && ((strncmp(s, "【", 3) == 0 && dsc_str_ends_with(s, "】")) ||
                  (strncmp(s, "[", 1) == 0 && dsc_str_ends_with(s, "]")))) {
        size_t o = strncmp(s, "[", 1) == 0 ? 1 : 3;
        size_t c = s[n - 1] == ']' ? 1 : 3;
        memmove(s, s + o, n - o - c);
        s[n - o - c] = '\0';
    }
    return s;
}

const char *dsc_vocab_attribute(dsc_arena *a, const char *v)
{
    static const vmap m[] = {
        {"主动公开", "主动公开"},   {"公开发布", "主动公开"},   {"主动", "主动公开"},
        {"依申请公开", "依申请公开"}, {"依申请", "依申请公开"},
        {"不予公开", "不予公开"},   {"不公开", "不予公开"},     {"免予公开", "不予公开"},
        {"删减后公开", "删减后公开"}, {"部分公开", "删减后公开"}, {NULL, NULL}};
    char *s = undecorate(a, v);
    return s ? lookup(m, s) : NULL;
}

const char *dsc_vocab_validity(dsc_arena *a, const char *v)
{
    static const vmap m[] = {
        {"有效", "有效"},     {"现行有效", "有效"}, {"失效", "失效"},     {"已失效", "失效"},
        {"废止", "废止"},     {"已废止", "废止"},   {"已修改", "已修改"}, {"被修改", "已修改"},
        {"已修订", "已修改"}, {"修改", "已修改"},   {"部分失效", "已修改"},
        /* 是否有效：是 / 否 */
        {"是", "有效"},       {"否", "失效"},       {NULL, NULL}};
    char *s = undecorate(a, v);
    return s ? lookup(m, s) : NULL;
}

static const char *vocab_doc_type(dsc_arena *a, const char *v)
{
    char *s = undecorate(a, v);
    if (!s)
        return NULL;
    if (strcmp(s, "规范性文件") == 0 || strcmp(s, "行政规范性文件") == 0)
        return "行政规范性文件";
    if (strcmp(s, "政府规章") == 0 || strcmp(s, "规章") == 0)
        return "规章";
    if (strcmp(s, "解读") == 0 || strcmp(s, "政策解读") == 0)
        return "政策解读";
    return s;
}

/* 一级\二级, 一级/二级, 一级／二级, 一级>二级, 一级-二级 → "一级/二级". */
static const char *norm_topic(dsc_arena *a, const char *v)
{
    char *s = dsc_norm_vocab(a, v);
    if (!s)
        return NULL;
    static const char *const seps[] = {"\\", "/", "／", "＼", ">", "＞", "》", "-", "－", "—", NULL};
    char *out = dsc_arena_alloc(a, strlen(s) + 2);
    size_t o = 0;
    int split = 0;
    for (const char *p = s; *p;) {
        size_t hit = 0;
        if (!split)
            for (size_t i = 0; seps[i]; i++)
                if (strncmp(p, seps[i], strlen(seps[i])) == 0) {
                    hit = strlen(seps[i]);
                    break;
                }
        if (hit) {
            /* several separators in a row ("综合政务>>政务公开") count once */
            out[o++] = '/';
            split = 1;
            p += hit;
            while (*p) {
                size_t again = 0;
                for (size_t i = 0; seps[i]; i++)
                    if (strncmp(p, seps[i], strlen(seps[i])) == 0)
                        again = strlen(seps[i]);
                if (!again)
                    break;
                p += again;
            }
            continue;
        }
        /* several topics ("A/B；C/D"): the first one is judged */
        if (strncmp(p, "；", 3) == 0 || *p == ';' || strncmp(p, "，", 3) == 0 || *p == ',')
            break;
        out[o++] = *p++;
    }
    out[o] = '\0';
    if (o > 0 && out[o - 1] == '/')
        out[--o] = '\0';
    return o ? out : NULL;
}

void dsc_record_set(dsc_result *r, int f, const char *raw, long line)
{
    if (!raw)
        return;
    dsc_arena *a = r->arena;
    const char *v = raw;
    int ok = 1;
    switch (f) {
    case DSC_F_WRITTEN_DATE:
    case DSC_F_PUB_DATE:
    case DSC_F_EFFECTIVE_DATE:
    case DSC_F_EXPIRY_DATE: {
        int d;
        if (dsc_date_parse(raw, &d) == 0) {
            char *buf = dsc_arena_alloc(a, 11);
            dsc_date_format(d, buf);
            v = buf;
        } else {
            ok = 0;
        }
        break;
    }
    case DSC_F_ATTRIBUTE: {
        const char *m = dsc_vocab_attribute(a, raw);
        ok = m != NULL;
        v = m ? m : raw;
        dsc_attr_push(r, v, raw, line, "label");
        break;
    }
    case DSC_F_VALIDITY: {
        const char *m = dsc_vocab_validity(a, raw);
        ok = m != NULL;
        v = m ? m : raw;
        break;
    }
    case DSC_F_DOC_TYPE:
        v = vocab_doc_type(a, raw);
        break;
    case DSC_F_TOPIC:
        v = norm_topic(a, raw);
        break;
    case DSC_F_NEEDS_INTERP: {
        const char *s = dsc_norm_vocab(a, raw);
        v = s && (strcmp(s, "是") == 0 || strcmp(s, "需要") == 0 || strcmp(s, "需解读") == 0 ||
                  strcmp(s, "需要解读") == 0)
                ? "是"
                : "否";
        break;
    }
    default:
        break;
    }
    if (!v || r->field[f].value)
        return;
    r->field[f].value = v;
    r->field[f].raw = raw;
    r->field[f].line = line;
    r->field[f].ok = ok;
}

void dsc_record_add(dsc_result *r, int f, const char *value, long line)
{
    dsc_list *l = &r->list[f];
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], value) == 0)
            return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        const char **items = dsc_arena_alloc(r->arena, cap * sizeof(char *));
        long *lines = dsc_arena_alloc(r->arena, cap * sizeof(long));
        if (l->n) {
            memcpy(items, l->items, l->n * sizeof(char *));
            memcpy(lines, l->lines, l->n * sizeof(long));
        }
        l->items = items;
        l->lines = lines;
        l->cap = cap;
    }
    l->items[l->n] = dsc_arena_strdup(r->arena, value);
    l->lines[l->n] = line;
    l->n++;
}

const char *dsc_meta_get(const dsc_result *r, const char *name)
{
    for (size_t i = 0; i < r->nmetas; i++)
        if (dsc_streq_ci(r->metas[i].name, name))
            return r->metas[i].content ? r->metas[i].content : "";
    return NULL;
}

static int is_open(const char *p, size_t *len)
{
    static const char *const open[] = {"〔", "[", "(", "（", "【", "［", "〈", "{", NULL};
    for (size_t i = 0; open[i]; i++)
        if (strncmp(p, open[i], strlen(open[i])) == 0) {
            *len = strlen(open[i]);
            return 1;
        }
    return 0;
}

static int is_close(const char *p, size_t *len)
{
    static const char *const close[] = {"〕", "]", ")", "）", "】", "］", "〉", "}", NULL};
    for (size_t i = 0; close[i]; i++)
        if (strncmp(p, close[i], strlen(close[i])) == 0) {
            *len = strlen(close[i]);
            return 1;
        }
    return 0;
}

/* Characters that never belong to a 机关代字 but often stand right before
 * one in prose ("已被某政发〔2024〕9号修改", "根据某政办〔2020〕3号"). */
static int agency_stop(uint32_t cp)
{
    static const char stops[] = "被已由经据依照将对及和与或并把按的了以在于从为是该本即同时止改订现予其之则等号根按规定";
    const unsigned char *s = (const unsigned char *)stops;
    size_t n = sizeof stops - 1, i = 0;
    while (i < n) {
        size_t len;
        if (dsc_utf8_next(s + i, n - i, &len) == cp)
            return 1;
        i += len;
    }
    return 0;
}

/* 机关代字 + 〔YYYY〕 + N + 号, with the brackets, 第 and leading zeros that
 * real pages get wrong still recognised. */
void dsc_find_doc_numbers(const char *text, size_t n, dsc_docno_fn *fn, void *baton)
{
    const char *end = text + n;
    for (const char *p = text; p < end; p++) {
        size_t ol;
        if (!is_open(p, &ol))
            continue;
        const char *q = p + ol;
        if (end - q < 6)
            return;
        int digits = 0;
        while (q < end && *q >= '0' && *q <= '9' && digits < 5) {
            q++;
            digits++;
        }
        size_t cl;
        if (digits != 4 || q >= end || !is_close(q, &cl))
            continue;
        q += cl;
        if (end - q >= 3 && strncmp(q, "第", 3) == 0)
            q += 3;
        int nd = 0;
        while (q < end && *q >= '0' && *q <= '9' && nd < 6) {
            q++;
            nd++;
        }
        if (nd == 0 || end - q < 3 || strncmp(q, "号", 3) != 0)
            continue;
        q += 3;
        /* back over the 机关代字: ideographs before the bracket */
        const char *st = p;
        int chars = 0;
        while (st > text && chars < 16) {
            const char *b = st - 1;
            while (b > text && ((unsigned char)*b & 0xC0) == 0x80)
                b--;
            size_t len;
            uint32_t cp = dsc_utf8_next((const unsigned char *)b, (size_t)(st - b), &len);
            if (cp < 0x3400 || cp > 0x9FFF || agency_stop(cp))
                break;
            st = b;
            chars++;
        }
        if (chars > 0)
            fn(baton, st, (size_t)(q - st));
        p = q - 1;
    }
}
