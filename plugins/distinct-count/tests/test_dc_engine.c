/*
 * The engine: when windows close, late frames and revisions, retention,
 * wild timestamps, time jumps, partitions and idleness, early results,
 * emission order, bounded memory, a DST day through the whole path; the
 * numbering of source partitions (partition_ids.c).
 * Expected counts come from how the frames are constructed here.
 */
#include "check.h"
#include "engine.h"
#include "partition_ids.h"

#include <stdlib.h>
#include <string.h>

#define MAX_RESULTS 20000

struct got {
    char window[DC_KIND_NAME_MAX];
    int64_t start, end;
    char start_iso[DC_ISO_MAX], end_iso[DC_ISO_MAX];
    uint64_t unique, frames;
    uint32_t revision;
    bool final;
    char estimator[24];
    double rse;
};

static struct got results[MAX_RESULTS];
static size_t nresults;

static int capture(void *ctx, const struct dc_result *r)
{
    (void)ctx;
    if (nresults == MAX_RESULTS)
        return -1;
    struct got *g = &results[nresults++];
    snprintf(g->window, sizeof g->window, "%s", r->kind->name);
    g->start = r->window->start;
    g->end = r->window->end;
    snprintf(g->start_iso, sizeof g->start_iso, "%s", r->window->start_iso);
    snprintf(g->end_iso, sizeof g->end_iso, "%s", r->window->end_iso);
    g->unique = r->unique;
    g->frames = r->window->frames;
    g->revision = r->revision;
    g->final = r->final;
    snprintf(g->estimator, sizeof g->estimator, "%s", r->estimator);
    g->rse = r->rse;
    return 0;
}

static struct dc_engine_config base_config(const char *const *windows, size_t n)
{
    return (struct dc_engine_config){
        .windows = windows,
        .nwindows = n,
        .exact = false,
        .precision = 13,
        .lateness_ms = 5000,
        .retention_ms = 3600000,
        .max_future_ms = 3600000,
        .idle_ms = 30000,
        .jump_confirm = 100,
        .early = false,
        .early_interval_ms = 1000,
        .timezone = "UTC",
    };
}

static struct dc_engine *engine(const struct dc_engine_config *c)
{
    const char *err = NULL;
    nresults = 0;
    struct dc_engine *e = dc_engine_new(c, capture, NULL, &err);
    if (!e)
        fprintf(stderr, "engine: %s\n", err);
    CHECK(e != NULL);
    return e;
}

static enum dc_verdict add(struct dc_engine *e, int32_t part, int64_t ts, uint64_t key)
{
    struct dc_add_info info;
    /* Keys are small integers; the engine wants uniform hashes. */
    uint64_t h = key * UINT64_C(0x9E3779B97F4A7C15);
    h ^= h >> 29;
    h *= UINT64_C(0xBF58476D1CE4E5B9);
    h ^= h >> 32;
    return dc_engine_add(e, part, ts, h, 1000, &info);
}

static const struct got *find(const char *window, int64_t start, uint32_t revision)
{
    for (size_t i = 0; i < nresults; i++)
        if (strcmp(results[i].window, window) == 0 && results[i].start == start &&
            results[i].revision == revision)
            return &results[i];
    return NULL;
}

#define T0 INT64_C(1468244340) /* 2016-07-11T13:39:00Z, a minute start */

static void test_close_by_watermark(void)
{
    static const char *const w[] = {"minute", "hour"};
    struct dc_engine_config c = base_config(w, 2);
    struct dc_engine *e = engine(&c);
    /* Minute 0: keys 0..9 twice; minute 1: keys 5..14. */
    for (int k = 0; k < 20; k++)
        CHECK_INT_EQ(add(e, 0, T0 + k, k % 10), DC_COUNTED);
    for (int k = 0; k < 10; k++)
        CHECK_INT_EQ(add(e, 0, T0 + 60 + k, 5 + k), DC_COUNTED);
    /* The watermark T0+69-5 is past minute 0's end: it closed. */
    CHECK_INT_EQ(nresults, 1);
    const struct got *g = find("minute", T0, 0);
    CHECK(g != NULL);
    if (g) {
        CHECK_INT_EQ(g->unique, 10);
        CHECK_INT_EQ(g->frames, 20);
        CHECK(g->final);
        CHECK_STR_EQ(g->start_iso, "2016-07-11T13:39:00Z");
        CHECK_STR_EQ(g->end_iso, "2016-07-11T13:40:00Z");
        CHECK_STR_EQ(g->estimator, "exact");
        CHECK(g->rse == 0);
    }
    /* A frame at end + lateness - 1 does not close minute 1; at end +
     * lateness it does. */
    CHECK_INT_EQ(add(e, 0, T0 + 124, 100), DC_COUNTED);
    CHECK_INT_EQ(nresults, 1);
    CHECK_INT_EQ(add(e, 0, T0 + 125, 100), DC_COUNTED);
    CHECK_INT_EQ(nresults, 2);
    g = find("minute", T0 + 60, 0);
    CHECK(g && g->unique == 10 && g->frames == 10);
    /* End of input: minute 2 then the hour, kinds in configured order. */
    CHECK_INT_EQ(dc_engine_end(e), 0);
    CHECK_INT_EQ(nresults, 4);
    CHECK_STR_EQ(results[2].window, "minute");
    CHECK_INT_EQ(results[2].start, T0 + 120);
    CHECK_INT_EQ(results[2].unique, 1);
    CHECK_STR_EQ(results[3].window, "hour");
    CHECK_INT_EQ(results[3].start, T0 - 39 * 60);
    CHECK_INT_EQ(results[3].unique, 16); /* keys 0..14 and 100 */
    CHECK_INT_EQ(results[3].frames, 32);
    struct dc_engine_stats st;
    dc_engine_stats(e, &st);
    CHECK_INT_EQ(st.windows, 0); /* everything freed after the end */
    dc_engine_free(e);
}

