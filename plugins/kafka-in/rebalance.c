/*
 * Group rebalances. The group uses cooperative-sticky assignment by default
 * (partitions move one by one, the others keep flowing), but a user may pick
 * an eager strategy through rdkafka.partition.assignment.strategy, so both
 * protocols are handled. The callback runs inside rd_kafka_consumer_poll,
 * i.e. in kafka-in's poll, when no batch is in flight: a revoked partition
 * has nothing unacknowledged.
 *
 * On assignment a partition seen for the first time gets the `start`
 * position; with stop_at_end its end is fixed now (the high watermark), so a
 * replay reads exactly what existed when it began, however fast producers
 * keep writing.
 */
#include "kafka_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        if (!cfg->stop_at_end)
            continue;
        if (is_new) {
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
        /* A partition with nothing before its end is done at once; the
         * others are done at their end offset or partition-EOF event. */
        p->done = p->done || empty[i];
    }
    if (!kin_start_apply(rk, &st->start, parts, fresh, timeout, err, sizeof err)) {
        set_fatal(st, "start", err);
        goto out;
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
    if (rd_kafka_assignment_lost(rk))
        st->kc.host->log(st->kc.self, SLUICE_LOG_WARN,
                         "lost %d partition(s) (the group moved on without us, e.g. after a long "
                         "stall): what was not committed will be read again",
                         parts->cnt);
    for (int i = 0; i < parts->cnt; i++) {
        struct kin_part *p =
            kin_parts_find(&st->parts, parts->elems[i].topic, parts->elems[i].partition);
        if (p)
            p->assigned = false;
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
