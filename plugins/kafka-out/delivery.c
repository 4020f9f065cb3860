/*
 * Delivery reports. librdkafka retries a failed send by itself (retries,
 * message.timeout.ms); what reaches this callback with an error is final.
 * Fluent Bit's Kafka output only logs such failures; here they are counted
 * and the next write, tick or flush returns SLUICE_ERROR, so the host stops
 * the pipeline before the source commits offsets past lost results.
 */
#include "kafka_out.h"

#include <stdio.h>

void kout_delivery_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct kout_state *st = opaque;
    if (!m->err) {
        st->kc.host->counter_add(st->kc.self, "delivered", 1);
        return;
    }
    if (st->failed++ == 0)
        snprintf(st->first_failure, sizeof st->first_failure, "%s (%s), partition %d",
                 rd_kafka_err2str(m->err), rd_kafka_err2name(m->err), (int)m->partition);
    st->kc.host->counter_add(st->kc.self, "failed", 1);
}

int kout_check_delivery(struct kout_state *st)
{
    if (st->kc.fatal) {
        if (!st->failure_logged)
            kc_fail(&st->kc);
        st->failure_logged = true;
        return SLUICE_ERROR;
    }
    if (st->failed == 0)
        return SLUICE_OK;
    if (!st->failure_logged)
        st->kc.host->log(st->kc.self, SLUICE_LOG_ERROR,
                         "%llu message(s) could not be delivered to topic %s after librdkafka's "
                         "retries; the first: %s",
                         (unsigned long long)st->failed, st->cfg->topic, st->first_failure);
    st->failure_logged = true;
    return SLUICE_ERROR;
}
