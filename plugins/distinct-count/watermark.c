/*
 * Watermarks.
 *
 * Each source partition has a high mark: the highest plausible event time
 * it delivered. Its watermark is that minus `lateness`: frames older than
 * that are assumed to have arrived. The pipeline watermark is the minimum
 * over partitions that are not idle (silent for `idle_timeout` of
 * processing time), so one slow partition holds results back but one dead
 * partition does not; if every partition is idle, the maximum. It never
 * moves backwards.
 *
 * A timestamp is implausible ("wild") when it lies outside [2000, 2100) —
 * a zero, a bit flip into 2106 — or more than `max_future` ahead of its
 * partition's watermark (for a partition's first frame: of the pipeline's,
 * if there is one). A wild frame moves nothing. But time can really jump
 * (a replay resuming after a gap): when `jump_confirm` consecutive frames
 * of a partition are all ahead and agree with each other (each within
 * max_future of the previous one), the jump is accepted, the high mark
 * moves to them and the held frames are handed back to be counted, so a
 * real jump loses nothing. Any plausible frame in between breaks the run.
 *
 * Weakness, by design: the very first frame of the pipeline has nothing to
 * be compared with, so it is trusted if it lies in [2000, 2100).
 */
#include "watermark.h"

#include "calendar.h"

#include <stdlib.h>
#include <string.h>

void dc_wm_init(struct dc_watermark *wm, int64_t lateness_ms, int64_t max_future_ms,
                int64_t idle_ms, uint32_t jump_confirm)
{
    memset(wm, 0, sizeof *wm);
    wm->lateness_ms = lateness_ms;
    wm->max_future_ms = max_future_ms;
    wm->idle_ms = idle_ms;
    wm->jump_confirm = jump_confirm ? jump_confirm : 1;
    wm->value = DC_WM_NONE;
    wm->now_ms = INT64_MIN;
}

void dc_wm_free(struct dc_watermark *wm)
{
    for (size_t i = 0; i < wm->nparts; i++)
        free(wm->parts[i].held);
    free(wm->parts);
    wm->parts = NULL;
    wm->nparts = 0;
}

static inline __attribute__((always_inline)) struct dc_partition *partition(struct dc_watermark *wm,
                                                                          int32_t id)
{
    size_t i = id < 0 ? 0 : (size_t)id;
    if (i >= wm->nparts) {
        size_t n = i + 1 > wm->nparts * 2 ? i + 1 : wm->nparts * 2;
        struct dc_partition *p = realloc(wm->parts, n * sizeof *p);
        if (!p)
            return NULL;
        memset(p + wm->nparts, 0, (n - wm->nparts) * sizeof *p);
        wm->parts = p;
        wm->nparts = n;
    }
    return &wm->parts[i];
}

/* A partition restored or held before any processing time was known has no
 * last_seen_ms yet (INT64_MIN): its idle clock starts now. */
static bool idle(const struct dc_watermark *wm, const struct dc_partition *p)
{
    return wm->idle_ms > 0 && wm->now_ms != INT64_MIN && p->last_seen_ms != INT64_MIN &&
           wm->now_ms - p->last_seen_ms > wm->idle_ms;
}

/* Recompute the pipeline watermark; true if it advanced. */
static bool recompute(struct dc_watermark *wm)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    bool blocked = false;
    for (size_t i = 0; i < wm->nparts; i++) {
        struct dc_partition *p = &wm->parts[i];
        if (p->last_seen_ms == INT64_MIN)
            p->last_seen_ms = wm->now_ms;
        if (!p->seen) {
            blocked = blocked || (p->assigned && !idle(wm, p));
            continue;
        }
        int64_t w = p->high_ms - wm->lateness_ms;
        if (w > hi)
            hi = w;
        if (!idle(wm, p) && w < lo)
            lo = w;
    }
    int64_t v = lo != INT64_MAX ? lo : hi;
    if (blocked || v == INT64_MIN || v <= wm->value)
        return false;
    wm->value = v;
    return true;
}

