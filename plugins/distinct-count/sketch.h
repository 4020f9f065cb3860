/*
 * Distinct-count sketch: an exact list of hashes while small, then an
 * UltraLogLog register array. The design, the estimator and its error are
 * described at the top of sketch.c and in plugins/distinct-count/README.md.
 */
#ifndef DC_SKETCH_H
#define DC_SKETCH_H

#include "exactset.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DC_SKETCH_P_MIN 4
#define DC_SKETCH_P_MAX 18
#define DC_SKETCH_P_DEFAULT 13
/* Explicit phase: exact up to this many distinct hashes (sketch mode). */
#define DC_SKETCH_EXPLICIT_MAX 1024u
/* `limit` for a counter that must stay exact forever (algorithm = exact). */
#define DC_SKETCH_NO_LIMIT UINT32_MAX

/* Serialized form, version 1 (all integers little-endian):
 *   0  4  magic "DCSK"
 *   4  1  version = 1
 *   5  1  representation: 1 = explicit, 2 = dense UltraLogLog
 *   6  1  p (precision; 2^p registers when dense)
 *   7  1  reserved, 0
 *   8  4  n: explicit: number of hashes; dense: 2^p
 *  12  .. explicit: n uint64 hashes, strictly ascending; dense: 2^p registers */
#define DC_SKETCH_MAGIC "DCSK"
#define DC_SKETCH_VERSION 1
#define DC_SKETCH_HEADER 12
#define DC_SKETCH_REPR_EXPLICIT 1
#define DC_SKETCH_REPR_DENSE 2

struct dc_sketch {
    uint8_t p;
    uint32_t limit;         /* explicit while count <= limit */
    uint8_t *regs;          /* dense: 2^p registers; NULL while explicit */
    struct dc_exactset set; /* explicit phase */
};

/* `limit` = DC_SKETCH_EXPLICIT_MAX (sketch) or DC_SKETCH_NO_LIMIT (exact). */
void dc_sketch_init(struct dc_sketch *s, unsigned p, uint32_t limit);
void dc_sketch_free(struct dc_sketch *s);

static inline bool dc_sketch_is_dense(const struct dc_sketch *s)
{
    return s->regs != NULL;
}

/* One UltraLogLog register update (the essay in sketch.c explains it).
 * Returns true if the register changed. */
static inline bool dc_ull_update(uint8_t *regs, unsigned p, uint64_t h)
{
    size_t idx = (size_t)(h >> (64 - p));
    /* Leading zeros of the 64-p bits after the index, in [0, 64-p]. */
    unsigned nlz = (unsigned)__builtin_clzll((h << p) | ((UINT64_C(1) << p) - 1));
    unsigned r = regs[idx];
    uint64_t prefix = r ? (uint64_t)(4u | (r & 3u)) << ((r >> 2) - 2) : 0;
    prefix |= UINT64_C(1) << (nlz + p - 1);
    unsigned top = 63u - (unsigned)__builtin_clzll(prefix);
    unsigned nr = (top << 2) | (unsigned)((prefix >> (top - 2)) & 3u);
    regs[idx] = (uint8_t)nr;
    return nr != r;
}

int dc_sketch_add_explicit(struct dc_sketch *s, uint64_t h);

/* Add a key hash. Returns 1 if the state changed, 0 if not, -1 when out of
 * memory (state unchanged). */
static inline int dc_sketch_add(struct dc_sketch *s, uint64_t h)
{
    if (s->regs)
        return dc_ull_update(s->regs, s->p, h);
    return dc_sketch_add_explicit(s, h);
}

/* The estimate of the number of distinct hashes added (exact while explicit). */
double dc_sketch_estimate(const struct dc_sketch *s);
/* The estimate rounded to an integer. */
uint64_t dc_sketch_count(const struct dc_sketch *s);
/* Relative standard error of the estimate: 0 while explicit. */
double dc_sketch_rse(const struct dc_sketch *s);
/* Asymptotic relative standard error of the dense ML estimate for p. */
double dc_sketch_dense_rse(unsigned p);
/* "exact" while explicit, else "ull-p13"-style; points into `buf`. */
const char *dc_sketch_estimator(const struct dc_sketch *s, char *buf, size_t cap);

/* Union: add everything of `src` to `dst`. Both need the same p and limit.
 * Returns 0, or -1 (mismatch: nothing changed; out of memory). */
int dc_sketch_merge(struct dc_sketch *dst, const struct dc_sketch *src);

/* Heap bytes held. */
size_t dc_sketch_bytes(const struct dc_sketch *s);

size_t dc_sketch_serialized_size(const struct dc_sketch *s);
/* Write the serialized form to `buf` (at least dc_sketch_serialized_size
 * bytes); returns the bytes written, 0 when out of memory. */
size_t dc_sketch_serialize(const struct dc_sketch *s, uint8_t *buf, size_t cap);
/* Read a serialized sketch into `s` (initialised by this call). The explicit
 * phase must not exceed `limit`. Returns 0, or -1 with `*err` set. */
int dc_sketch_deserialize(struct dc_sketch *s, const uint8_t *buf, size_t len,
                          uint32_t limit, const char **err);

/* Exposed for tests: the ML estimate from a dense register array. */
double dc_ull_estimate(const uint8_t *regs, unsigned p);

#endif
