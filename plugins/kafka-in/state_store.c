/*
 * The `kafka` checkpoint store: the host's checkpoint items (one per source
 * partition, key `p/<topic>/<partition>`, plus the instance part) kept as
 * records of a compacted topic on the source's own brokers, so the state of
 * a partition follows it to whichever member of the group is assigned it.
 *
 * The topic. `state_topic`, by default `<group>.sluice-state`. If it does
 * not exist, the first write or read creates it with the Admin API
 * (CreateTopics: one partition, the brokers' replication factor,
 * cleanup.policy=compact, max.message.bytes = KIN_STATE_MAX_BYTES).
 * Compaction keeps the latest record of every key, which is all a restore
 * needs. One partition keeps every item of every instance in one log: small
 * (a record per source partition and checkpoint, compacted away), read in
 * order. An existing topic whose cleanup.policy is not compact still works
 * but grows without bound: a warning says so.
 *
 * Writing (store_write). An idempotent producer (acks=all; no duplicates or
 * reordering on retries) produces every item keyed, then waits for all
 * delivery reports, at most state_timeout. SLUICE_OK means every item is on
 * all in-sync replicas: only then does the host tell kafka-in to commit the
 * offsets the checkpoint covers. A failure (timeout, a broker refusing)
 * returns SLUICE_ERROR with the reason; the previous checkpoint and the
 * committed offsets stay as they were. Items of a failed write may still
 * land later; that is harmless, because every item is consistent by itself
 * (a partition's position together with its state as of that position), so
 * whichever of a partition's items is latest in the log, restoring it
 * counts every frame once.
 *
 * Reading (store_read). The host asks per key when partitions are assigned
 * (and for the instance part at start). The store keeps a map key -> latest
 * value: the first lookup reads the whole topic from its start up to the
 * high watermark as of that moment; after an assignment (another instance
 * may have written the partitions' state since) the next lookup reads on
 * from where the last read stopped, up to the new high watermark. What this
 * instance wrote successfully goes into the map at once. The reader is a
 * short-lived consumer that assigns the topic's partitions at explicit
 * offsets (librdkafka 2.0.2 wants a group.id even for that, so it gets one
 * of its own; it never joins the group or commits). Explicit offsets, not
 * "beginning": that costs a ListOffsets round and half a second of fetch
 * wait in librdkafka; with them a read of a small topic takes ~15 ms.
 *
 * Clients. The producer and the reader connect like the consumer: the same
 * `brokers` and the `rdkafka.*` lines about connecting (security.*, sasl.*,
 * ssl.*, socket.*, client.*, ...). Consumer-only lines are not passed on:
 * librdkafka would warn that a producer ignores them.
 */
#include "state_store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The `rdkafka.*` lines (without the prefix) the store's clients take. */
static const char *const conn_prefixes[] = {
    "security.", "sasl.", "ssl.", "ssl_", "enable.ssl.", "enable.sasl.", "socket.",
    "broker.", "client.", "api.version.", "reconnect.", "connections.max.idle.ms",
    "resolve.", "debug", NULL,
};

static bool is_conn_key(const char *key)
{
    for (const char *const *p = conn_prefixes; *p; p++)
        if (strncmp(key, *p, strlen(*p)) == 0)
            return true;
    return false;
}

