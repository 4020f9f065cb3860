/*
 * kafka-in: frames from Apache Kafka topics, read by librdkafka's high-level
 * consumer in a consumer group.
 *
 * Zero copy: a record's value and key point into the rd_kafka_message_t
 * that librdkafka filled; the message pointers travel with the batch
 * (source_token) and are released only when the host acknowledges the batch.
 *
 * At-least-once: enable.auto.offset.store is off, and ack stores offset+1 of
 * every message of the batch once the whole chain and all sinks have taken
 * it; librdkafka's auto-commit then commits stored offsets only, and exit
 * commits once more. A crash between a sink's write and the commit means
 * those frames are read again on restart, never that they are skipped.
 *
 * Failing fast instead of hanging: unreachable brokers (connect_timeout), a
 * missing topic (missing_topic = fail), a group that cannot be joined
 * (join_timeout; the message explains librdkafka < 2.11 against Apache
 * Kafka 4.x when its feature check saw such a broker), requests the broker
 * does not support, and fatal client errors stop the pipeline with a
 * message. A broker that goes away later is retried by librdkafka and
 * logged (throttled); poll always waits, it never spins.
 *
 * Files: this one has the options, start-up and exit; consume.c poll and
 * ack; topics.c subscribing and missing topics; rebalance.c assignments,
 * start positions and end offsets; close.c leaving within close_timeout.
 */
#include "kafka_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct kc_locked kin_locked[] = {
    {"group.id", "set by `group`"},
    {"enable.auto.offset.store",
     "kafka-in stores an offset only after the host acknowledged its batch (at-least-once)"},
    {"enable.partition.eof", "set by `stop_at_end`"},
    {NULL, NULL},
};

/* An integer setting of the client as librdkafka has it (defaults and
 * rdkafka.* lines applied), or `dflt`. */
static int64_t conf_int(rd_kafka_t *rk, const char *key, int64_t dflt)
{
    char buf[64];
    size_t len = sizeof buf;
    if (rd_kafka_conf_get(rd_kafka_conf(rk), key, buf, &len) != RD_KAFKA_CONF_OK)
        return dflt;
    char *end;
    long long v = strtoll(buf, &end, 10);
    return end != buf && v > 0 ? (int64_t)v : dflt;
}

/* The consumer's own callbacks: rebalances, statistics (consumer lag), and
 * librdkafka's feature-check lines, which tell us early when the broker
 * lacks the group API (see the log callback): add "feature" to any debug
 * set. */
static void kin_customize(rd_kafka_conf_t *conf)
{
    char dbg[256] = "", err[256];
    size_t dlen = sizeof dbg;
    rd_kafka_conf_get(conf, "debug", dbg, &dlen);
    char newdbg[300];
    snprintf(newdbg, sizeof newdbg, "%s%sfeature", dbg, dbg[0] ? "," : "");
    rd_kafka_conf_set(conf, "debug", newdbg, err, sizeof err);
    rd_kafka_conf_set_rebalance_cb(conf, kin_rebalance_cb);
    rd_kafka_conf_set_stats_cb(conf, kin_stats_cb);
}

static void kin_free(struct kin_state *st)
{
    for (size_t i = 0; i < st->n_msgs; i++)
        rd_kafka_message_destroy(st->msgs[i]);
    st->n_msgs = 0;
    if (st->kc.rk)
        kin_close(st); /* commits what ack stored since the last auto-commit */
    kin_parts_free(&st->parts);
    kin_store_free(&st->store);
    free(st->msgs);
    if (st->client_left) {
        /* The consumer's threads may still log through st->kc (its
         * opaque): keep it, silenced (the log callback skips a client
         * without a host). */
        st->kc.quiet = true;
        st->kc.host = NULL;
        return;
    }
    free(st->kc.brokers);
    free(st);
}

