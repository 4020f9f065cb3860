/*
 * Checkpoints of the counting engine.
 *
 * A partition's state is everything that partition contributed: its
 * watermark (high mark, and the wild frames held while a time jump waits
 * for confirmation) and its partial of every held window (frames and the
 * serialized sketch or exact set, sketch.h's format). The instance part is
 * what was emitted of every held window (revision, count, final), so that a
 * replay after a restore emits the same keys with the same revision numbers
 * and no result twice. Restoring a partition unions its partials into the
 * windows it names (creating them as they were); since unions are
 * idempotent, restoring twice changes nothing.
 *
 * Layouts (little-endian):
 *   partition: "DCP1", u8 seen, i64 high_ms, u32 held n, n x (i64 ts, u64 hash),
 *              u32 windows, per window: u8 kind, i64 start, i64 end,
 *              u64 frames, u32 length, sketch bytes
 *   instance:  "DCI1", u32 windows, per window: u8 kind, i64 start, i64 end,
 *              u32 revision, u64 emitted, u8 final
 */
#include "engine_impl.h"

#include <sluice/bytes.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PART_MAGIC "DCP1"
#define INST_MAGIC "DCI1"

struct out {
    dc_write_fn write;
    void *ctx;
    int rc;
};

static void put(struct out *o, const void *b, size_t n)
{
    if (o->rc == 0 && o->write(o->ctx, b, n) != 0)
        o->rc = -1;
}

static void put_int(struct out *o, uint64_t v, unsigned bytes)
{
    uint8_t t[8];
    sluice_le_store(t, v, bytes);
    put(o, t, bytes);
}

int dc_engine_hold(struct dc_engine *e, int32_t partition, int64_t now_ms)
{
    return dc_wm_hold(&e->wm, partition < 0 ? 0 : partition, now_ms);
}

void dc_engine_release(struct dc_engine *e, int32_t partition)
{
    if (partition < 0)
        partition = 0;
    for (size_t ki = 0; ki < e->nkinds; ki++)
        for (size_t i = 0; i < e->kinds[ki].n; i++)
            dc_window_drop_partial(e->kinds[ki].w[i], partition);
    /* A window emptied here keeps its emission state until retention. */
    dc_wm_release(&e->wm, partition);
}

int dc_engine_save_partition(const struct dc_engine *e, int32_t partition, dc_write_fn write,
                             void *ctx)
{
    struct out o = {write, ctx, 0};
    if (partition < 0)
        partition = 0;
    const struct dc_partition *wp =
        (size_t)partition < e->wm.nparts ? &e->wm.parts[partition] : NULL;
    put(&o, PART_MAGIC, 4);
    put_int(&o, wp && wp->seen, 1);
    put_int(&o, (uint64_t)(wp ? wp->high_ms : 0), 8);
    uint32_t nheld = wp ? wp->held_n : 0;
    put_int(&o, nheld, 4);
    for (uint32_t i = 0; i < nheld; i++) {
        put_int(&o, (uint64_t)wp->held[i].ts, 8);
        put_int(&o, wp->held[i].tag, 8);
    }
    uint32_t n = 0;
    for (size_t ki = 0; ki < e->nkinds; ki++)
        for (size_t i = 0; i < e->kinds[ki].n; i++)
            n += dc_window_find_partial(e->kinds[ki].w[i], partition) != NULL;
    put_int(&o, n, 4);
    uint8_t *buf = NULL;
    size_t cap = 0;
    for (size_t ki = 0; ki < e->nkinds && o.rc == 0; ki++) {
        for (size_t i = 0; i < e->kinds[ki].n && o.rc == 0; i++) {
            struct dc_window *w = e->kinds[ki].w[i];
            const struct dc_partial *pp = dc_window_find_partial(w, partition);
            if (!pp)
                continue;
            size_t need = dc_sketch_serialized_size(&pp->sketch);
            if (need > cap) {
                uint8_t *b = realloc(buf, need);
                if (!b) {
                    o.rc = -1;
                    break;
                }
                buf = b;
                cap = need;
            }
            size_t len = dc_sketch_serialize(&pp->sketch, buf, cap);
            if (len == 0) {
                o.rc = -1;
                break;
            }
            put_int(&o, ki, 1);
            put_int(&o, (uint64_t)w->start, 8);
            put_int(&o, (uint64_t)w->end, 8);
            put_int(&o, pp->frames, 8);
            put_int(&o, len, 4);
            put(&o, buf, len);
        }
    }
    free(buf);
    return o.rc;
}

int dc_engine_save_instance(const struct dc_engine *e, dc_write_fn write, void *ctx)
{
    struct out o = {write, ctx, 0};
    put(&o, INST_MAGIC, 4);
    uint32_t n = 0;
    for (size_t ki = 0; ki < e->nkinds; ki++)
        n += (uint32_t)e->kinds[ki].n;
    put_int(&o, n, 4);
    for (size_t ki = 0; ki < e->nkinds; ki++) {
        for (size_t i = 0; i < e->kinds[ki].n; i++) {
            const struct dc_window *w = e->kinds[ki].w[i];
            put_int(&o, ki, 1);
            put_int(&o, (uint64_t)w->start, 8);
            put_int(&o, (uint64_t)w->end, 8);
            put_int(&o, w->revision, 4);
            put_int(&o, w->emitted, 8);
            put_int(&o, w->final, 1);
        }
    }
    return o.rc;
}

