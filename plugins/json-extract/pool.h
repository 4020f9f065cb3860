/*
 * A few helper threads that scan slices of a batch beside the pipeline's
 * own thread (pool.c says why and how).
 */
#ifndef SLUICE_JX_POOL_H
#define SLUICE_JX_POOL_H

#include <stddef.h>

struct jx_pool;

/* The work of one slice: items [begin, end) of the job. Runs on any of the
 * pool's threads, the caller's included, so it must touch nothing but the
 * items it is given (and what every thread only reads). */
typedef void (*jx_pool_fn)(void *ctx, size_t begin, size_t end);

/* A pool of `threads` - 1 helpers (the caller of jx_pool_run is the other
 * thread). NULL if a thread could not be started; threads < 2 is an error. */
struct jx_pool *jx_pool_start(unsigned threads);

/* Run fn over items [0, n) in slices of `grain` items, on the caller's
 * thread and the helpers, and return when every slice is done. One job at
 * a time: it is called from one thread (the pipeline's). */
void jx_pool_run(struct jx_pool *p, size_t n, size_t grain, jx_pool_fn fn, void *ctx);

/* Stop and join the helpers, free the pool (NULL is fine). */
void jx_pool_stop(struct jx_pool *p);

/* How many threads `threads = 0` (auto) means here: the CPUs this process
 * may run on, at most `cap`. */
unsigned jx_pool_auto_threads(unsigned cap);

#endif
