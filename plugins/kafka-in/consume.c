/*
 * Consuming: batches of frames from librdkafka's consumer queue, and their
 * acknowledgement.
 *
 * poll waits up to the host's timeout for the first message, then takes what
 * is ready, up to `batch`. Each frame becomes a record whose value and key
 * point into its rd_kafka_message_t; the messages stay in st->msgs (the
 * batch's source_token) until ack, which notes offset + 1 per partition as
 * the partition's acknowledged position and, without checkpoints, stores
 * it for librdkafka's auto-commit (rd_kafka_offsets_store); with
 * checkpoints only a durable checkpoint commits (positions.c). Then ack
 * destroys the messages. Messages that carry an event instead of a frame
 * (partition EOF, errors) are handled here too.
 *
 * A rebalance callback runs inside rd_kafka_consumer_poll, i.e. while poll
 * fills a batch. Records of partitions it revokes are dropped from that
 * batch (kin_drop_from_batch): the batch has not been through the chain
 * yet, the checkpoint taken for the revocation covers what was acknowledged
 * before it, and the partition's next owner reads those frames again from
 * that position.
 *
 * Fetch restarts. librdkafka stops fetching a partition when its local
 * queue holds queued.min.messages or queued.max.messages.kbytes, and looks
 * again only after fetch.queue.backoff.ms (librdkafka >= 2.2; before, and
 * by default since, 1 s): nothing wakes its broker thread when the
 * application drains the queue. A pipeline slower than the fetcher for a
 * moment (a sink waiting for acks, the CPU shared with a local broker)
 * fills 64 MB within tens of milliseconds, works it off in tens more, and
 * then sat idle for the rest of that second: the Kafka pipeline ran at a
 * third of kcat's rate. So poll watches the queue's length; once it came
 * near a limit and then fell well below it, poll asks the partitions'
 * leaders for their end offsets without waiting for the answer (one
 * ListOffsets per leader, no effect on positions or offsets): sending it
 * wakes each leader's broker thread, which sees the queue below the limits
 * and fetches at once, while the pipeline works off the rest of the queue.
 */
#include "kafka_in.h"

#include <stdio.h>
#include <string.h>

/* Fetch restarts: the queue is "near" librdkafka's limits from half of one
 * (per mille), and the fetcher is woken once it fell below a quarter. */
#define FILL_NEAR 500
#define FILL_LOW 250

/* Why a group may not work: said once at start-up when librdkafka's
 * feature check found a Kafka 4.x broker, and in the error when joining
 * fails. Against Apache Kafka 4.0.0 with PLAINTEXT, librdkafka 2.0.2 still
 * joins groups (tested); SASL/GSSAPI is known to break (KAFKA-19444). */
const char *kin_old_client_note(void)
{
    static char note[512];
    snprintf(note, sizeof note,
             "the broker lacks JoinGroup v0 (Apache Kafka 4.x, KIP-896), and librdkafka %s "
             "(< 2.11) flags its group consumer as unsupported there (librdkafka #4948); "
             "use a Kafka 3.9 broker or librdkafka >= 2.11",
             rd_kafka_version_str());
    return note;
}

static void fail_unsupported(struct kin_state *st, const char *what)
{
    kc_set_fatal(&st->kc, "%s: the brokers at %s do not support a request librdkafka %s "
                          "makes for group '%s'%s%s",
                 what, st->kc.brokers, rd_kafka_version_str(), st->cfg->group,
                 atomic_load(&st->kc.lacks_joingroup_v0) ? ": " : "",
                 atomic_load(&st->kc.lacks_joingroup_v0) ? kin_old_client_note() : "");
}

