/*
 * Client configuration from a pipeline section. The order is: the bootstrap
 * list from `brokers`, the plugin's defaults, then the user's `rdkafka.*`
 * lines, so a user can override any default but not a key the plugin owns
 * (those are refused with the reason). librdkafka checks every passed-through
 * key and value itself; its message is reported with the pipeline line, and
 * a secret value never appears in a message or a log line.
 */
#include "kafka_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool kc_is_secret_key(const char *key)
{
    return strstr(key, "password") || strstr(key, "secret") ||
           strstr(key, "sasl.oauthbearer.config");
}

char *kc_join_brokers(const struct sluice_list *brokers)
{
    size_t len = 1;
    for (size_t i = 0; i < brokers->n; i++)
        len += strlen(brokers->items[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < brokers->n; i++) {
        size_t n = strlen(brokers->items[i]);
        if (i)
            s[j++] = ',';
        memcpy(s + j, brokers->items[i], n);
        j += n;
    }
    s[j] = '\0';
    return s;
}

/* Replace every occurrence of `secret` in `text` (in place, bounded). */
static void redact(char *text, size_t size, const char *secret)
{
    static const char mask[] = "(redacted)";
    size_t slen = strlen(secret);
    if (slen == 0)
        return;
    char out[1024];
    size_t o = 0;
    for (const char *p = text; *p && o + 1 < sizeof out;) {
        if (strncmp(p, secret, slen) == 0) {
            size_t m = strlen(mask);
            if (o + m >= sizeof out)
                break;
            memcpy(out + o, mask, m);
            o += m;
            p += slen;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    size_t keep = o < size ? o : size - 1;
    memcpy(text, out, keep);
    text[keep] = '\0';
}

static const char *locked_reason(const struct kc_locked *locked, const char *key)
{
    for (const struct kc_locked *l = locked; l && l->key; l++)
        if (strcmp(l->key, key) == 0)
            return l->why;
    return NULL;
}

/* librdkafka's log lines, from its own threads. Failures it retries by itself
 * also reach the error callback, which logs them throttled: here they stay
 * at debug level unless they are configuration warnings or worse. */
static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    struct kc_client *kc = rd_kafka_opaque(rk);
    if (!kc || !kc->host)
        return;
    /* librdkafka < 2.11 checks at connect time that the broker offers
     * JoinGroup v0; Apache Kafka 4.0 dropped it (librdkafka #4948). Only
     * its debug lines say so: kafka-in turns on the "feature" context. */
    if (strstr(buf, "BrokerBalancedConsumer") &&
        (strstr(buf, "NOT supported") || strstr(buf, "Disabling")))
        atomic_store(&kc->lacks_joingroup_v0, true);
    int ours;
    if (level <= 2)
        ours = SLUICE_LOG_ERROR;
    else if (strcmp(fac, "CONFWARN") == 0)
        ours = SLUICE_LOG_WARN;
    else if (kc->user_debug && level >= 7)
        ours = SLUICE_LOG_INFO;
    else
        ours = SLUICE_LOG_DEBUG;
    if (kc->host->log_enabled(kc->self, ours))
        kc->host->log(kc->self, ours, "librdkafka %s: %s", fac, buf);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    kc_handle_error(opaque, (rd_kafka_resp_err_t)err, reason);
}

static const struct kc_locked always_locked[] = {
    {"bootstrap.servers", "set by `brokers` (a list; one broker per continuation line)"},
    {"metadata.broker.list", "set by `brokers` (a list; one broker per continuation line)"},
    {NULL, NULL},
};

const char *kc_check_passthrough(const struct sluice_kv *kv, const struct kc_locked *locked)
{
    static char msg[768];
    const char *key = kv->key + strlen(KC_PREFIX);
    const char *why = locked_reason(always_locked, key);
    if (!why)
        why = locked_reason(locked, key);
    if (why) {
        snprintf(msg, sizeof msg, "not allowed here: %s", why);
        return msg;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!conf)
        return "out of memory";
    char err[512];
    rd_kafka_conf_res_t res = rd_kafka_conf_set(conf, key, kv->value, err, sizeof err);
    rd_kafka_conf_destroy(conf);
    if (res == RD_KAFKA_CONF_OK)
        return NULL;
    /* librdkafka ends some messages with a newline. */
    for (size_t n = strlen(err); n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '); n--)
        err[n - 1] = '\0';
    if (kc_is_secret_key(key))
        redact(err, sizeof err, kv->value);
    snprintf(msg, sizeof msg, "%s (librdkafka%s)", err,
             res == RD_KAFKA_CONF_UNKNOWN ? "; `kcat -X list` lists its keys" : "");
    return msg;
}

static bool set(struct kc_client *kc, rd_kafka_conf_t *conf, const char *key, const char *value,
                int line, char *err, size_t errsize)
{
    char why[512];
    rd_kafka_conf_res_t res = rd_kafka_conf_set(conf, key, value, why, sizeof why);
    if (res == RD_KAFKA_CONF_OK)
        return true;
    if (kc_is_secret_key(key))
        redact(why, sizeof why, value);
    const char *section = kc->host->instance_name(kc->self);
    if (line > 0)
        snprintf(err, errsize, "%s:%d: [%s] %s%s: %s (librdkafka%s)", kc->host->pipeline_file(),
                 line, section, KC_PREFIX, key, why,
                 res == RD_KAFKA_CONF_UNKNOWN ? "; `kcat -X list` lists its keys" : "");
    else
        snprintf(err, errsize, "[%s] %s: %s (librdkafka)", section, key, why);
    return false;
}

rd_kafka_conf_t *kc_conf_new(struct kc_client *kc, const struct sluice_list *brokers,
                             const struct kc_setting *defaults, const struct kc_locked *locked,
                             const struct sluice_kv_list *user, char *err, size_t errsize)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!conf) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    free(kc->brokers);
    kc->brokers = kc_join_brokers(brokers);
    if (!kc->brokers) {
        snprintf(err, errsize, "out of memory");
        goto fail;
    }
    if (!set(kc, conf, "bootstrap.servers", kc->brokers, 0, err, errsize))
        goto fail;
    for (const struct kc_setting *d = defaults; d && d->key; d++)
        if (!set(kc, conf, d->key, d->value, 0, err, errsize))
            goto fail;
    kc->user_debug = false;
    for (size_t i = 0; user && i < user->n; i++) {
        const struct sluice_kv *kv = &user->items[i];
        const char *key = kv->key + strlen(KC_PREFIX);
        const char *why = locked_reason(always_locked, key);
        if (!why)
            why = locked_reason(locked, key);
        if (why) {
            snprintf(err, errsize, "%s:%d: [%s] %s: not allowed here: %s",
                     kc->host->pipeline_file(), kv->line, kc->host->instance_name(kc->self),
                     kv->key, why);
            goto fail;
        }
        if (!set(kc, conf, key, kv->value, kv->line, err, errsize))
            goto fail;
        if (strcmp(key, "debug") == 0 && *kv->value)
            kc->user_debug = true;
    }
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_conf_set_opaque(conf, kc);
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

void kc_conf_log(struct kc_client *kc, const struct sluice_kv_list *user)
{
    if (!kc->host->log_enabled(kc->self, SLUICE_LOG_DEBUG))
        return;
    kc->host->log(kc->self, SLUICE_LOG_DEBUG, "bootstrap.servers = %s", kc->brokers);
    for (size_t i = 0; user && i < user->n; i++) {
        const struct sluice_kv *kv = &user->items[i];
        kc->host->log(kc->self, SLUICE_LOG_DEBUG, "%s = %s", kv->key,
                      kc_is_secret_key(kv->key) ? "(redacted)" : kv->value);
    }
}
