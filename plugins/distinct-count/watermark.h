/*
 * Event-time watermark: how far event time has safely progressed, per
 * source partition and for the pipeline; rejection of wild timestamps.
 */
#ifndef DC_WATERMARK_H
#define DC_WATERMARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DC_WM_NONE INT64_MIN /* no frame seen yet */

/* A wild frame held until its run of agreeing frames is long enough. */
struct dc_wm_held {
    int64_t ts;
    uint64_t tag; /* the caller's: the key hash */
};

struct dc_partition {
    bool assigned;        /* the source holds it: unseen, it holds the watermark back */
    bool seen;
    int64_t high_ms;      /* highest plausible event time seen, ms */
    int64_t last_seen_ms; /* processing time of the last frame */
    uint32_t held_n;      /* wild frames in the current agreeing run */
    struct dc_wm_held *held; /* jump_confirm slots, allocated on the first wild frame */
};

struct dc_watermark {
    int64_t lateness_ms, max_future_ms, idle_ms; /* idle_ms 0: never idle */
    uint32_t jump_confirm;
    struct dc_partition *parts;
    size_t nparts;
    int64_t value;  /* pipeline watermark in ms; DC_WM_NONE before any frame */
    int64_t now_ms; /* latest processing time seen */
};

enum dc_wm_verdict {
    DC_WM_OK = 0,   /* plausible: count it */
    DC_WM_RANGE,    /* outside [2000, 2100): reject */
    DC_WM_WILD,     /* too far ahead of the watermark: reject (held) */
    DC_WM_JUMP,     /* completes a run of agreeing wild frames: the jump is
                       accepted; count every held frame (this one is last) */
    DC_WM_NOMEM
};

void dc_wm_init(struct dc_watermark *wm, int64_t lateness_ms, int64_t max_future_ms,
                int64_t idle_ms, uint32_t jump_confirm);
void dc_wm_free(struct dc_watermark *wm);

/* Judge one frame of `partition` (negative means 0) with event time `ts`
 * (unix seconds) seen at processing time `now_ms`. Only DC_WM_OK and
 * DC_WM_JUMP move the watermark. On DC_WM_JUMP, *held and *nheld give the
 * run to count (valid until the next call). */
enum dc_wm_verdict dc_wm_observe(struct dc_watermark *wm, int32_t partition, int64_t ts,
                                 uint64_t tag, int64_t now_ms,
                                 const struct dc_wm_held **held, uint32_t *nheld);

/* The source now holds partition `id` (from processing time now_ms): until
 * its first frame it holds the watermark back, unless idle. -1 when out of
 * memory. */
int dc_wm_hold(struct dc_watermark *wm, int32_t id, int64_t now_ms);
/* The source gave partition `id` back: forget it. Returns true if the
 * watermark advanced. */
bool dc_wm_release(struct dc_watermark *wm, int32_t id);
/* A checkpoint's partition state: high mark and held wild frames. -1 when
 * out of memory. */
int dc_wm_restore(struct dc_watermark *wm, int32_t id, bool seen, int64_t high_ms,
                  const struct dc_wm_held *held, uint32_t nheld);

/* Merge stage: partition `id` reached watermark high_ms (its own, sent
 * with a partial): seen, its high mark the larger one. -1 out of memory. */
int dc_wm_set_high(struct dc_watermark *wm, int32_t id, int64_t high_ms, int64_t now_ms);

/* Processing time moved on: partitions silent for idle_ms stop holding the
 * watermark back. Returns true if the watermark advanced. */
bool dc_wm_tick(struct dc_watermark *wm, int64_t now_ms);

static inline int64_t dc_wm_value(const struct dc_watermark *wm)
{
    return wm->value;
}

#endif
