/*
 * Measuring the sketch's error: many independent trials (seeds), each one
 * stream of distinct uniform 64-bit hashes (splitmix64, standing in for
 * XXH3 of distinct keys), estimated at every checkpoint cardinality. Shared
 * by the accuracy test and bench/sketch_accuracy.
 */
#ifndef DC_TEST_ACCURACY_H
#define DC_TEST_ACCURACY_H

#include "sketch.h"

#include <math.h>

struct acc_point {
    uint64_t n;          /* cardinality */
    unsigned trials;
    double sum, sumsq;   /* of relative errors estimate/n - 1 */
    double maxabs;
};

static inline uint64_t acc_splitmix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Run `trials` trials of a sketch with precision p; points sorted by n. */
static inline void acc_run(unsigned p, struct acc_point *pts, size_t npts, unsigned trials,
                           uint64_t seed)
{
    for (unsigned t = 0; t < trials; t++) {
        struct dc_sketch s;
        dc_sketch_init(&s, p, DC_SKETCH_EXPLICIT_MAX);
        /* Streams of different trials never share a hash state. */
        uint64_t state = acc_splitmix(&seed) ^ ((uint64_t)t << 40);
        uint64_t added = 0;
        for (size_t i = 0; i < npts; i++) {
            for (; added < pts[i].n; added++)
                dc_sketch_add(&s, acc_splitmix(&state));
            double err = dc_sketch_estimate(&s) / (double)pts[i].n - 1.0;
            pts[i].trials++;
            pts[i].sum += err;
            pts[i].sumsq += err * err;
            if (fabs(err) > pts[i].maxabs)
                pts[i].maxabs = fabs(err);
        }
        dc_sketch_free(&s);
    }
}

static inline double acc_rmse(const struct acc_point *p)
{
    return sqrt(p->sumsq / p->trials);
}

static inline double acc_bias(const struct acc_point *p)
{
    return p->sum / p->trials;
}

#endif
