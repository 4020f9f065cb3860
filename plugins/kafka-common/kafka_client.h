/*
 * What kafka-in and kafka-out share about talking to librdkafka: the option
 * rows both have (brokers, connect_timeout, rdkafka.*), one client bring-up
 * (kafka_client.c: configuration, client, broker check), building the
 * client configuration from the section's options (kafka_conf.c, with
 * `rdkafka.*` passed through and checked by librdkafka itself), routing
 * librdkafka's log and error callbacks to the host's log without flooding
 * it (kafka_errors.c), and the start-up checks (kafka_probe.c: is any
 * broker reachable, does a topic exist). The files call one way only:
 * kafka_client.c uses the other three, kafka_conf.c installs
 * kafka_errors.c's handler; kafka_errors.c and kafka_probe.c use none.
 *
 * Both plugins put a `struct kc_client` first in their state and hand that
 * state to librdkafka as the opaque, so every callback finds the client.
 *
 * Built as a libtool convenience library (plugins/kafka-common/local.mk)
 * linked into both plugins; nothing here is exported from the .so files.
 */
#ifndef SLUICE_KAFKA_CLIENT_H
#define SLUICE_KAFKA_CLIENT_H

#include "sluice_time.h"

#include <librdkafka/rdkafka.h>
#include <sluice/plugin.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The prefix of passed-through options in the pipeline file. */
#define KC_PREFIX "rdkafka."

/* How often the same kind of error is logged at most. */
#define KC_LOG_EVERY_MS 10000

/* One error code's throttling state. */
struct kc_throttle_slot {
    int code;
    int64_t last_ms;
    unsigned held; /* lines not printed since last_ms */
};

#define KC_THROTTLE_SLOTS 8

struct kc_client {
    struct sluice_instance *self;
    const struct sluice_host_api *host;
    rd_kafka_t *rk;
    char *brokers; /* the bootstrap list as given to librdkafka: "a:1,b:2" */
    bool user_debug; /* rdkafka.debug was set: show librdkafka's debug lines */

    /* Set by the error callback (the polling thread). */
    bool fatal;
    char fatal_msg[512];
    char last_error[512]; /* the latest error text, for start-up failures */
    bool quiet;           /* start-up checks: keep errors for their message */

    /* Set from librdkafka's own threads (log callback): its feature check
     * found a broker without JoinGroup v0 (Apache Kafka 4.x, KIP-896), so
     * librdkafka < 2.11 flags its balanced consumer as unsupported there. */
    atomic_bool lacks_joingroup_v0;

    struct kc_throttle_slot throttle[KC_THROTTLE_SLOTS];
};

/* A client setting the plugin chooses by default; rdkafka.* may override. */
struct kc_setting {
    const char *key;
    const char *value;
};

/* A setting the plugin owns: rdkafka.<key> is refused with `why`. */
struct kc_locked {
    const char *key;
    const char *why;
};

/* The option rows both plugins have; `config` is the plugin's config struct
 * and `field` the member the host fills. The rdkafka.* row takes the
 * plugin's validator (it knows the keys the plugin owns) and its doc. */
#define KC_OPTION_BROKERS(config, field)                                                           \
    SLUICE_LIST_OPTION("brokers", config, field, .flags = SLUICE_OPT_REQUIRED | SLUICE_OPT_NONEMPTY, \
                       .doc = "bootstrap brokers host:port (a list; one per indented "           \
                              "continuation line)")
#define KC_OPTION_CONNECT_TIMEOUT(config, field)                                                   \
    SLUICE_DURATION_OPTION("connect_timeout", config, field, .default_value = "10s", .min = 100,  \
                           .max = 3600000,                                                         \
                           .doc = "fail at start-up when no broker answers within this time")
#define KC_OPTION_RDKAFKA(config, field, validator, text)                                          \
    SLUICE_PREFIX_OPTION(KC_PREFIX, config, field, .validate = (validator), .doc = (text))

