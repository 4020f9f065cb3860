/*
 * The windows of one kind. A kind holds few windows at a time — the open
 * ones plus the closed ones kept for `retention` — so a sorted array with
 * binary search is enough, and the common case (the frame falls into the
 * window the previous frame fell into) costs two comparisons.
 */
#include "window.h"

#include "sluice_array.h"
#include "sluice_time.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    enum dc_unit unit;
    int64_t size;
} named_kinds[] = {
    {"minute", DC_UNIT_FIXED, 60}, {"hour", DC_UNIT_HOUR, 0},   {"day", DC_UNIT_DAY, 0},
    {"week", DC_UNIT_WEEK, 0},     {"month", DC_UNIT_MONTH, 0}, {"year", DC_UNIT_YEAR, 0},
};

const char *dc_kind_parse(const char *spec, struct dc_kind *k)
{
    memset(k, 0, sizeof *k);
    if (strlen(spec) >= DC_KIND_NAME_MAX)
        return "window name too long";
    strcpy(k->name, spec);
    for (size_t i = 0; i < sizeof named_kinds / sizeof *named_kinds; i++) {
        if (strcmp(spec, named_kinds[i].name) == 0) {
            k->unit = named_kinds[i].unit;
            k->size = named_kinds[i].size;
            return NULL;
        }
    }
    if (!isdigit((unsigned char)spec[0]))
        return "unknown window: use minute, hour, day, week, month, year, or a fixed size "
               "like 10s, 5m, 1h30m, 2d";
    /* A fixed size is a duration, read as every other duration is. */
    int64_t ms;
    const char *err = sluice_duration_parse(spec, &ms);
    if (err)
        return err;
    if (ms < SLUICE_MS_PER_SECOND || ms > 366 * SLUICE_MS_PER_DAY)
        return "fixed window size must be from 1s to 366d";
    if (ms % SLUICE_MS_PER_SECOND != 0)
        return "fixed window size must be whole seconds (windows are in Unix seconds)";
    k->unit = DC_UNIT_FIXED;
    k->size = ms / SLUICE_MS_PER_SECOND;
    return NULL;
}

void dc_kind_free(struct dc_kind *k)
{
    while (k->n)
        dc_kind_remove(k, k->n - 1);
    free(k->w);
    k->w = NULL;
    k->cap = 0;
}

