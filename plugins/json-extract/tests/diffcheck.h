/* The differential check of one frame across every scanner (test + fuzzer). */
#ifndef SLUICE_JX_DIFFCHECK_H
#define SLUICE_JX_DIFFCHECK_H

#include "jx.h"

#include <stdbool.h>
#include <stddef.h>

struct diff_stats {
    long frames, accepted, tail_only; /* tail_only: fields mode accepted a bad tail */
    long lenient; /* validate = structure accepted a frame strict refuses (a fault
                   * only outside the wanted values), with either wanted set */
    long structure_fine; /* frames strict refuses as JSON whose structure the
                          * reference checker finds fine: candidates for lenient */
    long stricter[JX_MAX_IMPL]; /* validate = structure refused a frame that the definition
                       * (rules 1-6, by the reference) accepts, on avx512, avx2,
                       * sse2, scalar */
};

/* Run strict, scalar and each SIMD level (validate = full, = fields and =
 * structure) on buf and check the rules of scanner.c's essay. Returns true
 * if they hold; else false with `why` saying what differed. `require_ok`:
 * also insist the frame is accepted with a string uid and an integer ts.
 *
 * validate = structure, on every level and with both wanted sets (six keys,
 * or uid and ts), against strict and the scalar scanner (validate = full):
 *  (a) strict finds no JSON fault => the same verdict (a field rule's, or
 *      acceptance), and the same fields when accepted;
 *  (b) ref_structure_ok(buf) is false, or (rule 6) the value of an
 *      occurrence of a wanted key at the root is not JSON to jansson =>
 *      refused as a frame (not by a field rule); and the converse on the
 *      levels with a structure loop (jx_impl_has_structure): the definition
 *      accepts => not refused as a frame; neither is asserted for frames
 *      nested deeper than 2000. On the other levels structure checks in
 *      full: counted in stats->stricter;
 *  (c) refused as a frame => strict refuses, and the reason and position are
 *      the scalar full scanner's;
 *  (d) accepted while strict refuses: counted in stats->lenient. */
bool diff_check(const char *buf, size_t len, bool require_ok, struct diff_stats *st,
                char *why, size_t whylen);

/* The independent reference for validate = structure's rules 1-5: the root
 * is an object with nothing but JSON whitespace after it; brackets balance
 * and match, the input does not end inside the root object or a string; no
 * raw control byte in a string, none but \t \n \r outside; escapes are
 * \" \\ \/ \b \f \n \r \t or \uXXXX, not \u0000, surrogates paired. */
bool ref_structure_ok(const char *buf, size_t len);

#endif
