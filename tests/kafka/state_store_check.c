/*
 * kafka-in's checkpoint store (plugins/kafka-in/state_store.c) against a
 * real broker, without a pipeline around it:
 *
 *   state-store-check BROKERS TOPIC
 *
 * - a missing state topic is created, compacted, with max.message.bytes
 *   raised (asked of the broker here with DescribeConfigs);
 * - what one store writes, a second store (another instance) reads back,
 *   byte for byte, including an item of 3 MB (over the broker's default
 *   1 MB message limit) and an empty value;
 * - the second store keeps what it read until it is told partitions were
 *   assigned (invalidate), then sees the first one's newer items;
 * - a key nobody wrote is SLUICE_END;
 * - a store on brokers that do not answer fails a write and a read after
 *   state_timeout, with a message (state-store.sh checks the messages).
 *
 * The host is a stand-in: log lines go to stderr.
 */
#include "../../plugins/kafka-in/state_store.h"

#include "check.h"

#include <stdarg.h>
#include <stdlib.h>

static void test_log(struct sluice_instance *self, int level, const char *fmt, ...)
{
    (void)self;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[%d] ", level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static bool test_log_enabled(struct sluice_instance *self, int level)
{
    (void)self;
    return level <= SLUICE_LOG_INFO;
}

static const char *test_name(struct sluice_instance *self)
{
    (void)self;
    return "source";
}

static const char *test_file(void)
{
    return "state-store-check.ini";
}

static const struct sluice_host_api host = {
    .abi_version = SLUICE_ABI_VERSION,
    .struct_size = sizeof host,
    .log = test_log,
    .log_enabled = test_log_enabled,
    .instance_name = test_name,
    .pipeline_file = test_file,
};

static struct sluice_list one_broker(const char *addr)
{
    static char *items[1];
    items[0] = (char *)addr;
    return (struct sluice_list){.n = 1, .items = items};
}

static const struct sluice_kv_list no_settings = {0, NULL};

/* The store's value of `key` equals `len` bytes at `want`. */
static void check_value(struct kin_store *s, const char *key, const void *want, size_t len)
{
    void *v = NULL;
    size_t n = 0;
    int rc = kin_store_read(s, key, &v, &n);
    CHECK_INT_EQ(rc, SLUICE_OK);
    CHECK_INT_EQ(n, len);
    if (rc == SLUICE_OK && n == len)
        CHECK(memcmp(v, want, len) == 0);
    free(v);
}

/* The broker's config value `name` of `topic` (malloc'd) or NULL. */
static char *topic_config(const char *brokers, const char *topic, const char *name)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DescribeConfigs(rk, &cr, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 10000);
    char *value = NULL;
    const rd_kafka_DescribeConfigs_result_t *res =
        ev ? rd_kafka_event_DescribeConfigs_result(ev) : NULL;
    size_t n = 0, nc = 0;
    const rd_kafka_ConfigResource_t **rs =
        res ? rd_kafka_DescribeConfigs_result_resources(res, &n) : NULL;
    const rd_kafka_ConfigEntry_t **ce = n == 1 ? rd_kafka_ConfigResource_configs(rs[0], &nc) : NULL;
    for (size_t i = 0; i < nc; i++)
        if (strcmp(rd_kafka_ConfigEntry_name(ce[i]), name) == 0 && rd_kafka_ConfigEntry_value(ce[i]))
            value = strdup(rd_kafka_ConfigEntry_value(ce[i]));
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_ConfigResource_destroy(cr);
    rd_kafka_destroy(rk);
    return value;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: state-store-check BROKERS TOPIC\n");
        return 2;
    }
    const char *brokers = argv[1], *topic = argv[2];
    struct sluice_list bl = one_broker(brokers);

    struct kin_store a, b;
    CHECK(kin_store_init(&a, NULL, &host, &bl, "g", topic, &no_settings, 20000));
    CHECK(kin_store_init(&b, NULL, &host, &bl, "g", topic, &no_settings, 20000));

    /* A fresh topic: nothing there yet. */
    void *v = NULL;
    size_t n = 0;
    CHECK_INT_EQ(kin_store_read(&b, "p/frames/0", &v, &n), SLUICE_END);

    size_t big_len = 3 * 1024 * 1024;
    unsigned char *big = malloc(big_len);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (unsigned char)(i * 2654435761u >> 13);
    const struct sluice_state_item first[] = {
        {"p/frames/0", "zero-1", 6},
        {"p/frames/1", big, big_len},
        {"instance", "", 0},
    };
    CHECK_INT_EQ(kin_store_write(&a, first, 3), SLUICE_OK);

    char *policy = topic_config(brokers, topic, "cleanup.policy");
    char *max_bytes = topic_config(brokers, topic, "max.message.bytes");
    CHECK_STR_EQ(policy ? policy : "(none)", "compact");
    CHECK_INT_EQ(max_bytes ? atoll(max_bytes) : 0, KIN_STATE_MAX_BYTES);
    free(policy);
    free(max_bytes);

    /* b read the (empty) topic before: it must be told to look again. */
    CHECK_INT_EQ(kin_store_read(&b, "p/frames/0", &v, &n), SLUICE_END);
    kin_store_invalidate(&b);
    check_value(&b, "p/frames/0", "zero-1", 6);
    check_value(&b, "p/frames/1", big, big_len);
    check_value(&b, "instance", "", 0);
    CHECK_INT_EQ(kin_store_read(&b, "p/frames/2", &v, &n), SLUICE_END);

    /* Newer items of a: b reads on from where it stopped. */
    const struct sluice_state_item second[] = {{"p/frames/0", "zero-2", 6}};
    CHECK_INT_EQ(kin_store_write(&a, second, 1), SLUICE_OK);
    check_value(&a, "p/frames/0", "zero-2", 6); /* its own write, at once */
    check_value(&b, "p/frames/0", "zero-1", 6);
    kin_store_invalidate(&b);
    check_value(&b, "p/frames/0", "zero-2", 6);
    check_value(&b, "p/frames/1", big, big_len);

    /* A third store, reading the whole topic from its start. */
    struct kin_store c;
    CHECK(kin_store_init(&c, NULL, &host, &bl, "g", topic, &no_settings, 20000));
    check_value(&c, "p/frames/0", "zero-2", 6);
    check_value(&c, "p/frames/1", big, big_len);
    kin_store_free(&c);
    kin_store_free(&a);
    kin_store_free(&b);
    free(big);

    /* Nobody listening: both fail after state_timeout. */
    struct sluice_list dead = one_broker("127.0.0.1:1");
    struct kin_store d;
    CHECK(kin_store_init(&d, NULL, &host, &dead, "g", topic, &no_settings, 1500));
    CHECK_INT_EQ(kin_store_write(&d, first, 1), SLUICE_ERROR);
    CHECK_INT_EQ(kin_store_read(&d, "p/frames/0", &v, &n), SLUICE_ERROR);
    kin_store_free(&d);
    return check_exit();
}
