/*
 * librdkafka's errors, turned into log lines a person can read and into a
 * stop when nothing else can help. librdkafka retries broken connections by
 * itself, so a broker that is down reports the same error every few hundred
 * milliseconds: one line per error code per KC_LOG_EVERY_MS is plenty, and
 * the next line says how many were held back. A fatal error (idempotent
 * producer sequence trouble, a fenced consumer) cannot be retried: it is kept
 * for the plugin to return SLUICE_ERROR with.
 */
#include "kafka_client.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The slot for `code`, or the least recently used one. */
static struct kc_throttle_slot *slot_for(struct kc_client *kc, int code)
{
    struct kc_throttle_slot *oldest = &kc->throttle[0];
    for (int i = 0; i < KC_THROTTLE_SLOTS; i++) {
        struct kc_throttle_slot *s = &kc->throttle[i];
        if (s->last_ms != 0 && s->code == code)
            return s;
        if (s->last_ms < oldest->last_ms)
            oldest = s;
    }
    oldest->code = code;
    oldest->last_ms = 0;
    oldest->held = 0;
    return oldest;
}

void kc_handle_error(struct kc_client *kc, rd_kafka_resp_err_t err, const char *reason)
{
    /* "2/2 brokers are down" says less than the connection error before it. */
    if (err != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || !kc->last_error[0])
        snprintf(kc->last_error, sizeof kc->last_error, "%s",
                 reason ? reason : rd_kafka_err2str(err));
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[400] = "";
        rd_kafka_resp_err_t orig = kc->rk ? rd_kafka_fatal_error(kc->rk, why, sizeof why) : err;
        kc_set_fatal(kc, "fatal error from librdkafka: %s: %s", rd_kafka_err2name(orig),
                     why[0] ? why : kc->last_error);
        return;
    }
    if (kc->quiet)
        return;
    int64_t now = kc_now_ms();
    struct kc_throttle_slot *s = slot_for(kc, (int)err);
    if (s->last_ms != 0 && now - s->last_ms < KC_LOG_EVERY_MS) {
        s->held++;
        return;
    }
    const char *text = reason ? reason : rd_kafka_err2str(err);
    if (s->held)
        kc->host->log(kc->self, SLUICE_LOG_WARN, "%s (%s; %u more like it in the last %d s)",
                      text, rd_kafka_err2name(err), s->held, (int)((now - s->last_ms) / 1000));
    else
        kc->host->log(kc->self, SLUICE_LOG_WARN, "%s (%s; librdkafka retries by itself)", text,
                      rd_kafka_err2name(err));
    s->last_ms = now;
    s->held = 0;
}

void kc_set_fatal(struct kc_client *kc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(kc->fatal_msg, sizeof kc->fatal_msg, fmt, ap);
    va_end(ap);
    kc->fatal = true;
}

int kc_fail(struct kc_client *kc)
{
    kc->host->log(kc->self, SLUICE_LOG_ERROR, "%s", kc->fatal_msg);
    return SLUICE_ERROR;
}
