/* The engine's insides, shared by engine.c (counting, emitting) and
 * engine_state.c (checkpoints). Nothing else includes this. */
#ifndef DC_ENGINE_IMPL_H
#define DC_ENGINE_IMPL_H

#include "engine.h"

struct dc_engine {
    struct dc_kind *kinds;
    size_t nkinds;
    struct dc_watermark wm;
    struct dc_calendar cal;
    unsigned p;
    uint32_t limit;
    int64_t retention_ms;
    bool early;
    int64_t early_interval_ms;
    int64_t last_early_ms;
    int64_t next_due;     /* ms: smallest end of a window not yet final */
    size_t dirty_closed;  /* final windows with changes not yet emitted */
    /* With checkpoints: a window emits at most once between two durable
     * checkpoints (engine.c says why); `deferred` when an emission waits. */
    bool once_per_checkpoint;
    bool deferred;
    size_t nwindows, peak_windows;
    dc_emit_fn emit;
    void *ctx;
    char estimator[24];
    /* output = partials (engine_partials.c): partials go here instead of
     * results; NULL for results. */
    dc_partial_fn emit_partial;
    int64_t partial_interval_ms;
    int32_t topic_partitions; /* of the source topic, as the source said; 0: unknown */
};

/* output = partials: send what is due of window w of kind k (every unsent
 * change when `all`). 0 or -1 (the callback failed). */
int dc_partials_window(struct dc_engine *e, const struct dc_kind *k, struct dc_window *w,
                       bool all);
/* The watermark of partition `id` in ms (DC_WM_NONE: none yet), as sent
 * with its partials. */
int64_t dc_partition_watermark(const struct dc_engine *e, int32_t id);
/* output = partials: the watermark of every partition with a partial in w
 * passed w's end plus retention (w may be freed). */
bool dc_partials_expired(const struct dc_engine *e, const struct dc_window *w);
/* output = partials: dc_partials_window over every held window. */
int dc_partials_pass(struct dc_engine *e, bool all);
/* output = partials, end of input: every unsent change, then one partial
 * per partition with watermark INT64_MAX (its input is complete). */
int dc_partials_end(struct dc_engine *e);

/* The union of a window's partials (see dc_window_union): NULL when out of
 * memory. */
const struct dc_sketch *dc_engine_union(const struct dc_engine *e, const struct dc_window *w,
                                        struct dc_sketch *tmp, bool *owned);

/* Mark a window changed since its last emission. */
void dc_engine_mark_dirty(struct dc_engine *e, struct dc_window *w);

/* The smallest end (ms) of a window not yet final: recomputed after a
 * restore. */
void dc_engine_recompute_due(struct dc_engine *e);

#endif