static void test_late_frames(void)
{
    static const char *const w[] = {"minute", "hour"};
    struct dc_engine_config c = base_config(w, 2);
    c.retention_ms = 120000; /* 2 minutes */
    struct dc_engine *e = engine(&c);
    for (int k = 0; k < 10; k++)
        add(e, 0, T0 + k, k);
    add(e, 0, T0 + 70, 50); /* closes minute 0 */
    CHECK_INT_EQ(nresults, 1);
    CHECK(find("minute", T0, 0) && find("minute", T0, 0)->unique == 10);
    /* Late but within retention: a new key updates minute 0 ... */
    CHECK_INT_EQ(add(e, 0, T0 + 30, 77), DC_COUNTED);
    /* ... an old key does not change the count ... */
    CHECK_INT_EQ(add(e, 0, T0 + 31, 3), DC_COUNTED);
    CHECK_INT_EQ(nresults, 1); /* revisions wait for the end of the batch */
    CHECK_INT_EQ(dc_engine_flush(e), 0);
    CHECK_INT_EQ(nresults, 2);
    const struct got *g = find("minute", T0, 1);
    CHECK(g && g->unique == 11 && g->final && g->frames == 12);
    /* A late duplicate changes nothing: no revision. */
    add(e, 0, T0 + 32, 77);
    CHECK_INT_EQ(dc_engine_flush(e), 0);
    CHECK_INT_EQ(nresults, 2);
    /* Move the watermark past minute 0's end + retention (T0+60+120+5). */
    add(e, 0, T0 + 185, 51);
    /* Too late for minute 0, still counted in the open hour. */
    struct dc_add_info info;
    CHECK_INT_EQ(dc_engine_add(e, 0, T0 + 40, 999, 1000, &info), DC_TOO_LATE);
    CHECK(info.late_kind && strcmp(info.late_kind->name, "minute") == 0);
    CHECK_INT_EQ(info.counted, 1);
    /* Also too late: a minute that never had a window. */
    CHECK_INT_EQ(dc_engine_add(e, 0, T0 - 600, 998, 1000, &info), DC_TOO_LATE);
    CHECK_INT_EQ(dc_engine_flush(e), 0);
    size_t before_end = nresults;
    for (size_t i = 0; i < nresults; i++)
        CHECK(!(strcmp(results[i].window, "minute") == 0 && results[i].start == T0 &&
                results[i].revision > 1));
    CHECK_INT_EQ(dc_engine_end(e), 0);
    CHECK(nresults > before_end);
    /* A late frame whose minute had no window yet but is within retention
     * gets one, emitted at once as final. */
    dc_engine_free(e);

    e = engine(&c);
    add(e, 0, T0, 1);
    add(e, 0, T0 + 200, 2); /* closes T0 and T0+60? only T0 has a window */
    CHECK_INT_EQ(nresults, 1);
    CHECK_INT_EQ(add(e, 0, T0 + 130, 3), DC_COUNTED); /* minute T0+120, past due */
    CHECK_INT_EQ(nresults, 2);
    CHECK(find("minute", T0 + 120, 0) && find("minute", T0 + 120, 0)->unique == 1);
    dc_engine_free(e);
}

/* Ordered frames, one per second over 10 minutes, 3 keys per second. */
static void ordered_run(struct dc_engine *e, int64_t wild_at, int64_t wild_ts,
                        enum dc_verdict *wild_verdict)
{
    for (int64_t s = 0; s < 600; s++) {
        for (int k = 0; k < 3; k++)
            CHECK_INT_EQ(add(e, 0, T0 + s, (uint64_t)(s * 7 + k) % 500), DC_COUNTED);
        if (s == wild_at)
            *wild_verdict = add(e, 0, wild_ts, 12345);
        dc_engine_flush(e);
    }
    dc_engine_end(e);
}

static void test_wild_timestamps(void)
{
    static const char *const w[] = {"minute", "hour", "day"};
    struct dc_engine_config c = base_config(w, 3);
    static struct got clean[64];
    struct dc_engine *e = engine(&c);
    enum dc_verdict v = DC_COUNTED;
    ordered_run(e, -1, 0, &v);
    size_t nclean = nresults;
    CHECK(nclean < 64);
    memcpy(clean, results, nclean * sizeof *clean);
    dc_engine_free(e);

    /* 4294967295 (2106) among the ordered frames: rejected, no change. */
    const int64_t wilds[] = {INT64_C(4294967295), T0 + 86400 * 365, 0, T0 + 300 + 3606};
    const enum dc_verdict want[] = {DC_OUT_OF_RANGE, DC_WILD, DC_OUT_OF_RANGE, DC_WILD};
    for (size_t i = 0; i < sizeof wilds / sizeof *wilds; i++) {
        e = engine(&c);
        ordered_run(e, 300, wilds[i], &v);
        CHECK_INT_EQ(v, want[i]);
        CHECK_INT_EQ(nresults, nclean);
        CHECK(memcmp(results, clean, nclean * sizeof *clean) == 0);
        dc_engine_free(e);
    }
    /* Just inside max_future is not wild (watermark T0+295, +1h). */
    e = engine(&c);
    ordered_run(e, 300, T0 + 295 + 3600, &v);
    CHECK_INT_EQ(v, DC_COUNTED);
    dc_engine_free(e);
}

static void test_time_jump(void)
{
    static const char *const w[] = {"minute", "day"};
    struct dc_engine_config c = base_config(w, 2);
    struct dc_engine *e = engine(&c);
    for (int s = 0; s < 120; s++)
        add(e, 0, T0 + s, (uint64_t)s % 40);
    CHECK_INT_EQ(nresults, 1); /* minute 0 */
    /* A replay resumes one day later: 99 frames are wild ... */
    const int64_t D = T0 + 86400;
    for (int i = 0; i < 99; i++)
        CHECK_INT_EQ(add(e, 0, D + i / 10, 1000 + (uint64_t)i), DC_WILD);
    CHECK_INT_EQ(nresults, 1);
    /* ... the 100th agreeing frame makes the jump real. */
    struct dc_add_info info;
    uint64_t h = 1099 * UINT64_C(0x9E3779B97F4A7C15);
    h ^= h >> 29;
    h *= UINT64_C(0xBF58476D1CE4E5B9);
    h ^= h >> 32;
    CHECK_INT_EQ(dc_engine_add(e, 0, D + 9, h, 1000, &info), DC_COUNTED);
    CHECK_INT_EQ(info.jump_frames, 100);
    CHECK_INT_EQ(info.counted, 2); /* this frame: its minute and its day */
    CHECK_INT_EQ(info.jump_to_ms, (D + 9) * 1000 - 5000);
    /* The old minute and the old day closed. */
    CHECK(find("minute", T0 + 60, 0) && find("minute", T0 + 60, 0)->unique == 40);
    const struct got *g = find("day", T0 - (T0 % 86400), 0);
    CHECK(g && g->unique == 40 && g->frames == 120);
    for (int s = 10; s < 60; s++)
        CHECK_INT_EQ(add(e, 0, D + s, 2000 + (uint64_t)s), DC_COUNTED);
    dc_engine_end(e);
    /* Nothing held back was lost: 100 + 50 distinct keys in the new minute. */
    g = find("minute", D - (D % 60), 0);
    CHECK(g && g->unique == 150 && g->frames == 150);
    dc_engine_free(e);

    /* A plausible frame in between breaks the run: no jump. */
    e = engine(&c);
    for (int s = 0; s < 60; s++)
        add(e, 0, T0 + s, (uint64_t)s);
    for (int i = 0; i < 99; i++)
        CHECK_INT_EQ(add(e, 0, D, 5000 + (uint64_t)i), DC_WILD);
    CHECK_INT_EQ(add(e, 0, T0 + 60, 1), DC_COUNTED);
    CHECK_INT_EQ(add(e, 0, D, 6000), DC_WILD);
    CHECK(dc_engine_watermark(e) == (T0 + 60) * 1000 - 5000);
    dc_engine_free(e);

    /* Frames far apart do not agree with each other. */
    c.jump_confirm = 3;
    e = engine(&c);
    add(e, 0, T0, 1);
    CHECK_INT_EQ(add(e, 0, T0 + 86400, 2), DC_WILD);
    CHECK_INT_EQ(add(e, 0, T0 + 2 * 86400, 3), DC_WILD);
    CHECK_INT_EQ(add(e, 0, T0 + 3 * 86400, 4), DC_WILD);
    CHECK_INT_EQ(add(e, 0, T0 + 3 * 86400 + 1, 5), DC_WILD);
    CHECK_INT_EQ(add(e, 0, T0 + 3 * 86400 + 2, 6), DC_COUNTED);
    dc_engine_free(e);
}

