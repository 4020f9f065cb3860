/*
 * distinct-count: the plugin glue. Turns frames (records with the key field
 * extracted and an event time) into window results, by the engine in
 * engine.c. Options, records in and out, error records, counters and log
 * lines live here; the counting itself does not.
 *
 * Records already marked error or dropped by an earlier stage are passed on
 * unchanged, so dead-letter sinks still see them. A frame this stage cannot
 * count (no key, no event time, a wild or too-late timestamp) is passed on
 * as an error record with the reason. Counted frames are consumed: the
 * output batch holds results and error records only.
 */
#include "distinct_count.h"
#include "engine.h"
#include "partition_ids.h"
#include "result.h"
#include "sluice_time.h"

#include <sluice/plugin.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* XXH3 from libxxhash's own header, inlined: a uid is ~20 bytes, and the
 * call into the shared library cost about as much as the hashing. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

struct dc_state {
    struct sluice_instance *self;
    const struct sluice_host_api *host;
    struct dc_engine *engine;
    uint16_t key_id;
    const char *stage;
    struct sluice_batch *out; /* where results go during the current call */
    int64_t now_ms;
    char retention_text[SLUICE_DURATION_MAX], max_future_text[SLUICE_DURATION_MAX]; /* reasons */
    uint32_t jump_confirm;
    bool warned_wild, warned_late, warned_range;
    char no_key_reason[128];
    char fingerprint[512]; /* what a checkpoint must have been written with */
    struct dc_partition_ids partitions; /* source partitions to the engine's numbers */
    char (*window_labels)[32]; /* per window kind: `window="minute"`, for gauges */
};

/* ------------------------------------------------------------------ */
/* Options                                                              */
/* ------------------------------------------------------------------ */

static const char *validate_windows(const void *value)
{
    static char msg[160];
    const struct sluice_list *l = value;
    for (size_t i = 0; i < l->n; i++) {
        struct dc_kind k;
        const char *err = dc_kind_parse(l->items[i], &k);
        if (err) {
            snprintf(msg, sizeof msg, "'%s': %s", l->items[i], err);
            return msg;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(l->items[i], l->items[j]) == 0) {
                snprintf(msg, sizeof msg, "'%s' is listed twice", l->items[i]);
                return msg;
            }
    }
    return NULL;
}

static const char *validate_timezone(const void *value)
{
    return dc_tz_check(*(const char *const *)value);
}

#define DAY_MS 86400000.0

