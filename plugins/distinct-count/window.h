/*
 * Windows: the kinds a pipeline asks for ("minute", "day", "10s") and, per
 * kind, the windows currently held, sorted by start.
 */
#ifndef DC_WINDOW_H
#define DC_WINDOW_H

#include "calendar.h"
#include "sketch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DC_KIND_NAME_MAX 16

/* One source partition's part of a window: the window's number is the
 * union of its partials (design.md, "State, checkpoints and scale-out"). */
struct dc_partial {
    int32_t partition;
    bool dirty;           /* output = partials: changed since last sent */
    bool closed_sent;     /* output = partials: sent once its partition passed the end */
    uint64_t frames;
    int64_t sent_ms;      /* output = partials: processing time it was last sent */
    struct dc_sketch sketch;
};

struct dc_window {
    int64_t start, end;   /* unix seconds, [start, end) */
    uint64_t frames;      /* frames counted, duplicates included (all partials) */
    struct dc_partial *parts; /* one per source partition that delivered to it */
    uint32_t nparts;
    size_t cap_parts;
    struct dc_partial *hot; /* the partial hit last (the usual next hit), or NULL */
    uint64_t emitted;     /* `unique` of the last emission */
    uint32_t revision;    /* emissions so far: the next one's number */
    uint32_t durable_revision; /* `revision` as the last durable checkpoint
                                  (or the restore) has it; see engine.c */
    bool final;           /* the final result was emitted */
    bool dirty;           /* the sketch changed since the last emission */
    char start_iso[DC_ISO_MAX];
    char end_iso[DC_ISO_MAX];
};

struct dc_kind {
    char name[DC_KIND_NAME_MAX]; /* as configured: "minute", "10s" */
    enum dc_unit unit;
    int64_t size;                /* seconds, for DC_UNIT_FIXED */
    struct dc_window **w;        /* held windows, sorted by start, disjoint */
    size_t n, cap;
    struct dc_window *cur;       /* the last window hit: the usual next hit */
};

/* Parse a window spec into `k` (its window list empty). NULL if fine, else
 * a message. Accepts minute, hour, day, week, month, year and a fixed size
 * written as a duration (10s, 5m, 1h30m, 2d; whole seconds, 1s to 366d). */
const char *dc_kind_parse(const char *spec, struct dc_kind *k);
void dc_kind_free(struct dc_kind *k);

struct dc_window *dc_kind_find_slow(struct dc_kind *k, int64_t ts);

/* The held window holding ts, or NULL. */
static inline struct dc_window *dc_kind_find(struct dc_kind *k, int64_t ts)
{
    struct dc_window *w = k->cur;
    if (w && ts >= w->start && ts < w->end)
        return w;
    return dc_kind_find_slow(k, ts);
}

/* Hold a new window [start, end) for ts, clipped so it does not overlap a
 * held neighbour. NULL when out of memory. */
struct dc_window *dc_kind_insert(struct dc_kind *k, const struct dc_calendar *cal, int64_t ts,
                                 int64_t start, int64_t end, const char *start_iso,
                                 const char *end_iso);

/* The held window [start, end) as a checkpoint names it: found by its
 * start, or inserted as it was (ISO texts from the calendar). NULL when out
 * of memory or when it overlaps a held window differently (*clash set). */
struct dc_window *dc_kind_restore(struct dc_kind *k, const struct dc_calendar *cal, int64_t start,
                                  int64_t end, bool *clash);

struct dc_partial *dc_window_partial_slow(struct dc_window *w, int32_t partition, unsigned p,
                                          uint32_t limit);

/* The partial of `partition`, added (empty, sketch of precision p and
 * explicit limit `limit`) if it has none. NULL when out of memory. */
static inline struct dc_partial *dc_window_partial(struct dc_window *w, int32_t partition,
                                                   unsigned p, uint32_t limit)
{
    if (w->hot && w->hot->partition == partition)
        return w->hot;
    return dc_window_partial_slow(w, partition, p, limit);
}

/* The partial of `partition`, or NULL (never adds). */
struct dc_partial *dc_window_find_partial(struct dc_window *w, int32_t partition);

/* Drop the partial of `partition` (its frames leave w->frames). */
void dc_window_drop_partial(struct dc_window *w, int32_t partition);

/* The union of the window's partials: the one partial itself, or `tmp`
 * (initialised here; free it with dc_sketch_free when *owned). An empty
 * window gives an empty `tmp`. NULL when out of memory. */
const struct dc_sketch *dc_window_union(const struct dc_window *w, unsigned p, uint32_t limit,
                                        struct dc_sketch *tmp, bool *owned);

/* Free the window at index i. */
void dc_kind_remove(struct dc_kind *k, size_t i);
/* Free one window (not in a kind's list any more). */
void dc_window_free(struct dc_window *w);

/* Heap bytes of one window. */
size_t dc_window_bytes(const struct dc_window *w);

#endif
