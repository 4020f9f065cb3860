/*
 * Start-up checks, so configuration mistakes fail in seconds with a message
 * instead of a pipeline that silently waits: is any broker of the bootstrap
 * list reachable, and does a topic exist. Both use metadata requests, which
 * librdkafka sends with auto-creation off for consumers, so asking never
 * creates a topic.
 */
#include "kafka_client.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void nap_ms(int64_t ms)
{
    struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

bool kc_wait_for_brokers(struct kc_client *kc, int64_t timeout_ms, const char *option_name,
                         char *err, size_t errsize)
{
    int64_t deadline = kc_now_ms() + timeout_ms;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
    kc->quiet = true; /* the message below says it all */
    for (;;) {
        int64_t left = deadline - kc_now_ms();
        if (left <= 0)
            break;
        const struct rd_kafka_metadata *md = NULL;
        e = rd_kafka_metadata(kc->rk, 0, NULL, &md, (int)left);
        if (md)
            rd_kafka_metadata_destroy(md);
        rd_kafka_poll(kc->rk, 0); /* error callbacks: kc->last_error */
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
            kc->quiet = false;
            kc->last_error[0] = '\0';
            return true;
        }
        if (kc->fatal)
            break;
        left = deadline - kc_now_ms();
        if (left > 0)
            nap_ms(left < 100 ? left : 100);
    }
    kc->quiet = false;
    char d[SLUICE_DURATION_MAX];
    sluice_duration_format(timeout_ms, d, sizeof d);
    snprintf(err, errsize,
             "no broker of brokers = %s answered within %s (%s): %s; check the addresses "
             "and that Kafka runs and listens there",
             kc->brokers, d, option_name,
             kc->fatal ? kc->fatal_msg : kc->last_error[0] ? kc->last_error : rd_kafka_err2str(e));
    return false;
}

int kc_topic_exists(struct kc_client *kc, const char *topic, int timeout_ms, char *err,
                    size_t errsize)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(kc->rk, topic, NULL);
    if (!rkt) {
        snprintf(err, errsize, "topic '%s': %s", topic, rd_kafka_err2str(rd_kafka_last_error()));
        return -1;
    }
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(kc->rk, 0, rkt, &md, timeout_ms);
    rd_kafka_topic_destroy(rkt);
    if (e) {
        snprintf(err, errsize, "looking up topic '%s': %s", topic, rd_kafka_err2str(e));
        return -1;
    }
    int result = 1;
    if (md->topic_cnt < 1) {
        result = 0;
    } else {
        rd_kafka_resp_err_t te = md->topics[0].err;
        if (te == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            result = 0;
        else if (te == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
            snprintf(err, errsize, "topic '%s': %s (check the ACLs for this client)", topic,
                     rd_kafka_err2str(te));
            result = -1;
        }
        /* LEADER_NOT_AVAILABLE and friends: it exists, it is settling. */
    }
    rd_kafka_metadata_destroy(md);
    return result;
}