static void test_partitions_and_idle(void)
{
    static const char *const w[] = {"minute"};
    struct dc_engine_config c = base_config(w, 1);
    struct dc_engine *e = engine(&c);
    struct dc_add_info info;
    /* Partition 1 lags at T0+10; partition 0 runs to T0+200. */
    CHECK_INT_EQ(dc_engine_add(e, 1, T0 + 10, 1, 1000, &info), DC_COUNTED);
    for (int s = 0; s < 200; s++)
        CHECK_INT_EQ(dc_engine_add(e, 0, T0 + s, 100 + (uint64_t)s, 1000, &info), DC_COUNTED);
    CHECK_INT_EQ(nresults, 0); /* held back by partition 1 */
    CHECK_INT_EQ(dc_engine_watermark(e), (T0 + 10) * 1000 - 5000);
    /* Partition 1 catches up to T0+70: minute 0 closes. */
    CHECK_INT_EQ(dc_engine_add(e, 1, T0 + 70, 2, 2000, &info), DC_COUNTED);
    CHECK_INT_EQ(nresults, 1);
    /* Partition 1 falls silent; after idle_timeout, it no longer holds
     * the watermark back. */
    CHECK_INT_EQ(dc_engine_tick(e, 2000 + 29000), 0);
    CHECK_INT_EQ(nresults, 1);
    /* Partition 0 was seen at 1000 ms too: keep it alive. */
    CHECK_INT_EQ(dc_engine_add(e, 0, T0 + 200, 300, 31000, &info), DC_COUNTED);
    CHECK_INT_EQ(dc_engine_tick(e, 2000 + 30001), 0);
    CHECK_INT_EQ(dc_engine_watermark(e), (T0 + 200) * 1000 - 5000);
    CHECK_INT_EQ(nresults, 3); /* minutes 1 and 2 */
    /* Negative partitions are partition 0. */
    CHECK_INT_EQ(dc_engine_add(e, -1, T0 + 201, 301, 32002, &info),
                 DC_COUNTED);
    dc_engine_free(e);
}

static void test_early(void)
{
    static const char *const w[] = {"minute"};
    struct dc_engine_config c = base_config(w, 1);
    c.early = true;
    struct dc_engine *e = engine(&c);
    struct dc_add_info info;
    for (int k = 0; k < 5; k++)
        dc_engine_add(e, 0, T0 + k, (uint64_t)k, 1000, &info);
    CHECK_INT_EQ(dc_engine_tick(e, 1000), 0);
    CHECK_INT_EQ(nresults, 1);
    CHECK(!results[0].final && results[0].unique == 5 && results[0].revision == 0);
    /* Not again before early_interval, and not without a change. */
    dc_engine_add(e, 0, T0 + 6, 6, 1200, &info);
    CHECK_INT_EQ(dc_engine_tick(e, 1500), 0);
    CHECK_INT_EQ(nresults, 1);
    CHECK_INT_EQ(dc_engine_tick(e, 2000), 0);
    CHECK_INT_EQ(nresults, 2);
    CHECK(!results[1].final && results[1].unique == 6 && results[1].revision == 1);
    CHECK_INT_EQ(dc_engine_tick(e, 3000), 0);
    CHECK_INT_EQ(nresults, 2);
    CHECK_INT_EQ(dc_engine_end(e), 0);
    CHECK_INT_EQ(nresults, 3);
    CHECK(results[2].final && results[2].unique == 6 && results[2].revision == 2);
    dc_engine_free(e);
}

static void test_bounded_memory(void)
{
    /* Two years of frames, one every 30 s, in six windows: the windows held
     * stay bounded by retention, not by the length of the replay. */
    static const char *const w[] = {"minute", "hour", "day", "week", "month", "year"};
    struct dc_engine_config c = base_config(w, 6);
    struct dc_engine *e = engine(&c);
    size_t finals = 0;
    const int64_t start = 1704067200; /* 2024-01-01 */
    for (int64_t t = start; t < start + 2 * 366 * 86400; t += 30) {
        add(e, 0, t, (uint64_t)(t / 30) % 3000);
        if (nresults > MAX_RESULTS - 100) {
            finals += nresults;
            nresults = 0;
        }
    }
    struct dc_engine_stats st;
    dc_engine_stats(e, &st);
    /* 60 retained minutes + 1 open, 2 hours, 1-2 of each other kind. */
    CHECK(st.peak_windows <= 75);
    CHECK(st.windows <= 75);
    CHECK(st.bytes < 75 * 20000);
    CHECK(finals > 2 * 365 * 1440 - 10);
    dc_engine_end(e);
    dc_engine_free(e);
}

static void test_zurich_day(void)
{
    static const char *const w[] = {"day", "hour"};
    struct dc_engine_config c = base_config(w, 2);
    c.timezone = "Europe/Zurich";
    c.max_future_ms = 2 * 86400000; /* the frames below are hours apart */
    struct dc_engine *e = engine(&c);
    /* 2024-03-30T22:59:59Z is still Saturday in Zurich; 23:00Z is Sunday
     * 00:00 CET; 2024-03-31T21:59:59Z is Sunday 23:59:59 CEST. */
    add(e, 0, 1711839599, 1);
    add(e, 0, 1711839600, 2);
    add(e, 0, 1711880000, 3);
    add(e, 0, 1711922399, 4);
    add(e, 0, 1711922400, 5); /* Monday */
    dc_engine_end(e);
    const struct got *sat = find("day", 1711753200, 0);
    const struct got *sun = find("day", 1711839600, 0);
    const struct got *mon = find("day", 1711922400, 0);
    CHECK(sat && sat->unique == 1);
    CHECK(sun && sun->unique == 3 && sun->end - sun->start == 23 * 3600);
    CHECK(mon && mon->unique == 1);
    if (sun) {
        CHECK_STR_EQ(sun->start_iso, "2024-03-31T00:00:00+01:00");
        CHECK_STR_EQ(sun->end_iso, "2024-04-01T00:00:00+02:00");
    }
    /* Order: every day before any hour. */
    CHECK_STR_EQ(results[0].window, "day");
    CHECK_STR_EQ(results[nresults - 1].window, "hour");
    dc_engine_free(e);
}

