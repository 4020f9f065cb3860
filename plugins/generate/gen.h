/*
 * The frame generator behind the `generate` source, usable on its own (the
 * json-extract tests feed it to their differential tests).
 *
 * Speed comes from precomputing: at start, a pool of frame bodies (the root
 * members other than uid and ts: lorem-ipsum keys; strings with escapes and
 * Cyrillic; numbers, literals, nested objects with decoy uid/ts keys and
 * repeated keys, arrays) is built once from the seed. A frame is then a body
 * from the pool with the "uid" and "ts" members spliced in at a member
 * boundary: a few memcpy calls, no allocation.
 */
#ifndef SLUICE_GEN_H
#define SLUICE_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gen_params {
    uint64_t seed;
    uint64_t users;       /* distinct uids: user 0..users-1 */
    double rate;          /* frames per second of event time */
    int64_t start_ts;     /* event time of frame 0, unix seconds */
    int64_t delay_ms;     /* a delayed frame's ts is up to this much older */
    double delay_prob;    /* share of delayed frames, 0..1 */
    double ts_string_prob;/* share of frames with "ts" as a string */
    bool crlf;            /* end each frame with "\r", as a CRLF source would leave it */
    bool unicode_escapes; /* also \uXXXX escapes (incl. surrogate pairs) in values */
};

struct gen;

/* NULL if out of memory. */
struct gen *gen_new(const struct gen_params *p);
void gen_free(struct gen *g);

/* No frame is longer than this. */
size_t gen_max_frame(const struct gen *g);

/* Write the next frame into out (gen_max_frame bytes of room); returns its
 * length. *user gets the frame's user index (its uid), *ts its event time. */
size_t gen_next(struct gen *g, char *out, uint64_t *user, int64_t *ts);

/* The uid text of user `u` (GEN_UID_LEN bytes, no NUL). Distinct users have
 * distinct uids. */
#define GEN_UID_LEN 19
void gen_uid(const struct gen *g, uint64_t u, char *out);

/* Frames made so far. */
uint64_t gen_count(const struct gen *g);

/* Make (and drop) frames until `n` were made: the state a resumed run
 * continues from. Calls seen(ctx, user) for each. 0, or -1 out of memory. */
int gen_skip_to(struct gen *g, uint64_t n, void (*seen)(void *ctx, uint64_t user), void *ctx);

#endif