/* The window of kind `ki` the checkpoint names, held as it was. */
static struct dc_window *restore_window(struct dc_engine *e, struct sluice_reader *r, const char **err)
{
    unsigned ki = (unsigned)sluice_read_le(r, 1);
    int64_t start = (int64_t)sluice_read_le(r, 8), end = (int64_t)sluice_read_le(r, 8);
    if (r->bad) {
        *err = "truncated";
        return NULL;
    }
    if (ki >= e->nkinds || end <= start) {
        *err = "names a window this configuration does not have";
        return NULL;
    }
    struct dc_kind *k = &e->kinds[ki];
    size_t before = k->n;
    bool clash;
    struct dc_window *w = dc_kind_restore(k, &e->cal, start, end, &clash);
    if (!w) {
        *err = clash ? "names a window that overlaps a held one differently" : "out of memory";
        return NULL;
    }
    if (k->n > before && ++e->nwindows > e->peak_windows)
        e->peak_windows = e->nwindows;
    return w;
}

int dc_engine_load_partition(struct dc_engine *e, int32_t partition, const uint8_t *bytes,
                             size_t len, const char **err)
{
    if (partition < 0)
        partition = 0;
    struct sluice_reader r = sluice_reader_of(bytes, len);
    const uint8_t *magic = sluice_read_bytes(&r, 4);
    if (!magic || memcmp(magic, PART_MAGIC, 4) != 0) {
        *err = "not distinct-count partition state (bad magic)";
        return -1;
    }
    dc_engine_release(e, partition); /* a restore replaces, never adds twice */
    bool seen = sluice_read_le(&r, 1) != 0;
    int64_t high_ms = (int64_t)sluice_read_le(&r, 8);
    uint32_t nheld = (uint32_t)sluice_read_le(&r, 4);
    if (r.bad || nheld > r.left / 16) {
        *err = "truncated";
        return -1;
    }
    struct dc_wm_held *held = calloc(nheld ? nheld : 1, sizeof *held);
    if (!held) {
        *err = "out of memory";
        return -1;
    }
    for (uint32_t i = 0; i < nheld; i++) {
        held[i].ts = (int64_t)sluice_read_le(&r, 8);
        held[i].tag = sluice_read_le(&r, 8);
    }
    int rc = dc_wm_restore(&e->wm, partition, seen, high_ms, held, nheld);
    free(held);
    if (rc != 0 || dc_wm_hold(&e->wm, partition, e->wm.now_ms) != 0) {
        *err = "out of memory";
        return -1;
    }
    uint32_t n = (uint32_t)sluice_read_le(&r, 4);
    for (uint32_t i = 0; i < n; i++) {
        struct dc_window *w = restore_window(e, &r, err);
        if (!w)
            return -1;
        uint64_t frames = sluice_read_le(&r, 8);
        uint32_t slen = (uint32_t)sluice_read_le(&r, 4);
        const uint8_t *sk = sluice_read_bytes(&r, slen);
        if (r.bad) {
            *err = "truncated";
            return -1;
        }
        struct dc_partial *pp = dc_window_partial(w, partition, e->p, e->limit);
        if (!pp) {
            *err = "out of memory";
            return -1;
        }
        struct dc_sketch s;
        if (dc_sketch_deserialize(&s, sk, slen, e->limit, err) != 0)
            return -1;
        if (s.p != e->p) {
            dc_sketch_free(&s);
            *err = "a sketch of another precision";
            return -1;
        }
        dc_sketch_free(&pp->sketch);
        pp->sketch = s;
        pp->frames = frames;
        /* output = partials: send it once. The previous holder may have
         * stopped, or died, before it sent its last changes (they wait up
         * to partial_interval), and a window no later frame touches would
         * otherwise keep them from the merge stage. A partial the merge
         * stage has already is unioned in again: no change. */
        pp->dirty = true;
        w->frames += frames;
        if (w->final) /* emitted before: a revision if the union grew */
            dc_engine_mark_dirty(e, w);
    }
    if (r.left != 0) {
        *err = "trailing bytes";
        return -1;
    }
    dc_engine_recompute_due(e);
    return 0;
}

