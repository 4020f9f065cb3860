/*
 * sketch_accuracy — the error table of plugins/distinct-count/README.md: relative RMSE, bias
 * and the largest error of the default sketch (p = 13) for 10 .. 1e7
 * distinct hashes over many trials, next to the theoretical RSE.
 *
 *   bench/sketch_accuracy [TRIALS [P]]     (defaults: 10000 trials, p = 13)
 *
 * 1e7 runs with a tenth of the trials (it costs ten times as much each).
 */
#include "accuracy.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    unsigned trials = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 10000;
    unsigned p = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : DC_SKETCH_P_DEFAULT;
    if (trials < 10 || p < DC_SKETCH_P_MIN || p > DC_SKETCH_P_MAX) {
        fprintf(stderr, "usage: sketch_accuracy [TRIALS>=10 [P in 4..18]]\n");
        return 2;
    }
    struct acc_point pts[] = {{.n = 10},    {.n = 100},    {.n = 1000},   {.n = 2000},
                              {.n = 5000},  {.n = 10000},  {.n = 30000},  {.n = 100000},
                              {.n = 300000}, {.n = 1000000}};
    const size_t npts = sizeof pts / sizeof *pts;
    acc_run(p, pts, npts, trials, 42);
    struct acc_point big[] = {{.n = 10000000}};
    acc_run(p, big, 1, trials / 10, 4242);

    printf("UltraLogLog p=%u (%u bytes dense), ML estimator; theoretical RSE %.3f%%\n\n", p,
           1u << p, 100 * dc_sketch_dense_rse(p));
    printf("| distinct | trials | RMSE | bias | bias std. error | max abs error |\n");
    printf("|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i <= npts; i++) {
        const struct acc_point *q = i < npts ? &pts[i] : &big[0];
        double rmse = acc_rmse(q);
        printf("| %llu | %u | %.3f%% | %+.4f%% | %.4f%% | %.2f%% |\n",
               (unsigned long long)q->n, q->trials, 100 * rmse, 100 * acc_bias(q),
               100 * rmse / sqrt((double)q->trials), 100 * q->maxabs);
    }
    return 0;
}
