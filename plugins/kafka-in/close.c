/*
 * Leaving: commit the offsets stored since the last auto-commit (without
 * checkpoints; with them, the host's last checkpoint committed its
 * positions, and giving the partitions back below checkpoints once more),
 * then leave the group, both within close_timeout. rd_kafka_consumer_close() and a
 * synchronous commit have no deadline of their own: with the brokers gone
 * they wait for the group coordinator, about 45 s each, and so does
 * rd_kafka_destroy() once a commit is pending. A stop must not hang like
 * that: first ask whether any broker answers at all; if none does, skip the
 * commit and the goodbye (at-least-once: frames since the last commit are
 * read again next time). Otherwise both run asynchronously against the
 * deadline.
 *
 * The question is skipped when a fetch response (a frame or a partition's
 * end) came within the last HEARD_RECENTLY_MS: a broker just answered. That
 * matters at the end of a replay, where asking would cost half a second:
 * the request queues on the connection behind the fetch the broker holds
 * open for fetch.wait.max.ms (500 ms) at the end of the log.
 */
#include "kafka_in.h"

#define HEARD_RECENTLY_MS 1000

/* Serve the close queue until the consumer is closed; false at the deadline.
 * Rebalance callbacks run from rd_kafka_queue_poll; a rebalance that comes
 * as an event is answered here. */
static bool wait_closed(struct kin_state *st, rd_kafka_queue_t *q, int64_t deadline)
{
    rd_kafka_t *rk = st->kc.rk;
    while (!rd_kafka_consumer_closed(rk)) {
        int64_t left = deadline - kc_now_ms();
        if (left <= 0)
            return false;
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, (int)(left < 100 ? left : 100));
        if (!ev)
            continue;
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE) {
            if (rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
                st->assigned_while_closing = true;
            kin_rebalance_cb(rk, rd_kafka_event_error(ev),
                             rd_kafka_event_topic_partition_list(ev), st);
        }
        rd_kafka_event_destroy(ev);
    }
    return true;
}

void kin_close(struct kin_state *st)
{
    rd_kafka_t *rk = st->kc.rk;
    int64_t now = kc_now_ms();
    int64_t deadline = now + st->cfg->close_timeout_ms;
    bool clean = true;
    if (st->cq) {
        rd_kafka_queue_destroy(st->cq);
        st->cq = NULL;
    }
    if (!st->subscribed) { /* no group joined, nothing to commit */
        rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
        st->kc.rk = NULL;
        return;
    }
    bool heard = st->last_heard_ms > 0 && now - st->last_heard_ms < HEARD_RECENTLY_MS;
    if (!heard) {
        const struct rd_kafka_metadata *md = NULL;
        int probe = (int)(st->cfg->close_timeout_ms < 5000 ? st->cfg->close_timeout_ms : 5000);
        if (rd_kafka_metadata(rk, 0, NULL, &md, probe) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            st->kc.host->log(st->kc.self, SLUICE_LOG_WARN,
                             "no broker answers: leaving without the final offset commit; "
                             "frames since the last commit will be read again next time");
            rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
            st->kc.rk = NULL;
            return;
        }
        rd_kafka_metadata_destroy(md);
    }
    /* With checkpoints the host committed what its last checkpoint covers
     * (positions.c); nothing was stored to commit here. */
    if (!st->kc.fatal && !st->kc.host->checkpointing()) {
        rd_kafka_resp_err_t e = kin_commit_wait(st, NULL, deadline);
        if (e == RD_KAFKA_RESP_ERR__TIMED_OUT) {
            st->kc.host->log(st->kc.self, SLUICE_LOG_WARN,
                             "the final offset commit did not complete within close_timeout "
                             "(brokers unreachable?); frames since the last commit will be read "
                             "again next time");
            clean = false;
        } else if (e) {
            st->kc.host->log(st->kc.self, SLUICE_LOG_WARN,
                             "committing offsets at exit failed: %s (those frames will be read "
                             "again next time)",
                             rd_kafka_err2str(e));
        }
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    if (clean) {
        rd_kafka_error_t *err = rd_kafka_consumer_close_queue(rk, q);
        if (err) {
            clean = false;
            rd_kafka_error_destroy(err);
        } else if (!wait_closed(st, q, deadline)) {
            st->kc.host->log(st->kc.self, SLUICE_LOG_WARN,
                             "leaving group '%s' did not complete within close_timeout; the group "
                             "notices after session.timeout.ms",
                             st->cfg->group);
            clean = false;
        }
    }
    rd_kafka_queue_destroy(q);
    if (!clean && st->assigned_while_closing) {
        /* librdkafka < 2.4 (#4527): a cooperative assignment that arrives
         * while the consumer closes leaves its group handling stuck, and
         * destroying the client then waits forever on a spinning thread
         * (seen: a member that rejoined after a lost assignment and was
         * stopped during the rebalance). The process is about to exit. */
        st->kc.host->log(st->kc.self, SLUICE_LOG_WARN,
                         "partitions were assigned while leaving group '%s' and librdkafka %s "
                         "cannot finish closing then (librdkafka #4527): the consumer is left "
                         "to the process exit",
                         st->cfg->group, rd_kafka_version_str());
        st->client_left = true; /* kin_free keeps st->kc for its threads */
        st->kc.rk = NULL;
        return;
    }
    rd_kafka_destroy_flags(rk, clean ? 0 : RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    st->kc.rk = NULL;
}
