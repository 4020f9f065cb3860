/*
 * Group rebalances. The group uses cooperative-sticky assignment by default
 * (partitions move one by one, the others keep flowing), but a user may pick
 * an eager strategy through rdkafka.partition.assignment.strategy, so both
 * protocols are handled. The callback runs inside rd_kafka_consumer_poll,
 * i.e. in kafka-in's poll while it fills a batch (or in close).
 *
 * Assignment. The host hears of the new partitions first
 * (host->partitions_assigned): it restores their state from the latest
 * checkpoint and gives back where that checkpoint stands. That position
 * wins over everything else (the group's committed offset, `start`): the
 * state and the position belong together. A committed offset ahead of it
 * means offsets were committed that no checkpoint covers (a run without
 * checkpoints, another consumer in the group, a checkpoint store that was
 * replaced): the frames in between are read again, and a warning says so.
 * A partition without a checkpoint gets the `start` position if it is seen
 * for the first time, else the committed offset. With stop_at_end its end
 * is fixed now (the high watermark), so a replay reads exactly what existed
 * when it began, however fast producers keep writing.
 *
 * Revocation. Before the partitions go back, the records of theirs in the
 * batch being built are dropped (nothing of them went through the chain)
 * and the host hears of it (host->partitions_revoked): it flushes the sinks,
 * takes a checkpoint that covers what was acknowledged, and commits its
 * positions through `checkpointed`, all before the unassign, so the next
 * owner starts exactly where this one's state ends.
 *
 * A lost assignment (rd_kafka_assignment_lost: the session timed out, e.g.
 * the process was stopped for longer than session.timeout.ms) is different:
 * the group has already given the partitions to another member, which
 * restored them from the last checkpoint and may have written newer ones.
 * This member's state of them must not be checkpointed over that (the
 * store's latest item of a partition would then be ours, and the group's
 * committed offset could move backwards): the lost partitions are marked
 * not held first, so `positions` leaves them out and the host's checkpoint
 * covers only what is still held (plus the instance part); their state is
 * then dropped. Counting stays right: what this member counted after the
 * last checkpoint is counted again by the new owner, from that checkpoint.
 *
 * librdkafka 2.0.2 also declares an assignment lost when an offset commit
 * made while the group rebalances is refused with ILLEGAL_GENERATION
 * (librdkafka #4059, fixed upstream by #4908), and checkpoints commit
 * every checkpoint_interval: with cooperative-sticky a member joining or
 * leaving often costs the others that. It is handled the same way (the
 * partitions, usually given right back, resume from their last
 * checkpoint); only the log line says which it was.
 */
#include "kafka_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A lost assignment this soon after a refused commit is librdkafka #4059. */
#define LOST_AFTER_COMMIT_MS 10000

static void set_fatal(struct kin_state *st, const char *what, const char *detail)
{
    kc_set_fatal(&st->kc, "%s: %s", what, detail);
}

void kin_pause(struct kin_state *st, const char *topic, int32_t partition)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, partition);
    rd_kafka_pause_partitions(st->kc.rk, l); /* failure only costs fetches */
    rd_kafka_topic_partition_list_destroy(l);
}

/* "t [0, 1, 2], u [0]" for log lines (bounded). */
static void describe(const rd_kafka_topic_partition_list_t *parts, char *buf, size_t size)
{
    size_t j = 0;
    buf[0] = '\0';
    for (int i = 0; i < parts->cnt && j + 16 < size; i++) {
        const rd_kafka_topic_partition_t *p = &parts->elems[i];
        bool same_topic = i > 0 && strcmp(parts->elems[i - 1].topic, p->topic) == 0;
        int n = same_topic ? snprintf(buf + j, size - j, ", %d", (int)p->partition)
                           : snprintf(buf + j, size - j, "%s%s [%d", i ? "], " : "", p->topic,
                                      (int)p->partition);
        if (n < 0 || (size_t)n >= size - j)
            break;
        j += (size_t)n;
    }
    if (parts->cnt > 0 && j + 2 < size)
        snprintf(buf + j, size - j, "]");
}

