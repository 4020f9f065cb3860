/*
 * count_bench — the distinct-count stage alone: nanoseconds per frame with
 * one window (minute) and with six (minute, hour, day, week, month, year),
 * hashing included, and bytes per window.
 *
 * The frames look like the challenge's at its published rate: 19-character
 * hex uids drawn from 100,000 users, 1000 frames per second of event time,
 * so each minute window holds ~45,000 distinct users (dense sketches). They
 * are prepared as records in batches of 1024 with the uid field extracted,
 * exactly what json-extract hands over; the timed part is the plugin's
 * process() over all batches plus end_of_input, through its descriptor.
 * Each configuration runs several times; the median is reported.
 *
 *   bench/count_bench [FRAMES [RUNS]]      (defaults: 2000000 frames, 7 runs)
 */
#include "batch.h"
#include "distinct_count.h"
#include "engine.h"
#include "fields.h"
#include "host_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

extern const struct sluice_plugin sluice_plugin;

#define BATCH 1024
#define USERS 100000
#define UID_LEN 19

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct input {
    struct sluice_batch *batches;
    size_t nbatches, frames;
};

static void make_input(struct input *in, size_t frames, char *uids)
{
    uint64_t s = 88172645463325252ull;
    for (size_t u = 0; u < USERS; u++)
        for (size_t c = 0; c < UID_LEN; c++)
            uids[u * (UID_LEN + 1) + c] = "0123456789abcdef"[rng(&s) & 15];
    uint16_t uid_id = sluice_field_id("uid");
    in->nbatches = (frames + BATCH - 1) / BATCH;
    in->frames = frames;
    in->batches = calloc(in->nbatches, sizeof *in->batches);
    for (size_t i = 0; i < frames; i++) {
        struct sluice_batch *b = &in->batches[i / BATCH];
        struct sluice_record *r = sluice_batch_append(b);
        const char *uid = &uids[(rng(&s) % USERS) * (UID_LEN + 1)];
        r->value = uid;
        r->value_len = UID_LEN;
        r->ts = 1468244340 + (int64_t)(i / 1000); /* 1000 frames per second */
        r->flags = SLUICE_REC_HAS_TS;
        r->nfields = 2; /* json-extract fills uid and ts: the key is not first */
        r->fields[0] = (struct sluice_field){.ptr = "1468244340", .len = 10,
                                             .id = sluice_field_id("ts"),
                                             .type = SLUICE_FIELD_INT, .ival = r->ts};
        r->fields[1] = (struct sluice_field){.ptr = uid, .len = UID_LEN, .id = uid_id,
                                             .type = SLUICE_FIELD_STRING};
    }
}

/* One timed pass over all input; returns seconds. */
static double run_once(const struct input *in, struct dc_config *cfg, size_t *results)
{
    const struct sluice_host_api *host = sluice_host_api();
    struct sluice_instance *inst = sluice_instance_standalone("transform:distinct-count:bench");
    void *state = NULL;
    if (sluice_plugin.init(inst, host, cfg, &state) != SLUICE_OK)
        exit(1);
    struct sluice_batch out;
    sluice_batch_init(&out);
    *results = 0;
    double t0 = now_s();
    for (size_t i = 0; i < in->nbatches; i++) {
        sluice_batch_reset(&out);
        if (sluice_plugin.process(state, &in->batches[i], &out) != SLUICE_OK)
            exit(1);
        *results += out.count;
    }
    sluice_batch_reset(&out);
    sluice_plugin.end_of_input(state, &out);
    *results += out.count;
    double t = now_s() - t0;
    sluice_plugin.exit(state);
    sluice_batch_free(&out);
    sluice_instance_free(inst);
    return t;
}

static double median_ns(const struct input *in, struct dc_config *cfg, int runs, size_t *results)
{
    double t[64];
    for (int r = 0; r < runs; r++)
        t[r] = run_once(in, cfg, results) * 1e9 / (double)in->frames;
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    return t[runs / 2];
}