/* Index of the first window with start > ts. */
static size_t upper_bound(const struct dc_kind *k, int64_t ts)
{
    size_t lo = 0, hi = k->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->w[mid]->start <= ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct dc_window *dc_kind_find_slow(struct dc_kind *k, int64_t ts)
{
    size_t i = upper_bound(k, ts);
    if (i == 0)
        return NULL;
    struct dc_window *w = k->w[i - 1];
    if (ts >= w->end)
        return NULL;
    k->cur = w;
    return w;
}

/* ISO text of t in the calendar's zone (a TZ switch outside UTC). */
static void iso_of(const struct dc_calendar *cal, int64_t t, char *buf)
{
    int64_t s, e;
    /* A one-second window starting at t formats t itself. */
    dc_calendar_window(cal, DC_UNIT_FIXED, 1, t, &s, &e, buf, NULL);
}

struct dc_window *dc_kind_insert(struct dc_kind *k, const struct dc_calendar *cal, int64_t ts,
                                 int64_t start, int64_t end, const char *start_iso,
                                 const char *end_iso)
{
    struct dc_window **room = sluice_array_room(k->w, k->n, &k->cap, sizeof *room, 8);
    if (!room)
        return NULL;
    k->w = room;
    struct dc_window *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    size_t i = upper_bound(k, ts);
    w->start = start;
    w->end = end;
    strcpy(w->start_iso, start_iso);
    strcpy(w->end_iso, end_iso);
    /* Held windows end at or before ts (it was not found) and the next one
     * starts after it: clipping keeps ts inside and the set disjoint. */
    if (i > 0 && k->w[i - 1]->end > w->start) {
        w->start = k->w[i - 1]->end;
        iso_of(cal, w->start, w->start_iso);
    }
    if (i < k->n && k->w[i]->start < w->end) {
        w->end = k->w[i]->start;
        iso_of(cal, w->end, w->end_iso);
    }
    memmove(&k->w[i + 1], &k->w[i], (k->n - i) * sizeof *k->w);
    k->w[i] = w;
    k->n++;
    k->cur = w;
    return w;
}

struct dc_window *dc_kind_restore(struct dc_kind *k, const struct dc_calendar *cal, int64_t start,
                                  int64_t end, bool *clash)
{
    *clash = false;
    struct dc_window *w = dc_kind_find_slow(k, start);
    if (w) {
        *clash = w->start != start || w->end != end;
        return *clash ? NULL : w;
    }
    size_t i = upper_bound(k, start);
    if (i < k->n && k->w[i]->start < end) {
        *clash = true;
        return NULL;
    }
    char siso[DC_ISO_MAX], eiso[DC_ISO_MAX];
    iso_of(cal, start, siso);
    iso_of(cal, end, eiso);
    return dc_kind_insert(k, cal, start, start, end, siso, eiso);
}

struct dc_partial *dc_window_find_partial(struct dc_window *w, int32_t partition)
{
    for (uint32_t i = 0; i < w->nparts; i++)
        if (w->parts[i].partition == partition)
            return &w->parts[i];
    return NULL;
}

struct dc_partial *dc_window_partial_slow(struct dc_window *w, int32_t partition, unsigned p,
                                          uint32_t limit)
{
    struct dc_partial *found = dc_window_find_partial(w, partition);
    if (!found) {
        struct dc_partial *v = sluice_array_room(w->parts, w->nparts, &w->cap_parts, sizeof *v, 1);
        if (!v)
            return NULL;
        w->parts = v;
        found = &w->parts[w->nparts++];
        memset(found, 0, sizeof *found);
        found->partition = partition;
        found->sent_ms = INT64_MIN;
        dc_sketch_init(&found->sketch, p, limit);
    }
    w->hot = found;
    return found;
}

void dc_window_drop_partial(struct dc_window *w, int32_t partition)
{
    struct dc_partial *pp = dc_window_find_partial(w, partition);
    if (!pp)
        return;
    w->frames -= pp->frames;
    dc_sketch_free(&pp->sketch);
    *pp = w->parts[--w->nparts];
    w->hot = NULL;
}

const struct dc_sketch *dc_window_union(const struct dc_window *w, unsigned p, uint32_t limit,
                                        struct dc_sketch *tmp, bool *owned)
{
    *owned = w->nparts != 1;
    if (!*owned)
        return &w->parts[0].sketch;
    dc_sketch_init(tmp, p, limit);
    for (uint32_t i = 0; i < w->nparts; i++) {
        if (dc_sketch_merge(tmp, &w->parts[i].sketch) < 0) {
            dc_sketch_free(tmp);
            *owned = false;
            return NULL;
        }
    }
    return tmp;
}

void dc_window_free(struct dc_window *w)
{
    for (uint32_t j = 0; j < w->nparts; j++)
        dc_sketch_free(&w->parts[j].sketch);
    free(w->parts);
    free(w);
}

void dc_kind_remove(struct dc_kind *k, size_t i)
{
    struct dc_window *w = k->w[i];
    if (k->cur == w)
        k->cur = NULL;
    dc_window_free(w);
    memmove(&k->w[i], &k->w[i + 1], (k->n - i - 1) * sizeof *k->w);
    k->n--;
}

size_t dc_window_bytes(const struct dc_window *w)
{
    size_t n = sizeof *w + w->cap_parts * sizeof *w->parts;
    for (uint32_t j = 0; j < w->nparts; j++)
        n += dc_sketch_bytes(&w->parts[j].sketch);
    return n;
}