static const struct sluice_option dc_options[] = {
    SLUICE_STRING_OPTION("key", struct dc_config, key, .default_value = "uid",
                         .flags = SLUICE_OPT_NONEMPTY,
                         .doc = "extracted field whose distinct values are counted"),
    SLUICE_LIST_OPTION("windows", struct dc_config, windows, .default_value = "minute",
                       .flags = SLUICE_OPT_NONEMPTY, .validate = validate_windows,
                       .doc = "windows to count in, output in this order: minute, hour, day, week "
                              "(ISO), month, year, or fixed sizes like 10s, 5m, 1h30m (from the "
                              "epoch)"),
    SLUICE_ENUM_OPTION("algorithm", struct dc_config, algorithm, "exact|sketch",
                       .default_value = "sketch",
                       .doc = "exact: a set of 64-bit hashes; sketch: exact up to 1024 distinct, "
                              "then UltraLogLog"),
    SLUICE_INT_OPTION("precision", struct dc_config, precision, .default_value = "13",
                      .min = DC_SKETCH_P_MIN, .max = DC_SKETCH_P_MAX,
                      .doc = "sketch: 2^precision one-byte registers; error 0.761/sqrt(2^p) (13: 8 "
                             "KiB, 0.84%)"),
    SLUICE_DURATION_OPTION("lateness", struct dc_config, lateness, .default_value = "5s", .min = 0,
                           .max = 7 * DAY_MS,
                           .doc = "watermark = highest event time seen minus this"),
    SLUICE_DURATION_OPTION("retention", struct dc_config, retention, .default_value = "1h",
                           .min = 0, .max = 366 * DAY_MS,
                           .doc = "keep closed windows this long past their end for late frames "
                                  "(revisions)"),
    SLUICE_DURATION_OPTION("max_future", struct dc_config, max_future, .default_value = "1h",
                           .min = 1000, .max = 366 * DAY_MS,
                           .doc = "event times further ahead of the watermark are wild"),
    SLUICE_INT_OPTION("jump_confirm", struct dc_config, jump_confirm, .default_value = "100",
                      .min = 1, .max = 1000000,
                      .doc = "consecutive agreeing frames that make a time jump real"),
    SLUICE_DURATION_OPTION("idle_timeout", struct dc_config, idle_timeout, .default_value = "30s",
                           .min = 0, .max = 7 * DAY_MS,
                           .doc = "a partition silent this long stops holding the watermark back "
                                  "(0: never)"),
    SLUICE_ENUM_OPTION("emit", struct dc_config, emit, "final|early", .default_value = "final",
                       .doc = "final: one result per window; early: also interim ones"),
    SLUICE_DURATION_OPTION("early_interval", struct dc_config, early_interval,
                           .default_value = "1s", .min = 10, .max = DAY_MS,
                           .doc = "emit = early: interim results at most this often (processing "
                                  "time)"),
    SLUICE_STRING_OPTION("timezone", struct dc_config, timezone, .default_value = "UTC",
                         .flags = SLUICE_OPT_NONEMPTY, .validate = validate_timezone,
                         .doc = "IANA zone for hour/day/week/month/year boundaries, e.g. "
                                "Europe/Zurich"),
    SLUICE_ENUM_OPTION("output", struct dc_config, output, "results|partials",
                       .default_value = "results",
                       .doc = "results: counts per window; partials: per window and source "
                              "partition the sketch, for a sketch-merge stage (scale-out)"),
    SLUICE_DURATION_OPTION("partial_interval", struct dc_config, partial_interval,
                           .default_value = "1s", .min = 0, .max = DAY_MS,
                           .doc = "output = partials: send a changed partial at most this often "
                                  "(and once when its partition passes the window's end)"),
    SLUICE_OPTIONS_END};

/* ------------------------------------------------------------------ */
/* Callbacks                                                            */
/* ------------------------------------------------------------------ */

static int emit_result(void *ctx, const struct dc_result *r)
{
    struct dc_state *st = ctx;
    if (r->final && r->window->final) /* it was final before: a revision */
        st->host->counter_add(st->self, "revisions", 1);
    return dc_result_append(st->host, st->out, r);
}

static int emit_partial(void *ctx, const struct dc_partial_out *p)
{
    struct dc_state *st = ctx;
    st->host->counter_add(st->self, "partials", 1);
    /* Partials are for one topic (partition_ids.h): the first one seen. */
    const char *topic = st->partitions.n ? st->partitions.topics[0].name : "-";
    return dc_partial_append(st->host, st->out, p, topic);
}

/* Gauges for /metrics and the progress line: the watermark, and the
 * windows still counting (not final) per kind. */
static void publish_gauges(struct dc_state *st)
{
    int64_t wm = dc_engine_watermark(st->engine);
    if (wm != DC_WM_NONE)
        st->host->gauge_set(st->self, "watermark_seconds", NULL, (double)wm / 1000.0);
    for (size_t i = 0; i < dc_engine_nkinds(st->engine); i++) {
        size_t open;
        dc_engine_kind_open(st->engine, i, &open);
        st->host->gauge_set(st->self, "windows_open", st->window_labels[i], (double)open);
    }
}

static int64_t clock_ms(struct dc_state *st)
{
    int64_t now = sluice_clock_realtime_ms();
    if (now > st->now_ms)
        st->now_ms = now;
    return st->now_ms;
}