bool kin_store_init(struct kin_store *s, struct sluice_instance *self,
                    const struct sluice_host_api *host, const struct sluice_list *brokers,
                    const char *group, const char *topic, const struct sluice_kv_list *user,
                    int64_t timeout_ms)
{
    memset(s, 0, sizeof *s);
    s->kc.self = self;
    s->kc.host = host;
    s->brokers = brokers;
    s->timeout_ms = timeout_ms;
    size_t glen = strlen(group);
    if (topic && *topic) {
        s->topic = strdup(topic);
    } else if ((s->topic = malloc(glen + sizeof ".sluice-state"))) {
        memcpy(s->topic, group, glen);
        memcpy(s->topic + glen, ".sluice-state", sizeof ".sluice-state");
    }
    size_t tlen = s->topic ? strlen(s->topic) : 0;
    s->reader_group = malloc(tlen + sizeof ".reader");
    s->conn.items = calloc(user->n + 1, sizeof *s->conn.items);
    if (!s->topic || !s->reader_group || !s->conn.items)
        return false;
    memcpy(s->reader_group, s->topic, tlen);
    memcpy(s->reader_group + tlen, ".reader", sizeof ".reader");
    for (size_t i = 0; i < user->n; i++)
        if (is_conn_key(user->items[i].key + strlen(KC_PREFIX)))
            s->conn.items[s->conn.n++] = user->items[i];
    return true;
}

static void say(struct kin_store *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(struct kin_store *s, int level, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    s->kc.host->log(s->kc.self, level, "checkpoint topic %s: %s", s->topic, line);
}

static int64_t left_ms(int64_t deadline)
{
    int64_t left = deadline - kc_now_ms();
    return left > 0 ? left : 0;
}

/* librdkafka's delivery report: count the reports of the current write
 * (a report of an earlier, failed write is ignored). */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct kin_store *s = opaque;
    if ((uintptr_t)m->_private != s->write_id)
        return;
    if (m->err) {
        if (s->failed++ == 0)
            snprintf(s->first_error, sizeof s->first_error, "%s", rd_kafka_err2str(m->err));
    } else {
        s->delivered++;
    }
}

/* A client of the store's: the brokers, `defaults`, the connection lines.
 * Its callbacks find the store's kc_client (errors and logs are the
 * store's; kc_conf_new sets kc.brokers again, to the same list). NULL,
 * logged, on failure. */
static rd_kafka_t *new_client(struct kin_store *s, rd_kafka_type_t type,
                              const struct kc_setting *defaults, const char *what)
{
    char err[1024];
    rd_kafka_conf_t *conf = kc_conf_new(&s->kc, s->brokers, defaults, NULL, &s->conn, err,
                                        sizeof err);
    if (!conf) {
        say(s, SLUICE_LOG_ERROR, "%s", err);
        return NULL;
    }
    if (type == RD_KAFKA_PRODUCER)
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        say(s, SLUICE_LOG_ERROR, "creating its %s: %s", what, err);
    }
    return rk; /* conf is now owned by rk */
}

static bool make_producer(struct kin_store *s)
{
    char timeout[32], max_bytes[32];
    snprintf(timeout, sizeof timeout, "%lld", (long long)s->timeout_ms);
    snprintf(max_bytes, sizeof max_bytes, "%d", KIN_STATE_MAX_BYTES);
    const struct kc_setting defaults[] = {
        {"client.id", "sluice-state"},
        {"enable.idempotence", "true"}, /* implies acks=all */
        {"linger.ms", "5"},
        {"compression.type", "lz4"},
        {"message.max.bytes", max_bytes},
        {"message.timeout.ms", timeout},
        {"allow.auto.create.topics", "false"}, /* created compacted, below */
        {"log.connection.close", "false"},
        {NULL, NULL},
    };
    s->kc.rk = new_client(s, RD_KAFKA_PRODUCER, defaults, "producer");
    return s->kc.rk != NULL;
}

/* Wait for the one admin result event on `q`; NULL at the deadline. */
static rd_kafka_event_t *admin_result(rd_kafka_queue_t *q, int64_t deadline)
{
    for (;;) {
        int64_t left = left_ms(deadline);
        if (left == 0)
            return NULL;
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, (int)(left < 100 ? left : 100));
        if (ev)
            return ev;
    }
}

