/*
 * Consumer lag from librdkafka's statistics. With statistics.interval.ms
 * set (kafka-in's default 1000; rdkafka.statistics.interval.ms = 0 turns it
 * off), librdkafka hands a JSON document to this callback from within
 * rd_kafka_consumer_poll, i.e. on kafka-in's own thread. kafka-in publishes
 * the lag as the gauge consumer_lag{topic,partition} for every partition it
 * holds, for /metrics and the progress line (total lag, time left); a
 * partition given away is hidden.
 *
 * Which lag (librdkafka's STATISTICS.md): "consumer_lag_stored" is the high
 * watermark minus the stored offset, and kafka-in stores an offset only
 * when the host acknowledged the batch, so it counts the messages not yet
 * through the whole pipeline: the one we want. librdkafka 2.0's
 * "consumer_lag" counts from the committed offset instead (-1 until the
 * first commit). Before anything was stored or committed both are -1; then
 * the high watermark minus the next offset to fetch says how much is left
 * (0 for an empty partition).
 */
#include "kafka_in.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void publish(struct kin_state *st, const char *topic, int32_t partition, double lag)
{
    char labels[512];
    snprintf(labels, sizeof labels, "topic=\"%s\",partition=\"%d\"", topic, (int)partition);
    st->kc.host->gauge_set(st->kc.self, "consumer_lag", labels, lag);
}

/* An integer member of `o`, or -1. */
static json_int_t field(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

int kin_stats_cb(rd_kafka_t *rk, char *json, size_t json_len, void *opaque)
{
    (void)rk;
    struct kin_state *st = opaque;
    json_error_t err;
    json_t *root = json_loadb(json, json_len, 0, &err);
    json_t *topics = root ? json_object_get(root, "topics") : NULL;
    if (!json_is_object(topics)) {
        st->kc.host->log(st->kc.self, SLUICE_LOG_DEBUG, "librdkafka statistics without topics%s%s",
                         root ? "" : ": ", root ? "" : err.text);
        json_decref(root);
        return 0; /* librdkafka frees json */
    }
    /* Hide the partitions not held now; the document shows the others. */
    for (size_t i = 0; i < st->parts.n; i++)
        if (!st->parts.v[i].assigned)
            publish(st, st->parts.v[i].topic, st->parts.v[i].partition, NAN);
    const char *name;
    json_t *topic;
    json_object_foreach(topics, name, topic) {
        json_t *parts = json_object_get(topic, "partitions");
        const char *key;
        json_t *p;
        json_object_foreach(parts, key, p) {
            json_int_t id = field(p, "partition");
            if (id < 0)
                continue; /* -1 is librdkafka's internal "unassigned" partition */
            const struct kin_part *kp = kin_parts_find(&st->parts, name, (int32_t)id);
            if (!kp || !kp->assigned)
                continue;
            json_int_t lag = field(p, "consumer_lag_stored");
            if (lag < 0)
                lag = field(p, "consumer_lag");
            json_int_t hi = field(p, "hi_offset"), next = field(p, "next_offset");
            if (lag < 0 && hi >= 0 && next >= 0)
                lag = hi > next ? hi - next : 0;
            publish(st, name, (int32_t)id, lag < 0 ? NAN : (double)lag);
        }
    }
    json_decref(root);
    return 0;
}
