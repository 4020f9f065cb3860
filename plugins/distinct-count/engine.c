/*
 * The counting engine: routes each frame's hash to one window per kind,
 * closes windows by the watermark, emits results and revisions, and frees
 * windows whose retention is over.
 *
 * Life of a window: created by the first frame that falls into it (unless
 * it would already be past retention: that frame is too late); emitted once
 * as final when the watermark reaches its end; while the watermark is less
 * than end + retention, late frames still update it, and if its count
 * changed a revision (revision n+1, final) is emitted at the end of the
 * batch; then it is freed. With emit = early, a tick every early_interval
 * emits interim results ("final": false) for open windows that changed;
 * revision numbers count every emission of a window, so the latest one
 * always has the highest number.
 *
 * Order of results within one emission pass: window kinds in configured
 * order, then by start.
 *
 * Revisions across a crash. With checkpoints a window emits at most once
 * between two durable checkpoints: a late revision, an early result or a
 * final after an early result waits (at most checkpoint_interval) when the
 * window has emitted since the last one. Why: how many revisions a stretch
 * of frames yields depends on how the source batched it and how partitions
 * interleaved, so a replay from a checkpoint can emit fewer than the run
 * that was killed after it. Once per checkpoint, the killed run emitted at
 * most revision r (the checkpoint's next number) of a window since then,
 * and the replay, which counts the same frames and more, emits r or
 * higher: the last result of every window is also its highest revision.
 * The end of input (dc_engine_finish, after the host's checkpoint) and
 * output = partials do not wait.
 */
#include "engine_impl.h"

#include <stdlib.h>
#include <string.h>


struct dc_engine *dc_engine_new(const struct dc_engine_config *cfg, dc_emit_fn emit, void *ctx,
                                const char **err)
{
    struct dc_engine *e = calloc(1, sizeof *e);
    if (!e) {
        *err = "out of memory";
        return NULL;
    }
    if (cfg->nwindows == 0) {
        *err = "no windows configured";
        goto fail;
    }
    if (!cfg->exact && (cfg->precision < DC_SKETCH_P_MIN || cfg->precision > DC_SKETCH_P_MAX)) {
        *err = "precision must be from 4 to 18";
        goto fail;
    }
    e->kinds = calloc(cfg->nwindows, sizeof *e->kinds);
    if (!e->kinds) {
        *err = "out of memory";
        goto fail;
    }
    for (size_t i = 0; i < cfg->nwindows; i++) {
        const char *msg = dc_kind_parse(cfg->windows[i], &e->kinds[i]);
        if (msg) {
            *err = msg;
            goto fail;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(e->kinds[j].name, e->kinds[i].name) == 0) {
                *err = "a window is listed twice";
                goto fail;
            }
        e->nkinds = i + 1;
    }
    if (dc_calendar_init(&e->cal, cfg->timezone, err) < 0)
        goto fail;
    dc_wm_init(&e->wm, cfg->lateness_ms, cfg->max_future_ms, cfg->idle_ms, cfg->jump_confirm);
    e->p = cfg->exact ? DC_SKETCH_P_DEFAULT : cfg->precision;
    e->limit = cfg->exact ? DC_SKETCH_NO_LIMIT : DC_SKETCH_EXPLICIT_MAX;
    e->retention_ms = cfg->retention_ms;
    e->early = cfg->early;
    e->early_interval_ms = cfg->early_interval_ms;
    e->once_per_checkpoint = cfg->once_per_checkpoint;
    e->last_early_ms = INT64_MIN;
    e->next_due = INT64_MAX;
    e->emit = emit;
    e->ctx = ctx;
    return e;
fail:
    dc_engine_free(e);
    return NULL;
}

void dc_engine_free(struct dc_engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nkinds; i++)
        dc_kind_free(&e->kinds[i]);
    free(e->kinds);
    dc_wm_free(&e->wm);
    dc_calendar_free(&e->cal);
    free(e);
}

int64_t dc_engine_watermark(const struct dc_engine *e)
{
    return dc_wm_value(&e->wm);
}

