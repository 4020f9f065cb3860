/*
 * kafka-out: records to a Kafka topic with librdkafka's idempotent producer.
 *
 * What is written: normally every live record (not dropped, not an error),
 * its value as the message value and its key (distinct-count sets
 * "<window>/<start>", so a compacted topic keeps the latest revision per
 * window) as the message key. With `errors = true` it is a dead-letter sink
 * instead: only error records, with their original bytes and the reason and
 * source position in headers (dead_letter.c).
 *
 * At-least-once end to end: with wait_for_delivery (the default) write
 * returns only when the brokers acknowledged every message of the batch, so
 * the source acknowledges (and commits) a batch only after its results are
 * durable; a failed delivery stops the pipeline before that commit.
 *
 * Nothing is dropped silently:
 *   - a full local queue (QUEUE_FULL) makes write wait, serving delivery
 *     reports, until there is room: backpressure reaches the source;
 *   - a message librdkafka could not deliver after its retries is counted
 *     by the delivery report callback, and the next write, tick or flush
 *     returns SLUICE_ERROR with the count and the reason (delivery.c);
 *   - flush waits up to flush_timeout and reports what is still undelivered;
 *     exit reports whatever had to be abandoned.
 */
#include "kafka_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAIT_LOG_EVERY_MS 5000
#define WARM_UP_MAX_MS 2000

static void kout_free(struct kout_state *st)
{
    if (st->rkt)
        rd_kafka_topic_destroy(st->rkt);
    if (st->kc.rk) {
        int left = rd_kafka_outq_len(st->kc.rk);
        if (left > 0) {
            /* flush ran (or the pipeline failed): give up on the rest and say so. */
            rd_kafka_purge(st->kc.rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT |
                                          RD_KAFKA_PURGE_F_NON_BLOCKING);
            uint64_t failed = st->failed;
            rd_kafka_flush(st->kc.rk, 1000);
            st->kc.host->log(st->kc.self, SLUICE_LOG_ERROR,
                             "%llu message(s) to topic %s were not delivered and are dropped at "
                             "exit",
                             (unsigned long long)(st->failed - failed > 0 ? st->failed - failed
                                                                          : (uint64_t)left),
                             st->cfg->topic);
        }
        rd_kafka_destroy(st->kc.rk);
    }
    free(st->kc.brokers);
    free(st);
}

/* Learn the topic's partitions and leaders before the pipeline starts.
 * Otherwise the first write would find nothing known yet, and librdkafka
 * asks again only at its next 1 s topic scan: a write waiting for delivery
 * then blocked the pipeline for up to a second (a new topic, which the
 * broker creates on this request if it auto-creates topics, takes as long).
 * Waits at most `timeout_ms`; what is still unknown then is left to
 * librdkafka as before (it keeps messages for a topic that does not exist
 * yet until topic.metadata.propagation.max.ms, then fails them). */
static void warm_up_topic(struct kout_state *st, int64_t timeout_ms)
{
    int64_t started = kc_now_ms(), deadline = started + timeout_ms;
    for (int tries = 1;; tries++) {
        int64_t left = deadline - kc_now_ms();
        if (left <= 0)
            break;
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(st->kc.rk, 0, st->rkt, &md, (int)left);
        bool ready = false;
        if (!e && md && md->topic_cnt == 1 && !md->topics[0].err &&
            md->topics[0].partition_cnt > 0) {
            ready = true;
            for (int i = 0; i < md->topics[0].partition_cnt; i++)
                ready = ready && md->topics[0].partitions[i].leader >= 0;
        }
        if (md)
            rd_kafka_metadata_destroy(md);
        if (ready) {
            st->kc.host->log(st->kc.self, SLUICE_LOG_DEBUG,
                             "topic %s: partitions and leaders known after %lld ms (%d request(s))",
                             st->cfg->topic, (long long)(kc_now_ms() - started), tries);
            return;
        }
        if (e) /* no broker answers: librdkafka retries on its own later */
            break;
        struct timespec nap = {0, 10 * 1000000L};
        nanosleep(&nap, NULL);
    }
    st->kc.host->log(st->kc.self, SLUICE_LOG_DEBUG,
                     "topic %s: no partitions or leaders known after %lld ms; librdkafka keeps "
                     "looking",
                     st->cfg->topic, (long long)(kc_now_ms() - started));
}

