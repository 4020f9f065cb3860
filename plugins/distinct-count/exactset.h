/*
 * An exact set of 64-bit key hashes: open addressing with linear probing.
 *
 * The members are already uniformly distributed hashes, so the slot of a
 * member is taken from its top bits without further mixing. Slot value 0
 * means "empty"; the one hash that really is 0 is kept in a flag.
 */
#ifndef DC_EXACTSET_H
#define DC_EXACTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dc_exactset {
    uint64_t *slots; /* `cap` slots, 0 = empty; NULL before the first add */
    uint32_t cap;    /* a power of two, or 0 */
    uint32_t count;  /* members, the zero hash included */
    bool has_zero;
};

void dc_exactset_init(struct dc_exactset *s);
void dc_exactset_free(struct dc_exactset *s);

/* Add `h`. Returns 1 if it was new, 0 if already present, -1 when out of
 * memory (the set is unchanged then). */
int dc_exactset_add(struct dc_exactset *s, uint64_t h);

bool dc_exactset_contains(const struct dc_exactset *s, uint64_t h);

/* Write the `s->count` members to `out` in ascending order. */
void dc_exactset_sorted(const struct dc_exactset *s, uint64_t *out);

/* Heap bytes held by the set. */
size_t dc_exactset_bytes(const struct dc_exactset *s);

/* Call fn(ctx, h) for every member, in no particular order. */
void dc_exactset_each(const struct dc_exactset *s, void (*fn)(void *ctx, uint64_t h),
                      void *ctx);

#endif