const struct dc_sketch *dc_engine_union(const struct dc_engine *e, const struct dc_window *w,
                                        struct dc_sketch *tmp, bool *owned)
{
    return dc_window_union(w, e->p, e->limit, tmp, owned);
}

/* Emit window w if `always` or its count differs from the last emission.
 * 0, or -1 (out of memory, or the emit callback failed). */
static int emit_window(struct dc_engine *e, const struct dc_kind *k, struct dc_window *w,
                       bool final, bool always)
{
    struct dc_sketch tmp;
    bool owned;
    const struct dc_sketch *u = dc_engine_union(e, w, &tmp, &owned);
    if (!u)
        return -1;
    uint64_t unique = dc_sketch_count(u);
    /* A window of n frames has at most n distinct keys: an estimate above
     * that (nearly every frame a new key) is capped, which only lowers the
     * error. */
    if (unique > w->frames)
        unique = w->frames;
    int rc = 0;
    if (always || unique != w->emitted) {
        struct dc_result r = {
            .kind = k,
            .window = w,
            .unique = unique,
            .revision = w->revision,
            .final = final,
            .estimator = dc_sketch_estimator(u, e->estimator, sizeof e->estimator),
            .rse = dc_sketch_rse(u),
        };
        rc = e->emit(e->ctx, &r);
        if (rc == 0) {
            w->revision++;
            w->emitted = unique;
        }
    }
    if (owned)
        dc_sketch_free(&tmp);
    return rc < 0 ? -1 : 0;
}

/* With checkpoints, w emitted since the last durable one: it waits. */
static bool waits_for_checkpoint(const struct dc_engine *e, const struct dc_window *w)
{
    return e->once_per_checkpoint && w->revision != w->durable_revision;
}

/* Emit what the watermark `wm` (ms) makes due: finals, then revisions of
 * changed closed windows; free windows past retention; recompute next_due. */
static int pass(struct dc_engine *e, int64_t wm)
{
    int64_t next_due = INT64_MAX;
    bool deferred = false;
    bool may_wait = !e->emit_partial && wm != INT64_MAX;
    for (size_t ki = 0; ki < e->nkinds; ki++) {
        struct dc_kind *k = &e->kinds[ki];
        for (size_t i = 0; i < k->n; i++) {
            struct dc_window *w = k->w[i];
            int64_t end_ms = w->end * 1000;
            if (may_wait && (!w->final || w->dirty) && waits_for_checkpoint(e, w)) {
                deferred |= w->final || end_ms <= wm;
                if (!w->final && end_ms > wm && end_ms < next_due)
                    next_due = end_ms;
                continue;
            }
            if (!w->final) {
                if (end_ms > wm) {
                    if (end_ms < next_due)
                        next_due = end_ms;
                    continue;
                }
                if (!e->emit_partial && emit_window(e, k, w, true, true) < 0)
                    return -1;
                w->final = true;
                w->dirty = false;
            } else if (w->dirty) {
                if (!e->emit_partial && emit_window(e, k, w, true, false) < 0)
                    return -1;
                w->dirty = false;
                e->dirty_closed--;
            }
        }
        /* Retention over: free. Closed windows are clean here, but for
         * those whose revision waits for a checkpoint: they stay. */
        size_t j = 0;
        for (size_t i = 0; i < k->n; i++) {
            struct dc_window *w = k->w[i];
            bool expired = w->final && !(w->dirty && may_wait) &&
                           (wm == INT64_MAX || w->end * 1000 + e->retention_ms <= wm);
            /* output = partials: per partition (engine_partials.c). */
            if (expired && e->emit_partial && wm != INT64_MAX)
                expired = dc_partials_expired(e, w);
            if (expired) {
                if (e->emit_partial && dc_partials_window(e, k, w, true) < 0)
                    return -1;
                if (k->cur == w)
                    k->cur = NULL;
                dc_window_free(w);
                e->nwindows--;
            } else {
                k->w[j++] = w;
            }
        }
        k->n = j;
    }
    e->next_due = next_due;
    e->deferred = deferred;
    return 0;
}