/* The checkpoint's positions win; say so where the group had committed
 * further (those frames are read again). */
static void warn_committed_ahead(struct kin_state *st, rd_kafka_t *rk,
                                 const rd_kafka_topic_partition_list_t *parts,
                                 const struct sluice_partition *sp, int timeout)
{
    rd_kafka_topic_partition_list_t *c = rd_kafka_topic_partition_list_new(parts->cnt);
    for (int i = 0; i < parts->cnt; i++)
        if (sp[i].position >= 0)
            rd_kafka_topic_partition_list_add(c, parts->elems[i].topic,
                                              parts->elems[i].partition);
    rd_kafka_resp_err_t e = rd_kafka_committed(rk, c, timeout);
    if (e)
        st->kc.host->log(st->kc.self, SLUICE_LOG_DEBUG,
                         "reading the committed offsets to compare with the checkpoint: %s",
                         rd_kafka_err2str(e));
    for (int i = 0, j = 0; !e && i < parts->cnt; i++) {
        if (sp[i].position < 0)
            continue;
        const rd_kafka_topic_partition_t *ce = &c->elems[j++];
        if (ce->err || ce->offset <= sp[i].position)
            continue;
        st->kc.host->log(st->kc.self, SLUICE_LOG_WARN,
                         "%s [%d]: the group's committed offset %lld is ahead of the "
                         "checkpoint's %lld; resuming at the checkpoint, so the %lld frame(s) "
                         "in between are read again (offsets were committed that no "
                         "checkpoint covers: a run without checkpoints, or another consumer "
                         "in group '%s')",
                         ce->topic, (int)ce->partition, (long long)ce->offset,
                         (long long)sp[i].position, (long long)(ce->offset - sp[i].position),
                         st->cfg->group);
    }
    rd_kafka_topic_partition_list_destroy(c);
}

/* How many partitions `topic` has (for the scale-out merge stage, which
 * waits for all of them); 0 when the brokers do not say in time. */
static int32_t topic_partition_count(rd_kafka_t *rk, const char *topic, int timeout)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (!rkt)
        return 0;
    const struct rd_kafka_metadata *md = NULL;
    int32_t n = 0;
    if (rd_kafka_metadata(rk, 0, rkt, &md, timeout) == RD_KAFKA_RESP_ERR_NO_ERROR && md) {
        if (md->topic_cnt == 1 && !md->topics[0].err)
            n = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(rkt);
    return n;
}

/* Ask the host for the new partitions' checkpointed positions; set each
 * element's start offset (the checkpoint's, else `start` for a partition
 * seen for the first time, else the committed one). False with the
 * client's fatal error set on failure. */