/* A message that carries an event instead of a frame. */
void kin_on_event(struct kin_state *st, const rd_kafka_message_t *m)
{
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (!st->cfg->stop_at_end || !m->rkt)
            return;
        struct kin_part *p =
            kin_parts_find(&st->parts, rd_kafka_topic_name(m->rkt), m->partition);
        if (p && !p->done && m->offset >= p->end) {
            p->done = true;
            kin_pause(st, p->topic, p->partition);
        }
        return;
    }
    if (m->err == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION ||
        m->err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE) {
        fail_unsupported(st, rd_kafka_message_errstr(m));
        return;
    }
    if (m->err == RD_KAFKA_RESP_ERR_INCONSISTENT_GROUP_PROTOCOL) {
        kc_set_fatal(&st->kc,
                     "cannot join group '%s': %s. Its other members use another partition "
                     "assignment strategy than kafka-in's (cooperative-sticky unless "
                     "rdkafka.partition.assignment.strategy says otherwise): make them match, or "
                     "use another group",
                     st->cfg->group, rd_kafka_message_errstr(m));
        return;
    }
    if (m->err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED ||
        m->err == RD_KAFKA_RESP_ERR_INVALID_GROUP_ID) {
        kc_set_fatal(&st->kc, "cannot join group '%s': %s", st->cfg->group,
                     rd_kafka_message_errstr(m));
        return;
    }
    char reason[512];
    if (m->rkt)
        snprintf(reason, sizeof reason, "%s [%d]: %s", rd_kafka_topic_name(m->rkt),
                 (int)m->partition, rd_kafka_message_errstr(m));
    else
        snprintf(reason, sizeof reason, "%s", rd_kafka_message_errstr(m));
    kc_handle_error(&st->kc, m->err, reason);
}

/* How full librdkafka's queue is, in per mille of the nearer of its two
 * limits (the byte size estimated from the frames seen so far). */
static int64_t queue_fill(struct kin_state *st)
{
    int64_t len = (int64_t)rd_kafka_queue_length(st->cq);
    int64_t by_count = len * 1000 / st->q_min_msgs;
    int64_t by_size = 0;
    if (st->seen_msgs > 0)
        by_size = len * (int64_t)(st->seen_bytes / st->seen_msgs) * 1000 / st->q_max_bytes;
    return by_count > by_size ? by_count : by_size;
}

/* Wake the broker threads of every partition being read (assigned, not at
 * its end): see "Fetch restarts" above. */
static void restart_fetch(struct kin_state *st)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    for (size_t i = 0; i < st->parts.n; i++) {
        const struct kin_part *p = &st->parts.v[i];
        if (p->assigned && !p->done)
            rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset =
                RD_KAFKA_OFFSET_END; /* as a timestamp: "latest", cheap to answer */
    }
    if (l->cnt > 0) {
        /* Sending the requests is what wakes the fetchers; the answer does
         * not matter, so do not wait for it (it may queue behind a fetch
         * the broker holds open): with no time left librdkafka sends the
         * requests to the leaders it knows, returns __TIMED_OUT and drops
         * the answers when they come. Nothing sent (leaders unknown) only
         * means librdkafka fetches again after its own backoff. */
        rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(st->kc.rk, l, 0);
        st->kc.host->log(st->kc.self, SLUICE_LOG_TRACE,
                         "fetch queue fell below librdkafka's limits: woke the fetchers of %d "
                         "partition(s) (%s)",
                         l->cnt, rd_kafka_err2name(e));
    }
    rd_kafka_topic_partition_list_destroy(l);
}

/* Note when the queue comes near librdkafka's limits, and wake the
 * fetchers once it fell well below them again. Called before taking a
 * batch (the queue is at its longest then) and after waiting for the first
 * frame of one (a fast pipeline empties the queue each time, so the
 * queue's length is seen only once a fetch response arrived). */
static void watch_fetcher(struct kin_state *st)
{
    int64_t fill = queue_fill(st);
    if (fill >= FILL_NEAR) {
        st->fetch_may_stall = true;
    } else if (st->fetch_may_stall && fill < FILL_LOW) {
        st->fetch_may_stall = false;
        restart_fetch(st);
    }
}

