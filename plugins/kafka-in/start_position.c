/*
 * Start positions. Why "first time only": earliest, latest and a time say
 * where this process begins; once it has read and committed, a partition
 * that comes back after a rebalance must resume from the committed offset,
 * or every rebalance would replay (earliest) or skip (latest) data.
 */
#include "start_position.h"

#include "sluice_time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kin_start_parse(const char *text, struct kin_start *out)
{
    out->time_ms = 0;
    if (strcmp(text, "earliest") == 0)
        out->kind = KIN_START_EARLIEST;
    else if (strcmp(text, "latest") == 0)
        out->kind = KIN_START_LATEST;
    else if (strcmp(text, "committed") == 0)
        out->kind = KIN_START_COMMITTED;
    else if (!isdigit((unsigned char)text[0]))
        return "use earliest, latest, committed or an ISO-8601 time such as "
               "2024-11-01T00:00:00Z";
    else {
        /* It starts like a time: say what is wrong with it. */
        const char *err = sluice_iso8601_parse(text, &out->time_ms);
        if (err)
            return err;
        out->kind = KIN_START_TIME;
    }
    return NULL;
}

const char *kin_start_validate(const void *value)
{
    struct kin_start s;
    return kin_start_parse(*(const char *const *)value, &s);
}

bool kin_start_apply(rd_kafka_t *rk, const struct kin_start *start,
                     rd_kafka_topic_partition_list_t *parts, const bool *fresh, int timeout_ms,
                     char *err, size_t errsize)
{
    int n_fresh = 0;
    for (int i = 0; i < parts->cnt; i++) {
        n_fresh += fresh[i];
        if (!fresh[i]) {
            parts->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
            continue;
        }
        switch (start->kind) {
        case KIN_START_EARLIEST:
            parts->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
            break;
        case KIN_START_LATEST:
            parts->elems[i].offset = RD_KAFKA_OFFSET_END;
            break;
        case KIN_START_COMMITTED:
        case KIN_START_TIME:
            parts->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
            break;
        }
    }
    if (start->kind != KIN_START_TIME || n_fresh == 0)
        return true;

    rd_kafka_topic_partition_list_t *q = rd_kafka_topic_partition_list_new(n_fresh);
    for (int i = 0; i < parts->cnt; i++)
        if (fresh[i])
            rd_kafka_topic_partition_list_add(q, parts->elems[i].topic, parts->elems[i].partition)
                ->offset = start->time_ms;
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk, q, timeout_ms);
    bool ok = true;
    for (int i = 0; ok && i < q->cnt; i++) {
        const rd_kafka_topic_partition_t *r = &q->elems[i];
        rd_kafka_resp_err_t pe = e ? e : r->err;
        if (pe) {
            snprintf(err, errsize, "looking up the offsets of start time in %s [%d]: %s",
                     r->topic, (int)r->partition, rd_kafka_err2str(pe));
            ok = false;
            break;
        }
        rd_kafka_topic_partition_t *t =
            rd_kafka_topic_partition_list_find(parts, r->topic, r->partition);
        /* -1: no message at or after the time, so start at the end. */
        if (t)
            t->offset = r->offset >= 0 ? r->offset : RD_KAFKA_OFFSET_END;
    }
    rd_kafka_topic_partition_list_destroy(q);
    return ok;
}
