/*
 * Accuracy of the default sketch (p = 13, 8 KiB), measured: relative RMSE
 * and bias for 10 .. 1e6 distinct over many independent trials, asserted
 * against the stated bounds (RMSE <= 0.85%, |bias| <= 0.1%) plus what the
 * trial count cannot resolve:
 *
 *   - RMSE: measured from T trials, its relative standard error is about
 *     1/sqrt(2T) (the errors are close to normal), so the assertion allows
 *     3 of those: 0.85% * (1 + 3/sqrt(2T)). T = 1000: 0.907%.
 *   - bias: the mean of T errors has standard error RMSE/sqrt(T), so the
 *     assertion is |bias| <= 0.1% + 3 RMSE/sqrt(T). T = 1000: 0.18%.
 *
 * The seeds are fixed: the run is deterministic; the margins say how far a
 * different seed set could legitimately move the numbers. Bigger runs (for
 * the table in plugins/distinct-count/README.md): bench/sketch_accuracy. DC_ACCURACY_TRIALS
 * overrides T.
 */
#include "accuracy.h"
#include "check.h"

#include <stdlib.h>

static void report(const char *what, const struct acc_point *p, double rmse_bound,
                   double bias_bound)
{
    fprintf(stderr, "%s n=%-8llu trials=%-5u rmse=%.4f%% (bound %.4f%%) bias=%+.4f%% "
                    "(bound %.4f%%) max=%.3f%%\n",
            what, (unsigned long long)p->n, p->trials, 100 * acc_rmse(p), 100 * rmse_bound,
            100 * acc_bias(p), 100 * bias_bound, 100 * p->maxabs);
}

int main(void)
{
    const char *env = getenv("DC_ACCURACY_TRIALS");
    unsigned trials = env ? (unsigned)strtoul(env, NULL, 10) : 1000;
    if (trials < 10)
        trials = 10;

    /* Default sketch. Up to 1024 distinct the count is exact. */
    struct acc_point pts[] = {{.n = 10},    {.n = 100},    {.n = 1000}, {.n = 1024},
                              {.n = 1025},  {.n = 3000},   {.n = 10000}, {.n = 100000},
                              {.n = 1000000}};
    const size_t npts = sizeof pts / sizeof *pts;
    acc_run(13, pts, npts, trials, 20240101);
    const double rmse_goal = 0.0085, bias_goal = 0.001;
    for (size_t i = 0; i < npts; i++) {
        const struct acc_point *p = &pts[i];
        if (p->n <= DC_SKETCH_EXPLICIT_MAX) {
            CHECK(p->maxabs == 0); /* explicit: exact */
            continue;
        }
        double rmse = acc_rmse(p);
        double rmse_bound = rmse_goal * (1 + 3 / sqrt(2.0 * p->trials));
        double bias_bound = bias_goal + 3 * rmse / sqrt((double)p->trials);
        report("p=13", p, rmse_bound, bias_bound);
        CHECK(rmse <= rmse_bound);
        CHECK(fabs(acc_bias(p)) <= bias_bound);
    }

    /* Another precision follows the same law: RSE = 0.761 / sqrt(2^p). */
    struct acc_point q[] = {{.n = 100000}};
    acc_run(10, q, 1, trials / 2, 7);
    double rse10 = dc_sketch_dense_rse(10);
    double bound10 = rse10 * 1.01 * (1 + 3 / sqrt(2.0 * q[0].trials));
    report("p=10", &q[0], bound10, 3 * acc_rmse(&q[0]) / sqrt((double)q[0].trials) + 0.001);
    CHECK(acc_rmse(&q[0]) <= bound10);
    CHECK(fabs(acc_bias(&q[0])) <= 0.001 + 3 * acc_rmse(&q[0]) / sqrt((double)q[0].trials));
    return check_exit();
}