void dc_engine_checkpoint_durable(struct dc_engine *e)
{
    for (size_t ki = 0; ki < e->nkinds; ki++)
        for (size_t i = 0; i < e->kinds[ki].n; i++)
            e->kinds[ki].w[i]->durable_revision = e->kinds[ki].w[i]->revision;
}

void dc_engine_mark_dirty(struct dc_engine *e, struct dc_window *w)
{
    if (!w->dirty) {
        w->dirty = true;
        if (w->final)
            e->dirty_closed++;
    }
}

/* Count (ts, hash) of `partition` in every kind's window; -1 when out of
 * memory. */
static int count_frame(struct dc_engine *e, int32_t partition, int64_t ts, uint64_t hash,
                       struct dc_add_info *info)
{
    for (size_t ki = 0; ki < e->nkinds; ki++) {
        struct dc_kind *k = &e->kinds[ki];
        struct dc_window *w = dc_kind_find(k, ts);
        if (!w) {
            /* Too late by the pipeline's watermark; with output = partials
             * by the frame's partition's (engine_partials.c). */
            int64_t wm = e->emit_partial ? dc_partition_watermark(e, partition)
                                         : dc_wm_value(&e->wm);
            /* Older than every held window, whose retention is over too? */
            if (wm != DC_WM_NONE && k->n && ts < k->w[0]->start &&
                k->w[0]->start * 1000 + e->retention_ms <= wm) {
                if (!info->late_kind)
                    info->late_kind = k;
                continue;
            }
            int64_t start, end;
            char siso[DC_ISO_MAX], eiso[DC_ISO_MAX];
            dc_calendar_window(&e->cal, k->unit, k->size, ts, &start, &end, siso, eiso);
            if (wm != DC_WM_NONE && end * 1000 + e->retention_ms <= wm) {
                if (!info->late_kind)
                    info->late_kind = k;
                continue;
            }
            w = dc_kind_insert(k, &e->cal, ts, start, end, siso, eiso);
            if (!w)
                return -1;
            if (++e->nwindows > e->peak_windows)
                e->peak_windows = e->nwindows;
            if (w->end * 1000 < e->next_due)
                e->next_due = w->end * 1000;
        }
        struct dc_partial *part = dc_window_partial(w, partition, e->p, e->limit);
        if (!part)
            return -1;
        w->frames++;
        info->late += w->final; /* its next revision carries this frame */
        part->frames++;
        part->dirty = true;
        int changed = dc_sketch_add(&part->sketch, hash);
        if (changed < 0)
            return -1;
        if (changed)
            dc_engine_mark_dirty(e, w);
        info->counted++;
    }
    return 0;
}

enum dc_verdict dc_engine_add(struct dc_engine *e, int32_t partition, int64_t ts, uint64_t hash,
                              int64_t now_ms, struct dc_add_info *info)
{
    memset(info, 0, sizeof *info);
    if (partition < 0) /* a source without partitions */
        partition = 0;
    const struct dc_wm_held *held = NULL;
    uint32_t nheld = 0;
    int64_t before = dc_wm_value(&e->wm);
    switch (dc_wm_observe(&e->wm, partition, ts, hash, now_ms, &held, &nheld)) {
    case DC_WM_OK:
        if (count_frame(e, partition, ts, hash, info) < 0)
            return DC_FAILED;
        break;
    case DC_WM_JUMP:
        info->jump_frames = nheld;
        info->jump_from_ms = before;
        info->jump_to_ms = dc_wm_value(&e->wm);
        /* Close what the jump left behind before counting the new time. */
        if (dc_wm_value(&e->wm) >= e->next_due && pass(e, dc_wm_value(&e->wm)) < 0)
            return DC_FAILED;
        for (uint32_t i = 0; i + 1 < nheld; i++) {
            struct dc_add_info earlier = {0};
            if (count_frame(e, partition, held[i].ts, held[i].tag, &earlier) < 0)
                return DC_FAILED;
        }
        /* The last held frame is this one: `info` describes it. */
        if (count_frame(e, partition, held[nheld - 1].ts, held[nheld - 1].tag, info) < 0)
            return DC_FAILED;
        break;
    case DC_WM_RANGE:
        return DC_OUT_OF_RANGE;
    case DC_WM_WILD:
        return DC_WILD;
    case DC_WM_NOMEM:
        return DC_FAILED;
    }
    int64_t wm = dc_wm_value(&e->wm);
    if (wm >= e->next_due && pass(e, wm) < 0)
        return DC_FAILED;
    return info->late_kind ? DC_TOO_LATE : DC_COUNTED;
}