static bool create_topic(struct kin_store *s, int64_t deadline)
{
    char err[512], max_bytes[32];
    snprintf(max_bytes, sizeof max_bytes, "%d", KIN_STATE_MAX_BYTES);
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(s->topic, 1, -1, err, sizeof err);
    if (!nt) {
        say(s, SLUICE_LOG_ERROR, "cannot create it: %s", err);
        return false;
    }
    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
    rd_kafka_NewTopic_set_config(nt, "max.message.bytes", max_bytes);
    rd_kafka_AdminOptions_t *opt =
        rd_kafka_AdminOptions_new(s->kc.rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(opt, (int)left_ms(deadline) + 1, err, sizeof err);
    rd_kafka_queue_t *q = rd_kafka_queue_new(s->kc.rk);
    rd_kafka_CreateTopics(s->kc.rk, &nt, 1, opt, q);
    rd_kafka_event_t *ev = admin_result(q, deadline);
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
    char why[512] = "";
    if (ev) {
        const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
        size_t n = 0;
        const rd_kafka_topic_result_t **tr = res ? rd_kafka_CreateTopics_result_topics(res, &n)
                                                 : NULL;
        e = rd_kafka_event_error(ev);
        const char *es = rd_kafka_event_error_string(ev);
        if (!e && n == 1) {
            e = rd_kafka_topic_result_error(tr[0]);
            es = rd_kafka_topic_result_error_string(tr[0]);
        }
        snprintf(why, sizeof why, "%s", es ? es : rd_kafka_err2str(e));
        rd_kafka_event_destroy(ev);
    } else {
        snprintf(why, sizeof why, "no answer within state_timeout");
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_NewTopic_destroy(nt);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        say(s, SLUICE_LOG_INFO, "created it (compacted, 1 partition)");
        return true;
    }
    if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        return true; /* another instance was quicker */
    say(s, SLUICE_LOG_ERROR,
        "it does not exist and creating it failed: %s. Create it yourself "
        "(kafka-topics.sh --bootstrap-server %s --create --topic %s --partitions 1 --config "
        "cleanup.policy=compact --config max.message.bytes=%d), or name another with "
        "state_topic, or set checkpoint = file:DIR or none in [pipeline]",
        why, s->kc.brokers, s->topic, KIN_STATE_MAX_BYTES);
    return false;
}

/* Warn once if an existing topic is not compacted (it still works). */
static void check_compacted(struct kin_store *s, int64_t deadline)
{
    char err[256];
    rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, s->topic);
    rd_kafka_AdminOptions_t *opt =
        rd_kafka_AdminOptions_new(s->kc.rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    rd_kafka_AdminOptions_set_request_timeout(opt, (int)left_ms(deadline) + 1, err, sizeof err);
    rd_kafka_queue_t *q = rd_kafka_queue_new(s->kc.rk);
    rd_kafka_DescribeConfigs(s->kc.rk, &cr, 1, opt, q);
    rd_kafka_event_t *ev = admin_result(q, deadline);
    const rd_kafka_DescribeConfigs_result_t *res =
        ev ? rd_kafka_event_DescribeConfigs_result(ev) : NULL;
    size_t n = 0;
    const rd_kafka_ConfigResource_t **rs = res ? rd_kafka_DescribeConfigs_result_resources(res, &n)
                                              : NULL;
    if (n == 1 && !rd_kafka_ConfigResource_error(rs[0])) {
        size_t nc = 0;
        const rd_kafka_ConfigEntry_t **ce = rd_kafka_ConfigResource_configs(rs[0], &nc);
        for (size_t i = 0; i < nc; i++) {
            const char *v = rd_kafka_ConfigEntry_value(ce[i]);
            if (strcmp(rd_kafka_ConfigEntry_name(ce[i]), "cleanup.policy") == 0 &&
                (!v || !strstr(v, "compact")))
                say(s, SLUICE_LOG_WARN,
                    "its cleanup.policy is %s, not compact: checkpoints still work, but the "
                    "topic keeps every old one and a restore reads them all (kafka-configs.sh "
                    "--alter --entity-type topics --entity-name %s --add-config "
                    "cleanup.policy=compact)",
                    v ? v : "unset", s->topic);
        }
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_ConfigResource_destroy(cr);
}

/* The producer exists and so does the topic (created if it did not).
 * `verb`: what cannot be done otherwise, for the message. */
static bool ensure_topic(struct kin_store *s, int64_t deadline, const char *verb)
{
    if (s->topic_ready)
        return true;
    if (!s->kc.rk && !make_producer(s))
        return false;
    char err[512];
    s->kc.quiet = true; /* keep connection errors for the message below */
    int exists = kc_topic_exists(&s->kc, s->topic, (int)left_ms(deadline), err, sizeof err);
    rd_kafka_poll(s->kc.rk, 0); /* error callbacks: kc.last_error */
    s->kc.quiet = false;
    if (exists < 0) {
        say(s, SLUICE_LOG_ERROR,
            "no broker of brokers = %s answered within state_timeout (%lld ms): %s; the "
            "checkpoint cannot be %s",
            s->kc.brokers, (long long)s->timeout_ms,
            s->kc.last_error[0] ? s->kc.last_error : err, verb);
        return false;
    }
    if (exists == 0 && !create_topic(s, deadline))
        return false;
    if (exists == 1)
        check_compacted(s, deadline);
    s->topic_ready = true;
    return true;
}

/* The number of partitions of the state topic; 0 on failure (logged). A
 * topic just created may take a moment to show its partitions. */
static int32_t partition_count(struct kin_store *s, int64_t deadline)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(s->kc.rk, s->topic, NULL);
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
    int32_t n = 0;
    while (rkt && n == 0 && left_ms(deadline) > 0) {
        const struct rd_kafka_metadata *md = NULL;
        e = rd_kafka_metadata(s->kc.rk, 0, rkt, &md, (int)left_ms(deadline));
        if (!e && md->topic_cnt == 1) {
            e = md->topics[0].err;
            if (!e)
                n = md->topics[0].partition_cnt;
        }
        if (md)
            rd_kafka_metadata_destroy(md);
        if (n == 0)
            rd_kafka_poll(s->kc.rk, 100);
    }
    if (rkt)
        rd_kafka_topic_destroy(rkt);
    if (n == 0)
        say(s, SLUICE_LOG_ERROR, "cannot read its partitions within state_timeout: %s",
            rd_kafka_err2str(e));
    return n;
}

/* A reader for the state topic (see the essay: assign, never join). */
static rd_kafka_t *make_reader(struct kin_store *s)
{
    const struct kc_setting defaults[] = {
        {"client.id", "sluice-state"},
        {"group.id", s->reader_group},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"enable.partition.eof", "true"},
        {"auto.offset.reset", "earliest"}, /* an offset compacted or deleted away */
        {"allow.auto.create.topics", "false"},
        {"log.connection.close", "false"},
        {NULL, NULL},
    };
    return new_client(s, RD_KAFKA_CONSUMER, defaults, "reader");
}

