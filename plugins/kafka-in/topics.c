/*
 * Topics that may not exist yet. missing_topic = fail refuses them at
 * start-up; missing_topic = wait checks every few seconds (metadata requests
 * never create a topic) and subscribes once every listed topic exists.
 */
#include "kafka_in.h"

#include <stdio.h>
#include <string.h>

#define TOPIC_CHECK_EVERY_MS 2000
#define WAIT_LOG_EVERY_MS 30000

int kin_subscribe(struct kin_state *st)
{
    const struct kin_config *cfg = st->cfg;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)cfg->topics.n);
    for (size_t i = 0; i < cfg->topics.n; i++)
        rd_kafka_topic_partition_list_add(l, cfg->topics.items[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(st->kc.rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        st->kc.host->log(st->kc.self, SLUICE_LOG_ERROR, "subscribing to the topics failed: %s",
                         rd_kafka_err2str(e));
        return SLUICE_ERROR;
    }
    st->subscribed = true;
    st->subscribed_ms = kc_now_ms();
    st->kc.host->set_ready(st->kc.self, "waiting for the group to assign partitions");
    return SLUICE_OK;
}

/* Names of the topics that do not exist (yet), comma-separated into `buf`;
 * how many. -1 with `err` filled when the brokers could not tell. */
int kin_missing_topics(struct kin_state *st, char *buf, size_t size, char *err, size_t errsize)
{
    const struct kin_config *cfg = st->cfg;
    int missing = 0;
    size_t j = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < cfg->topics.n; i++) {
        const char *t = cfg->topics.items[i];
        if (t[0] == '^')
            continue; /* a pattern: nothing to check */
        int r = kc_topic_exists(&st->kc, t, (int)cfg->connect_timeout_ms, err, errsize);
        if (r < 0)
            return -1;
        if (r == 0) {
            int n = snprintf(buf + j, size - j, "%s%s", missing ? ", " : "", t);
            if (n > 0 && (size_t)n < size - j)
                j += (size_t)n;
            missing++;
        }
    }
    return missing;
}

void kin_start_waiting(struct kin_state *st, const char *names)
{
    st->kc.host->log(st->kc.self, SLUICE_LOG_WARN,
                     "topic %s does not exist yet; waiting for it (missing_topic = wait)", names);
    char why[600];
    snprintf(why, sizeof why, "waiting for topic %s to be created (missing_topic = wait)", names);
    st->kc.host->set_ready(st->kc.self, why);
    st->next_topic_check_ms = kc_now_ms() + TOPIC_CHECK_EVERY_MS;
    st->next_wait_log_ms = kc_now_ms() + WAIT_LOG_EVERY_MS;
}

/* missing_topic = wait: check every few seconds, subscribe once all exist. */
int kin_wait_for_topics(struct kin_state *st, int timeout_ms)
{
    rd_kafka_message_t *m = rd_kafka_consumer_poll(st->kc.rk, timeout_ms);
    if (m) {
        if (m->err)
            kin_on_event(st, m);
        rd_kafka_message_destroy(m);
    }
    int64_t now = kc_now_ms();
    if (now < st->next_topic_check_ms)
        return SLUICE_RETRY;
    st->next_topic_check_ms = now + TOPIC_CHECK_EVERY_MS;
    char names[512], err[512];
    int missing = kin_missing_topics(st, names, sizeof names, err, sizeof err);
    if (missing == 0)
        return kin_subscribe(st) == SLUICE_OK ? SLUICE_RETRY : SLUICE_ERROR;
    if (now >= st->next_wait_log_ms) {
        st->next_wait_log_ms = now + WAIT_LOG_EVERY_MS;
        st->kc.host->log(st->kc.self, SLUICE_LOG_WARN, "still waiting for topic %s",
                         missing > 0 ? names : err);
    }
    return SLUICE_RETRY;
}
