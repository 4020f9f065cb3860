/*
 * generate: a source of synthetic challenge-like frames (gen.c), for tests,
 * the demo and the benchmark. Frames are written straight into the batch
 * arena (one arena allocation per batch, none per record). Records: value =
 * the frame, partition 0, offset = frame index.
 *
 * Counters: "frames", and "distinct_uids" (users seen so far, from a bitmap
 * of `users` bits), so tests can compare a pipeline's distinct counts with
 * the truth.
 *
 * Checkpoints: the position is the next frame number. A resumed run makes
 * the frames before it again and drops them (the generator is a sequence:
 * that is the only way to its state), so it continues byte for byte.
 */
#include "gen.h"

#include <sluice/plugin.h>
#include <stdlib.h>
#include <string.h>

struct generate_config {
    int64_t count;
    double rate;
    int64_t users;
    int64_t seed;
    int64_t start_ts;
    int64_t delay;
    double delay_prob;
    double ts_string;
    bool crlf;
    bool unicode;
    int64_t batch;
    int64_t partitions;
};

struct generate_state {
    struct sluice_instance *self;
    const struct sluice_host_api *host;
    struct gen *gen;
    uint64_t count; /* 0 = unlimited */
    size_t batch;
    uint64_t *seen; /* bitmap of users */
    uint64_t users;
    uint64_t polled, acked; /* frames made by the last poll, and acknowledged */
    uint32_t partitions;    /* frame i goes to partition i % partitions */
};

static void mark_seen(void *ctx, uint64_t user)
{
    struct generate_state *st = ctx;
    st->seen[user >> 6] |= (uint64_t)1 << (user & 63);
}

static const struct sluice_option generate_options[] = {
    SLUICE_INT_OPTION("count", struct generate_config, count, .default_value = "100000", .min = 0,
                      .max = 1e18, .doc = "frames to make; 0 = until stopped"),
    SLUICE_DOUBLE_OPTION("rate", struct generate_config, rate, .default_value = "1000", .min = 1e-6,
                         .max = 1e12,
                         .doc = "frames per second of event time (ts advances by 1/rate per "
                                "frame)"),
    SLUICE_INT_OPTION("users", struct generate_config, users, .default_value = "1000", .min = 1,
                      .max = 1e10, .doc = "distinct uids to draw from (uniformly)"),
    SLUICE_INT_OPTION("seed", struct generate_config, seed, .default_value = "1",
                      .doc = "same seed, same options: byte-identical frames"),
    SLUICE_INT_OPTION("start_ts", struct generate_config, start_ts, .default_value = "1468244384",
                      .doc = "event time of the first frame, unix seconds"),
    SLUICE_DURATION_OPTION("delay", struct generate_config, delay, .default_value = "0",
                           .doc = "a delayed frame's ts is 1s..delay older (out of order)"),
    SLUICE_DOUBLE_OPTION("delay_prob", struct generate_config, delay_prob, .default_value = "0",
                         .min = 0, .max = 1, .doc = "share of delayed frames, 0..1"),
    SLUICE_DOUBLE_OPTION("ts_string", struct generate_config, ts_string, .default_value = "0.25",
                         .min = 0, .max = 1,
                         .doc = "share of frames whose ts is a string holding the number, 0..1"),
    SLUICE_BOOL_OPTION("crlf", struct generate_config, crlf, .default_value = "false",
                       .doc = "end every frame with \"\\r\" (as a CRLF line would leave it)"),
    SLUICE_BOOL_OPTION("unicode", struct generate_config, unicode, .default_value = "false",
                       .doc = "also \\uXXXX escapes (with surrogate pairs) in values"),
    SLUICE_INT_OPTION("batch", struct generate_config, batch, .default_value = "1024", .min = 1,
                      .max = 1e6, .doc = "records per poll"),
    SLUICE_INT_OPTION("partitions", struct generate_config, partitions, .default_value = "1",
                      .min = 1, .max = 4096,
                      .doc = "frame i goes to partition i % partitions (as a topic's partitions "
                             "would hold them)"),
    SLUICE_OPTIONS_END};

