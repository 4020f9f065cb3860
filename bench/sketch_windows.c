/*
 * sketch_windows — the data behind REPORT.md's error figures: many windows of
 * varied sizes, each counted by distinct-count's sketch (the plugin's own
 * code: XXH3-64 of the uid text, then dc_sketch_add) and, independently, known
 * exactly by construction.
 *
 * Window w holds n_w distinct uids, n_w drawn log-uniformly from [MIN, MAX]
 * (so small, explicit windows and large, dense ones are equally represented
 * per decade). Its uids are the `generate` source's uid texts of users
 * w * 2^32 + 0 .. w * 2^32 + n_w - 1: distinct users have distinct uids (the
 * generator maps user numbers to uid texts bijectively), so the exact count
 * is n_w without counting anything. A quarter of the uids are added a second
 * time, as repeated frames of a user are: the count must not move.
 *
 *   bench/sketch_windows [WINDOWS [MAX [MIN [SEED [P]]]]] > error.tsv
 *        defaults:        2000     1e6   100   42    13
 *
 * Output: a TSV with comment lines (# source: ..., # date: ...), then one row per
 * window: window, exact, estimate (unrounded), unique (rounded, as a result
 * record carries it), relative error, the rse the result record states (0
 * while the window is exact), estimator. A summary goes to stderr.
 * Deterministic for given arguments; about 4 s for the defaults.
 */
#include "gen.h"
#include "sketch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
/* XXH3 inlined, exactly as plugins/distinct-count/distinct_count.c hashes keys. */
#define XXH_INLINE_ALL
#include <xxhash.h>

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int usage(void)
{
    fprintf(stderr, "usage: sketch_windows [WINDOWS>=1 [MAX [MIN>=1 [SEED [P in %d..%d]]]]]\n"
                    "  (MIN <= MAX <= 4e9)\n",
            DC_SKETCH_P_MIN, DC_SKETCH_P_MAX);
    return 2;
}

int main(int argc, char **argv)
{
    unsigned long windows = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
    double max = argc > 2 ? strtod(argv[2], NULL) : 1e6;
    double min = argc > 3 ? strtod(argv[3], NULL) : 100;
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 42;
    unsigned p = argc > 5 ? (unsigned)strtoul(argv[5], NULL, 10) : DC_SKETCH_P_DEFAULT;
    if (windows < 1 || !(min >= 1) || !(max >= min) || max > 4e9 || p < DC_SKETCH_P_MIN ||
        p > DC_SKETCH_P_MAX)
        return usage();

    struct gen_params gp = {.seed = seed, .users = UINT64_MAX, .rate = 1};
    struct gen *g = gen_new(&gp);
    if (!g) {
        fprintf(stderr, "sketch_windows: out of memory\n");
        return 1;
    }
    time_t now = time(NULL);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    printf("# source: bench/sketch_windows %lu %.0f %.0f %llu %u: %lu windows, distinct uids per "
           "window log-uniform in [%.0f, %.0f], UltraLogLog p = %u (theoretical rse %.4f%%)\n",
           windows, max, min, (unsigned long long)seed, p, windows, min, max, p,
           100 * dc_sketch_dense_rse(p));
    printf("# date: %s\n", date);
    printf("window\texact\testimate\tunique\trel_err\trse\testimator\n");

    uint64_t rng = seed;
    double sumsq = 0, maxabs = 0;
    unsigned long dense = 0, within[3] = {0}, wrong_exact = 0;
    char uid[GEN_UID_LEN];
    for (unsigned long w = 0; w < windows; w++) {
        double u = (double)(splitmix(&rng) >> 11) * 0x1p-53;
        uint64_t n = (uint64_t)llround(exp(log(min) + u * (log(max) - log(min))));
        struct dc_sketch s;
        dc_sketch_init(&s, p, DC_SKETCH_EXPLICIT_MAX);
        uint64_t base = (uint64_t)w << 32;
        for (uint64_t i = 0; i < n; i++) {
            gen_uid(g, base + i, uid);
            if (dc_sketch_add(&s, XXH3_64bits(uid, sizeof uid)) < 0) {
                fprintf(stderr, "sketch_windows: out of memory\n");
                return 1;
            }
        }
        double before = dc_sketch_estimate(&s);
        for (uint64_t i = 0; i < n; i += 4) { /* repeated frames of the same users */
            gen_uid(g, base + i, uid);
            dc_sketch_add(&s, XXH3_64bits(uid, sizeof uid));
        }
        double est = dc_sketch_estimate(&s);
        if (est != before) {
            fprintf(stderr, "sketch_windows: window %lu: repeated uids moved the estimate "
                            "from %.3f to %.3f\n", w, before, est);
            return 1;
        }
        double rse = dc_sketch_rse(&s), err = est / (double)n - 1.0;
        char name[32];
        printf("%lu\t%llu\t%.3f\t%llu\t%.6e\t%.6f\t%s\n", w, (unsigned long long)n, est,
               (unsigned long long)dc_sketch_count(&s), err, rse,
               dc_sketch_estimator(&s, name, sizeof name));
        if (dc_sketch_is_dense(&s)) {
            dense++;
            sumsq += err * err;
            if (fabs(err) > maxabs)
                maxabs = fabs(err);
            for (int k = 0; k < 3; k++)
                within[k] += fabs(err) <= (k + 1) * rse;
        } else if (dc_sketch_count(&s) != n) {
            wrong_exact++;
        }
        dc_sketch_free(&s);
    }
    gen_free(g);
    fprintf(stderr,
            "sketch_windows: %lu windows: %lu exact (all right: %s), %lu estimated: RMSE %.3f%%, "
            "max |error| %.2f%%, within 1/2/3 rse: %.1f%% / %.1f%% / %.1f%%\n",
            windows, windows - dense, wrong_exact ? "NO" : "yes", dense,
            dense ? 100 * sqrt(sumsq / (double)dense) : 0.0, 100 * maxabs,
            dense ? 100.0 * (double)within[0] / (double)dense : 0.0,
            dense ? 100.0 * (double)within[1] / (double)dense : 0.0,
            dense ? 100.0 * (double)within[2] / (double)dense : 0.0);
    return wrong_exact ? 1 : 0;
}
