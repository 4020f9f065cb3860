/*
 * The counting engine, free of the plugin ABI: frames (partition, event
 * time, key hash) in, window results out through a callback. The plugin
 * glue (distinct_count.c), the tests and the benchmark all drive it.
 */
#ifndef DC_ENGINE_H
#define DC_ENGINE_H

#include "calendar.h"
#include "watermark.h"
#include "window.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dc_engine_config {
    const char *const *windows; /* window specs in output order */
    size_t nwindows;
    bool exact;                 /* algorithm = exact */
    unsigned precision;         /* sketch: 2^precision registers */
    int64_t lateness_ms;
    int64_t retention_ms;
    int64_t max_future_ms;
    int64_t idle_ms;            /* 0: partitions never count as idle */
    uint32_t jump_confirm;
    bool early;                 /* emit = early */
    int64_t early_interval_ms;
    const char *timezone;       /* NULL or "UTC" for UTC */
    /* The pipeline takes checkpoints: a window emits at most once between
     * two durable ones (a later result waits for the next), so that a
     * replay after a crash ends every window on a revision at least as high
     * as any the crashed run emitted (engine.c). */
    bool once_per_checkpoint;
};

/* One emission of one window. */
struct dc_result {
    const struct dc_kind *kind;
    const struct dc_window *window; /* start, end, ISO text, frames */
    uint64_t unique;
    uint32_t revision;
    bool final;
    const char *estimator;          /* "exact", "ull-p13" */
    double rse;
};

/* Returns 0, or -1 to stop (out of memory): the engine call fails. */
typedef int (*dc_emit_fn)(void *ctx, const struct dc_result *r);

/* output = partials: one source partition's part of one window, as the
 * count stage sends it and the merge stage takes it (partial.h encodes it). */
struct dc_partial_out {
    const struct dc_kind *kind;
    const struct dc_window *window;
    int32_t partition;
    int32_t topic_partitions;   /* 0: unknown */
    int64_t watermark_ms;       /* the partition's; INT64_MAX: it ended */
    uint64_t frames;
    const struct dc_sketch *sketch;
};
typedef int (*dc_partial_fn)(void *ctx, const struct dc_partial_out *p);

enum dc_verdict {
    DC_COUNTED = 0, /* counted in every window */
    DC_TOO_LATE,    /* too late for at least one window (see info) */
    DC_OUT_OF_RANGE,
    DC_WILD,
    DC_FAILED       /* out of memory, or the emit callback failed */
};

struct dc_add_info {
    const struct dc_kind *late_kind; /* first window kind it was too late for */
    unsigned counted;                /* windows it was counted in */
    unsigned late;                   /* windows it was counted in that were already final */
    uint32_t jump_frames;            /* > 0: a time jump was accepted, this many frames counted */
    int64_t jump_from_ms, jump_to_ms;
};

struct dc_engine;

/* NULL on error, with *err set to a message. */
struct dc_engine *dc_engine_new(const struct dc_engine_config *cfg, dc_emit_fn emit, void *ctx,
                                const char **err);
void dc_engine_free(struct dc_engine *e);

/* Count one frame. Windows whose end the watermark passes are emitted at
 * once (deterministic whatever the batching); revisions wait for
 * dc_engine_flush. */
enum dc_verdict dc_engine_add(struct dc_engine *e, int32_t partition, int64_t ts, uint64_t hash,
                              int64_t now_ms, struct dc_add_info *info);

/* End of a batch: emit revisions of closed windows that changed. 0 or -1. */
int dc_engine_flush(struct dc_engine *e);
/* Processing time moved on: idle partitions, early results. 0 or -1. */
int dc_engine_tick(struct dc_engine *e, int64_t now_ms);
/* No more input: every window is emitted as final, then freed. 0 or -1. */
int dc_engine_end(struct dc_engine *e);
/* No more input for now, with checkpoints: every window is emitted as
 * final (partials: every change sent) but kept, so the checkpoint taken
 * next holds it and a later run on more input continues it with revisions
 * instead of starting it again from nothing. 0 or -1. */