/* How a plugin wants its client: see kc_client_start. */
struct kc_start {
    rd_kafka_type_t type; /* RD_KAFKA_CONSUMER or RD_KAFKA_PRODUCER */
    const struct sluice_list *brokers;
    const struct kc_setting *defaults; /* the plugin's, before rdkafka.* lines */
    const struct kc_locked *locked;    /* keys the plugin owns, or NULL */
    const struct sluice_kv_list *user; /* the rdkafka.* lines */
    int64_t connect_timeout_ms;
    /* Adds the plugin's own callbacks (rebalance, delivery reports) to the
     * configuration before the client is made; NULL for none. */
    void (*customize)(rd_kafka_conf_t *conf);
};

/* The bring-up both plugins share: the configuration (kc_conf_new), the
 * plugin's callbacks, the client (kc->rk), its settings logged at debug
 * level, and a wait of up to connect_timeout for a broker to answer. False
 * when any step failed, with the reason logged; kc->rk may then be set
 * (the plugin's cleanup destroys it, as after a later failure). Call it
 * before rd_kafka_poll_set_consumer(). */
bool kc_client_start(struct kc_client *kc, const struct kc_start *how);

/* Milliseconds on the monotonic clock (libsluice-support's clock, under the
 * name the Kafka plugins use). */
static inline int64_t kc_now_ms(void)
{
    return sluice_clock_monotonic_ms();
}

/* True for keys whose values must never be logged (passwords, secrets,
 * OAUTHBEARER configs). */
bool kc_is_secret_key(const char *key);

/* Join the `brokers` list into librdkafka's comma-separated form. Returns a
 * malloc'd string, or NULL when out of memory. */
char *kc_join_brokers(const struct sluice_list *brokers);

/* Build a client configuration: bootstrap.servers from `brokers`, then the
 * plugin's `defaults`, then every `rdkafka.*` entry of `user` (a locked key
 * is refused). Installs the log and error callbacks and `kc` as the opaque.
 * On a bad key or value returns NULL and puts into `err` a message naming
 * the pipeline line, the key and librdkafka's own text (secret values are
 * replaced by "(redacted)"). Sets kc->brokers and kc->user_debug. */
rd_kafka_conf_t *kc_conf_new(struct kc_client *kc, const struct sluice_list *brokers,
                             const struct kc_setting *defaults, const struct kc_locked *locked,
                             const struct sluice_kv_list *user, char *err, size_t errsize);

/* Check one `rdkafka.*` entry before anything starts (the host calls this
 * through the PREFIX option row's validator, so `sluice --validate` sees
 * it): a key the plugin owns, an unknown key or a bad value gives a message
 * with librdkafka's own text, secrets redacted; NULL if fine. */
const char *kc_check_passthrough(const struct sluice_kv *kv, const struct kc_locked *locked);

/* Log the effective non-default settings at debug level, secrets redacted. */
void kc_conf_log(struct kc_client *kc, const struct sluice_kv_list *user);

/* The error callback's work, also used for error events from the consumer
 * queue: fatal errors set kc->fatal (with librdkafka's reason), others are
 * logged as warnings at most once per KC_LOG_EVERY_MS per error code. */
void kc_handle_error(struct kc_client *kc, rd_kafka_resp_err_t err, const char *reason);

/* Wait up to `timeout_ms` until a broker of the bootstrap list answers a
 * metadata request. False if none did; `err` then says which brokers were
 * tried, for how long, and librdkafka's last error. Call before
 * rd_kafka_poll_set_consumer() (it serves the main queue). */
bool kc_wait_for_brokers(struct kc_client *kc, int64_t timeout_ms, const char *option_name,
                         char *err, size_t errsize);

/* Does `topic` exist? 1 yes, 0 no, -1 could not tell (`err` says why).
 * Never creates the topic. */
int kc_topic_exists(struct kc_client *kc, const char *topic, int timeout_ms, char *err,
                    size_t errsize);

/* Record a fatal error: the plugin's next callback returns SLUICE_ERROR
 * with this message (printf-style; truncated to fit). */
void kc_set_fatal(struct kc_client *kc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Put the client's fatal error into the log and return SLUICE_ERROR. */
int kc_fail(struct kc_client *kc);

#endif /* SLUICE_KAFKA_CLIENT_H */
