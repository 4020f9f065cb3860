/*
 * The exact set of key hashes (see exactset.h). The table doubles when it
 * would be more than 3/4 full, so a lookup costs about two probes on average
 * and memory is 8 to 21 bytes per member.
 */
#include "exactset.h"

#include <stdlib.h>
#include <string.h>

#define EXACTSET_MIN_CAP 16u

void dc_exactset_init(struct dc_exactset *s)
{
    memset(s, 0, sizeof *s);
}

void dc_exactset_free(struct dc_exactset *s)
{
    free(s->slots);
    memset(s, 0, sizeof *s);
}

static unsigned log2u(uint32_t x)
{
    return 31u - (unsigned)__builtin_clz(x);
}

/* Insert a nonzero hash known to be absent into a table with room. */
static void place(uint64_t *slots, uint32_t cap, uint64_t h)
{
    uint32_t mask = cap - 1;
    uint32_t i = (uint32_t)(h >> (64 - log2u(cap))) & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = h;
}

static int grow(struct dc_exactset *s)
{
    uint32_t cap = s->cap ? s->cap * 2 : EXACTSET_MIN_CAP;
    if (cap == 0) /* 2^32 slots: refuse rather than wrap */
        return -1;
    uint64_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (uint32_t i = 0; i < s->cap; i++)
        if (s->slots[i])
            place(slots, cap, s->slots[i]);
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
    return 0;
}

int dc_exactset_add(struct dc_exactset *s, uint64_t h)
{
    if (h == 0) {
        if (s->has_zero)
            return 0;
        s->has_zero = true;
        s->count++;
        return 1;
    }
    if (s->cap) {
        uint32_t mask = s->cap - 1;
        uint32_t i = (uint32_t)(h >> (64 - log2u(s->cap))) & mask;
        for (; s->slots[i]; i = (i + 1) & mask)
            if (s->slots[i] == h)
                return 0;
        /* Absent; place it here unless the table is due to grow. */
        uint32_t stored = s->count - (s->has_zero ? 1u : 0u);
        if ((uint64_t)(stored + 1) * 4 <= (uint64_t)s->cap * 3) {
            s->slots[i] = h;
            s->count++;
            return 1;
        }
    }
    if (grow(s) < 0)
        return -1;
    place(s->slots, s->cap, h);
    s->count++;
    return 1;
}

bool dc_exactset_contains(const struct dc_exactset *s, uint64_t h)
{
    if (h == 0)
        return s->has_zero;
    if (!s->cap)
        return false;
    uint32_t mask = s->cap - 1;
    for (uint32_t i = (uint32_t)(h >> (64 - log2u(s->cap))) & mask; s->slots[i];
         i = (i + 1) & mask)
        if (s->slots[i] == h)
            return true;
    return false;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void dc_exactset_sorted(const struct dc_exactset *s, uint64_t *out)
{
    size_t n = 0;
    if (s->has_zero)
        out[n++] = 0;
    for (uint32_t i = 0; i < s->cap; i++)
        if (s->slots[i])
            out[n++] = s->slots[i];
    qsort(out, n, sizeof *out, cmp_u64);
}

size_t dc_exactset_bytes(const struct dc_exactset *s)
{
    return (size_t)s->cap * sizeof(uint64_t);
}

void dc_exactset_each(const struct dc_exactset *s, void (*fn)(void *ctx, uint64_t h),
                      void *ctx)
{
    if (s->has_zero)
        fn(ctx, 0);
    for (uint32_t i = 0; i < s->cap; i++)
        if (s->slots[i])
            fn(ctx, s->slots[i]);
}
