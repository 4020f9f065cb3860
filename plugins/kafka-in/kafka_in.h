/* kafka-in's configuration and state, shared by its files. */
#ifndef SLUICE_KAFKA_IN_H
#define SLUICE_KAFKA_IN_H

#include "kafka_client.h"
#include "partitions.h"
#include "start_position.h"
#include "state_store.h"

/* missing_topic, in the order of its choices. */
enum { KIN_MISSING_FAIL, KIN_MISSING_WAIT };

struct kin_config {
    struct sluice_list brokers;
    struct sluice_list topics;
    char *group;
    char *start;
    bool stop_at_end;
    int64_t batch;
    int64_t connect_timeout_ms;
    int64_t join_timeout_ms;
    int64_t close_timeout_ms;
    int missing_topic; /* KIN_MISSING_FAIL | KIN_MISSING_WAIT */
    char *state_topic;   /* checkpoint = kafka: the compacted topic */
    int64_t state_timeout_ms;
    struct sluice_kv_list rdkafka;
};

struct kin_state {
    struct kc_client kc; /* first: librdkafka's opaque points here */
    const struct kin_config *cfg;
    struct kin_start start;
    struct kin_parts parts;

    /* The messages of the batch in flight, released at ack. */
    rd_kafka_message_t **msgs;
    size_t n_msgs, cap_msgs;
    /* The batch poll is filling (NULL outside poll): a revocation in the
     * rebalance callback removes the revoked partitions' records from it. */
    struct sluice_batch *building;

    /* checkpoint = kafka: the compacted state topic (state_store.c). */
    struct kin_store store;

    /* Fetch restarts (consume.c): librdkafka < 2.2 (no fetch.queue.backoff.ms)
     * stops fetching for 1 s once its queue passed queued.min.messages or
     * queued.max.messages.kbytes; see kin_poll. */
    rd_kafka_queue_t *cq;      /* the consumer queue, for its length */
    int64_t q_min_msgs;        /* librdkafka's queued.min.messages */
    int64_t q_max_bytes;       /* librdkafka's queued.max.messages.kbytes * 1024 */
    uint64_t seen_msgs, seen_bytes; /* for the average message size */
    bool fetch_may_stall;      /* the queue came near those limits since the last restart */
    int64_t last_heard_ms;     /* when a fetch response (frame or partition end) last came */

    int64_t illegal_generation_ms; /* when a checkpoint's commit last got
                                      ILLEGAL_GENERATION (see rebalance.c) */

    bool assigned_while_closing; /* close.c: librdkafka #4527 */
    bool client_left;            /* close.c left the consumer to the exit */
    bool subscribed;    /* waiting for missing topics until then */
    bool joined;        /* the group coordinator gave us a member id or an assignment */
    bool got_assignment; /* the first rebalance callback came */
    int64_t subscribed_ms;
    int64_t next_topic_check_ms;
    int64_t next_wait_log_ms;
};

/* Consuming (consume.c): the source's poll and ack callbacks, events that
 * arrive in place of frames, and the note on librdkafka < 2.11 against a
 * Kafka 4.x broker (for messages). */
int kin_poll(void *state, struct sluice_batch *out, int timeout_ms);
int kin_ack(void *state, struct sluice_batch *batch);
void kin_on_event(struct kin_state *st, const rd_kafka_message_t *m);
const char *kin_old_client_note(void);

/* Topics (topics.c): subscribe to `topic`; count the ones that do not exist
 * (names into `buf`; -1 with `err` when the brokers could not tell); wait
 * for them (missing_topic = wait), subscribing once they all exist. */
int kin_subscribe(struct kin_state *st);
int kin_missing_topics(struct kin_state *st, char *buf, size_t size, char *err, size_t errsize);
void kin_start_waiting(struct kin_state *st, const char *names);
int kin_wait_for_topics(struct kin_state *st, int timeout_ms);

/* The rebalance callback (rebalance.c): applies the start position to newly
 * seen partitions, captures their end offsets for stop_at_end, and assigns
 * incrementally (cooperative) or eagerly, whichever protocol the group uses. */
void kin_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *parts, void *opaque);

/* Drop the messages of `parts` from the batch being built (and destroy
 * them): they are read again by whoever is assigned the partitions next
 * (consume.c). */
void kin_drop_from_batch(struct kin_state *st, const rd_kafka_topic_partition_list_t *parts);

/* librdkafka's statistics callback (stats.c): consumer lag per partition
 * held, as the gauge consumer_lag{topic,partition}. */
int kin_stats_cb(rd_kafka_t *rk, char *json, size_t json_len, void *opaque);

/* Readiness (rebalance.c): ready while partitions are held. */
void kin_update_ready(struct kin_state *st);

/* Commit and leave the group within close_timeout, then destroy the
 * consumer (close.c). Sets st->kc.rk to NULL. */
void kin_close(struct kin_state *st);

/* Checkpoints (positions.c): the source's positions and checkpointed
 * callbacks, the store callbacks, and a commit that waits for its result
 * until `deadline` (kc_now_ms() time): `offsets`, or with NULL the stored
 * ones. Returns the first error (__TIMED_OUT at the deadline); nothing to
 * commit is no error. */
size_t kin_positions(void *state, struct sluice_partition *out, size_t cap);
int kin_checkpointed(void *state, const struct sluice_partition *parts, size_t n);
int kin_store_write_cb(void *state, const struct sluice_state_item *items, size_t n);
int kin_store_read_cb(void *state, const char *key, void **value, size_t *len);
rd_kafka_resp_err_t kin_commit_wait(struct kin_state *st,
                                    const rd_kafka_topic_partition_list_t *offsets,
                                    int64_t deadline);

/* Stop fetching one partition (stop_at_end reached its end). */
void kin_pause(struct kin_state *st, const char *topic, int32_t partition);

#endif
