/*
 * sketch-merge: the merge stage of scale-out (plugins/distinct-count's
 * engine_partials.c has the essay). It reads partials — what count
 * instances with `output = partials` send, one per window and source
 * partition — unions them per window, takes the watermark as the minimum
 * over every partition of the source topic (an unseen one holds it back
 * until idle_timeout), and emits results in distinct-count's format and
 * key: the numbers one instance over all partitions gives.
 *
 * Its state is rebuilt from a compacted partials topic: read it from the
 * start (kafka-in start = earliest) and every window's latest partials come
 * back; unions are idempotent, so partials read twice change nothing.
 */
#include "engine.h"
#include "partial.h"
#include "result.h"
#include "sluice_time.h"

#include <sluice/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SM_ALGORITHM_EXACT, SM_ALGORITHM_SKETCH };

struct sm_config {
    struct sluice_list windows;
    int algorithm;
    int64_t precision;
    int64_t retention;
    int64_t idle_timeout;
    char *timezone;
};

struct sm_state {
    char fingerprint[512];
    struct sluice_instance *self;
    const struct sluice_host_api *host;
    struct dc_engine *engine;
    struct sluice_batch *out;
    const char *stage;
};

#define DAY_MS 86400000.0

static const struct sluice_option sm_options[] = {
    SLUICE_LIST_OPTION("windows", struct sm_config, windows, .default_value = "minute",
                       .flags = SLUICE_OPT_NONEMPTY,
                       .doc = "the count stage's windows, in the order results are wanted"),
    SLUICE_ENUM_OPTION("algorithm", struct sm_config, algorithm, "exact|sketch",
                       .default_value = "sketch", .doc = "as in the count stage"),
    SLUICE_INT_OPTION("precision", struct sm_config, precision, .default_value = "13",
                      .min = DC_SKETCH_P_MIN, .max = DC_SKETCH_P_MAX,
                      .doc = "as in the count stage (a partial of another precision is refused)"),
    SLUICE_DURATION_OPTION("retention", struct sm_config, retention, .default_value = "1h",
                           .min = 0, .max = 366 * DAY_MS,
                           .doc = "keep closed windows this long for late partials (revisions)"),
    SLUICE_DURATION_OPTION("idle_timeout", struct sm_config, idle_timeout,
                           .default_value = "30s", .min = 0, .max = 7 * DAY_MS,
                           .doc = "a source partition with no partial this long stops holding "
                                  "the watermark back (0: never)"),
    SLUICE_STRING_OPTION("timezone", struct sm_config, timezone, .default_value = "UTC",
                         .flags = SLUICE_OPT_NONEMPTY, .doc = "as in the count stage"),
    SLUICE_OPTIONS_END,
};

static int emit_result(void *ctx, const struct dc_result *r)
{
    struct sm_state *st = ctx;
    st->host->counter_add(st->self, "results", 1);
    return dc_result_append(st->host, st->out, r);
}

static int sm_init(struct sluice_instance *self, const struct sluice_host_api *host,
                   const void *config, void **state)
{
    const struct sm_config *cfg = config;
    struct sm_state *st = calloc(1, sizeof *st);
    if (!st)
        return SLUICE_ERROR;
    st->self = self;
    st->host = host;
    st->stage = host->instance_name(self);
    struct dc_engine_config ec = {
        .windows = (const char *const *)cfg->windows.items,
        .nwindows = cfg->windows.n,
        .exact = cfg->algorithm == SM_ALGORITHM_EXACT,
        .precision = (unsigned)cfg->precision,
        .lateness_ms = 0, /* partials carry their partition's watermark, lateness applied */
        .retention_ms = cfg->retention,
        .max_future_ms = 366 * 86400000LL,
        .idle_ms = cfg->idle_timeout,
        .jump_confirm = 1,
        .timezone = cfg->timezone,
        .once_per_checkpoint = host->checkpointing(),
    };
    dc_engine_fingerprint(&ec, st->fingerprint, sizeof st->fingerprint);
    const char *err = NULL;
    st->engine = dc_engine_new(&ec, emit_result, st, &err);
    if (!st->engine) {
        host->log(self, SLUICE_LOG_ERROR, "cannot start: %s", err ? err : "unknown error");
        free(st);
        return SLUICE_ERROR;
    }
    *state = st;
    return SLUICE_OK;
}

static void sm_exit(void *state)
{
    struct sm_state *st = state;
    if (!st)
        return;
    dc_engine_free(st->engine);
    free(st);
}

/* Pass `rec` on as an error record with `reason` (NULL: unchanged). */
static int pass_on(struct sm_state *st, const struct sluice_record *rec, const char *reason)
{
    struct sluice_record *r = st->host->batch_append(st->out);
    if (!r)
        return -1;
    *r = *rec;
    if (reason) {
        r->flags |= SLUICE_REC_ERROR;
        r->error = reason;
        r->error_stage = st->stage;
    }
    return 0;
}