int dc_engine_load_instance(struct dc_engine *e, const uint8_t *bytes, size_t len,
                            const char **err)
{
    struct sluice_reader r = sluice_reader_of(bytes, len);
    const uint8_t *magic = sluice_read_bytes(&r, 4);
    if (!magic || memcmp(magic, INST_MAGIC, 4) != 0) {
        *err = "not distinct-count instance state (bad magic)";
        return -1;
    }
    uint32_t n = (uint32_t)sluice_read_le(&r, 4);
    for (uint32_t i = 0; i < n; i++) {
        struct dc_window *w = restore_window(e, &r, err);
        if (!w)
            return -1;
        uint32_t revision = (uint32_t)sluice_read_le(&r, 4);
        uint64_t emitted = sluice_read_le(&r, 8);
        bool final = sluice_read_le(&r, 1) != 0;
        if (r.bad) {
            *err = "truncated";
            return -1;
        }
        w->revision = revision;
        w->durable_revision = revision;
        w->emitted = emitted;
        w->final = final;
    }
    if (r.left != 0) {
        *err = "trailing bytes";
        return -1;
    }
    dc_engine_recompute_due(e);
    return 0;
}

size_t dc_engine_fingerprint(const struct dc_engine_config *cfg, char *buf, size_t cap)
{
    size_t j = 0;
    int n = snprintf(buf, cap, "windows=");
    j = n > 0 ? (size_t)n : 0;
    for (size_t i = 0; i < cfg->nwindows && j < cap; i++) {
        n = snprintf(buf + j, cap - j, "%s%s", i ? "," : "", cfg->windows[i]);
        j += n > 0 ? (size_t)n : 0;
    }
    if (j < cap) {
        n = snprintf(buf + j, cap - j, " algorithm=%s precision=%u timezone=%s",
                     cfg->exact ? "exact" : "sketch", cfg->exact ? 0u : cfg->precision,
                     cfg->timezone ? cfg->timezone : "UTC");
        j += n > 0 ? (size_t)n : 0;
    }
    return j < cap ? j : cap - 1;
}

/* A growable buffer behind a dc_write_fn, for length-prefixed parts. */
struct blob {
    uint8_t *data;
    size_t len, cap;
};

static int blob_write(void *ctx, const void *bytes, size_t n)
{
    struct blob *b = ctx;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d)
            return -1;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    return 0;
}

#define ALL_MAGIC "DCA1"

/* Layout: "DCA1", u32 topic partitions, u32 n, n x (u32 partition, u32
 * length, partition state), u32 length, instance state. */
int dc_engine_save_all(const struct dc_engine *e, dc_write_fn write, void *ctx)
{
    struct out o = {write, ctx, 0};
    put(&o, ALL_MAGIC, 4);
    put_int(&o, (uint64_t)(e->topic_partitions > 0 ? e->topic_partitions : 0), 4);
    uint32_t n = 0;
    for (size_t id = 0; id < e->wm.nparts; id++)
        n += e->wm.parts[id].seen || e->wm.parts[id].assigned;
    put_int(&o, n, 4);
    struct blob b = {0};
    for (size_t id = 0; id < e->wm.nparts && o.rc == 0; id++) {
        if (!e->wm.parts[id].seen && !e->wm.parts[id].assigned)
            continue;
        b.len = 0;
        if (dc_engine_save_partition(e, (int32_t)id, blob_write, &b) != 0) {
            o.rc = -1;
            break;
        }
        put_int(&o, id, 4);
        put_int(&o, b.len, 4);
        put(&o, b.data, b.len);
    }
    b.len = 0;
    if (o.rc == 0 && dc_engine_save_instance(e, blob_write, &b) != 0)
        o.rc = -1;
    put_int(&o, b.len, 4);
    put(&o, b.data, b.len);
    free(b.data);
    return o.rc;
}

int dc_engine_load_all(struct dc_engine *e, const uint8_t *bytes, size_t len, const char **err)
{
    struct sluice_reader r = sluice_reader_of(bytes, len);
    const uint8_t *magic = sluice_read_bytes(&r, 4);
    if (!magic || memcmp(magic, ALL_MAGIC, 4) != 0) {
        *err = "not a distinct-count engine state (bad magic)";
        return -1;
    }
    int32_t tp = (int32_t)sluice_read_le(&r, 4);
    uint32_t n = (uint32_t)sluice_read_le(&r, 4);
    for (uint32_t i = 0; i < n; i++) {
        int32_t id = (int32_t)sluice_read_le(&r, 4);
        uint32_t plen = (uint32_t)sluice_read_le(&r, 4);
        const uint8_t *p = sluice_read_bytes(&r, plen);
        if (r.bad) {
            *err = "truncated";
            return -1;
        }
        if (dc_engine_load_partition(e, id, p, plen, err) != 0)
            return -1;
    }
    uint32_t ilen = (uint32_t)sluice_read_le(&r, 4);
    const uint8_t *inst = sluice_read_bytes(&r, ilen);
    if (r.bad || r.left != 0) {
        *err = "truncated";
        return -1;
    }
    if (dc_engine_load_instance(e, inst, ilen, err) != 0)
        return -1;
    for (int32_t p = e->topic_partitions; p < tp; p++)
        if (dc_engine_hold(e, p, e->wm.now_ms) != 0) {
            *err = "out of memory";
            return -1;
        }
    if (tp > e->topic_partitions)
        e->topic_partitions = tp;
    return 0;
}