/* The producer's own callback: delivery reports. */
static void kout_customize(rd_kafka_conf_t *conf)
{
    rd_kafka_conf_set_dr_msg_cb(conf, kout_delivery_cb);
}

static int kout_init(struct sluice_instance *self, const struct sluice_host_api *host,
                     const void *config, void **state)
{
    const struct kout_config *cfg = config;
    struct kout_state *st = calloc(1, sizeof *st);
    if (!st)
        return SLUICE_ERROR;
    st->kc.self = self;
    st->kc.host = host;
    st->cfg = cfg;
    st->key_from_record = cfg->key == KOUT_KEY_RECORD;

    /* Throughput: results and dead letters are small; batch them for up
     * to 20 ms and compress the batches. Idempotence gives ordered,
     * duplicate-free retries (acks=all is implied). */
    static const struct kc_setting defaults[] = {
        {"client.id", "sluice"},
        {"enable.idempotence", "true"},
        {"linger.ms", "20"},
        {"compression.type", "lz4"},
        {"log.connection.close", "false"},
        {NULL, NULL},
    };
    const struct kc_start how = {
        .type = RD_KAFKA_PRODUCER,
        .brokers = &cfg->brokers,
        .defaults = defaults,
        .user = &cfg->rdkafka,
        .connect_timeout_ms = cfg->connect_timeout_ms,
        .customize = kout_customize,
    };
    if (!kc_client_start(&st->kc, &how))
        goto fail;
    st->rkt = rd_kafka_topic_new(st->kc.rk, cfg->topic, NULL);
    if (!st->rkt) {
        host->log(self, SLUICE_LOG_ERROR, "topic = %s: %s", cfg->topic,
                  rd_kafka_err2str(rd_kafka_last_error()));
        goto fail;
    }
    /* Not for dead letters: they are rare, and asking would create an
     * empty dead-letter topic on brokers that auto-create topics. */
    if (!cfg->errors)
        warm_up_topic(st, cfg->connect_timeout_ms < WARM_UP_MAX_MS ? cfg->connect_timeout_ms
                                                                    : WARM_UP_MAX_MS);
    *state = st;
    return SLUICE_OK;
fail:
    kout_free(st);
    return SLUICE_ERROR;
}

static void kout_exit(void *state)
{
    if (state)
        kout_free(state);
}

