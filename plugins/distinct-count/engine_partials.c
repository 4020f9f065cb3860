/*
 * Scale-out: partials out of the count stage, into the merge stage.
 *
 * N instances of a count pipeline in one consumer group each hold some
 * partitions of the input topic. Each window keeps one partial per source
 * partition already (engine.c), so what an instance knows of a window is
 * exactly its partitions' partials. With `output = partials` it sends them
 * instead of results: a window's partial of a partition when it changed, at
 * most every `partial_interval` of processing time, and once more as soon
 * as that partition's watermark passes the window's end (the partition's
 * part is then complete but for late frames, which send it again). Each
 * partial carries the partition's watermark and the topic's partition
 * count. At the end of the input every change goes out, then one partial
 * per partition with watermark INT64_MAX: that partition is complete.
 *
 * The merge stage (plugins/sketch-merge) runs this same engine with
 * `dc_engine_put_partial` in place of frames: the partial is unioned into
 * the window's partial of that partition (a later partial of a partition
 * contains the earlier one, and unions are idempotent, so a partial read
 * twice, or an older one after a newer one, changes nothing), the
 * partition's watermark moves to the partial's, and the pipeline watermark
 * is the minimum over every partition of the topic, an unseen one holding it
 * back until it is idle. Windows are then emitted as in one instance: final
 * once, revisions within retention, the same key, `unique` and `frames`
 * that one instance over all partitions gives.
 */
#include "engine_impl.h"

#include <string.h>

void dc_engine_set_partials(struct dc_engine *e, dc_partial_fn fn, int64_t interval_ms)
{
    e->emit_partial = fn;
    e->partial_interval_ms = interval_ms;
}

void dc_engine_set_topic_partitions(struct dc_engine *e, int32_t n)
{
    if (n > e->topic_partitions)
        e->topic_partitions = n;
}

/* The watermark of partition `id` in ms, as sent with its partials. */
static int64_t partition_watermark(const struct dc_engine *e, int32_t id)
{
    const struct dc_partition *p =
        id >= 0 && (size_t)id < e->wm.nparts ? &e->wm.parts[id] : NULL;
    return p && p->seen ? p->high_ms - e->wm.lateness_ms : DC_WM_NONE;
}

/* Send the partial of window w of kind k for partition pp with watermark
 * `wm`. */
static int send(struct dc_engine *e, const struct dc_kind *k, const struct dc_window *w,
                const struct dc_partial *pp, int64_t wm)
{
    struct dc_partial_out out = {
        .kind = k,
        .window = w,
        .partition = pp->partition,
        .topic_partitions = e->topic_partitions,
        .watermark_ms = wm,
        .frames = pp->frames,
        .sketch = &pp->sketch,
    };
    return e->emit_partial(e->ctx, &out);
}

int dc_partials_window(struct dc_engine *e, const struct dc_kind *k, struct dc_window *w,
                       bool all)
{
    int64_t now = e->wm.now_ms;
    for (uint32_t i = 0; i < w->nparts; i++) {
        struct dc_partial *pp = &w->parts[i];
        int64_t pwm = partition_watermark(e, pp->partition);
        bool closing = !pp->closed_sent && pwm != DC_WM_NONE && pwm >= w->end * 1000;
        bool due = pp->dirty && (all || pp->sent_ms == INT64_MIN ||
                                 now - pp->sent_ms >= e->partial_interval_ms);
        if (!closing && !due)
            continue;
        if (send(e, k, w, pp, pwm) < 0)
            return -1;
        pp->dirty = false;
        pp->sent_ms = now;
        pp->closed_sent = pp->closed_sent || closing;
    }
    return 0;
}

int dc_partials_pass(struct dc_engine *e, bool all)
{
    for (size_t ki = 0; ki < e->nkinds; ki++)
        for (size_t i = 0; i < e->kinds[ki].n; i++)
            if (dc_partials_window(e, &e->kinds[ki], e->kinds[ki].w[i], all) < 0)
                return -1;
    return 0;
}

