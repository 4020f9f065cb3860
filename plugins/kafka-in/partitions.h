/*
 * The partitions this kafka-in has been given: whether it holds each now,
 * how far its acknowledged batches reach (the position a checkpoint
 * records), where each ends for `stop_at_end` (the high watermark at its
 * first assignment), and whether it reached that end. Entries stay after a
 * revocation, so a partition that comes back is known as seen before.
 * A handful to a few hundred entries: a linear table with a last-hit cache
 * (messages arrive in runs of one partition) is enough.
 */
#ifndef SLUICE_KAFKA_IN_PARTITIONS_H
#define SLUICE_KAFKA_IN_PARTITIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kin_part {
    char *topic;
    int32_t partition;
    int64_t end;   /* stop_at_end: the first offset not to read; -1 unknown */
    int64_t acked; /* the next offset after the acknowledged batches; -1 unknown
                      (nothing acknowledged since the assignment, no checkpoint) */
    bool assigned; /* held by this consumer now */
    bool done;     /* stop_at_end: everything before `end` was read */
};

struct kin_parts {
    struct kin_part *v;
    size_t n, cap;
    size_t last; /* index of the last hit */
};

/* The entry for (topic, partition), or NULL. */
struct kin_part *kin_parts_find(struct kin_parts *t, const char *topic, int32_t partition);

/* The entry for (topic, partition), added (end and acked -1, not assigned, not
 * done)
 * if new; *is_new says which. NULL only when out of memory. */
struct kin_part *kin_parts_get(struct kin_parts *t, const char *topic, int32_t partition,
                               bool *is_new);

/* How many entries are assigned now, and how many of those are done. */
size_t kin_parts_assigned(const struct kin_parts *t, size_t *done);

void kin_parts_free(struct kin_parts *t);

#endif
