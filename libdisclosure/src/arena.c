#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct block {
    struct block *next;
    size_t size, used;
    max_align_t data[];
} block;

struct dsc_arena {
    block *head;
    size_t next_size;
};

static block *block_new(size_t size)
{
    block *b = malloc(sizeof(block) + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

dsc_arena *dsc_arena_new(size_t first_block)
{
    dsc_arena *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->next_size = first_block ? first_block : 8192;
    return a;
}

void dsc_arena_free(dsc_arena *a)
{
    if (!a)
        return;
    for (block *b = a->head, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    free(a);
}

size_t dsc_arena_used(const dsc_arena *a)
{
    size_t n = 0;
    for (const block *b = a ? a->head : NULL; b; b = b->next)
        n += b->used;
    return n;
}

void *dsc_arena_alloc(dsc_arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    if (n == 0)
        n = align;
    block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = a->next_size;
        while (size < n)
            size *= 2;
        b = block_new(size);
        if (!b) {
            /* Out of memory in a checker is not recoverable mid-check; the
             * callers treat NULL from strdup as "no value", which is safe. */
            return NULL;
        }
        b->next = a->head;
        a->head = b;
        if (a->next_size < 1 << 20)
            a->next_size *= 2;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

char *dsc_arena_strndup(dsc_arena *a, const char *s, size_t n)
{
    char *p = dsc_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *dsc_arena_strdup(dsc_arena *a, const char *s)
{
    return s ? dsc_arena_strndup(a, s, strlen(s)) : NULL;
}

char *dsc_arena_printf(dsc_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = n >= 0 ? dsc_arena_alloc(a, (size_t)n + 1) : NULL;
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}