/* Add one frame to the batch; false when out of memory. */
static bool take(struct kin_state *st, struct sluice_batch *out, rd_kafka_message_t *m)
{
    struct sluice_record *r = st->kc.host->batch_append(out);
    if (!r)
        return false;
    st->msgs[st->n_msgs++] = m;
    r->value = m->payload;
    r->value_len = m->len;
    r->key = m->key;
    r->key_len = m->key_len;
    r->topic = rd_kafka_topic_name(m->rkt);
    r->partition = m->partition;
    r->offset = m->offset;
    rd_kafka_timestamp_type_t tstype;
    r->source_ts_ms = rd_kafka_message_timestamp(m, &tstype);
    return true;
}

/* stop_at_end: false if `m` lies at or past its partition's end (it is not
 * read now; a later run with start = committed gets it). Marks the
 * partition done when `m` is its last message before the end. */
static bool before_end(struct kin_state *st, const rd_kafka_message_t *m)
{
    struct kin_part *p = kin_parts_find(&st->parts, rd_kafka_topic_name(m->rkt), m->partition);
    if (!p || p->end < 0)
        return true;
    if (p->done)
        return false;
    if (m->offset + 1 >= p->end) { /* the last one, or already past the end */
        p->done = true;
        kin_pause(st, p->topic, p->partition);
    }
    return m->offset < p->end;
}

static int check_join(struct kin_state *st)
{
    if (!st->joined) {
        char *member = rd_kafka_memberid(st->kc.rk);
        if (member && *member)
            st->joined = true;
        rd_kafka_mem_free(st->kc.rk, member);
    }
    if (!st->joined && kc_now_ms() - st->subscribed_ms > st->cfg->join_timeout_ms) {
        kc_set_fatal(&st->kc,
                     "did not join group '%s' within %llds (join_timeout) on brokers = %s%s%s",
                     st->cfg->group, (long long)(st->cfg->join_timeout_ms / 1000),
                     st->kc.brokers,
                     atomic_load(&st->kc.lacks_joingroup_v0) ? ": " : ": check the broker's log "
                                                                     "and the group's ACLs",
                     atomic_load(&st->kc.lacks_joingroup_v0) ? kin_old_client_note() : "");
    }
    return st->kc.fatal ? kc_fail(&st->kc) : SLUICE_OK;
}

int kin_poll(void *state, struct sluice_batch *out, int timeout_ms)
{
    struct kin_state *st = state;
    if (st->kc.fatal)
        return kc_fail(&st->kc);
    if (!st->subscribed)
        return kin_wait_for_topics(st, timeout_ms);

    watch_fetcher(st);
    st->building = out;
    size_t cap = st->cap_msgs;
    int wait = timeout_ms;
    bool heard = false;
    while (st->n_msgs < cap) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(st->kc.rk, wait);
        if (wait > 0) /* after a wait the queue holds what came meanwhile */
            watch_fetcher(st);
        if (!m)
            break;
        wait = 0; /* the first one waited; take what is ready */
        if (m->err) {
            heard = heard || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
            kin_on_event(st, m);
            rd_kafka_message_destroy(m);
            continue;
        }
        heard = true;
        st->seen_msgs++;
        st->seen_bytes += m->len + m->key_len;
        if (st->cfg->stop_at_end && !before_end(st, m)) {
            rd_kafka_message_destroy(m);
            continue;
        }
        if (!take(st, out, m)) {
            rd_kafka_message_destroy(m);
            st->building = NULL;
            st->kc.host->log(st->kc.self, SLUICE_LOG_ERROR, "out of memory for a batch");
            return SLUICE_ERROR;
        }
    }
    st->building = NULL;
    if (heard)
        st->last_heard_ms = kc_now_ms();
    if (st->kc.fatal)
        return kc_fail(&st->kc);
    if (check_join(st) != SLUICE_OK)
        return SLUICE_ERROR;
    out->source_token = st->n_msgs ? st->msgs : NULL;
    out->source_token_n = st->n_msgs;
    if (st->cfg->stop_at_end && st->got_assignment) {
        size_t done, assigned = kin_parts_assigned(&st->parts, &done);
        if (done == assigned) {
            st->kc.host->log(st->kc.self, SLUICE_LOG_INFO,
                             "stop_at_end: all %zu partition(s) read to their end", assigned);
            return SLUICE_END;
        }
    }
    return out->count ? SLUICE_OK : SLUICE_RETRY;
}