static int dc_init(struct sluice_instance *self, const struct sluice_host_api *host,
                   const void *config, void **state)
{
    const struct dc_config *cfg = config;
    struct dc_state *st = calloc(1, sizeof *st);
    if (!st) {
        host->log(self, SLUICE_LOG_ERROR, "out of memory");
        return SLUICE_ERROR;
    }
    st->self = self;
    st->host = host;
    st->stage = host->instance_name(self);
    if (cfg->lateness >= cfg->max_future) {
        /* A frame is wild when it is more than max_future ahead of the
         * watermark, which is lateness behind the newest event time: with
         * lateness >= max_future even a frame at the newest time would be. */
        char late[SLUICE_DURATION_MAX], fut[SLUICE_DURATION_MAX];
        sluice_duration_format(cfg->lateness, late, sizeof late);
        sluice_duration_format(cfg->max_future, fut, sizeof fut);
        host->log(self, SLUICE_LOG_ERROR,
                  "lateness (%s) must be less than max_future (%s): frames more than max_future "
                  "ahead of the watermark (the newest event time minus lateness) are treated as "
                  "wild, so every new frame would be; lower lateness or raise max_future",
                  late, fut);
        free(st);
        return SLUICE_ERROR;
    }
    st->key_id = host->field_id(cfg->key);
    if (st->key_id == 0) {
        host->log(self, SLUICE_LOG_ERROR,
                  "cannot register field '%s' with the host (its table of names is full, or "
                  "memory ran out)",
                  cfg->key);
        free(st);
        return SLUICE_ERROR;
    }
    sluice_duration_format(cfg->retention, st->retention_text, sizeof st->retention_text);
    sluice_duration_format(cfg->max_future, st->max_future_text, sizeof st->max_future_text);
    st->jump_confirm = (uint32_t)cfg->jump_confirm;
    snprintf(st->no_key_reason, sizeof st->no_key_reason,
             "no '%s' field: nothing to count (is it in json-extract's fields?)", cfg->key);

    struct dc_engine_config ec = {
        .windows = (const char *const *)cfg->windows.items,
        .nwindows = cfg->windows.n,
        .exact = cfg->algorithm == DC_ALGORITHM_EXACT,
        .precision = (unsigned)cfg->precision,
        .lateness_ms = cfg->lateness,
        .retention_ms = cfg->retention,
        .max_future_ms = cfg->max_future,
        .idle_ms = cfg->idle_timeout,
        .jump_confirm = (uint32_t)cfg->jump_confirm,
        .early = cfg->emit == DC_EMIT_EARLY,
        .early_interval_ms = cfg->early_interval,
        .timezone = cfg->timezone,
        .once_per_checkpoint = host->checkpointing(),
    };
    int fn = snprintf(st->fingerprint, sizeof st->fingerprint, "key=%s ", cfg->key);
    if (fn > 0 && (size_t)fn < sizeof st->fingerprint)
        dc_engine_fingerprint(&ec, st->fingerprint + fn, sizeof st->fingerprint - (size_t)fn);
    const char *err = NULL;
    st->engine = dc_engine_new(&ec, emit_result, st, &err);
    if (!st->engine) {
        host->log(self, SLUICE_LOG_ERROR, "cannot start: %s", err ? err : "unknown error");
        free(st);
        return SLUICE_ERROR;
    }
    st->partitions.identity = cfg->output == DC_OUTPUT_PARTIALS;
    if (cfg->output == DC_OUTPUT_PARTIALS)
        dc_engine_set_partials(st->engine, emit_partial, cfg->partial_interval);
    st->window_labels = calloc(dc_engine_nkinds(st->engine), sizeof *st->window_labels);
    if (!st->window_labels) {
        host->log(self, SLUICE_LOG_ERROR, "out of memory");
        dc_engine_free(st->engine);
        free(st);
        return SLUICE_ERROR;
    }
    for (size_t i = 0; i < dc_engine_nkinds(st->engine); i++) {
        size_t open;
        snprintf(st->window_labels[i], sizeof st->window_labels[i], "window=\"%s\"",
                 dc_engine_kind_open(st->engine, i, &open)); /* names are [a-z0-9] */
    }
    *state = st;
    return SLUICE_OK;
}