/* A replay of three partitions as Kafka delivers it: runs of a few hundred
 * frames of one partition at a time, partition 0 far ahead at first. Frame
 * i of partition p is at T0 + i (10 minutes each) with key p * 100000 + i %
 * 200, so every minute has 3 * 60 distinct keys (60 per partition: the
 * minute's seconds i..i+59 give i % 200 60 distinct values). */
static void replay_three(struct dc_engine *e, int chunk)
{
    int next[3] = {0, 0, 0};
    for (int round = 0; next[0] < 600 || next[1] < 600 || next[2] < 600; round++) {
        for (int p = 0; p < 3; p++) {
            int n = p == 0 && round == 0 ? 600 : chunk; /* partition 0 all at once */
            for (int k = 0; k < n && next[p] < 600; k++, next[p]++)
                add(e, p, T0 + next[p], (uint64_t)p * 100000 + (uint64_t)(next[p] % 200));
            dc_engine_flush(e);
        }
    }
    dc_engine_end(e);
}

static void test_replay_held_partitions(void)
{
    static const char *const w[] = {"minute"};
    struct dc_engine_config c = base_config(w, 1);
    c.exact = true;

    /* Not told which partitions exist: partition 0 alone closes every
     * window, the others arrive as revisions. */
    struct dc_engine *e = engine(&c);
    replay_three(e, 250);
    size_t unheld = nresults;
    CHECK(unheld > 10);
    dc_engine_free(e);

    /* Told the source holds 0, 1 and 2: each window closes once, when all
     * three passed it, with every key. */
    e = engine(&c);
    for (int p = 0; p < 3; p++)
        CHECK_INT_EQ(dc_engine_hold(e, p, 1000), 0);
    replay_three(e, 250);
    CHECK_INT_EQ(nresults, 10);
    for (size_t i = 0; i < nresults; i++) {
        CHECK_INT_EQ(results[i].revision, 0);
        CHECK(results[i].final);
        CHECK_INT_EQ(results[i].unique, 180);
        CHECK_INT_EQ(results[i].frames, 180);
    }
    fprintf(stderr, "replay of 3 partitions, 10 minutes: %zu results unheld, %zu held\n", unheld,
            nresults);
    dc_engine_free(e);
}

struct membuf {
    uint8_t *data;
    size_t len, cap;
};

static int membuf_write(void *ctx, const void *bytes, size_t n)
{
    struct membuf *b = ctx;
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data)
            return -1;
    }
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    return 0;
}

/* Frame i (0..1799) of the state test: partition i % 3, late every 7th. */
static void state_frame(struct dc_engine *e, int i)
{
    int64_t ts = T0 + i / 3 - (i % 7 == 0 ? 20 : 0);
    add(e, i % 3, ts, (uint64_t)(i * 7919 % 1500));
}

/* Saving every partition and the instance part mid-run, then loading them
 * into a new engine that continues: the latest revision of every window is
 * the uninterrupted run's, and nothing already emitted is emitted again. */
static void test_state_roundtrip(void)
{
    static const char *const w[] = {"minute", "hour"};
    struct dc_engine_config c = base_config(w, 2);
    c.exact = true;
    c.lateness_ms = 10000;

    struct dc_engine *e = engine(&c);
    for (int i = 0; i < 1800; i++)
        state_frame(e, i);
    dc_engine_flush(e);
    dc_engine_end(e);
    size_t nwhole = nresults;
    static struct got whole[MAX_RESULTS];
    memcpy(whole, results, nwhole * sizeof *whole);
    dc_engine_free(e);

    e = engine(&c);
    for (int p = 0; p < 3; p++)
        dc_engine_hold(e, p, 1000);
    for (int i = 0; i < 1000; i++)
        state_frame(e, i);
    dc_engine_flush(e);
    struct membuf parts[3] = {{0}}, inst = {0};
    for (int p = 0; p < 3; p++)
        CHECK_INT_EQ(dc_engine_save_partition(e, p, membuf_write, &parts[p]), 0);
    CHECK_INT_EQ(dc_engine_save_instance(e, membuf_write, &inst), 0);
    size_t nfirst = nresults;
    static struct got first[MAX_RESULTS];
    memcpy(first, results, nfirst * sizeof *first);
    CHECK(nfirst > 0);
    dc_engine_free(e);

    e = engine(&c);
    const char *err = NULL;
    CHECK_INT_EQ(dc_engine_load_instance(e, inst.data, inst.len, &err), 0);
    for (int p = 0; p < 3; p++) {
        dc_engine_hold(e, p, 1000);
        CHECK_INT_EQ(dc_engine_load_partition(e, p, parts[p].data, parts[p].len, &err), 0);
        /* Loading twice changes nothing (it replaces). */
        CHECK_INT_EQ(dc_engine_load_partition(e, p, parts[p].data, parts[p].len, &err), 0);
    }
    for (int i = 1000; i < 1800; i++)
        state_frame(e, i);
    dc_engine_flush(e);
    dc_engine_end(e);

    /* Every window's latest revision: whole run vs first part + continuation. */
    for (size_t i = 0; i < nwhole; i++) {
        const struct got *wg = &whole[i];
        bool later = false;
        for (size_t j = i + 1; j < nwhole; j++)
            later = later || (whole[j].start == wg->start && !strcmp(whole[j].window, wg->window));
        if (later)
            continue;
        const struct got *last = NULL;
        for (size_t j = 0; j < nfirst; j++)
            if (first[j].start == wg->start && !strcmp(first[j].window, wg->window))
                last = &first[j];
        for (size_t j = 0; j < nresults; j++)
            if (results[j].start == wg->start && !strcmp(results[j].window, wg->window))
                last = &results[j];
        CHECK(last != NULL);
        if (last) {
            CHECK_INT_EQ(last->unique, wg->unique);
            CHECK_INT_EQ(last->frames, wg->frames);
        }
    }
    /* No (window, revision) emitted both before the save and after the load. */
    for (size_t i = 0; i < nfirst; i++)
        for (size_t j = 0; j < nresults; j++)
            CHECK(!(first[i].start == results[j].start && first[i].revision == results[j].revision &&
                    !strcmp(first[i].window, results[j].window)));

    /* Bad bytes are refused with a reason. */
    CHECK(dc_engine_load_partition(e, 0, parts[0].data, parts[0].len - 3, &err) == -1);
    CHECK(err != NULL);
    CHECK(dc_engine_load_instance(e, (const uint8_t *)"XXXX", 4, &err) == -1);
    for (int p = 0; p < 3; p++)
        free(parts[p].data);
    free(inst.data);
    dc_engine_free(e);
}