/* Hand one record to librdkafka, waiting while its queue is full. */
static int produce(struct kout_state *st, const struct sluice_record *r)
{
    rd_kafka_vu_t vu[5];
    size_t n = 0;
    vu[n].vtype = RD_KAFKA_VTYPE_RKT;
    vu[n++].u.rkt = st->rkt;
    vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[n++].u.i = RD_KAFKA_MSG_F_COPY; /* the record's bytes go away at ack */
    vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[n].u.mem.ptr = (void *)r->value;
    vu[n++].u.mem.size = r->value ? r->value_len : 0;
    if (st->key_from_record && r->key) {
        vu[n].vtype = RD_KAFKA_VTYPE_KEY;
        vu[n].u.mem.ptr = (void *)r->key;
        vu[n++].u.mem.size = r->key_len;
    }
    rd_kafka_headers_t *headers = NULL;
    if (st->cfg->errors) {
        headers = kout_dead_letter_headers(r);
        if (!headers) {
            st->kc.host->log(st->kc.self, SLUICE_LOG_ERROR, "out of memory for headers");
            return SLUICE_ERROR;
        }
        vu[n].vtype = RD_KAFKA_VTYPE_HEADERS;
        vu[n++].u.headers = headers;
    }

    int64_t started = 0, next_log = 0;
    for (;;) {
        rd_kafka_error_t *e = rd_kafka_produceva(st->kc.rk, vu, n);
        if (!e)
            return SLUICE_OK; /* headers now belong to the message */
        rd_kafka_resp_err_t code = rd_kafka_error_code(e);
        if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            st->kc.host->log(st->kc.self, SLUICE_LOG_ERROR,
                             "cannot produce a %zu-byte message to topic %s: %s (%s)%s",
                             r->value_len, st->cfg->topic, rd_kafka_error_string(e),
                             rd_kafka_err2name(code),
                             code == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE
                                 ? "; the limit is rdkafka.message.max.bytes (and the "
                                   "broker's message.max.bytes)"
                                 : "");
            rd_kafka_error_destroy(e);
            if (headers)
                rd_kafka_headers_destroy(headers);
            return SLUICE_ERROR;
        }
        rd_kafka_error_destroy(e);
        /* Backpressure: serve delivery reports until there is room. */
        int64_t now = kc_now_ms();
        if (!started) {
            started = now;
            next_log = now + WAIT_LOG_EVERY_MS;
        } else if (now >= next_log) {
            next_log = now + WAIT_LOG_EVERY_MS;
            st->kc.host->log(st->kc.self, SLUICE_LOG_WARN,
                             "producer queue full for %lld s (brokers slow or unreachable); "
                             "waiting, nothing is dropped",
                             (long long)((now - started) / 1000));
        }
        rd_kafka_poll(st->kc.rk, 100);
        bool give_up = kout_check_delivery(st) != SLUICE_OK;
        if (!give_up && st->kc.host->stop_requested() &&
            now - started > st->cfg->flush_timeout_ms) {
            st->kc.host->log(st->kc.self, SLUICE_LOG_ERROR,
                             "stop requested and the producer queue stayed full for %lld s",
                             (long long)((now - started) / 1000));
            st->abandoned = true;
            give_up = true;
        }
        if (give_up) {
            if (headers)
                rd_kafka_headers_destroy(headers);
            return SLUICE_ERROR;
        }
    }
}

/* Wait until librdkafka has nothing outstanding: every message delivered
 * (or failed, which check_delivery turns into an error). Never gives up on
 * its own while the pipeline runs: librdkafka fails a message after
 * message.timeout.ms; on a stop request it gives up after flush_timeout. */
static int wait_delivered(struct kout_state *st)
{
    int64_t started = kc_now_ms(), next_log = started + WAIT_LOG_EVERY_MS;
    while (rd_kafka_outq_len(st->kc.rk) > 0) {
        rd_kafka_flush(st->kc.rk, 1000); /* sends at once, ignoring linger.ms */
        if (kout_check_delivery(st) != SLUICE_OK)
            return SLUICE_ERROR;
        int64_t now = kc_now_ms();
        int left = rd_kafka_outq_len(st->kc.rk);
        if (left == 0)
            break;
        if (now >= next_log) {
            next_log = now + WAIT_LOG_EVERY_MS;
            st->kc.host->log(st->kc.self, SLUICE_LOG_WARN,
                             "waiting %lld s for %d message(s) to be acknowledged by the brokers "
                             "(%s); nothing is dropped",
                             (long long)((now - started) / 1000), left,
                             st->kc.last_error[0] ? st->kc.last_error : "brokers slow");
        }
        if (st->kc.host->stop_requested() && now - started > st->cfg->flush_timeout_ms) {
            st->kc.host->log(st->kc.self, SLUICE_LOG_ERROR,
                             "stop requested: %d message(s) to topic %s still undelivered after "
                             "flush_timeout; their frames stay uncommitted",
                             left, st->cfg->topic);
            st->abandoned = true;
            return SLUICE_ERROR;
        }
    }
    return SLUICE_OK;
}

static int kout_write(void *state, const struct sluice_batch *batch)
{
    struct kout_state *st = state;
    if (kout_check_delivery(st) != SLUICE_OK)
        return SLUICE_ERROR;
    int64_t taken = 0;
    for (size_t i = 0; i < batch->count; i++) {
        const struct sluice_record *r = &batch->records[i];
        if (r->flags & SLUICE_REC_DROPPED)
            continue;
        if (((r->flags & SLUICE_REC_ERROR) != 0) != st->cfg->errors)
            continue;
        if (produce(st, r) != SLUICE_OK)
            return SLUICE_ERROR;
        taken++;
    }
    if (taken)
        st->kc.host->counter_add(st->kc.self, st->cfg->errors ? "dead_letters" : "produced",
                                 taken);
    if (taken && st->cfg->wait_for_delivery)
        return wait_delivered(st);
    rd_kafka_poll(st->kc.rk, 0); /* delivery reports */
    return kout_check_delivery(st);
}