static bool apply(struct kin_store *s, const rd_kafka_message_t *m)
{
    if (!m->key)
        return true; /* not a checkpoint item */
    if (!m->payload) { /* a tombstone */
        kin_map_remove(&s->map, m->key, m->key_len);
        return true;
    }
    return kin_map_put(&s->map, m->key, m->key_len, m->payload, m->len);
}

/* Read every partition of the state topic from s->next[] up to `hi[]` with
 * `rk`; false at the deadline or on an error (logged). */
static bool read_to(struct kin_store *s, rd_kafka_t *rk, const int64_t *hi, int64_t deadline)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(s->n_next);
    for (int32_t p = 0; p < s->n_next; p++)
        if (s->next[p] < hi[p])
            rd_kafka_topic_partition_list_add(l, s->topic, p)->offset = s->next[p];
    int todo = l->cnt;
    rd_kafka_resp_err_t e = todo ? rd_kafka_assign(rk, l) : RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        say(s, SLUICE_LOG_ERROR, "reading it: %s", rd_kafka_err2str(e));
        return false;
    }
    while (todo > 0) {
        int64_t left = left_ms(deadline);
        if (left == 0) {
            for (int32_t p = 0; p < s->n_next; p++)
                if (s->next[p] < hi[p])
                    say(s, SLUICE_LOG_ERROR,
                        "reading it did not reach its end within state_timeout (partition "
                        "%d at offset %lld of %lld)%s%s",
                        (int)p, (long long)s->next[p], (long long)hi[p],
                        s->kc.last_error[0] ? ": " : "", s->kc.last_error);
            return false;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, (int)(left < 100 ? left : 100));
        if (!m)
            continue;
        int32_t p = m->partition;
        bool ours = m->rkt && p >= 0 && p < s->n_next && s->next[p] < hi[p];
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (ours && m->offset >= hi[p]) { /* the end (a control record last) */
                s->next[p] = hi[p];
                todo--;
            }
        } else if (m->err) {
            bool fatal = m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
                         m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
            if (fatal) {
                say(s, SLUICE_LOG_ERROR, "reading it: %s", rd_kafka_message_errstr(m));
                rd_kafka_message_destroy(m);
                return false;
            }
            kc_handle_error(&s->kc, m->err, rd_kafka_message_errstr(m)); /* retried */
        } else if (ours) {
            if (!apply(s, m)) {
                say(s, SLUICE_LOG_ERROR, "out of memory for its items");
                rd_kafka_message_destroy(m);
                return false;
            }
            s->next[p] = m->offset + 1;
            if (s->next[p] >= hi[p])
                todo--;
        }
        rd_kafka_message_destroy(m);
    }
    return true;
}

