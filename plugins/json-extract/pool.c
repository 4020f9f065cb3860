/*
 * Scanning a batch on more than one thread.
 *
 * WHY. The pipeline runs on one thread (host/pipeline.c): source, transforms
 * and sinks in turn. In the file pipeline most of that thread's time is the
 * fast scanner's (perf, 1M challenge frames, six windows, AVX2: ~74% of the
 * process's CPU in scan_avx2_full), and a frame's verdict depends on that
 * frame alone. So json-extract hands slices of each batch to a few helper
 * threads and scans the rest itself; the record fields are still written
 * afterwards, in order, on the pipeline's thread (the batch arena is not
 * for several threads, and skips, dead letters and counters keep their
 * order). Frames per second grow with the cores; CPU per frame does not
 * shrink (a little is added: the wake-ups, one per batch).
 *
 * HOW. One job at a time, published under a mutex with a generation number;
 * helpers wake on a condition variable and take slices of `grain` items
 * from an atomic cursor, as does the caller, so a helper that the machine
 * runs late takes fewer slices instead of holding the others up. A helper
 * joins a job only while it is open: the caller closes it once the cursor
 * is past the end and then waits only for the helpers that joined (their
 * slices in flight), never for one that has not woken yet.
 */
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

struct jx_pool {
    pthread_mutex_t lock;
    pthread_cond_t work; /* a job was opened, or stop */
    pthread_cond_t done; /* the last helper left a closed job */
    unsigned nhelpers;
    pthread_t *helpers;
    /* The job, under lock (the cursor is atomic: taken without it). */
    unsigned long gen;
    bool open, stop;
    unsigned active; /* helpers inside the job */
    jx_pool_fn fn;
    void *ctx;
    size_t n, grain;
    atomic_size_t next;
};

static void run_slices(struct jx_pool *p, jx_pool_fn fn, void *ctx, size_t n, size_t grain)
{
    for (;;) {
        size_t b = atomic_fetch_add_explicit(&p->next, grain, memory_order_relaxed);
        if (b >= n)
            return;
        fn(ctx, b, n - b > grain ? b + grain : n);
    }
}

static void *helper_main(void *arg)
{
    struct jx_pool *p = arg;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stop && (p->gen == seen || !p->open))
            pthread_cond_wait(&p->work, &p->lock);
        if (p->stop)
            break;
        seen = p->gen;
        p->active++;
        jx_pool_fn fn = p->fn;
        void *ctx = p->ctx;
        size_t n = p->n, grain = p->grain;
        pthread_mutex_unlock(&p->lock);
        run_slices(p, fn, ctx, n, grain);
        pthread_mutex_lock(&p->lock);
        if (--p->active == 0 && !p->open)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

void jx_pool_run(struct jx_pool *p, size_t n, size_t grain, jx_pool_fn fn, void *ctx)
{
    if (!grain)
        grain = 1;
    pthread_mutex_lock(&p->lock);
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->grain = grain;
    atomic_store_explicit(&p->next, 0, memory_order_relaxed);
    p->open = true;
    p->gen++;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);

    run_slices(p, fn, ctx, n, grain);

    pthread_mutex_lock(&p->lock);
    p->open = false;
    while (p->active)
        pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

struct jx_pool *jx_pool_start(unsigned threads)
{
    if (threads < 2)
        return NULL;
    struct jx_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->helpers = calloc(threads - 1, sizeof *p->helpers);
    if (!p->helpers) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    atomic_init(&p->next, 0);
    /* Signals stay with the pipeline's thread (the host's SIGINT/SIGTERM
     * handling): the helpers start with every signal blocked. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (unsigned i = 0; i + 1 < threads; i++) {
        if (pthread_create(&p->helpers[i], NULL, helper_main, p) != 0)
            break;
        pthread_setname_np(p->helpers[i], "sluice-scan");
        p->nhelpers++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (p->nhelpers + 1 < threads) {
        jx_pool_stop(p);
        return NULL;
    }
    return p;
}

void jx_pool_stop(struct jx_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->nhelpers; i++)
        pthread_join(p->helpers[i], NULL);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p->helpers);
    free(p);
}

unsigned jx_pool_auto_threads(unsigned cap)
{
    cpu_set_t set;
    unsigned n = 1;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        n = (unsigned)CPU_COUNT(&set);
    return n < cap ? n : cap;
}