static int kout_tick(void *state, int64_t now_ms, struct sluice_batch *out)
{
    (void)now_ms;
    (void)out;
    struct kout_state *st = state;
    rd_kafka_poll(st->kc.rk, 0);
    return kout_check_delivery(st);
}

static int kout_flush(void *state)
{
    struct kout_state *st = state;
    if (!st) /* the host flushes on its error path even if init failed */
        return SLUICE_OK;
    if (st->abandoned) /* said already; exit drops what is left */
        return SLUICE_ERROR;
    rd_kafka_resp_err_t e = rd_kafka_flush(st->kc.rk, (int)st->cfg->flush_timeout_ms);
    int left = rd_kafka_outq_len(st->kc.rk);
    if (kout_check_delivery(st) != SLUICE_OK)
        return SLUICE_ERROR;
    if (e == RD_KAFKA_RESP_ERR__TIMED_OUT && left > 0) {
        char waited[SLUICE_DURATION_MAX];
        sluice_duration_format(st->cfg->flush_timeout_ms, waited, sizeof waited);
        st->kc.host->log(st->kc.self, SLUICE_LOG_ERROR,
                         "%d message(s) to topic %s still undelivered after flush_timeout = "
                         "%s (%s)",
                         left, st->cfg->topic, waited,
                         st->kc.last_error[0] ? st->kc.last_error : "brokers slow or unreachable");
        return SLUICE_ERROR;
    }
    return SLUICE_OK;
}

static const char *kout_check_rdkafka(const void *kv)
{
    return kc_check_passthrough(kv, NULL);
}

static const struct sluice_option kout_options[] = {
    KC_OPTION_BROKERS(struct kout_config, brokers),
    SLUICE_STRING_OPTION("topic", struct kout_config, topic,
                         .flags = SLUICE_OPT_REQUIRED | SLUICE_OPT_NONEMPTY,
                         .doc = "topic to write to"),
    SLUICE_ENUM_OPTION("key", struct kout_config, key, "record|none", .default_value = "record",
                       .doc = "message key: the record's (distinct-count: <window>/<start>; "
                              "kafka-in: the frame's) or none"),
    SLUICE_BOOL_OPTION("errors", struct kout_config, errors, .default_value = "false",
                       .doc = "dead-letter sink: only error records, original bytes, reason in "
                              "sluice.* headers"),
    SLUICE_BOOL_OPTION("wait_for_delivery", struct kout_config, wait_for_delivery,
                       .default_value = "true",
                       .doc = "write returns when the brokers acknowledged the batch (false: "
                              "faster, but the source may commit ahead of undelivered results)"),
    KC_OPTION_CONNECT_TIMEOUT(struct kout_config, connect_timeout_ms),
    SLUICE_DURATION_OPTION("flush_timeout", struct kout_config, flush_timeout_ms,
                           .default_value = "30s", .min = 100, .max = 3600000,
                           .doc = "how long flush waits for outstanding deliveries before "
                                  "reporting them lost"),
    KC_OPTION_RDKAFKA(struct kout_config, rdkafka, kout_check_rdkafka,
                      "librdkafka producer settings, e.g. rdkafka.linger.ms = 50"),
    SLUICE_OPTIONS_END,
};

SLUICE_PLUGIN(.name = "kafka-out", .description = "records to a Kafka topic (idempotent producer), or a dead-letter topic",
              .version = PACKAGE_VERSION, .kind = SLUICE_KIND_SINK, .options = kout_options,
              .config_size = sizeof(struct kout_config), .init = kout_init, .exit = kout_exit,
              .write = kout_write, .tick = kout_tick, .flush = kout_flush);
