/*
 * Source partitions, named by topic and number, to the small numbers the
 * counting engine keys its per-partition state by (watermark, partials,
 * checkpoint parts).
 *
 * Why. Partition 0 of topic A and partition 0 of topic B are two streams,
 * each with its own event time; keyed by the partition number alone they
 * would share a watermark and a partial. So, counting results, every
 * (topic, partition) gets a number of its own in the order first seen
 * (dense, as the engine's arrays want). The numbers are not stored
 * anywhere: a checkpoint's part belongs to the host's (topic, partition)
 * key, so a restart may number them differently.
 *
 * With output = partials the engine's numbers go out in the partials, and
 * the merge stage reads them as the topic's partition numbers: there the
 * number is the partition's own (identity), and a second topic is refused.
 */
#ifndef SLUICE_DC_PARTITION_IDS_H
#define SLUICE_DC_PARTITION_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dc_topic_ids {
    char *name;
    int32_t *ids; /* by partition number; -1: not numbered yet */
    int32_t cap;
};

struct dc_partition_ids {
    bool identity; /* output = partials: one topic, the number is the partition's */
    struct dc_topic_ids *topics;
    size_t n, cap;
    int32_t next; /* the next number to give */
};

/* The engine's number for `partition` of `topic` (NULL: a source without
 * topics), given one if it has none; -1 when out of memory. With identity,
 * -2 when `topic` is not the first topic seen (*first names that one). */
int32_t dc_partition_id(struct dc_partition_ids *m, const char *topic, int32_t partition,
                        const char **first);
void dc_partition_ids_free(struct dc_partition_ids *m);

#endif