int dc_partials_end(struct dc_engine *e)
{
    /* Every change first, with the partitions' own watermarks ... */
    if (dc_partials_pass(e, true) < 0)
        return -1;
    /* ... then one partial per partition saying its input ended (watermark
     * INT64_MAX). Sent earlier, it would let the merge stage close and free
     * windows whose last partials are still to come. */
    for (size_t id = 0; id < e->wm.nparts; id++) {
        const struct dc_kind *lk = NULL;
        struct dc_window *lw = NULL;
        struct dc_partial *lp = NULL;
        for (size_t ki = 0; ki < e->nkinds; ki++)
            for (size_t i = 0; i < e->kinds[ki].n; i++) {
                struct dc_partial *pp = dc_window_find_partial(e->kinds[ki].w[i], (int32_t)id);
                if (pp) {
                    lk = &e->kinds[ki];
                    lw = e->kinds[ki].w[i];
                    lp = pp;
                }
            }
        if (lp && send(e, lk, lw, lp, INT64_MAX) < 0)
            return -1;
    }
    for (size_t ki = 0; ki < e->nkinds; ki++)
        for (size_t i = 0; i < e->kinds[ki].n; i++)
            for (uint32_t j = 0; j < e->kinds[ki].w[i]->nparts; j++) {
                e->kinds[ki].w[i]->parts[j].dirty = false;
                e->kinds[ki].w[i]->parts[j].closed_sent = true;
            }
    return 0;
}

int dc_engine_put_partial(struct dc_engine *e, const char *window, int64_t start, int64_t end,
                          int32_t partition, int32_t topic_partitions, int64_t watermark_ms,
                          uint64_t frames, const uint8_t *sketch, size_t sketch_len,
                          int64_t now_ms, const char **err)
{
    size_t ki = 0;
    while (ki < e->nkinds && strcmp(e->kinds[ki].name, window) != 0)
        ki++;
    if (ki == e->nkinds) {
        *err = "a partial of a window this merge stage does not have (add it to windows)";
        return -1;
    }
    if (partition < 0 || end <= start) {
        *err = "a partial with a negative partition or an empty window";
        return -1;
    }
    /* A new partition count: every partition of the topic holds the
     * watermark back until it is seen or idle. */
    if (topic_partitions > e->topic_partitions) {
        for (int32_t p = e->topic_partitions; p < topic_partitions; p++)
            if (dc_engine_hold(e, p, now_ms) != 0) {
                *err = "out of memory";
                return -1;
            }
        e->topic_partitions = topic_partitions;
    }
    struct dc_sketch s;
    if (dc_sketch_deserialize(&s, sketch, sketch_len, e->limit, err) != 0)
        return -1;
    if (s.p != e->p) {
        dc_sketch_free(&s);
        *err = "a partial sketch of another precision than this merge stage's (set precision "
               "as in the count stage)";
        return -1;
    }
    int64_t wm = dc_wm_value(&e->wm);
    struct dc_kind *k = &e->kinds[ki];
    struct dc_window *w = dc_kind_find(k, start);
    if (!w && wm != DC_WM_NONE && end * 1000 + e->retention_ms <= wm) {
        dc_sketch_free(&s);
        return 1;
    }
    int rc = 0;
    if (!w) {
        size_t before = k->n;
        bool clash;
        w = dc_kind_restore(k, &e->cal, start, end, &clash);
        if (!w) {
            *err = clash ? "a partial whose window overlaps a held one differently"
                         : "out of memory";
            rc = -1;
            goto out;
        }
        if (k->n > before && ++e->nwindows > e->peak_windows)
            e->peak_windows = e->nwindows;
        if (!w->final && w->end * 1000 < e->next_due)
            e->next_due = w->end * 1000;
    }
    struct dc_partial *pp = dc_window_partial(w, partition, e->p, e->limit);
    if (!pp || dc_sketch_merge(&pp->sketch, &s) != 0) {
        *err = "out of memory";
        rc = -1;
        goto out;
    }
    if (frames > pp->frames) {
        w->frames += frames - pp->frames;
        pp->frames = frames;
    }
    dc_engine_mark_dirty(e, w);
    if (watermark_ms != DC_WM_NONE &&
        dc_wm_set_high(&e->wm, partition, watermark_ms, now_ms) != 0) {
        *err = "out of memory";
        rc = -1;
    }
out:
    dc_sketch_free(&s);
    return rc;
}
