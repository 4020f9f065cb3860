/* The `kafka` checkpoint store of kafka-in: a compacted topic on the
 * source's brokers (see state_store.c). */
#ifndef SLUICE_KAFKA_IN_STATE_STORE_H
#define SLUICE_KAFKA_IN_STATE_STORE_H

#include "kafka_client.h"
#include "state_map.h"

/* The largest checkpoint item (one partition's state, or the instance
 * part): the producer's message.max.bytes and the topic's
 * max.message.bytes when kafka-in creates it. */
#define KIN_STATE_MAX_BYTES (32 * 1024 * 1024)

struct kin_store {
    struct kc_client kc; /* first: librdkafka's opaque; kc.rk is the producer */
    char *topic;         /* the state topic: state_topic, or <group>.sluice-state */
    char *reader_group;  /* group.id of the reader (never joined: it assigns) */
    const struct sluice_list *brokers;
    struct sluice_kv_list conn; /* the source's rdkafka.* lines about connecting */
    int64_t timeout_ms;         /* state_timeout: one write or one read */
    bool topic_ready;           /* exists (created if it did not) */

    struct kin_map map; /* the latest value of every key read or written */
    bool loaded;        /* the topic was read once */
    bool stale;         /* read what is new before the next lookup */
    int64_t *next;      /* per state topic partition: the next offset to read */
    int32_t n_next;

    /* Delivery reports of the write in progress (librdkafka calls back
     * from rd_kafka_flush, in our thread). */
    uintptr_t write_id;
    size_t delivered, failed;
    char first_error[256];
};

/* Set up (nothing is contacted until the first write or read). `topic`
 * empty: "<group>.sluice-state". `conn` takes the `rdkafka.*` lines of
 * `user` that concern connecting (security, SASL, SSL, sockets, client id),
 * so the store's clients reach the brokers the way the consumer does. False
 * when out of memory. */
bool kin_store_init(struct kin_store *s, struct sluice_instance *self,
                    const struct sluice_host_api *host, const struct sluice_list *brokers,
                    const char *group, const char *topic, const struct sluice_kv_list *user,
                    int64_t timeout_ms);

/* Write `items` keyed; SLUICE_OK once the brokers acknowledged every one
 * (acks=all), else SLUICE_ERROR with the reason logged. */
int kin_store_write(struct kin_store *s, const struct sluice_state_item *items, size_t n);

/* The latest value of `key`: SLUICE_OK with a malloc'd copy, SLUICE_END if
 * there is none, SLUICE_ERROR (logged) if the topic could not be read. */
int kin_store_read(struct kin_store *s, const char *key, void **value, size_t *len);

/* Partitions were assigned: another instance may have written their state
 * since we last read, so read what is new before the next lookup. */
void kin_store_invalidate(struct kin_store *s);

void kin_store_free(struct kin_store *s);

#endif