enum dc_wm_verdict dc_wm_observe(struct dc_watermark *wm, int32_t id, int64_t ts, uint64_t tag,
                                 int64_t now_ms, const struct dc_wm_held **held,
                                 uint32_t *nheld)
{
    if (ts < DC_TS_MIN || ts >= DC_TS_END)
        return DC_WM_RANGE;
    struct dc_partition *p = partition(wm, id);
    if (!p)
        return DC_WM_NOMEM;
    if (now_ms > wm->now_ms)
        wm->now_ms = now_ms;
    p->last_seen_ms = wm->now_ms;

    int64_t ms = ts * 1000;
    int64_t ref = p->seen ? p->high_ms - wm->lateness_ms : wm->value;
    if (ref == DC_WM_NONE || ms <= ref + wm->max_future_ms) {
        p->held_n = 0;
        if (!p->seen || ms > p->high_ms) {
            p->seen = true;
            p->high_ms = ms;
            recompute(wm);
        }
        return DC_WM_OK;
    }

    /* Ahead of the watermark: wild, unless it completes a jump. */
    if (!p->held) {
        p->held = malloc(wm->jump_confirm * sizeof *p->held);
        if (!p->held)
            return DC_WM_NOMEM;
        p->held_n = 0;
    }
    if (p->held_n > 0) {
        int64_t prev = p->held[p->held_n - 1].ts * 1000;
        int64_t d = ms > prev ? ms - prev : prev - ms;
        if (d > wm->max_future_ms)
            p->held_n = 0; /* disagrees: a new run starts here */
    }
    p->held[p->held_n++] = (struct dc_wm_held){ts, tag};
    if (p->held_n < wm->jump_confirm)
        return DC_WM_WILD;

    int64_t top = INT64_MIN;
    for (uint32_t i = 0; i < p->held_n; i++)
        if (p->held[i].ts * 1000 > top)
            top = p->held[i].ts * 1000;
    p->seen = true;
    p->high_ms = top;
    *held = p->held;
    *nheld = p->held_n;
    p->held_n = 0;
    recompute(wm);
    return DC_WM_JUMP;
}

int dc_wm_hold(struct dc_watermark *wm, int32_t id, int64_t now_ms)
{
    struct dc_partition *p = partition(wm, id);
    if (!p)
        return -1;
    if (now_ms > wm->now_ms)
        wm->now_ms = now_ms;
    p->assigned = true;
    if (!p->seen)
        p->last_seen_ms = wm->now_ms;
    return 0;
}

bool dc_wm_release(struct dc_watermark *wm, int32_t id)
{
    struct dc_partition *p = partition(wm, id);
    if (!p)
        return false;
    free(p->held);
    memset(p, 0, sizeof *p);
    return recompute(wm);
}

int dc_wm_restore(struct dc_watermark *wm, int32_t id, bool seen, int64_t high_ms,
                  const struct dc_wm_held *held, uint32_t nheld)
{
    struct dc_partition *p = partition(wm, id);
    if (!p)
        return -1;
    p->seen = seen;
    p->high_ms = high_ms;
    p->last_seen_ms = wm->now_ms;
    p->held_n = 0;
    if (nheld > 0) {
        if (!p->held)
            p->held = malloc(wm->jump_confirm * sizeof *p->held);
        if (!p->held)
            return -1;
        p->held_n = nheld < wm->jump_confirm ? nheld : wm->jump_confirm;
        memcpy(p->held, held, p->held_n * sizeof *held);
    }
    recompute(wm);
    return 0;
}

int dc_wm_set_high(struct dc_watermark *wm, int32_t id, int64_t high_ms, int64_t now_ms)
{
    struct dc_partition *p = partition(wm, id);
    if (!p)
        return -1;
    if (now_ms > wm->now_ms)
        wm->now_ms = now_ms;
    p->last_seen_ms = wm->now_ms;
    if (!p->seen || high_ms > p->high_ms)
        p->high_ms = high_ms;
    p->seen = true;
    recompute(wm);
    return 0;
}

bool dc_wm_tick(struct dc_watermark *wm, int64_t now_ms)
{
    if (now_ms > wm->now_ms)
        wm->now_ms = now_ms;
    return recompute(wm);
}