/* With checkpoints a window emits at most once between two durable
 * ones: a second late revision waits, and goes out at the first flush or
 * tick after the next checkpoint. */
static void test_once_per_checkpoint(void)
{
    static const char *const w[] = {"minute"};
    struct dc_engine_config c = base_config(w, 1);
    c.exact = true;
    c.max_future_ms = 2 * 3600000; /* the jump past retention below is not wild */
    c.once_per_checkpoint = true;
    struct dc_engine *e = engine(&c);
    for (int k = 0; k < 10; k++)
        add(e, 0, T0 + k, k);
    add(e, 0, T0 + 70, 50); /* closes minute 0: its final, revision 0 */
    CHECK_INT_EQ(nresults, 1);
    CHECK_INT_EQ(dc_engine_flush(e), 0);
    add(e, 0, T0 + 30, 77); /* late, new key */
    CHECK_INT_EQ(dc_engine_flush(e), 0);
    CHECK_INT_EQ(nresults, 1); /* emitted since the last checkpoint: waits */
    dc_engine_checkpoint_durable(e);
    CHECK_INT_EQ(dc_engine_flush(e), 0);
    CHECK_INT_EQ(nresults, 2);
    CHECK(results[1].revision == 1 && results[1].unique == 11 && results[1].final);
    add(e, 0, T0 + 31, 78);
    CHECK_INT_EQ(dc_engine_flush(e), 0);
    CHECK_INT_EQ(nresults, 2);
    dc_engine_checkpoint_durable(e);
    CHECK_INT_EQ(dc_engine_tick(e, 2000), 0); /* no frames come: the tick sends it */
    CHECK_INT_EQ(nresults, 3);
    CHECK(results[2].revision == 2 && results[2].unique == 12);
    /* A waiting revision keeps its window past retention until it is sent. */
    add(e, 0, T0 + 32, 79);
    CHECK_INT_EQ(dc_engine_flush(e), 0);
    add(e, 0, T0 + 60 + 3600 + 10, 80); /* minute 0's retention is over */
    CHECK_INT_EQ(dc_engine_flush(e), 0);
    CHECK_INT_EQ(nresults, 4); /* minute 1's final; minute 0's revision waits */
    CHECK(find("minute", T0 + 60, 0) != NULL);
    struct dc_engine_stats st;
    dc_engine_stats(e, &st);
    CHECK_INT_EQ(st.windows, 3); /* minute 0 stays until its revision is out */
    dc_engine_checkpoint_durable(e);
    CHECK_INT_EQ(dc_engine_flush(e), 0);
    CHECK_INT_EQ(nresults, 5);
    CHECK(find("minute", T0, 3) && find("minute", T0, 3)->unique == 13);
    dc_engine_stats(e, &st);
    CHECK_INT_EQ(st.windows, 2); /* then it is freed (minute 1 is in retention) */
    /* The end of input does not wait. */
    add(e, 0, T0 + 60 + 3600 + 11, 81);
    CHECK_INT_EQ(dc_engine_finish(e), 0);
    CHECK(find("minute", T0 + 60 + 3600, 0) != NULL);
    dc_engine_free(e);
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

/* The crash test's latest durable checkpoint: three partitions' state, the
 * instance part, and the frame it resumes at. */
struct ckpt_mem {
    struct membuf parts[3], inst;
    int pos;
};

static void take_checkpoint(struct dc_engine *e, struct ckpt_mem *ck, int pos)
{
    for (int p = 0; p < 3; p++) {
        ck->parts[p].len = 0;
        CHECK_INT_EQ(dc_engine_save_partition(e, p, membuf_write, &ck->parts[p]), 0);
    }
    ck->inst.len = 0;
    CHECK_INT_EQ(dc_engine_save_instance(e, membuf_write, &ck->inst), 0);
    ck->pos = pos;
    dc_engine_checkpoint_durable(e);
}

/* Frames [from, to) of the crash test in random batches of 1..bmax,
 * checkpointing every `every` frames (at a batch's end) into ck; with
 * early results, a tick a second after every batch. */
static void crash_run(struct dc_engine *e, int from, int to, int bmax, int every, bool early,
                      uint32_t *seed, int64_t *now, struct ckpt_mem *ck)
{
    int since = 0;
    for (int i = from; i < to;) {
        int n = 1 + (int)(lcg(seed) % (uint32_t)bmax);
        for (int j = 0; j < n && i < to; j++, i++)
            state_frame(e, i);
        CHECK_INT_EQ(dc_engine_flush(e), 0);
        if (early) {
            *now += 1000;
            CHECK_INT_EQ(dc_engine_tick(e, *now), 0);
        }
        if ((since += n) >= every) {
            take_checkpoint(e, ck, i);
            since = 0;
        }
    }
}

/* SIGKILL and replay, in the engine: a run is killed at a random frame, a
 * new one restores its last checkpoint and replays from there in other
 * batches. However the batches fall, the last result of every window in
 * both runs' output together is its highest revision, and carries the count
 * of the run that never crashed. Fails without once-per-checkpoint. */
static void test_revisions_across_crash(void)
{
    static const char *const w[] = {"minute", "hour"};
    static struct got whole[MAX_RESULTS], all[2 * MAX_RESULTS];
    for (int round = 0; round < 40; round++) {
        bool early = round % 4 == 3;
        uint32_t seed = 7u + (uint32_t)round * 7919u;
        struct dc_engine_config c = base_config(w, 2);
        c.exact = true;
        c.lateness_ms = 10000;
        c.early = early;

        struct dc_engine *e = engine(&c); /* the run that never crashes */
        for (int i = 0; i < 1800; i++)
            state_frame(e, i);
        dc_engine_end(e);
        size_t nwhole = nresults;
        memcpy(whole, results, nwhole * sizeof *whole);
        dc_engine_free(e);

        struct ckpt_mem ck = {0};
        int64_t now = 0;
        c.once_per_checkpoint = true;
        e = engine(&c);
        for (int p = 0; p < 3; p++)
            dc_engine_hold(e, p, 0);
        take_checkpoint(e, &ck, 0);
        int kill_at = 300 + (int)(lcg(&seed) % 1400);
        crash_run(e, 0, kill_at, 3, 150, early, &seed, &now, &ck);
        size_t nall = nresults;
        memcpy(all, results, nall * sizeof *all);
        dc_engine_free(e); /* SIGKILL: whatever came after the checkpoint is lost */

        e = engine(&c);
        const char *err = NULL;
        CHECK_INT_EQ(dc_engine_load_instance(e, ck.inst.data, ck.inst.len, &err), 0);
        for (int p = 0; p < 3; p++) {
            dc_engine_hold(e, p, 0);
            CHECK_INT_EQ(dc_engine_load_partition(e, p, ck.parts[p].data, ck.parts[p].len, &err),
                         0);
        }
        crash_run(e, ck.pos, 1800, 200, 400, early, &seed, &now, &ck);
        take_checkpoint(e, &ck, 1800); /* the host's, before the end of input */
        CHECK_INT_EQ(dc_engine_finish(e), 0);
        memcpy(all + nall, results, nresults * sizeof *all);
        nall += nresults;
        dc_engine_free(e);
        for (int p = 0; p < 3; p++)
            free(ck.parts[p].data);
        free(ck.inst.data);

        for (size_t i = 0; i < nwhole; i++) {
            const struct got *last = NULL;
            uint32_t highest = 0;
            for (size_t j = 0; j < nall; j++)
                if (all[j].start == whole[i].start && !strcmp(all[j].window, whole[i].window)) {
                    last = &all[j];
                    highest = all[j].revision > highest ? all[j].revision : highest;
                }
            bool later = false;
            for (size_t j = i + 1; j < nwhole; j++)
                later = later ||
                        (whole[j].start == whole[i].start && !strcmp(whole[j].window, whole[i].window));
            if (later)
                continue;
            CHECK(last != NULL);
            if (!last)
                continue;
            if (last->revision != highest)
                fprintf(stderr, "round %d: %s/%lld: last revision %u, highest %u\n", round,
                        last->window, (long long)last->start, last->revision, highest);
            CHECK_INT_EQ(last->revision, highest);
            CHECK_INT_EQ(last->unique, whole[i].unique);
            CHECK(last->final);
        }
    }
}

/* Partials as the count stage sends them, kept for a merge engine. */
struct sent_partial {
    char window[DC_KIND_NAME_MAX];
    int64_t start, end, wm;
    int32_t partition, topic_partitions;
    uint64_t frames;
    uint8_t *sketch;
    size_t len;
};
static struct sent_partial sent[4096];
static size_t nsent;

static int capture_partial(void *ctx, const struct dc_partial_out *p)
{
    (void)ctx;
    if (nsent == sizeof sent / sizeof *sent)
        return -1;
    struct sent_partial *s = &sent[nsent++];
    snprintf(s->window, sizeof s->window, "%s", p->kind->name);
    s->start = p->window->start;
    s->end = p->window->end;
    s->wm = p->watermark_ms;
    s->partition = p->partition;
    s->topic_partitions = p->topic_partitions;
    s->frames = p->frames;
    s->len = dc_sketch_serialized_size(p->sketch);
    s->sketch = malloc(s->len);
    CHECK(s->sketch && dc_sketch_serialize(p->sketch, s->sketch, s->len) == s->len);
    return 0;
}

/* A count-stage engine sending partials every `interval_ms`, holding the
 * three partitions of a 3-partition topic. */
static struct dc_engine *partials_engine(const struct dc_engine_config *c, int64_t interval_ms)
{
    struct dc_engine *e = engine(c);
    dc_engine_set_partials(e, capture_partial, interval_ms);
    dc_engine_set_topic_partitions(e, 3);
    for (int p = 0; p < 3; p++)
        dc_engine_hold(e, p, 1000);
    return e;
}

/* The latest (unique, frames) of every window of `r`, into `out`, by key. */
static size_t latest_of(const struct got *r, size_t n, struct got *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < m && !(out[j].start == r[i].start && !strcmp(out[j].window, r[i].window)))
            j++;
        if (j == m || r[i].revision >= out[j].revision)
            out[j] = r[i];
        if (j == m)
            m++;
    }
    return m;
}

