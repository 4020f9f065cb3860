/*
 * Throughput of json-extract's scanners, not a test (built by `make check`,
 * run by hand): every mode on the challenge samples and on generated frames,
 * median of several runs, MB/s and frames/s per CPU second of one core.
 *
 *   plugins/json-extract/tests/bench_scan [RUNS] [MB-per-run] [SCANNER] [VALIDATE]
 *
 * SCANNER (avx512, avx512bw, avx2, sse42, sse2, scalar, strict) and VALIDATE (structure, full, fields) pick one
 * configuration, for perf.
 */
#include "gen.h"
#include "jx.h"
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

struct set {
    const char *name;
    char *bytes;
    size_t *off, *len;
    size_t n, total;
};

static void add(struct set *s, const char *f, size_t len, size_t *cap, size_t *bcap)
{
    if (s->n == *cap) {
        *cap = *cap ? *cap * 2 : 4096;
        s->off = realloc(s->off, *cap * sizeof *s->off);
        s->len = realloc(s->len, *cap * sizeof *s->len);
    }
    while (s->total + len > *bcap) {
        *bcap = *bcap ? *bcap * 2 : 1 << 22;
        s->bytes = realloc(s->bytes, *bcap);
    }
    memcpy(s->bytes + s->total, f, len);
    s->off[s->n] = s->total;
    s->len[s->n++] = len;
    s->total += len;
}

static void load_samples(struct set *s, const char *dir)
{
    size_t cap = 0, bcap = 0;
    static char line[1 << 16];
    const char *files[] = {"challenge-sample-a.jsonl.gz", "challenge-sample-late.jsonl.gz"};
    for (int i = 0; i < 2; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        gzFile f = gzopen(path, "rb");
        if (!f) {
            fprintf(stderr, "cannot open %s\n", path);
            exit(1);
        }
        while (gzgets(f, line, sizeof line)) {
            size_t len = strlen(line);
            while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                len--;
            add(s, line, len, &cap, &bcap);
        }
        gzclose(f);
    }
}

static void load_generated(struct set *s, size_t n)
{
    size_t cap = 0, bcap = 0;
    struct gen_params p = {.seed = 1, .users = 100000, .rate = 1000, .start_ts = 1468244384,
                           .ts_string_prob = 0.25};
    struct gen *g = gen_new(&p);
    char *buf = malloc(gen_max_frame(g));
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        int64_t ts;
        add(s, buf, gen_next(g, buf, &u, &ts), &cap, &bcap);
    }
    free(buf);
    gen_free(g);
}

static char arena[1 << 20];
static size_t arena_used;
static void *bump(void *ctx, size_t n)
{
    (void)ctx;
    n = (n + 15) & ~(size_t)15;
    if (arena_used + n > sizeof arena)
        arena_used = 0;
    void *p = arena + arena_used;
    arena_used += n;
    return p;
}

/* CPU time of this thread: the machine may be shared, and wall time would
 * count other processes' turns on the core. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Seconds per pass over the set, median of `runs`. */
static double measure(const struct set *s, const struct jx_rules *r, bool strict, int runs,
                      size_t passes, size_t *bad)
{
    double t[64];
    struct sluice_record rec;
    for (int k = 0; k < runs; k++) {
        *bad = 0;
        double t0 = now();
        for (size_t p = 0; p < passes; p++)
            for (size_t i = 0; i < s->n; i++) {
                struct jx_slot slots[JX_MAX_WANT] = {{0}};
                struct jx_verdict v;
                const char *f = s->bytes + s->off[i];
                enum jx_err e = strict ? jx_scan_strict(f, s->len[i], &r->spec, slots, &v, bump, NULL)
                                       : jx_scan_fast(f, s->len[i], &r->spec, slots, &v);
                if (!e)
                    e = jx_fill_record(r, slots, &rec, &v, bump, NULL);
                *bad += e != JX_OK;
            }
        t[k] = (now() - t0) / (double)passes;
    }
    qsort(t, (size_t)runs, sizeof t[0], cmp_d);
    return t[runs / 2];
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 7;
    double mb = argc > 2 ? atof(argv[2]) : 200;
    const char *only = argc > 3 ? argv[3] : NULL;
    const char *only_v = argc > 4 ? argv[4] : NULL;
    if (runs < 1 || runs > 63)
        runs = 7;
    const char *dir = getenv("SLUICE_TEST_DATA") ? getenv("SLUICE_TEST_DATA") : "tests/data";
    struct set sets[2] = {{.name = "challenge samples"}, {.name = "generated (seed 1)"}};
    load_samples(&sets[0], dir);
    load_generated(&sets[1], 20000);

    struct jx_rules r;
    memset(&r, 0, sizeof r);
    r.spec = (struct jx_spec){.n = 2, .name = {"uid", "ts"}, .len = {3, 2}, .maxlen = 3};
    r.required[0] = r.required[1] = true;
    r.ts = 1;
    r.id[0] = 1;
    r.id[1] = 2;

    printf("%-20s %-8s %-8s %10s %12s\n", "data", "scanner", "validate", "MB/s", "frames/s");
    for (int si = 0; si < 2; si++) {
        const struct set *s = &sets[si];
        size_t passes = (size_t)(mb * 1e6 / (double)s->total) + 1;
        /* Each implementation, then (past the last) strict. */
        for (size_t k = 0; k == 0 || jx_impl_at(k - 1); k++) {
            const char *impl = jx_impl_at(k);
            bool strict = !impl;
            if (strict)
                impl = "strict";
            if ((!strict && !jx_force_impl(impl)) || (only && strcmp(only, impl) != 0))
                continue;
            static const char *const levels[] = {"structure", "full", "fields"};
            for (int f = 0; f < (strict ? 1 : 3); f++) {
                if (only_v && !strict && strcmp(only_v, levels[f]) != 0)
                    continue;
                jx_spec_validate(&r.spec, f == 0   ? JX_VALIDATE_STRUCTURE
                                          : f == 2 ? JX_VALIDATE_FIELDS
                                                   : JX_VALIDATE_FULL);
                jx_spec_prepare(&r.spec);
                size_t bad;
                double sec = measure(s, &r, strict, runs, strict ? (passes + 9) / 10 : passes, &bad);
                printf("%-20s %-8s %-8s %10.0f %12.0f%s\n", s->name, impl,
                       strict ? "-" : levels[f], (double)s->total / sec / 1e6,
                       (double)s->n / sec, bad ? "  (some frames refused!)" : "");
                fflush(stdout);
            }
        }
    }
    printf("(%zu + %zu frames, average %.0f and %.0f bytes; median of %d runs)\n", sets[0].n,
           sets[1].n, (double)sets[0].total / (double)sets[0].n,
           (double)sets[1].total / (double)sets[1].n, runs);
    return 0;
}