static int sm_process(void *state, struct sluice_batch *in, struct sluice_batch *out)
{
    struct sm_state *st = state;
    st->out = out;
    int64_t now = sluice_clock_realtime_ms();
    int64_t merged = 0, late = 0, bad = 0;
    for (size_t i = 0; i < in->count; i++) {
        const struct sluice_record *rec = &in->records[i];
        if (!sluice_record_live(rec)) {
            if (pass_on(st, rec, NULL) < 0)
                goto oom;
            continue;
        }
        struct dc_partial_msg m;
        const char *why = dc_partial_decode((const uint8_t *)rec->value, rec->value_len, &m);
        char window[16];
        if (!why) {
            memcpy(window, m.window, m.window_len);
            window[m.window_len] = '\0';
            int rc = dc_engine_put_partial(st->engine, window, m.start, m.end, m.partition,
                                           m.topic_partitions, m.watermark_ms, m.frames,
                                           m.sketch, m.sketch_len, now, &why);
            if (rc == 0) {
                merged++;
                continue;
            }
            if (rc == 1) {
                late++;
                why = "a partial of a window past retention: ignored (raise retention)";
            }
        }
        bad += why != NULL;
        if (pass_on(st, rec, why) < 0)
            goto oom;
    }
    if (dc_engine_flush(st->engine) < 0)
        goto oom;
    if (merged)
        st->host->counter_add(st->self, "partials_merged", merged);
    if (late)
        st->host->counter_add(st->self, "too_late", late);
    if (bad > late)
        st->host->counter_add(st->self, "bad_partials", bad - late);
    return SLUICE_OK;
oom:
    st->host->log(st->self, SLUICE_LOG_ERROR, "out of memory");
    return SLUICE_ERROR;
}

static int sm_tick(void *state, int64_t now, struct sluice_batch *out)
{
    struct sm_state *st = state;
    st->out = out;
    return dc_engine_tick(st->engine, now) == 0 ? SLUICE_OK : SLUICE_ERROR;
}

static int sm_end_of_input(void *state, struct sluice_batch *out)
{
    struct sm_state *st = state;
    st->out = out;
    /* With checkpoints the windows stay in the state saved next (see
     * dc_engine_finish). */
    int rc = st->host->checkpointing() ? dc_engine_finish(st->engine) : dc_engine_end(st->engine);
    return rc == 0 ? SLUICE_OK : SLUICE_ERROR;
}

/* Checkpoints: the whole engine (the source partitions of the count stage's
 * input, not of the partials topic) in the instance part. */
static size_t sm_state_fingerprint(void *state, char *buf, size_t cap)
{
    struct sm_state *st = state;
    int n = snprintf(buf, cap, "%s", st->fingerprint);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static int write_state(void *ctx, const void *bytes, size_t n)
{
    struct sluice_state_out *out = ctx;
    return out->write(out, bytes, n) == SLUICE_OK ? 0 : -1;
}

static int sm_state_save(void *state, const struct sluice_partition *part,
                         struct sluice_state_out *out)
{
    struct sm_state *st = state;
    if (part) /* nothing per partials-topic partition */
        return SLUICE_OK;
    return dc_engine_save_all(st->engine, write_state, out) == 0 ? SLUICE_OK : SLUICE_ERROR;
}

static int sm_state_load(void *state, const struct sluice_partition *part, const void *bytes,
                         size_t len)
{
    struct sm_state *st = state;
    if (part)
        return SLUICE_OK;
    const char *err = "unknown error";
    if (dc_engine_load_all(st->engine, bytes, len, &err) != 0) {
        st->host->log(st->self, SLUICE_LOG_ERROR, "the checkpoint's merge state is unusable: %s",
                      err);
        return SLUICE_ERROR;
    }
    return SLUICE_OK;
}

static int sm_checkpointed(void *state, const struct sluice_partition *parts, size_t n)
{
    (void)parts, (void)n;
    dc_engine_checkpoint_durable(((struct sm_state *)state)->engine);
    return SLUICE_OK;
}

SLUICE_PLUGIN(.name = "sketch-merge",
              .description = "scale-out merge stage: unions distinct-count partials per window "
                             "over every source partition into results",
              .version = PACKAGE_VERSION, .kind = SLUICE_KIND_TRANSFORM, .options = sm_options,
              .config_size = sizeof(struct sm_config), .init = sm_init, .exit = sm_exit,
              .process = sm_process, .tick = sm_tick, .end_of_input = sm_end_of_input,
              .state_fingerprint = sm_state_fingerprint, .state_save = sm_state_save,
              .state_load = sm_state_load, .checkpointed = sm_checkpointed);