/* Scale-out in one process: three partitions counted by an engine that
 * sends partials, merged by a second engine, give every window the count
 * and frames one engine gives; partials read twice or out of order change
 * nothing; a partial of another precision is refused by name. */
static void test_partials_merge(void)
{
    static const char *const w[] = {"minute", "hour"};
    for (int exact = 0; exact < 2; exact++) {
        struct dc_engine_config c = base_config(w, 2);
        c.exact = exact;
        struct dc_engine *e = engine(&c);
        for (int p = 0; p < 3; p++)
            dc_engine_hold(e, p, 1000);
        for (int i = 0; i < 9000; i++)
            add(e, i % 3, T0 + i / 6 - (i % 11 == 0 ? 4 : 0), (uint64_t)(i * 7919 % 5000));
        dc_engine_flush(e);
        dc_engine_end(e);
        static struct got single[MAX_RESULTS], merged[MAX_RESULTS], one[64], two[64];
        size_t nsingle = nresults;
        memcpy(single, results, nsingle * sizeof *single);
        dc_engine_free(e);

        /* The count stage: the same frames, partials out. */
        nsent = 0;
        e = partials_engine(&c, 0);
        for (int i = 0; i < 9000; i++) {
            add(e, i % 3, T0 + i / 6 - (i % 11 == 0 ? 4 : 0), (uint64_t)(i * 7919 % 5000));
            if (i % 500 == 499)
                dc_engine_flush(e);
        }
        dc_engine_flush(e);
        dc_engine_end(e);
        CHECK_INT_EQ(nresults, 0); /* partials instead of results */
        CHECK(nsent > 20);
        dc_engine_free(e);

        /* The merge stage: in the order sent, and partition by partition
         * (2, 1, 0: each partition's partials keep their order, as in a
         * topic); every partial twice in a row. */
        struct dc_engine_config mc = c;
        mc.lateness_ms = 0;
        for (int order = 0; order < 2; order++) {
            e = engine(&mc);
            const char *err = NULL;
            for (int pass_no = 0; pass_no < (order ? 3 : 1); pass_no++) {
                for (size_t k = 0; k < nsent; k++) {
                    const struct sent_partial *s = &sent[k];
                    if (order && s->partition != 2 - pass_no)
                        continue;
                    for (int twice = 0; twice < 2; twice++) {
                        int prc = dc_engine_put_partial(e, s->window, s->start, s->end,
                                                        s->partition, s->topic_partitions, s->wm,
                                                        s->frames, s->sketch, s->len, 1000, &err);
                        /* The copy of the partial that completed the last
                         * partition may find every window closed and freed:
                         * ignored as too late (1), changing nothing. */
                        bool last = s->wm == INT64_MAX && twice == 1;
                        CHECK(prc == 0 || (last && prc == 1));
                        dc_engine_flush(e);
                    }
                }
            }
            dc_engine_end(e);
            size_t nmerged = nresults;
            memcpy(merged, results, nmerged * sizeof *merged);
            size_t n1 = latest_of(single, nsingle, one), n2 = latest_of(merged, nmerged, two);
            CHECK_INT_EQ(n1, n2);
            for (size_t i = 0; i < n1; i++) {
                size_t j = 0;
                while (j < n2 && !(two[j].start == one[i].start && !strcmp(two[j].window, one[i].window)))
                    j++;
                CHECK(j < n2);
                if (j < n2) {
                    CHECK_INT_EQ(two[j].unique, one[i].unique);
                    /* `frames` of a window's last emission: a late frame that
                     * does not change `unique` makes no revision, in either
                     * stage, and they close a window at different frames. */
                    CHECK(two[j].frames <= one[i].frames + 100 &&
                          one[i].frames <= two[j].frames + 100);
                    CHECK_STR_EQ(two[j].estimator, one[i].estimator);
                }
            }
            dc_engine_free(e);
        }
        /* The merge stage's whole state saved half-way (dc_engine_save_all) and
         * loaded into a new engine that takes the rest: the same results, and
         * no window's revision emitted twice. */
        {
            e = engine(&mc);
            const char *err = NULL;
            size_t half = nsent / 2;
            for (size_t k = 0; k < half; k++) {
                const struct sent_partial *sp = &sent[k];
                dc_engine_put_partial(e, sp->window, sp->start, sp->end, sp->partition,
                                      sp->topic_partitions, sp->wm, sp->frames, sp->sketch,
                                      sp->len, 1000, &err);
                dc_engine_flush(e);
            }
            struct membuf all = {0};
            CHECK_INT_EQ(dc_engine_save_all(e, membuf_write, &all), 0);
            size_t nbefore = nresults;
            static struct got before[MAX_RESULTS];
            memcpy(before, results, nbefore * sizeof *before);
            dc_engine_free(e);
            e = engine(&mc);
            CHECK_INT_EQ(dc_engine_load_all(e, all.data, all.len, &err), 0);
            for (size_t k = half; k < nsent; k++) {
                const struct sent_partial *sp = &sent[k];
                dc_engine_put_partial(e, sp->window, sp->start, sp->end, sp->partition,
                                      sp->topic_partitions, sp->wm, sp->frames, sp->sketch,
                                      sp->len, 1000, &err);
                dc_engine_flush(e);
            }
            dc_engine_end(e);
            static struct got both[MAX_RESULTS];
            memcpy(both, before, nbefore * sizeof *both);
            memcpy(both + nbefore, results, nresults * sizeof *both);
            size_t n1 = latest_of(single, nsingle, one), n2 = latest_of(both, nbefore + nresults, two);
            CHECK_INT_EQ(n1, n2);
            for (size_t i = 0; i < n1; i++)
                for (size_t j = 0; j < n2; j++)
                    if (two[j].start == one[i].start && !strcmp(two[j].window, one[i].window))
                        CHECK_INT_EQ(two[j].unique, one[i].unique);
            for (size_t i = 0; i < nbefore; i++)
                for (size_t j = 0; j < nresults; j++)
                    CHECK(!(before[i].start == results[j].start &&
                            before[i].revision == results[j].revision &&
                            !strcmp(before[i].window, results[j].window)));
            CHECK(dc_engine_load_all(e, all.data, all.len - 1, &err) == -1);
            free(all.data);
            dc_engine_free(e);
        }
        /* Another precision: refused, by name. */
        struct dc_engine_config pc = mc;
        pc.precision = 12;
        pc.exact = false;
        e = engine(&pc);
        const char *err = NULL;
        const struct sent_partial *big = NULL;
        for (size_t k = 0; k < nsent; k++)
            if (!big || sent[k].len > big->len)
                big = &sent[k];
        if (!exact) {
            CHECK_INT_EQ(dc_engine_put_partial(e, big->window, big->start, big->end, 0, 3, 0,
                                               big->frames, big->sketch, big->len, 1000, &err),
                         -1);
            CHECK(err && strstr(err, "another precision"));
        }
        CHECK_INT_EQ(dc_engine_put_partial(e, "day", big->start, big->end, 0, 3, 0, 1,
                                           big->sketch, big->len, 1000, &err),
                     -1);
        CHECK(err && strstr(err, "window this merge stage does not have"));
        dc_engine_free(e);
        for (size_t k = 0; k < nsent; k++)
            free(sent[k].sketch);
    }
}