void kin_drop_from_batch(struct kin_state *st, const rd_kafka_topic_partition_list_t *parts)
{
    struct sluice_batch *b = st->building;
    if (st->n_msgs == 0)
        return;
    /* take() appends one record per message, so records and st->msgs run
     * in step; outside poll (b NULL) no batch is being built and the
     * messages were acknowledged already. */
    if (!b || b->count != st->n_msgs) {
        st->kc.host->log(st->kc.self, SLUICE_LOG_ERROR,
                         "a rebalance came while %zu message(s) were not acknowledged",
                         st->n_msgs);
        return;
    }
    size_t kept = 0, dropped = 0;
    for (size_t i = 0; i < st->n_msgs; i++) {
        rd_kafka_message_t *m = st->msgs[i];
        if (rd_kafka_topic_partition_list_find(parts, rd_kafka_topic_name(m->rkt),
                                               m->partition)) {
            rd_kafka_message_destroy(m);
            dropped++;
            continue;
        }
        b->records[kept] = b->records[i];
        st->msgs[kept++] = m;
    }
    st->n_msgs = b->count = kept;
    if (dropped)
        st->kc.host->log(st->kc.self, SLUICE_LOG_DEBUG,
                         "dropped %zu frame(s) of revoked partitions from the batch being "
                         "built; their next owner reads them",
                         dropped);
}

/* Without checkpoints: hand the acknowledged offsets to librdkafka's
 * auto-commit. */
static void store_offsets(struct kin_state *st, rd_kafka_topic_partition_list_t *l)
{
    rd_kafka_resp_err_t e = rd_kafka_offsets_store(st->kc.rk, l);
    for (int i = 0; i < l->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &l->elems[i];
        if (!p->err)
            continue;
        /* __STATE: the partition moved to another member meanwhile; it reads
         * these frames again (at-least-once). */
        st->kc.host->log(st->kc.self,
                         p->err == RD_KAFKA_RESP_ERR__STATE ? SLUICE_LOG_DEBUG : SLUICE_LOG_WARN,
                         "storing offset %lld of %s [%d]: %s", (long long)p->offset, p->topic,
                         (int)p->partition, rd_kafka_err2str(p->err));
    }
    if (e && e != RD_KAFKA_RESP_ERR__STATE)
        st->kc.host->log(st->kc.self, SLUICE_LOG_WARN, "storing offsets: %s", rd_kafka_err2str(e));
}

int kin_ack(void *state, struct sluice_batch *batch)
{
    struct kin_state *st = state;
    (void)batch; /* its token is st->msgs */
    if (st->n_msgs == 0)
        return SLUICE_OK;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    rd_kafka_topic_partition_t *last = NULL;
    const rd_kafka_message_t *prev = NULL;
    for (size_t i = 0; i < st->n_msgs; i++) {
        const rd_kafka_message_t *m = st->msgs[i];
        if (!prev || prev->rkt != m->rkt || prev->partition != m->partition) {
            const char *topic = rd_kafka_topic_name(m->rkt);
            last = rd_kafka_topic_partition_list_find(l, topic, m->partition);
            if (!last)
                last = rd_kafka_topic_partition_list_add(l, topic, m->partition);
            prev = m;
        }
        /* The committed offset is the next one to read. */
        if (m->offset + 1 > last->offset)
            last->offset = m->offset + 1;
    }
    for (int i = 0; i < l->cnt; i++) {
        struct kin_part *p = kin_parts_find(&st->parts, l->elems[i].topic, l->elems[i].partition);
        if (p && p->assigned && l->elems[i].offset > p->acked)
            p->acked = l->elems[i].offset;
    }
    if (!st->kc.host->checkpointing())
        store_offsets(st, l);
    rd_kafka_topic_partition_list_destroy(l);
    st->kc.host->counter_add(st->kc.self, "frames", (int64_t)st->n_msgs);
    for (size_t i = 0; i < st->n_msgs; i++)
        rd_kafka_message_destroy(st->msgs[i]);
    st->n_msgs = 0;
    return SLUICE_OK;
}