/* Read what is new in the topic, up to its high watermarks now. */
static bool refresh(struct kin_store *s)
{
    int64_t started = kc_now_ms(), deadline = started + s->timeout_ms;
    if (!ensure_topic(s, deadline, "read"))
        return false;
    int32_t n = partition_count(s, deadline);
    if (n == 0)
        return false;
    if (n > s->n_next) {
        int64_t *next = realloc(s->next, (size_t)n * sizeof *next);
        if (!next) {
            say(s, SLUICE_LOG_ERROR, "out of memory");
            return false;
        }
        for (int32_t p = s->n_next; p < n; p++)
            next[p] = 0;
        s->next = next;
        s->n_next = n;
    }
    int64_t *hi = calloc((size_t)s->n_next, sizeof *hi);
    if (!hi) {
        say(s, SLUICE_LOG_ERROR, "out of memory");
        return false;
    }
    bool ok = true, any = false;
    for (int32_t p = 0; ok && p < s->n_next; p++) {
        int64_t lo = 0;
        rd_kafka_resp_err_t e;
        /* Right after creation the leader may not be known yet: retry. */
        while ((e = rd_kafka_query_watermark_offsets(s->kc.rk, s->topic, p, &lo, &hi[p],
                                                     (int)left_ms(deadline))) &&
               left_ms(deadline) > 0)
            rd_kafka_poll(s->kc.rk, 100);
        if (e) {
            say(s, SLUICE_LOG_ERROR, "reading the end offset of partition %d: %s", (int)p,
                rd_kafka_err2str(e));
            ok = false;
        }
        if (s->next[p] < lo)
            s->next[p] = lo;
        any = any || s->next[p] < hi[p];
    }
    if (ok && any) {
        rd_kafka_t *rk = make_reader(s);
        ok = rk && read_to(s, rk, hi, deadline);
        if (rk) {
            rd_kafka_consumer_close(rk); /* never joined: quick */
            rd_kafka_destroy(rk);
        }
    }
    free(hi);
    if (ok) {
        s->loaded = true;
        s->stale = false;
        s->kc.host->log(s->kc.self, SLUICE_LOG_DEBUG,
                        "checkpoint topic %s: read in %lld ms, %zu key(s)", s->topic,
                        (long long)(kc_now_ms() - started), s->map.n);
    }
    return ok;
}

