/* The differential check of one frame across every scanner (test + fuzzer). */
#ifndef SLUICE_JX_DIFFCHECK_H
#define SLUICE_JX_DIFFCHECK_H

#include <stdbool.h>
#include <stddef.h>

struct diff_stats {
    long frames, accepted, tail_only; /* tail_only: fields mode accepted a bad tail */
};

/* Run strict, scalar and each SIMD level (validate = full and = fields) on
 * buf and check the rules of scanner.c's essay. Returns true if they hold;
 * else false with `why` saying what differed. `require_ok`: also insist the
 * frame is accepted with a string uid and an integer ts. */
bool diff_check(const char *buf, size_t len, bool require_ok, struct diff_stats *st,
                char *why, size_t whylen);

#endif
