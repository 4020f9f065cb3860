/* The pool of frame bodies the generator splices uid and ts into. */
#ifndef SLUICE_GEN_POOL_H
#define SLUICE_GEN_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEN_POOL_BODIES 1024
#define GEN_MAX_MEMBERS 64

/* One body: root members "k":v joined by ',' (no braces). bound[k] is where
 * member k starts; bound[nmem] is the body's length. */
struct gen_body {
    size_t off; /* in the pool text */
    uint32_t nmem;
    uint32_t bound[GEN_MAX_MEMBERS + 1];
};

struct gen_pool {
    char *text;
    size_t size;
    size_t max_len;
    struct gen_body bodies[GEN_POOL_BODIES];
};

/* Build the pool from `seed`; false if out of memory. */
bool gen_pool_build(struct gen_pool *p, uint64_t seed, bool unicode_escapes);
void gen_pool_free(struct gen_pool *p);

#endif