static int kin_init(struct sluice_instance *self, const struct sluice_host_api *host,
                    const void *config, void **state)
{
    const struct kin_config *cfg = config;
    struct kin_state *st = calloc(1, sizeof *st);
    if (!st)
        return SLUICE_ERROR;
    st->kc.self = self;
    st->kc.host = host;
    st->cfg = cfg;
    char err[1024];
    const char *bad = kin_start_parse(cfg->start, &st->start);
    if (bad) { /* the option table validated it already */
        host->log(self, SLUICE_LOG_ERROR, "start = %s: %s", cfg->start, bad);
        goto fail;
    }
    if (!kin_store_init(&st->store, self, host, &cfg->brokers, cfg->group, cfg->state_topic,
                        &cfg->rdkafka, cfg->state_timeout_ms))
        goto fail;
    st->cap_msgs = (size_t)cfg->batch;
    st->msgs = calloc(st->cap_msgs, sizeof *st->msgs);
    if (!st->msgs)
        goto fail;

    const struct kc_setting defaults[] = {
        {"client.id", "sluice"},
        {"group.id", cfg->group},
        {"enable.auto.offset.store", "false"},
        /* With checkpoints nothing is stored for auto-commit to commit. */
        {"enable.auto.commit", host->checkpointing() ? "false" : "true"},
        {"auto.offset.reset", "earliest"},
        {"partition.assignment.strategy", "cooperative-sticky"},
        {"enable.partition.eof", cfg->stop_at_end ? "true" : "false"},
        {"log.connection.close", "false"},
        {"statistics.interval.ms", "1000"}, /* consumer lag for /metrics (stats.c) */
        /* The prefetch queue: librdkafka's 64 MB fill whenever the pipeline is
         * slower than the fetch (90 MB peak RSS in the benchmark); 16 MB is
         * still ~50 ms of work for the pipeline at full speed. */
        {"queued.max.messages.kbytes", "16384"},
        {NULL, NULL},
    };
    const struct kc_start how = {
        .type = RD_KAFKA_CONSUMER,
        .brokers = &cfg->brokers,
        .defaults = defaults,
        .locked = kin_locked,
        .user = &cfg->rdkafka,
        .connect_timeout_ms = cfg->connect_timeout_ms,
        .customize = kin_customize,
    };
    if (!kc_client_start(&st->kc, &how))
        goto fail;
    st->cq = rd_kafka_queue_get_consumer(st->kc.rk);
    st->q_min_msgs = conf_int(st->kc.rk, "queued.min.messages", 100000);
    st->q_max_bytes = conf_int(st->kc.rk, "queued.max.messages.kbytes", 65536) * 1024;
    if (atomic_load(&st->kc.lacks_joingroup_v0))
        host->log(self, SLUICE_LOG_WARN,
                  "%s. It may still work (it does with PLAINTEXT in sluice's tests); if the "
                  "group cannot be joined, kafka-in stops after join_timeout",
                  kin_old_client_note());
    char names[512];
    int missing = kin_missing_topics(st, names, sizeof names, err, sizeof err);
    if (missing < 0) {
        host->log(self, SLUICE_LOG_ERROR, "%s", err);
        goto fail;
    }
    bool wait = cfg->missing_topic == KIN_MISSING_WAIT;
    if (missing > 0 && !wait) {
        host->log(self, SLUICE_LOG_ERROR,
                  "topic %s does not exist on brokers = %s: create it, fix `topic`, or set "
                  "missing_topic = wait to wait until it is created",
                  names, st->kc.brokers);
        goto fail;
    }
    rd_kafka_poll_set_consumer(st->kc.rk);
    if (missing > 0) {
        kin_start_waiting(st, names);
    } else if (kin_subscribe(st) != SLUICE_OK) {
        goto fail;
    }
    *state = st;
    return SLUICE_OK;
fail:
    kin_free(st);
    return SLUICE_ERROR;
}

static void kin_exit(void *state)
{
    if (state)
        kin_free(state);
}

static const char *kin_check_rdkafka(const void *kv)
{
    return kc_check_passthrough(kv, kin_locked);
}

static const struct sluice_option kin_options[] = {
    KC_OPTION_BROKERS(struct kin_config, brokers),
    SLUICE_LIST_OPTION("topic", struct kin_config, topics,
                       .flags = SLUICE_OPT_REQUIRED | SLUICE_OPT_NONEMPTY,
                       .doc = "topic(s) to read; ^regex subscribes by pattern"),
    SLUICE_STRING_OPTION("group", struct kin_config, group,
                         .flags = SLUICE_OPT_REQUIRED | SLUICE_OPT_NONEMPTY,
                         .doc = "consumer group id: members share partitions, committed offsets "
                                "are per group"),
    SLUICE_STRING_OPTION("start", struct kin_config, start, .default_value = "committed",
                         .flags = SLUICE_OPT_NONEMPTY, .validate = kin_start_validate,
                         .doc = "where to begin a partition first seen: earliest, latest, "
                                "committed (else auto.offset.reset, default earliest) or an "
                                "ISO-8601 time"),
    SLUICE_BOOL_OPTION("stop_at_end", struct kin_config, stop_at_end, .default_value = "false",
                       .doc = "replay: end when every partition reached its end offset as of "
                              "assignment"),
    SLUICE_INT_OPTION("batch", struct kin_config, batch, .default_value = "1024", .min = 1,
                      .max = 1000000, .doc = "most frames per batch"),
    KC_OPTION_CONNECT_TIMEOUT(struct kin_config, connect_timeout_ms),
    SLUICE_DURATION_OPTION("join_timeout", struct kin_config, join_timeout_ms,
                           .default_value = "60s", .min = 1000, .max = 3600000,
                           .doc = "fail when the group cannot be joined within this time"),
    SLUICE_DURATION_OPTION("close_timeout", struct kin_config, close_timeout_ms,
                           .default_value = "10s", .min = 100, .max = 3600000,
                           .doc = "at exit: how long the final commit and leaving the group may "
                                  "take"),
    SLUICE_ENUM_OPTION("missing_topic", struct kin_config, missing_topic, "fail|wait",
                       .default_value = "fail",
                       .doc = "a topic that does not exist at start-up: fail, or wait for it"),
    SLUICE_STRING_OPTION("state_topic", struct kin_config, state_topic, .default_value = "",
                         .doc = "checkpoint = kafka: the compacted topic of checkpoints (default "
                                "<group>.sluice-state; created if missing)"),
    SLUICE_DURATION_OPTION("state_timeout", struct kin_config, state_timeout_ms,
                           .default_value = "30s", .min = 100, .max = 3600000,
                           .doc = "checkpoints: how long writing one to the state topic, reading "
                                  "it back, or committing its offsets may take"),
    KC_OPTION_RDKAFKA(struct kin_config, rdkafka, kin_check_rdkafka,
                      "librdkafka consumer settings, e.g. rdkafka.fetch.max.bytes = 52428800"),
    SLUICE_OPTIONS_END,
};

SLUICE_PLUGIN(.name = "kafka-in", .description = "frames from Kafka topics (consumer group, at-least-once)",
              .version = PACKAGE_VERSION, .kind = SLUICE_KIND_SOURCE, .options = kin_options,
              .config_size = sizeof(struct kin_config), .init = kin_init, .exit = kin_exit,
              .poll = kin_poll, .ack = kin_ack, .positions = kin_positions,
              .checkpointed = kin_checkpointed, .store_write = kin_store_write_cb,
              .store_read = kin_store_read_cb);