static int generate_init(struct sluice_instance *self, const struct sluice_host_api *host,
                         const void *config, void **state)
{
    const struct generate_config *cf = config;
    struct generate_state *st = calloc(1, sizeof *st);
    if (!st)
        return SLUICE_ERROR;
    st->self = self;
    st->host = host;
    st->count = (uint64_t)cf->count;
    st->batch = (size_t)cf->batch;
    st->users = (uint64_t)cf->users;
    struct gen_params p = {
        .seed = (uint64_t)cf->seed,
        .users = st->users,
        .rate = cf->rate,
        .start_ts = cf->start_ts,
        .delay_ms = cf->delay,
        .delay_prob = cf->delay_prob,
        .ts_string_prob = cf->ts_string,
        .crlf = cf->crlf,
        .unicode_escapes = cf->unicode,
    };
    st->gen = gen_new(&p);
    st->seen = calloc((st->users + 63) / 64, sizeof *st->seen);
    if (!st->gen || !st->seen) {
        host->log(self, SLUICE_LOG_ERROR, "out of memory (users = %llu)",
                  (unsigned long long)st->users);
        gen_free(st->gen);
        free(st->seen);
        free(st);
        return SLUICE_ERROR;
    }
    st->partitions = (uint32_t)cf->partitions;
    struct sluice_partition parts[4096];
    for (uint32_t i = 0; i < st->partitions; i++)
        parts[i] = (struct sluice_partition){.partition = (int32_t)i,
                                             .position = SLUICE_NO_OFFSET,
                                             .topic_partitions = (int32_t)st->partitions};
    if (host->partitions_assigned(self, parts, st->partitions) != SLUICE_OK)
        goto fail;
    /* Every partition's position is the sequence's next frame number. */
    int64_t at = parts[0].position;
    if (at > 0) {
        if (gen_skip_to(st->gen, (uint64_t)at, mark_seen, st) != 0)
            goto fail;
        st->polled = st->acked = (uint64_t)at;
        host->log(self, SLUICE_LOG_INFO, "resuming at frame %lld", (long long)at);
    }
    *state = st;
    return SLUICE_OK;
fail:
    gen_free(st->gen);
    free(st->seen);
    free(st);
    return SLUICE_ERROR;
}

static void generate_exit(void *state)
{
    struct generate_state *st = state;
    gen_free(st->gen);
    free(st->seen);
    free(st);
}

static int generate_poll(void *state, struct sluice_batch *out, int timeout_ms)
{
    (void)timeout_ms;
    struct generate_state *st = state;
    const struct sluice_host_api *host = st->host;
    uint64_t done = gen_count(st->gen);
    if ((st->count && done >= st->count) || host->stop_requested())
        return SLUICE_END;
    size_t n = st->batch;
    if (st->count && st->count - done < n)
        n = (size_t)(st->count - done);
    size_t max = gen_max_frame(st->gen);
    /* One arena block for the whole batch; frames are packed, and what is
     * left over is simply not used. */
    char *buf = host->batch_alloc(out, n * max);
    if (!buf)
        return SLUICE_ERROR;
    int64_t fresh = 0;
    for (size_t i = 0; i < n; i++) {
        struct sluice_record *r = host->batch_append(out);
        if (!r)
            return SLUICE_ERROR;
        uint64_t user;
        int64_t ts;
        uint64_t index = gen_count(st->gen);
        size_t len = gen_next(st->gen, buf, &user, &ts);
        r->value = buf;
        r->value_len = len;
        r->partition = (int32_t)(index % st->partitions);
        r->offset = (int64_t)index;
        buf += len;
        uint64_t bit = (uint64_t)1 << (user & 63);
        if (!(st->seen[user >> 6] & bit)) {
            st->seen[user >> 6] |= bit;
            fresh++;
        }
    }
    st->polled = gen_count(st->gen);
    host->counter_add(st->self, "frames", (int64_t)n);
    if (fresh)
        host->counter_add(st->self, "distinct_uids", fresh);
    return SLUICE_OK;
}

static int generate_ack(void *state, struct sluice_batch *batch)
{
    struct generate_state *st = state;
    (void)batch;             /* the bytes live in the batch arena */
    st->acked = st->polled;  /* the host acks each batch before the next poll */
    return SLUICE_OK;
}

static size_t generate_positions(void *state, struct sluice_partition *out, size_t cap)
{
    struct generate_state *st = state;
    for (uint32_t i = 0; i < st->partitions && i < cap; i++)
        out[i] = (struct sluice_partition){.partition = (int32_t)i,
                                           .position = (int64_t)st->acked,
                                           .topic_partitions = (int32_t)st->partitions};
    return st->partitions;
}

SLUICE_PLUGIN(.name = "generate",
              .description = "synthetic challenge-like JSON frames (uid, ts, nested decoys)",
              .version = PACKAGE_VERSION,
              .kind = SLUICE_KIND_SOURCE,
              .options = generate_options,
              .config_size = sizeof(struct generate_config),
              .init = generate_init,
              .exit = generate_exit,
              .poll = generate_poll,
              .ack = generate_ack,
              .positions = generate_positions);