static bool restore(struct kin_state *st, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
                    bool *fresh)
{
    int timeout = (int)st->cfg->connect_timeout_ms;
    char err[512];
    struct sluice_partition *sp = calloc((size_t)parts->cnt + 1, sizeof *sp);
    if (!sp) {
        set_fatal(st, "assigning partitions", "out of memory");
        return false;
    }
    for (int i = 0; i < parts->cnt; i++) {
        bool same = i > 0 && strcmp(parts->elems[i - 1].topic, parts->elems[i].topic) == 0;
        sp[i] = (struct sluice_partition){
            .topic = parts->elems[i].topic,
            .partition = parts->elems[i].partition,
            .position = SLUICE_NO_OFFSET,
            .topic_partitions = same ? sp[i - 1].topic_partitions
                                     : topic_partition_count(rk, parts->elems[i].topic, timeout),
        };
    }
    /* Another member may have checkpointed these partitions since the
     * store was last read. */
    kin_store_invalidate(&st->store);
    if (st->kc.host->partitions_assigned(st->kc.self, sp, (size_t)parts->cnt) != SLUICE_OK) {
        free(sp);
        set_fatal(st, "assigning partitions",
                  "their checkpointed state could not be restored (see above)");
        return false;
    }
    int n_restored = 0;
    for (int i = 0; i < parts->cnt; i++) {
        if (sp[i].position < 0)
            continue;
        fresh[i] = false; /* `start` does not apply: the checkpoint says where */
        n_restored++;
    }
    bool ok = kin_start_apply(rk, &st->start, parts, fresh, timeout, err, sizeof err);
    if (!ok)
        set_fatal(st, "start", err);
    if (ok && n_restored > 0)
        warn_committed_ahead(st, rk, parts, sp, timeout);
    for (int i = 0; ok && i < parts->cnt; i++) {
        if (sp[i].position < 0)
            continue;
        parts->elems[i].offset = sp[i].position;
        struct kin_part *p =
            kin_parts_find(&st->parts, parts->elems[i].topic, parts->elems[i].partition);
        if (p)
            p->acked = sp[i].position;
    }
    if (ok && n_restored > 0)
        st->kc.host->log(st->kc.self, SLUICE_LOG_INFO,
                         "%d of %d partition(s) resume from their checkpoint", n_restored,
                         parts->cnt);
    free(sp);
    return ok;
}

static void assign(struct kin_state *st, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
                   bool cooperative)
{
    const struct kin_config *cfg = st->cfg;
    int timeout = (int)cfg->connect_timeout_ms;
    char err[512];
    st->joined = true;
    st->got_assignment = true;
    bool *fresh = calloc((size_t)parts->cnt + 1, sizeof *fresh);
    bool *empty = calloc((size_t)parts->cnt + 1, sizeof *empty);
    if (!fresh || !empty) {
        set_fatal(st, "assigning partitions", "out of memory");
        goto out;
    }
    for (int i = 0; i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *e = &parts->elems[i];
        bool is_new;
        struct kin_part *p = kin_parts_get(&st->parts, e->topic, e->partition, &is_new);
        if (!p) {
            set_fatal(st, "assigning partitions", "out of memory");
            goto out;
        }
        fresh[i] = is_new;
        p->assigned = true;
        p->acked = -1;
    }
    if (!restore(st, rk, parts, fresh))
        goto out;
    for (int i = 0; i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *e = &parts->elems[i];
        struct kin_part *p = kin_parts_find(&st->parts, e->topic, e->partition);
        if (!cfg->stop_at_end || !p)
            continue;
        if (p->end < 0) { /* seen for the first time */
            int64_t lo = 0, hi = 0;
            rd_kafka_resp_err_t we =
                rd_kafka_query_watermark_offsets(rk, e->topic, e->partition, &lo, &hi, timeout);
            if (we) {
                snprintf(err, sizeof err, "%s [%d]: %s", e->topic, (int)e->partition,
                         rd_kafka_err2str(we));
                set_fatal(st, "stop_at_end: reading the end offsets", err);
                goto out;
            }
            p->end = hi;
            empty[i] = lo >= hi;
        }
        /* A partition with nothing before its end is done at once (so is
         * one whose checkpoint stands at its end); the others are done at
         * their end offset or partition-EOF event. */
        p->done = p->done || empty[i] || (p->acked >= 0 && p->acked >= p->end);
    }
    if (st->kc.host->log_enabled(st->kc.self, SLUICE_LOG_INFO)) {
        char list[512];
        describe(parts, list, sizeof list);
        st->kc.host->log(st->kc.self, SLUICE_LOG_INFO, "assigned %d partition(s)%s%s (%s)",
                         parts->cnt, parts->cnt ? ": " : "", list,
                         cooperative ? "cooperative" : "eager");
    }
    if (cooperative) {
        rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, parts);
        if (e) {
            set_fatal(st, "assigning partitions", rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
            goto out;
        }
    } else {
        rd_kafka_resp_err_t e = rd_kafka_assign(rk, parts);
        if (e) {
            set_fatal(st, "assigning partitions", rd_kafka_err2str(e));
            goto out;
        }
    }
    for (int i = 0; i < parts->cnt; i++) {
        struct kin_part *p = kin_parts_find(&st->parts, parts->elems[i].topic,
                                            parts->elems[i].partition);
        if (p && p->done)
            kin_pause(st, p->topic, p->partition);
    }
out:
    free(fresh);
    free(empty);
}