static void dc_exit(void *state)
{
    struct dc_state *st = state;
    if (!st)
        return;
    dc_engine_free(st->engine);
    dc_partition_ids_free(&st->partitions);
    free(st->window_labels);
    free(st);
}

/* The engine's number for a source partition; -1 after logging why. */
static int32_t engine_partition(struct dc_state *st, const char *topic, int32_t partition)
{
    const char *first = NULL;
    int32_t id = dc_partition_id(&st->partitions, topic, partition, &first);
    if (id == -1) {
        st->host->log(st->self, SLUICE_LOG_ERROR, "out of memory");
    } else if (id == -2) {
        st->host->log(st->self, SLUICE_LOG_ERROR,
                      "partitions of two topics are assigned (%s and %s): with output = "
                      "partials the merge stage knows a partition by its number alone, so "
                      "partition %d of each would be mixed; read one topic per counting "
                      "pipeline (topic = %s), or count both with output = results",
                      first, topic ? topic : "-", (int)partition, first);
        id = -1;
    }
    return id;
}

/* Copy `rec` to `out`, marked as an error with `reason` unless NULL. */
static int pass_on(struct dc_state *st, struct sluice_batch *out,
                   const struct sluice_record *rec, const char *reason)
{
    struct sluice_record *r = st->host->batch_append(out);
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

/* A reason made for one record, in the output batch's arena. */
static const char *reason(struct dc_state *st, struct sluice_batch *out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static const char *reason(struct dc_state *st, struct sluice_batch *out, const char *fmt, ...)
{
    char buf[384];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return "error";
    size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
    char *p = st->host->batch_alloc(out, len + 1);
    if (!p)
        return NULL;
    memcpy(p, buf, len);
    p[len] = '\0';
    return p;
}

static int dc_process(void *state, struct sluice_batch *in, struct sluice_batch *out)
{
    struct dc_state *st = state;
    const struct sluice_host_api *host = st->host;
    int64_t now = clock_ms(st);
    int64_t counted = 0, no_key = 0, no_ts = 0, wild = 0, range = 0, too_late = 0, late = 0;
    st->out = out;
    /* The engine's number of the run of records from one source partition
     * (the topic names of one batch stay put: compared by address). */
    const char *run_topic = NULL;
    int32_t run_partition = 0, partition = -1;

    for (size_t i = 0; i < in->count; i++) {
        const struct sluice_record *rec = &in->records[i];
        const char *why = NULL;
        if (!sluice_record_live(rec)) {
            if (pass_on(st, out, rec, NULL) < 0)
                goto oom;
            continue;
        }
        if (!(rec->flags & SLUICE_REC_HAS_TS)) {
            no_ts++;
            if (pass_on(st, out, rec, "no event time: nothing to window by (set json-extract's "
                                      "timestamp option)") < 0)
                goto oom;
            continue;
        }
        const struct sluice_field *f = sluice_record_field(rec, st->key_id);
        if (!f) {
            no_key++;
            if (pass_on(st, out, rec, st->no_key_reason) < 0)
                goto oom;
            continue;
        }
        if (partition < 0 || rec->topic != run_topic || rec->partition != run_partition) {
            partition = engine_partition(st, rec->topic, rec->partition);
            if (partition < 0)
                return SLUICE_ERROR;
            run_topic = rec->topic;
            run_partition = rec->partition;
        }
        uint64_t h = XXH3_64bits(f->ptr, f->len);
        struct dc_add_info info;
        char iso[DC_ISO_MAX];
        switch (dc_engine_add(st->engine, partition, rec->ts, h, now, &info)) {
        case DC_COUNTED:
            counted++;
            late += info.late != 0;
            if (info.jump_frames) {
                char from[DC_ISO_MAX], to[DC_ISO_MAX];
                sluice_iso8601_format(info.jump_from_ms, 0, false, from, sizeof from);
                sluice_iso8601_format(info.jump_to_ms, 0, false, to, sizeof to);
                host->counter_add(st->self, "time_jumps", 1);
                host->log(st->self, SLUICE_LOG_WARN,
                          "event time jumped on partition %d: watermark %s -> %s, accepted "
                          "after %u agreeing frames (those reported as wild are now counted)",
                          (int)rec->partition, from, to, info.jump_frames);
            }
            continue;
        case DC_TOO_LATE:
            if (info.counted)
                counted++;
            late += info.late != 0;
            too_late++;
            sluice_iso8601_format(rec->ts * 1000, 0, false, iso, sizeof iso);
            why = reason(st, out,
                         "too late: the %s window holding %s closed beyond retention (%s)%s",
                         info.late_kind->name, iso, st->retention_text,
                         info.counted ? "; counted in the other windows" : "");
            if (!st->warned_late) {
                st->warned_late = true;
                host->log(st->self, SLUICE_LOG_WARN,
                          "frames older than retention arrive (first: %s); they go on as error "
                          "records and are counted as error.too_late", iso);
            }
            break;
        case DC_OUT_OF_RANGE:
            range++;
            why = reason(st, out, "timestamp out of range: %lld is not in [2000, 2100)",
                         (long long)rec->ts);
            if (!st->warned_range) {
                st->warned_range = true;
                host->log(st->self, SLUICE_LOG_WARN,
                          "event time %lld outside [2000, 2100) ignored; further ones are "
                          "counted as error.ts_out_of_range", (long long)rec->ts);
            }
            break;
        case DC_WILD:
            wild++;
            sluice_iso8601_format(rec->ts * 1000, 0, false, iso, sizeof iso);
            why = reason(st, out,
                         "wild timestamp: %s is more than max_future (%s) ahead of the "
                         "watermark; ignored unless %u consecutive frames agree (a real jump)",
                         iso, st->max_future_text, st->jump_confirm);
            if (!st->warned_wild) {
                st->warned_wild = true;
                host->log(st->self, SLUICE_LOG_WARN,
                          "wild event time %s ignored; further ones are counted as error.wild_ts",
                          iso);
            }
            break;
        case DC_FAILED:
            goto oom;
        }
        if (!why || pass_on(st, out, rec, why) < 0)
            goto oom;
    }
    if (dc_engine_flush(st->engine) < 0)
        goto oom;
    if (counted)
        host->counter_add(st->self, "frames_counted", counted);
    if (late)
        host->counter_add(st->self, "late", late);
    /* "error.REASON": /metrics says sluice_errors_total{stage,reason}. */
    if (no_key)
        host->counter_add(st->self, "error.no_key", no_key);
    if (no_ts)
        host->counter_add(st->self, "error.no_ts", no_ts);
    if (wild)
        host->counter_add(st->self, "error.wild_ts", wild);
    if (range)
        host->counter_add(st->self, "error.ts_out_of_range", range);
    if (too_late)
        host->counter_add(st->self, "error.too_late", too_late);
    return SLUICE_OK;
oom:
    host->log(st->self, SLUICE_LOG_ERROR, "out of memory");
    return SLUICE_ERROR;
}

static int dc_tick(void *state, int64_t now_ms, struct sluice_batch *out)
{
    struct dc_state *st = state;
    st->out = out;
    if (now_ms > st->now_ms)
        st->now_ms = now_ms;
    if (dc_engine_tick(st->engine, st->now_ms) < 0) {
        st->host->log(st->self, SLUICE_LOG_ERROR, "out of memory");
        return SLUICE_ERROR;
    }
    publish_gauges(st);
    return SLUICE_OK;
}

static int dc_end_of_input(void *state, struct sluice_batch *out)
{
    struct dc_state *st = state;
    st->out = out;
    /* With checkpoints the windows stay in the state the host saves next: a
     * later run on more input (a topic replayed again) continues them. */
    int rc = st->host->checkpointing() ? dc_engine_finish(st->engine) : dc_engine_end(st->engine);
    if (rc < 0) {
        st->host->log(st->self, SLUICE_LOG_ERROR, "out of memory");
        return SLUICE_ERROR;
    }
    publish_gauges(st);
    return SLUICE_OK;
}

/* ------------------------------------------------------------------ */
/* Checkpoints                                                          */
/* ------------------------------------------------------------------ */

static size_t dc_state_fingerprint(void *state, char *buf, size_t cap)
{
    struct dc_state *st = state;
    int n = snprintf(buf, cap, "%s", st->fingerprint);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static int write_state(void *ctx, const void *bytes, size_t n)
{
    struct sluice_state_out *out = ctx;
    return out->write(out, bytes, n) == SLUICE_OK ? 0 : -1;
}

static int dc_state_save(void *state, const struct sluice_partition *part,
                         struct sluice_state_out *out)
{
    struct dc_state *st = state;
    if (!part)
        return dc_engine_save_instance(st->engine, write_state, out) == 0 ? SLUICE_OK
                                                                            : SLUICE_ERROR;
    int32_t partition = engine_partition(st, part->topic, part->partition);
    if (partition < 0)
        return SLUICE_ERROR;
    return dc_engine_save_partition(st->engine, partition, write_state, out) == 0 ? SLUICE_OK
                                                                                  : SLUICE_ERROR;
}

static int dc_state_load(void *state, const struct sluice_partition *part, const void *bytes,
                         size_t len)
{
    struct dc_state *st = state;
    const char *err = "unknown error";
    int rc;
    if (part) {
        int32_t partition = engine_partition(st, part->topic, part->partition);
        if (partition < 0)
            return SLUICE_ERROR;
        rc = dc_engine_load_partition(st->engine, partition, bytes, len, &err);
    } else {
        rc = dc_engine_load_instance(st->engine, bytes, len, &err);
    }
    if (rc != 0) {
        if (part)
            st->host->log(st->self, SLUICE_LOG_ERROR,
                          "the checkpoint's state of partition %s [%d] is unusable: %s",
                          part->topic ? part->topic : "-", (int)part->partition, err);
        else
            st->host->log(st->self, SLUICE_LOG_ERROR,
                          "the checkpoint's window state is unusable: %s", err);
        return SLUICE_ERROR;
    }
    return SLUICE_OK;
}

static int dc_checkpointed(void *state, const struct sluice_partition *parts, size_t n)
{
    (void)parts, (void)n;
    dc_engine_checkpoint_durable(((struct dc_state *)state)->engine);
    return SLUICE_OK;
}

static int dc_partitions_changed(void *state, const struct sluice_partition *parts, size_t n,
                                 bool held)
{
    struct dc_state *st = state;
    int64_t now = clock_ms(st);
    for (size_t i = 0; i < n; i++) {
        int32_t partition = engine_partition(st, parts[i].topic, parts[i].partition);
        if (partition < 0)
            return SLUICE_ERROR;
        if (held)
            dc_engine_set_topic_partitions(st->engine, parts[i].topic_partitions);
        if (!held)
            dc_engine_release(st->engine, partition);
        else if (dc_engine_hold(st->engine, partition, now) != 0) {
            st->host->log(st->self, SLUICE_LOG_ERROR, "out of memory");
            return SLUICE_ERROR;
        }
    }
    return SLUICE_OK;
}

SLUICE_PLUGIN(.name = "distinct-count",
              .description = "distinct count of a key per event-time window (minute to year), "
                             "exact or UltraLogLog, with watermarks and late revisions",
              .version = PACKAGE_VERSION, .kind = SLUICE_KIND_TRANSFORM, .flags = 0,
              .options = dc_options, .config_size = sizeof(struct dc_config), .init = dc_init,
              .exit = dc_exit, .process = dc_process, .tick = dc_tick,
              .end_of_input = dc_end_of_input, .state_fingerprint = dc_state_fingerprint,
              .state_save = dc_state_save, .state_load = dc_state_load,
              .checkpointed = dc_checkpointed, .partitions_changed = dc_partitions_changed);
