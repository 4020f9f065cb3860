/*
 * Dead-letter headers, Kafka Connect style: the failing record goes out with
 * its original bytes as the value, and why and where it failed in headers,
 * so a person (or a re-processing job) can find it in its source:
 *   sluice.error             the reason
 *   sluice.stage             the pipeline section that failed it
 *   sluice.source.topic      where it was read (absent for non-Kafka sources)
 *   sluice.source.partition  decimal
 *   sluice.source.offset     decimal (the line number for stdin)
 */
#include "kafka_out.h"

#include <stdio.h>

rd_kafka_headers_t *kout_dead_letter_headers(const struct sluice_record *r)
{
    rd_kafka_headers_t *h = rd_kafka_headers_new(5);
    if (!h)
        return NULL;
    char num[32];
    rd_kafka_header_add(h, "sluice.error", -1, r->error ? r->error : "unknown error", -1);
    rd_kafka_header_add(h, "sluice.stage", -1, r->error_stage ? r->error_stage : "", -1);
    if (r->topic)
        rd_kafka_header_add(h, "sluice.source.topic", -1, r->topic, -1);
    snprintf(num, sizeof num, "%d", (int)r->partition);
    rd_kafka_header_add(h, "sluice.source.partition", -1, num, -1);
    snprintf(num, sizeof num, "%lld", (long long)r->offset);
    rd_kafka_header_add(h, "sluice.source.offset", -1, num, -1);
    return h;
}