static double hash_only_ns(const struct input *in, int runs)
{
    double t[64];
    volatile uint64_t sink = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        for (size_t i = 0; i < in->nbatches; i++)
            for (size_t j = 0; j < in->batches[i].count; j++) {
                const struct sluice_field *f = &in->batches[i].records[j].fields[1];
                sink += XXH3_64bits(f->ptr, f->len);
            }
        t[r] = (now_s() - t0) * 1e9 / (double)in->frames;
    }
    (void)sink;
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    return t[runs / 2];
}

static int ignore(void *ctx, const struct dc_result *r)
{
    (void)ctx;
    (void)r;
    return 0;
}

/* Bytes held per window when minute windows are dense and retained. */
static void window_bytes(const struct input *in, bool exact)
{
    static const char *const w[] = {"minute"};
    struct dc_engine_config c = {.windows = w, .nwindows = 1, .exact = exact, .precision = 13,
                                 .lateness_ms = 5000, .retention_ms = 3600000,
                                 .max_future_ms = 3600000, .jump_confirm = 100,
                                 .timezone = "UTC"};
    const char *err = NULL;
    struct dc_engine *e = dc_engine_new(&c, ignore, NULL, &err);
    struct dc_add_info info;
    for (size_t i = 0; i < in->nbatches; i++)
        for (size_t j = 0; j < in->batches[i].count; j++) {
            const struct sluice_record *r = &in->batches[i].records[j];
            dc_engine_add(e, 0, r->ts, XXH3_64bits(r->fields[1].ptr, r->fields[1].len), 0,
                          &info);
        }
    struct dc_engine_stats st;
    dc_engine_stats(e, &st);
    printf("  %-7s minute windows held: %zu, %.0f bytes per window (struct %zu + sketch)\n",
           exact ? "exact:" : "sketch:", st.windows, (double)st.bytes / (double)st.windows,
           sizeof(struct dc_window));
    dc_engine_free(e);
}

int main(int argc, char **argv)
{
    size_t frames = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
    int runs = argc > 2 ? atoi(argv[2]) : 7;
    if (runs < 1 || runs > 64)
        runs = 7;
    char *uids = calloc(USERS, UID_LEN + 1);
    struct input in;
    make_input(&in, frames, uids);

    char *one[] = {"minute"};
    char *six[] = {"minute", "hour", "day", "week", "month", "year"};
    struct dc_config cfg = {
        .key = "uid", .algorithm = DC_ALGORITHM_SKETCH, .precision = 13, .lateness = 5000,
        .retention = 3600000, .max_future = 3600000, .jump_confirm = 100,
        .idle_timeout = 30000, .emit = DC_EMIT_FINAL, .early_interval = 1000, .timezone = "UTC",
    };
    printf("count stage: %zu frames (%zu s of event time, 1000/s, %d users), batches of %d, "
           "median of %d runs\n", frames, frames / 1000, USERS, BATCH, runs);
    printf("  XXH3 of the uid alone:            %6.1f ns/frame\n", hash_only_ns(&in, runs));
    size_t results;
    static const char *const algs[] = {"sketch", "exact"};
    static const int alg_ids[] = {DC_ALGORITHM_SKETCH, DC_ALGORITHM_EXACT};
    for (int a = 0; a < 2; a++) {
        cfg.algorithm = alg_ids[a];
        cfg.windows = (struct sluice_list){1, one};
        double n1 = median_ns(&in, &cfg, runs, &results);
        printf("  %-6s 1 window  (minute):          %6.1f ns/frame  (%zu results)\n", algs[a],
               n1, results);
        cfg.windows = (struct sluice_list){6, six};
        double n6 = median_ns(&in, &cfg, runs, &results);
        printf("  %-6s 6 windows (minute .. year):  %6.1f ns/frame  (%zu results)\n", algs[a],
               n6, results);
    }
    printf("bytes per window:\n");
    window_bytes(&in, false);
    window_bytes(&in, true);
    for (size_t i = 0; i < in.nbatches; i++)
        sluice_batch_free(&in.batches[i]);
    free(in.batches);
    free(uids);
    return 0;
}