static void revoke(struct kin_state *st, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
                   bool cooperative)
{
    bool lost = rd_kafka_assignment_lost(rk);
    if (lost && st->illegal_generation_ms > 0 &&
        kc_now_ms() - st->illegal_generation_ms < LOST_AFTER_COMMIT_MS)
        st->kc.host->log(st->kc.self, SLUICE_LOG_INFO,
                         "librdkafka %s takes a commit refused during a rebalance for a lost "
                         "assignment (librdkafka #4059): %d partition(s) resume from their "
                         "last checkpoint, whoever is assigned them",
                         rd_kafka_version_str(), parts->cnt);
    else if (lost)
        st->kc.host->log(st->kc.self, SLUICE_LOG_WARN,
                         "lost %d partition(s) (the group moved on without us, e.g. after a long "
                         "stall): their state is dropped without a checkpoint; their new owner "
                         "resumes from the last one",
                         parts->cnt);
    kin_drop_from_batch(st, parts);
    struct sluice_partition *sp = calloc((size_t)parts->cnt + 1, sizeof *sp);
    if (!sp) {
        set_fatal(st, "giving partitions back", "out of memory");
        return;
    }
    for (int i = 0; i < parts->cnt; i++) {
        struct kin_part *p =
            kin_parts_find(&st->parts, parts->elems[i].topic, parts->elems[i].partition);
        sp[i] = (struct sluice_partition){.topic = parts->elems[i].topic,
                                          .partition = parts->elems[i].partition,
                                          .position = p && p->acked >= 0 ? p->acked
                                                                         : SLUICE_NO_OFFSET};
        /* Lost: out of `positions` before the host checkpoints (see top). */
        if (p && lost)
            p->assigned = false;
    }
    if (st->kc.host->partitions_revoked(st->kc.self, sp, (size_t)parts->cnt) != SLUICE_OK)
        set_fatal(st, "giving partitions back",
                  "the checkpoint before the revocation failed (see above)");
    free(sp);
    for (int i = 0; i < parts->cnt; i++) {
        struct kin_part *p =
            kin_parts_find(&st->parts, parts->elems[i].topic, parts->elems[i].partition);
        if (p) {
            p->assigned = false;
            p->acked = -1;
        }
    }
    st->kc.host->log(st->kc.self, SLUICE_LOG_INFO, "revoked %d partition(s)", parts->cnt);
    if (cooperative) {
        rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, parts);
        if (e) {
            set_fatal(st, "giving partitions back", rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        }
    } else {
        rd_kafka_assign(rk, NULL);
    }
}

void kin_update_ready(struct kin_state *st)
{
    size_t done;
    if (kin_parts_assigned(&st->parts, &done) > 0)
        st->kc.host->set_ready(st->kc.self, NULL);
    else
        st->kc.host->set_ready(st->kc.self, st->got_assignment
                                                ? "the group assigned no partitions to this member"
                                                : "waiting for the group to assign partitions");
}

void kin_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct kin_state *st = opaque;
    bool cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    switch (err) {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        assign(st, rk, parts, cooperative);
        break;
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        revoke(st, rk, parts, cooperative);
        break;
    default:
        set_fatal(st, "group rebalance failed", rd_kafka_err2str(err));
        rd_kafka_assign(rk, NULL);
        break;
    }
    kin_update_ready(st);
}