int kin_store_read(struct kin_store *s, const char *key, void **value, size_t *len)
{
    if ((!s->loaded || s->stale) && !refresh(s))
        return SLUICE_ERROR;
    const struct kin_map_entry *e = kin_map_get(&s->map, key);
    if (!e)
        return SLUICE_END;
    void *copy = malloc(e->len ? e->len : 1);
    if (!copy) {
        say(s, SLUICE_LOG_ERROR, "out of memory");
        return SLUICE_ERROR;
    }
    if (e->len)
        memcpy(copy, e->value, e->len);
    *value = copy;
    *len = e->len;
    return SLUICE_OK;
}

int kin_store_write(struct kin_store *s, const struct sluice_state_item *items, size_t n)
{
    int64_t deadline = kc_now_ms() + s->timeout_ms;
    if (!ensure_topic(s, deadline, "written"))
        return SLUICE_ERROR;
    s->write_id++;
    s->delivered = s->failed = 0;
    s->first_error[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const struct sluice_state_item *it = &items[i];
        if (it->len > KIN_STATE_MAX_BYTES) {
            say(s, SLUICE_LOG_ERROR,
                "checkpoint item '%s' is %zu bytes, over the %d bytes an item may have: "
                "use algorithm = sketch or fewer windows for this many keys, or "
                "checkpoint = file:DIR",
                it->key, it->len, KIN_STATE_MAX_BYTES);
            return SLUICE_ERROR;
        }
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(s->kc.rk, RD_KAFKA_V_TOPIC(s->topic),
                                      RD_KAFKA_V_KEY(it->key, strlen(it->key)),
                                      RD_KAFKA_V_VALUE((void *)it->value, it->len),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_OPAQUE((void *)s->write_id), RD_KAFKA_V_END)) ==
                   RD_KAFKA_RESP_ERR__QUEUE_FULL &&
               left_ms(deadline) > 0)
            rd_kafka_poll(s->kc.rk, 10);
        if (e) {
            say(s, SLUICE_LOG_ERROR, "writing item '%s': %s", it->key, rd_kafka_err2str(e));
            return SLUICE_ERROR;
        }
    }
    rd_kafka_flush(s->kc.rk, (int)left_ms(deadline));
    if (s->kc.fatal) {
        say(s, SLUICE_LOG_ERROR, "%s", s->kc.fatal_msg);
        return SLUICE_ERROR;
    }
    if (s->delivered < n) {
        say(s, SLUICE_LOG_ERROR,
            "%zu of %zu checkpoint item(s) %s within state_timeout (%lld ms): %s; the "
            "offsets this checkpoint covers are not committed",
            n - s->delivered, n,
            s->failed ? "were refused or not acknowledged" : "not acknowledged",
            (long long)s->timeout_ms,
            s->first_error[0] ? s->first_error
            : s->kc.last_error[0] ? s->kc.last_error
                                  : "no broker answered");
        return SLUICE_ERROR;
    }
    for (size_t i = 0; i < n; i++) {
        if (!kin_map_put(&s->map, items[i].key, strlen(items[i].key), items[i].value,
                         items[i].len)) {
            say(s, SLUICE_LOG_ERROR, "out of memory");
            return SLUICE_ERROR;
        }
    }
    return SLUICE_OK;
}

void kin_store_invalidate(struct kin_store *s)
{
    s->stale = true;
}

void kin_store_free(struct kin_store *s)
{
    if (s->kc.rk) {
        /* Anything still queued belongs to a write that already failed. */
        rd_kafka_purge(s->kc.rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_flush(s->kc.rk, 1000);
        rd_kafka_destroy(s->kc.rk);
    }
    kin_map_free(&s->map);
    free(s->next);
    free(s->topic);
    free(s->reader_group);
    free(s->conn.items);
    free(s->kc.brokers);
    memset(s, 0, sizeof *s);
}