int dc_engine_flush(struct dc_engine *e)
{
    int64_t wm = dc_wm_value(&e->wm);
    if ((e->dirty_closed > 0 || e->deferred || (wm != DC_WM_NONE && wm >= e->next_due)) &&
        pass(e, wm) < 0)
        return -1;
    return e->emit_partial ? dc_partials_pass(e, false) : 0;
}

int dc_engine_tick(struct dc_engine *e, int64_t now_ms)
{
    /* A result that waited for a checkpoint goes out here when no frames
     * come. */
    bool moved = dc_wm_tick(&e->wm, now_ms);
    if (((moved && dc_wm_value(&e->wm) >= e->next_due) || e->deferred) &&
        pass(e, dc_wm_value(&e->wm)) < 0)
        return -1;
    if (e->emit_partial && dc_partials_pass(e, false) < 0)
        return -1;
    if (!e->early || (e->last_early_ms != INT64_MIN &&
                      now_ms - e->last_early_ms < e->early_interval_ms))
        return 0;
    e->last_early_ms = now_ms;
    for (size_t ki = 0; ki < e->nkinds; ki++) {
        struct dc_kind *k = &e->kinds[ki];
        for (size_t i = 0; i < k->n; i++) {
            struct dc_window *w = k->w[i];
            if (w->final || !w->dirty || waits_for_checkpoint(e, w))
                continue;
            if (emit_window(e, k, w, false, w->revision == 0) < 0)
                return -1;
            w->dirty = false;
        }
    }
    return 0;
}

int dc_engine_finish(struct dc_engine *e)
{
    for (size_t ki = 0; ki < e->nkinds; ki++) {
        struct dc_kind *k = &e->kinds[ki];
        for (size_t i = 0; i < k->n; i++) {
            struct dc_window *w = k->w[i];
            if (!e->emit_partial && (!w->final || w->dirty) &&
                emit_window(e, k, w, true, !w->final) < 0)
                return -1;
            if (w->final && w->dirty)
                e->dirty_closed--;
            w->final = true;
            w->dirty = false;
        }
    }
    e->next_due = INT64_MAX;
    e->deferred = false;
    return e->emit_partial ? dc_partials_pass(e, true) : 0;
}

void dc_engine_recompute_due(struct dc_engine *e)
{
    e->next_due = INT64_MAX;
    for (size_t ki = 0; ki < e->nkinds; ki++)
        for (size_t i = 0; i < e->kinds[ki].n; i++) {
            const struct dc_window *w = e->kinds[ki].w[i];
            if (!w->final && w->end * 1000 < e->next_due)
                e->next_due = w->end * 1000;
        }
}

int dc_engine_end(struct dc_engine *e)
{
    if (e->emit_partial && dc_partials_end(e) < 0)
        return -1;
    return pass(e, INT64_MAX);
}

void dc_engine_stats(const struct dc_engine *e, struct dc_engine_stats *st)
{
    memset(st, 0, sizeof *st);
    st->windows = e->nwindows;
    st->peak_windows = e->peak_windows;
    for (size_t ki = 0; ki < e->nkinds; ki++)
        for (size_t i = 0; i < e->kinds[ki].n; i++)
            st->bytes += dc_window_bytes(e->kinds[ki].w[i]);
}

size_t dc_engine_nkinds(const struct dc_engine *e)
{
    return e->nkinds;
}

const char *dc_engine_kind_open(const struct dc_engine *e, size_t i, size_t *open)
{
    const struct dc_kind *k = &e->kinds[i];
    size_t n = 0;
    for (size_t j = 0; j < k->n; j++)
        n += !k->w[j]->final;
    *open = n;
    return k->name;
}
