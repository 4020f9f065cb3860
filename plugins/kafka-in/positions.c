/*
 * Checkpoints, kafka-in's side: positions, commits and the store callbacks.
 *
 * The invariant (include/sluice/plugin.h, "Checkpoints"): an offset is
 * committed only once a durable checkpoint covers it. While the host takes
 * checkpoints, ack therefore only notes how far each partition's
 * acknowledged batches reach (kin_part.acked); `positions` reports that,
 * and the host saves it with the transforms' state of the partition. Once
 * the checkpoint is durable the host calls `checkpointed`, which commits
 * exactly those offsets and waits for the answer. A crash anywhere in
 * between leaves a checkpoint at or ahead of the committed offsets, and on
 * assignment the checkpoint's position wins (rebalance.c), so the frames
 * after it are read once more and counted into the state as of it.
 *
 * Only partitions this member holds now are committed: a checkpoint
 * covering a partition that has since moved to another member must not
 * move that member's committed offset back.
 */
#include "kafka_in.h"

#include <stdio.h>

size_t kin_positions(void *state, struct sluice_partition *out, size_t cap)
{
    struct kin_state *st = state;
    size_t n = 0;
    for (size_t i = 0; i < st->parts.n; i++) {
        const struct kin_part *p = &st->parts.v[i];
        if (!p->assigned)
            continue;
        if (n < cap)
            out[n] = (struct sluice_partition){
                .topic = p->topic,
                .partition = p->partition,
                .position = p->acked >= 0 ? p->acked : SLUICE_NO_OFFSET,
            };
        n++;
    }
    return n;
}

rd_kafka_resp_err_t kin_commit_wait(struct kin_state *st,
                                    const rd_kafka_topic_partition_list_t *offsets,
                                    int64_t deadline)
{
    rd_kafka_queue_t *q = rd_kafka_queue_new(st->kc.rk);
    rd_kafka_resp_err_t e = rd_kafka_commit_queue(st->kc.rk, offsets, q, NULL, NULL);
    while (!e) {
        int64_t left = deadline - kc_now_ms();
        if (left <= 0) {
            e = RD_KAFKA_RESP_ERR__TIMED_OUT;
            break;
        }
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, (int)(left < 100 ? left : 100));
        if (!ev)
            continue;
        if (rd_kafka_event_type(ev) != RD_KAFKA_EVENT_OFFSET_COMMIT) {
            rd_kafka_event_destroy(ev);
            continue;
        }
        e = rd_kafka_event_error(ev);
        const rd_kafka_topic_partition_list_t *l = rd_kafka_event_topic_partition_list(ev);
        for (int i = 0; !e && l && i < l->cnt; i++)
            e = l->elems[i].err;
        rd_kafka_event_destroy(ev);
        break;
    }
    rd_kafka_queue_destroy(q);
    return e == RD_KAFKA_RESP_ERR__NO_OFFSET ? RD_KAFKA_RESP_ERR_NO_ERROR : e;
}

int kin_checkpointed(void *state, const struct sluice_partition *parts, size_t n)
{
    struct kin_state *st = state;
    if (!st->kc.rk)
        return SLUICE_OK;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n + 1);
    for (size_t i = 0; i < n; i++) {
        const struct sluice_partition *c = &parts[i];
        if (c->position < 0 || !c->topic)
            continue;
        struct kin_part *p = kin_parts_find(&st->parts, c->topic, c->partition);
        if (p && p->assigned)
            rd_kafka_topic_partition_list_add(l, c->topic, c->partition)->offset = c->position;
    }
    int rc = SLUICE_OK;
    if (l->cnt > 0) {
        rd_kafka_resp_err_t e =
            kin_commit_wait(st, l, kc_now_ms() + st->cfg->state_timeout_ms);
        if (e == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION) {
            /* The group is rebalancing; librdkafka 2.0.2 now takes the
             * assignment for lost (see rebalance.c). */
            st->illegal_generation_ms = kc_now_ms();
            st->kc.host->log(st->kc.self, SLUICE_LOG_INFO,
                             "the group rebalances: this checkpoint's offsets are committed "
                             "by a later one");
        } else if (e) {
            st->kc.host->log(st->kc.self, SLUICE_LOG_WARN,
                             "committing the offsets of %d partition(s) a checkpoint covers "
                             "failed: %s. Nothing is lost: the checkpoint is durable and its "
                             "positions win at the next assignment; the next checkpoint "
                             "commits again",
                             l->cnt, rd_kafka_err2str(e));
            rc = SLUICE_ERROR;
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

int kin_store_write_cb(void *state, const struct sluice_state_item *items, size_t n)
{
    struct kin_state *st = state;
    return kin_store_write(&st->store, items, n);
}

int kin_store_read_cb(void *state, const char *key, void **value, size_t *len)
{
    struct kin_state *st = state;
    return kin_store_read(&st->store, key, value, len);
}