int dc_engine_finish(struct dc_engine *e);

int64_t dc_engine_watermark(const struct dc_engine *e);

/* With once_per_checkpoint: the checkpoint whose instance part was saved
 * last is durable: what was emitted so far is covered, and held results may
 * go out. */
void dc_engine_checkpoint_durable(struct dc_engine *e);

/* Checkpoints (engine_state.c): the state of one source partition — its
 * watermark and its partial of every window — and the instance part — what
 * was emitted of every window. Bytes go out through `write` (0 or -1). */
typedef int (*dc_write_fn)(void *ctx, const void *bytes, size_t n);

/* The source now holds `partition`: it holds the watermark back until its
 * first frame (or idle_timeout). 0 or -1 (out of memory). */
int dc_engine_hold(struct dc_engine *e, int32_t partition, int64_t now_ms);
/* The source gave `partition` back: drop its partials and watermark. */
void dc_engine_release(struct dc_engine *e, int32_t partition);

int dc_engine_save_partition(const struct dc_engine *e, int32_t partition, dc_write_fn write,
                             void *ctx);
int dc_engine_save_instance(const struct dc_engine *e, dc_write_fn write, void *ctx);
/* Read back what the save functions wrote. 0, or -1 with *err set. */
int dc_engine_load_partition(struct dc_engine *e, int32_t partition, const uint8_t *bytes,
                             size_t len, const char **err);
int dc_engine_load_instance(struct dc_engine *e, const uint8_t *bytes, size_t len,
                            const char **err);

/* The whole engine as one blob — every partition's state, then the
 * instance part — for a stage whose state is not per source partition of
 * its own input (sketch-merge keeps it in its instance part). */
int dc_engine_save_all(const struct dc_engine *e, dc_write_fn write, void *ctx);
int dc_engine_load_all(struct dc_engine *e, const uint8_t *bytes, size_t len, const char **err);

/* The engine's part of the text that makes a checkpoint's state meaningful
 * for `cfg` (windows, algorithm, precision, time zone; the plugin adds the
 * key). Returns its length (< cap). */
size_t dc_engine_fingerprint(const struct dc_engine_config *cfg, char *buf, size_t cap);

/* Scale-out (engine_partials.c). Count stage: send partials to `fn`
 * instead of results: a window's partial of a partition when it changed, at
 * most every interval_ms of processing time, and once when the partition's
 * watermark passes the window's end. */
void dc_engine_set_partials(struct dc_engine *e, dc_partial_fn fn, int64_t interval_ms);
/* The source topic has this many partitions (for the partials). */
void dc_engine_set_topic_partitions(struct dc_engine *e, int32_t n);

/* Merge stage: union a partial into window [start, end) of the kind named
 * `window`, as partition `partition` (its frames: the larger count wins;
 * its watermark moves the partition's). A topic of `topic_partitions`
 * partitions holds the watermark back until every one was seen (or is
 * idle). Returns 0, 1 when the window is past retention (ignored), or -1
 * with *err. */
int dc_engine_put_partial(struct dc_engine *e, const char *window, int64_t start, int64_t end,
                          int32_t partition, int32_t topic_partitions, int64_t watermark_ms,
                          uint64_t frames, const uint8_t *sketch, size_t sketch_len,
                          int64_t now_ms, const char **err);

struct dc_engine_stats {
    size_t windows;       /* held now */
    size_t bytes;         /* heap bytes of the held windows */
    size_t peak_windows;
};
void dc_engine_stats(const struct dc_engine *e, struct dc_engine_stats *st);

/* Window kinds in configured order: how many there are; the name of kind
 * `i` and in *open its windows held and not yet final. */
size_t dc_engine_nkinds(const struct dc_engine *e);
const char *dc_engine_kind_open(const struct dc_engine *e, size_t i, size_t *open);

#endif
