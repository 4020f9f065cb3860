/*
 * Bringing a Kafka client up, the same way for the consumer (kafka-in) and
 * the producer (kafka-out): the configuration from the section's options,
 * the plugin's own callbacks, the client itself, and a broker check, so a
 * wrong address fails in connect_timeout with a message, not later in a
 * pipeline that silently waits.
 */
#include "kafka_client.h"

#include <stdio.h>

bool kc_client_start(struct kc_client *kc, const struct kc_start *how)
{
    char err[1024];
    rd_kafka_conf_t *conf = kc_conf_new(kc, how->brokers, how->defaults, how->locked,
                                        how->user, err, sizeof err);
    if (!conf) {
        kc->host->log(kc->self, SLUICE_LOG_ERROR, "%s", err);
        return false;
    }
    if (how->customize)
        how->customize(conf);
    kc->rk = rd_kafka_new(how->type, conf, err, sizeof err);
    if (!kc->rk) {
        rd_kafka_conf_destroy(conf);
        kc->host->log(kc->self, SLUICE_LOG_ERROR, "creating the %s: %s",
                      how->type == RD_KAFKA_CONSUMER ? "consumer" : "producer", err);
        return false;
    }
    /* conf is now owned by rk */
    kc_conf_log(kc, how->user);
    if (!kc_wait_for_brokers(kc, how->connect_timeout_ms, "connect_timeout", err, sizeof err)) {
        kc->host->log(kc->self, SLUICE_LOG_ERROR, "%s", err);
        return false;
    }
    return true;
}
