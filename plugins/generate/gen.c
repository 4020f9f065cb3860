/*
 * One frame = "{" + a pool body with the "uid" and "ts" members spliced in at
 * a member boundary + "}" (+ "\r" with crlf). As in the challenge's data the
 * pair sits among the first five members most of the time (either order);
 * one frame in ten has it anywhere, the end included.
 *
 * Event time: frame i has ts = start_ts + floor(i / rate); with probability
 * delay_prob it is made older by 1..delay seconds (the frame "arrives late").
 * ts is a JSON integer, or with probability ts_string_prob a string holding
 * the number.
 *
 * uids: user u's uid is 19 hex digits: 16 from a bijective 64-bit mix of u
 * and the seed (so distinct users never share a uid) and 3 more from
 * another mix (looks like the challenge's 19-digit uids).
 */
#include "gen.h"
#include "pool.h"
#include "rng.h"

#include <stdlib.h>
#include <string.h>

struct gen {
    struct gen_params p;
    struct gen_pool pool;
    struct gen_rng rng;
    uint64_t uid_key;
    uint64_t n;
    size_t max_frame;
};

struct gen *gen_new(const struct gen_params *params)
{
    struct gen *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->p = *params;
    if (g->p.users == 0)
        g->p.users = 1;
    if (!(g->p.rate > 0))
        g->p.rate = 1;
    if (!gen_pool_build(&g->pool, g->p.seed, g->p.unicode_escapes)) {
        free(g);
        return NULL;
    }
    gen_rng_seed(&g->rng, g->p.seed ^ 0x6672616d6573ull); /* "frames" */
    uint64_t s = g->p.seed;
    g->uid_key = gen_splitmix64(&s);
    /* {"uid":"<19>","ts":"<-20 digits>"} plus braces, commas and "\r". */
    g->max_frame = g->pool.max_len + 64 + GEN_UID_LEN;
    return g;
}

void gen_free(struct gen *g)
{
    if (!g)
        return;
    gen_pool_free(&g->pool);
    free(g);
}

size_t gen_max_frame(const struct gen *g)
{
    return g->max_frame;
}

uint64_t gen_count(const struct gen *g)
{
    return g->n;
}

static const char hexd[] = "0123456789abcdef";

/* A bijection on 64 bits (the splitmix64 finaliser is one). */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void gen_uid(const struct gen *g, uint64_t u, char *out)
{
    uint64_t a = mix(u ^ g->uid_key);
    uint64_t b = mix(a + 0x9E3779B97F4A7C15ull);
    for (int i = 0; i < 16; i++)
        out[i] = hexd[(a >> (60 - 4 * i)) & 15];
    for (int i = 0; i < 3; i++)
        out[16 + i] = hexd[(b >> (60 - 4 * i)) & 15];
}

static size_t put_i64(char *o, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    uint64_t x = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    size_t k = 0;
    if (v < 0)
        o[k++] = '-';
    while (n)
        o[k++] = tmp[--n];
    return k;
}

/* The uid and ts members, in either order. */
static size_t put_pair(struct gen *g, char *o, uint64_t user, int64_t ts, bool ts_first,
                       bool ts_string)
{
    char tsm[40];
    memcpy(tsm, "\"ts\":", 5);
    size_t tn = 5;
    if (ts_string)
        tsm[tn++] = '"';
    tn += put_i64(tsm + tn, ts);
    if (ts_string)
        tsm[tn++] = '"';
    size_t k = 0;
    if (ts_first) {
        memcpy(o, tsm, tn);
        k = tn;
        o[k++] = ',';
    }
    memcpy(o + k, "\"uid\":\"", 7);
    k += 7;
    gen_uid(g, user, o + k);
    k += GEN_UID_LEN;
    o[k++] = '"';
    if (!ts_first) {
        o[k++] = ',';
        memcpy(o + k, tsm, tn);
        k += tn;
    }
    return k;
}

size_t gen_next(struct gen *g, char *out, uint64_t *user_out, int64_t *ts_out)
{
    struct gen_rng *r = &g->rng;
    uint64_t i = g->n++;
    uint64_t rnd = gen_rng_next(r);
    const struct gen_body *b = &g->pool.bodies[rnd % GEN_POOL_BODIES];
    uint64_t user = gen_rng_below(r, g->p.users);
    int64_t ts = g->p.start_ts + (int64_t)((double)i / g->p.rate);
    if (g->p.delay_prob > 0 && g->p.delay_ms >= 1000 && gen_rng_unit(r) < g->p.delay_prob)
        ts -= 1 + (int64_t)gen_rng_below(r, (uint64_t)(g->p.delay_ms / 1000));
    bool ts_string = g->p.ts_string_prob > 0 && gen_rng_unit(r) < g->p.ts_string_prob;
    bool ts_first = (rnd >> 20) & 1;
    uint32_t at;
    if (((rnd >> 21) & 15) < 14) /* near the start */
        at = (uint32_t)((rnd >> 25) % 5);
    else
        at = (uint32_t)((rnd >> 25) % (b->nmem + 1));
    if (at > b->nmem)
        at = b->nmem;

    const char *body = g->pool.text + b->off;
    size_t k = 0;
    out[k++] = '{';
    memcpy(out + k, body, b->bound[at]); /* ends with ',' when at > 0 */
    k += b->bound[at];
    if (at == b->nmem && at > 0)
        out[k++] = ',';
    k += put_pair(g, out + k, user, ts, ts_first, ts_string);
    if (at < b->nmem) {
        out[k++] = ',';
        memcpy(out + k, body + b->bound[at], b->bound[b->nmem] - b->bound[at]);
        k += b->bound[b->nmem] - b->bound[at];
    }
    out[k++] = '}';
    if (g->p.crlf)
        out[k++] = '\r';
    *user_out = user;
    *ts_out = ts;
    return k;
}

int gen_skip_to(struct gen *g, uint64_t n, void (*seen)(void *ctx, uint64_t user), void *ctx)
{
    char *scratch = malloc(g->max_frame);
    if (!scratch)
        return -1;
    while (g->n < n) {
        uint64_t user;
        int64_t ts;
        gen_next(g, scratch, &user, &ts);
        seen(ctx, user);
    }
    free(scratch);
    return 0;
}