/* A partition's state restored by another count instance (a rebalance, or a
 * restart after SIGTERM or SIGKILL) holds changes the previous holder may
 * never have sent (partial_interval had not passed): the new holder sends
 * every restored partial once, so the merge stage gets them even when no
 * frame of that window follows (here: the input ends at once). */
static void test_partials_after_restore(void)
{
    static const char *const w[] = {"minute", "hour"};
    struct dc_engine_config c = base_config(w, 2);
    c.exact = true;
    struct dc_engine *e = engine(&c);
    for (int i = 0; i < 2400; i++)
        add(e, i % 3, T0 + i / 20, (uint64_t)(i * 7919 % 4000));
    dc_engine_flush(e);
    dc_engine_end(e);
    static struct got single[MAX_RESULTS], one[64], two[64];
    size_t nsingle = nresults;
    memcpy(single, results, nsingle * sizeof *single);
    dc_engine_free(e);

    /* The first holder: every window's partials sent once, then changes
     * that an hour's partial_interval keeps back; its state saved. */
    nsent = 0;
    e = partials_engine(&c, 3600000);
    for (int i = 0; i < 2400; i++) {
        add(e, i % 3, T0 + i / 20, (uint64_t)(i * 7919 % 4000));
        if (i == 1999)
            dc_engine_flush(e);
    }
    struct membuf parts[3] = {{0}};
    for (int p = 0; p < 3; p++)
        CHECK_INT_EQ(dc_engine_save_partition(e, p, membuf_write, &parts[p]), 0);
    dc_engine_free(e); /* it stops without sending the rest */
    CHECK(nsent > 0);

    /* The next holder restores the partitions; their input ends. */
    e = partials_engine(&c, 3600000);
    const char *err = NULL;
    for (int p = 0; p < 3; p++) {
        CHECK_INT_EQ(dc_engine_load_partition(e, p, parts[p].data, parts[p].len, &err), 0);
        free(parts[p].data);
    }
    dc_engine_flush(e);
    dc_engine_end(e);
    dc_engine_free(e);

    struct dc_engine_config mc = c;
    mc.lateness_ms = 0;
    e = engine(&mc);
    for (size_t k = 0; k < nsent; k++) {
        const struct sent_partial *s = &sent[k];
        CHECK_INT_EQ(dc_engine_put_partial(e, s->window, s->start, s->end, s->partition,
                                           s->topic_partitions, s->wm, s->frames, s->sketch,
                                           s->len, 1000, &err),
                     0);
        dc_engine_flush(e);
    }
    dc_engine_end(e);
    size_t n1 = latest_of(single, nsingle, one), n2 = latest_of(results, nresults, two);
    CHECK_INT_EQ(n1, n2);
    for (size_t i = 0; i < n1; i++) {
        size_t j = 0;
        while (j < n2 && !(two[j].start == one[i].start && !strcmp(two[j].window, one[i].window)))
            j++;
        CHECK(j < n2);
        if (j < n2)
            CHECK_INT_EQ(two[j].unique, one[i].unique);
        /* The last partial sent of each partition holds all its frames of
         * the window (no late frames here: the single run's final has all). */
        uint64_t frames = 0;
        for (int32_t p = 0; p < 3; p++) {
            const struct sent_partial *last = NULL;
            for (size_t k = 0; k < nsent; k++)
                if (sent[k].partition == p && sent[k].start == one[i].start &&
                    !strcmp(sent[k].window, one[i].window))
                    last = &sent[k];
            frames += last ? last->frames : 0;
        }
        CHECK_INT_EQ(frames, one[i].frames);
    }
    dc_engine_free(e);
    for (size_t k = 0; k < nsent; k++)
        free(sent[k].sketch);
}

