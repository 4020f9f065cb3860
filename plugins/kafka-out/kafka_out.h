/* kafka-out's configuration and state, shared by its files. */
#ifndef SLUICE_KAFKA_OUT_H
#define SLUICE_KAFKA_OUT_H

#include "kafka_client.h"

/* key, in the order of its choices. */
enum { KOUT_KEY_RECORD, KOUT_KEY_NONE };

struct kout_config {
    struct sluice_list brokers;
    char *topic;
    int key; /* KOUT_KEY_RECORD | KOUT_KEY_NONE */
    bool errors;
    bool wait_for_delivery;
    int64_t connect_timeout_ms;
    int64_t flush_timeout_ms;
    struct sluice_kv_list rdkafka;
};

struct kout_state {
    struct kc_client kc; /* first: librdkafka's opaque points here */
    const struct kout_config *cfg;
    rd_kafka_topic_t *rkt;
    bool key_from_record;

    /* Delivery reports (delivery.c), counted in the polling thread. */
    uint64_t failed;
    char first_failure[512];
    bool failure_logged;
    bool abandoned; /* a stop gave up waiting for deliveries: flush need not wait again */
};

/* librdkafka's delivery report callback: counts deliveries and failures
 * (a failure comes after librdkafka's own retries, within
 * message.timeout.ms) and keeps the first failure's reason. */
void kout_delivery_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);

/* SLUICE_ERROR (logged once, with the count and the first reason) if any
 * message failed or the producer hit a fatal error; else SLUICE_OK. */
int kout_check_delivery(struct kout_state *st);

/* The dead-letter headers of an error record: sluice.error, sluice.stage,
 * sluice.source.topic, sluice.source.partition, sluice.source.offset.
 * NULL only when out of memory. */
rd_kafka_headers_t *kout_dead_letter_headers(const struct sluice_record *r);

#endif
