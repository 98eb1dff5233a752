/* disclosure scan: robots.txt, parsed from bytes (no network: the fetcher
 * gets the file, this decides). Groups for our token or "*"; a group naming
 * us wins over "*"; the longest matching rule wins. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scan_int.h"

#define ROBOTS_TOKEN "disclosure"

static int add_rule(robots_rule **rules, size_t *n, const char *prefix, int allow)
{
    char *c = strdup(prefix);
    robots_rule *r = c ? realloc(*rules, (*n + 1) * sizeof *r) : NULL;
    if (!r) {
        free(c);
        return -1;
    }
    *rules = r;
    r[*n].prefix = c;
    r[(*n)++].allow = allow;
    return 0;
}

static void free_rules(robots_rule *rules, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rules[i].prefix);
    free(rules);
}

void robots_parse(const char *text, size_t len, robots_rules *out)
{
    robots_rule *mine = NULL, *star = NULL;
    size_t nmine = 0, nstar = 0;
    int in_mine = 0, in_star = 0, saw_rule = 0, have_mine = 0;
    /* the file is text: a NUL ends it */
    const char *p = text, *end = text ? text + strnlen(text, len) : NULL;
    while (p && p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
        char line[1024];
        if (n >= sizeof line)
            n = sizeof line - 1;
        memcpy(line, p, n);
        line[n] = 0;
        p = eol ? eol + 1 : NULL;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = 0;
        char *key = line, *val = colon + 1;
        while (isspace((unsigned char)*key))
            key++;
        while (isspace((unsigned char)*val))
            val++;
        for (char *e = val + strlen(val); e > val && isspace((unsigned char)e[-1]);)
            *--e = 0;
        for (char *e = key + strlen(key); e > key && isspace((unsigned char)e[-1]);)
            *--e = 0;
        if (strcasecmp(key, "user-agent") == 0) {
            if (saw_rule) {
                in_mine = in_star = 0;
                saw_rule = 0;
            }
            if (strcmp(val, "*") == 0)
                in_star = 1;
            else if (strncasecmp(val, ROBOTS_TOKEN, strlen(ROBOTS_TOKEN)) == 0)
                in_mine = have_mine = 1;
        } else if (strcasecmp(key, "disallow") == 0 || strcasecmp(key, "allow") == 0) {
            saw_rule = 1;
            int allow = tolower((unsigned char)key[0]) == 'a';
            if (!*val) /* "Disallow:" with no path allows everything */
                continue;
            if (in_mine)
                add_rule(&mine, &nmine, val, allow);
            if (in_star)
                add_rule(&star, &nstar, val, allow);
        }
    }
    if (have_mine) {
        free_rules(star, nstar);
        out->rules = mine;
        out->n = nmine;
    } else {
        free_rules(mine, nmine);
        out->rules = star;
        out->n = nstar;
    }
}

void robots_free(robots_rules *r)
{
    free_rules(r->rules, r->n);
    r->rules = NULL;
    r->n = 0;
}

/* pat[0..m) against the whole of s: '*' is any run of characters; without
 * anchor the pattern need only match a prefix (a trailing '*' is implied).
 * Greedy with one backtrack point: O(len(s) * m), no recursion. */
static int rule_matches(const char *pat, size_t m, int anchored, const char *s)
{
    size_t pi = 0, star_p = 0;
    const char *star_s = NULL;
    while (*s) {
        if (pi < m && pat[pi] == '*') {
            star_p = ++pi;
            star_s = s;
        } else if (pi < m && pat[pi] == *s) {
            pi++;
            s++;
        } else if (pi == m && !anchored) {
            return 1;
        } else if (star_s) {
            pi = star_p;
            s = ++star_s;
        } else {
            return 0;
        }
    }
    while (pi < m && pat[pi] == '*')
        pi++;
    return pi == m;
}

/* Longest matching rule wins (Allow on a tie); no match allows. '*' matches
 * any characters, a final '$' anchors the end. */
int robots_allows(const robots_rules *r, const char *path)
{
    size_t best = 0;
    int allow = 1, matched = 0;
    for (size_t i = 0; i < r->n; i++) {
        const char *pre = r->rules[i].prefix;
        if (!pre)
            continue;
        size_t n = strlen(pre);
        int anchored = n && pre[n - 1] == '$';
        if (!rule_matches(pre, anchored ? n - 1 : n, anchored, path))
            continue;
        if (!matched || n > best || (n == best && r->rules[i].allow)) {
            best = n;
            allow = r->rules[i].allow;
            matched = 1;
        }
    }
    return allow;
}
