/* One arena per check: every string of a result lives here and is freed with it. */
#ifndef DSC_ARENA_H
#define DSC_ARENA_H
#include <stddef.h>

typedef struct dsc_arena dsc_arena;

dsc_arena *dsc_arena_new(size_t first_block);
void dsc_arena_free(dsc_arena *a);
void *dsc_arena_alloc(dsc_arena *a, size_t n);
/* bytes handed out so far (a bound for a copy of what the arena holds) */
size_t dsc_arena_used(const dsc_arena *a);
char *dsc_arena_strdup(dsc_arena *a, const char *s);
char *dsc_arena_strndup(dsc_arena *a, const char *s, size_t n);
char *dsc_arena_printf(dsc_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
