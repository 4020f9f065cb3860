/*
 * Where kafka-in starts reading a partition: `start = earliest | latest |
 * committed | <ISO-8601 time>`. A time is turned into offsets with
 * rd_kafka_offsets_for_times when the partitions are assigned.
 */
#ifndef SLUICE_KAFKA_IN_START_POSITION_H
#define SLUICE_KAFKA_IN_START_POSITION_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kin_start_kind {
    KIN_START_EARLIEST,
    KIN_START_LATEST,
    KIN_START_COMMITTED,
    KIN_START_TIME
};

struct kin_start {
    enum kin_start_kind kind;
    int64_t time_ms; /* KIN_START_TIME: ms since the epoch, UTC */
};

/* Parse a `start` value: a keyword, or an ISO-8601 date or date-time as
 * sluice_iso8601_parse reads it (lib/sluice_time.h; no offset means UTC).
 * Returns NULL if fine, else a static message. */
const char *kin_start_parse(const char *text, struct kin_start *out);

/* The option table's validator for `start` (value: const char **). */
const char *kin_start_validate(const void *value);

/* Set the start offset of every element of `parts` whose `fresh[i]` is true
 * (seen by this process for the first time); the others resume from the
 * group's committed offset. A time start asks the brokers, waiting up to
 * `timeout_ms`; a partition with no message at or after the time starts at
 * its end. False with `err` filled if the brokers could not answer. */
bool kin_start_apply(rd_kafka_t *rk, const struct kin_start *start,
                     rd_kafka_topic_partition_list_t *parts, const bool *fresh, int timeout_ms,
                     char *err, size_t errsize);

#endif
