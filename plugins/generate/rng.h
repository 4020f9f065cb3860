/* Deterministic random numbers: splitmix64 to seed, xoshiro256** to draw.
 * The same seed gives the same stream on every platform. */
#ifndef SLUICE_GEN_RNG_H
#define SLUICE_GEN_RNG_H

#include <stdint.h>

struct gen_rng {
    uint64_t s[4];
};

static inline uint64_t gen_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline void gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = gen_splitmix64(&seed);
}

static inline uint64_t gen_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t gen_rng_next(struct gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = gen_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = gen_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n) (n > 0), by Lemire's multiply-shift (the tiny bias is
 * irrelevant for test data; determinism is what matters). */
static inline uint64_t gen_rng_below(struct gen_rng *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)gen_rng_next(r) * n) >> 64);
}

/* Uniform in [0, 1). */
static inline double gen_rng_unit(struct gen_rng *r)
{
    return (double)(gen_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