/* A partition handed to a count instance whose other partitions are far
 * ahead (a rebalance in a replay of history): its frames are judged by its
 * own watermark, not the instance's, so none is lost where one instance
 * over all partitions (whose watermark waits for the slowest) counts them
 * all. Here partition 0 is two hours ahead when partition 1 arrives. */
static void test_partials_partition_behind(void)
{
    static const char *const w[] = {"minute", "hour"};
    struct dc_engine_config c = base_config(w, 2);
    c.exact = true;
    c.max_future_ms = 86400000;
    nsent = 0;
    struct dc_engine *e = engine(&c);
    dc_engine_set_partials(e, capture_partial, 0);
    dc_engine_set_topic_partitions(e, 2);
    dc_engine_hold(e, 0, 1000);
    for (int i = 0; i < 7200; i++)
        CHECK_INT_EQ(add(e, 0, T0 + i, (uint64_t)i), DC_COUNTED);
    dc_engine_flush(e);
    dc_engine_hold(e, 1, 1000);
    for (int i = 0; i < 600; i++)
        CHECK_INT_EQ(add(e, 1, T0 + i, (uint64_t)(100000 + i)), DC_COUNTED);
    dc_engine_flush(e);
    dc_engine_end(e);
    dc_engine_free(e);

    struct dc_engine_config mc = c;
    mc.lateness_ms = 0;
    e = engine(&mc);
    const char *err = NULL;
    for (size_t k = 0; k < nsent; k++) {
        const struct sent_partial *s = &sent[k];
        dc_engine_put_partial(e, s->window, s->start, s->end, s->partition,
                              s->topic_partitions, s->wm, s->frames, s->sketch, s->len, 1000,
                              &err);
        dc_engine_flush(e);
    }
    dc_engine_end(e);
    static struct got last[256];
    size_t n = latest_of(results, nresults, last);
    /* The first ten minutes: 60 keys of each partition. */
    for (int j = 0; j < 10; j++) {
        const struct got *g = NULL;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(last[i].window, "minute") && last[i].start == T0 + 60 * j)
                g = &last[i];
        CHECK(g != NULL);
        if (g)
            CHECK_INT_EQ(g->unique, 120);
    }
    dc_engine_free(e);
    for (size_t k = 0; k < nsent; k++)
        free(sent[k].sketch);
}

/* Every frame a new key: the dense estimate lands above the frame count in
 * about half the windows; the result never says more distinct keys than
 * the window has frames. */
static void test_unique_capped_by_frames(void)
{
    static const char *const w[] = {"10s"};
    struct dc_engine_config c = base_config(w, 1);
    struct dc_engine *e = engine(&c);
    for (int i = 0; i < 40 * 3000; i++)
        add(e, 0, T0 + (i / 3000) * 10, (uint64_t)i + 1);
    dc_engine_end(e);
    CHECK_INT_EQ(nresults, 40);
    size_t at_frames = 0;
    for (size_t i = 0; i < nresults; i++) {
        CHECK(results[i].unique <= results[i].frames);
        at_frames += results[i].unique == results[i].frames;
    }
    CHECK(at_frames > 0); /* the cap was needed: without it those were above */
    dc_engine_free(e);
}

static void test_config_errors(void)
{
    const char *err = NULL;
    static const char *const bad[] = {"minute", "fortnight"};
    struct dc_engine_config c = base_config(bad, 2);
    CHECK(dc_engine_new(&c, capture, NULL, &err) == NULL);
    CHECK(err && strstr(err, "unknown window"));
    static const char *const dup[] = {"minute", "minute"};
    c = base_config(dup, 2);
    CHECK(dc_engine_new(&c, capture, NULL, &err) == NULL);
    c = base_config(dup, 1);
    c.timezone = "Nowhere/Atlantis";
    CHECK(dc_engine_new(&c, capture, NULL, &err) == NULL);
    c = base_config(dup, 1);
    c.precision = 30;
    CHECK(dc_engine_new(&c, capture, NULL, &err) == NULL);
}

/* Partition N of two topics gets two numbers (results); with output =
 * partials a partition keeps its own number and a second topic is refused. */
static void test_partition_ids(void)
{
    struct dc_partition_ids m = {0};
    const char *first = NULL;
    char a[] = "a", a_again[] = "a"; /* the same name at another address */
    CHECK_INT_EQ(dc_partition_id(&m, a, 2, &first), 0);
    CHECK_INT_EQ(dc_partition_id(&m, "b", 2, &first), 1);
    CHECK_INT_EQ(dc_partition_id(&m, a, 0, &first), 2);
    CHECK_INT_EQ(dc_partition_id(&m, a_again, 2, &first), 0);
    CHECK_INT_EQ(dc_partition_id(&m, "b", 2, &first), 1);
    CHECK_INT_EQ(dc_partition_id(&m, "b", 100, &first), 3); /* grows */
    CHECK_INT_EQ(dc_partition_id(&m, a, 2, &first), 0);
    CHECK_INT_EQ(dc_partition_id(&m, NULL, 0, &first), 4); /* a source without topics */
    CHECK_INT_EQ(dc_partition_id(&m, NULL, -1, &first), 4); /* no partition: 0 */
    dc_partition_ids_free(&m);

    struct dc_partition_ids id = {.identity = true};
    CHECK_INT_EQ(dc_partition_id(&id, "a", 5, &first), 5);
    CHECK_INT_EQ(dc_partition_id(&id, "a", 0, &first), 0);
    CHECK_INT_EQ(dc_partition_id(&id, "b", 0, &first), -2);
    CHECK_STR_EQ(first, "a");
    CHECK_INT_EQ(dc_partition_id(&id, a, 3, &first), 3);
    dc_partition_ids_free(&id);
}

int main(void)
{
    test_close_by_watermark();
    test_late_frames();
    test_wild_timestamps();
    test_time_jump();
    test_partitions_and_idle();
    test_early();
    test_bounded_memory();
    test_zurich_day();
    test_config_errors();
    test_replay_held_partitions();
    test_state_roundtrip();
    test_once_per_checkpoint();
    test_revisions_across_crash();
    test_partials_merge();
    test_partials_after_restore();
    test_partials_partition_behind();
    test_unique_capped_by_frames();
    test_partition_ids();
    return check_exit();
}
