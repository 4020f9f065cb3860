/*
 * kafka-common without a broker: joining the bootstrap list, checking
 * rdkafka.* lines (keys the plugins own, unknown keys, bad values, with
 * librdkafka's own text and the pipeline line), building a configuration,
 * and what an error from librdkafka does to the client (fatal, quiet
 * start-up checks, the "all brokers down" summary that says less than the
 * error before it). The broker-backed paths run in tests/kafka.
 */
#include "check.h"
#include "host_api.h"
#include "kafka_client.h"

#include <stdlib.h>

static void test_join_brokers(void)
{
    char *items[] = {"a:9092", "b:9093", "[::1]:9094"};
    struct sluice_list l = {3, items};
    char *s = kc_join_brokers(&l);
    CHECK_STR_EQ(s, "a:9092,b:9093,[::1]:9094");
    free(s);
    l.n = 1;
    s = kc_join_brokers(&l);
    CHECK_STR_EQ(s, "a:9092");
    free(s);
}

static const struct kc_locked locked[] = {
    {"group.id", "set by `group`"},
    {NULL, NULL},
};

static const char *check(const char *key, const char *value)
{
    struct sluice_kv kv = {(char *)key, (char *)value, 3};
    return kc_check_passthrough(&kv, locked);
}

static void test_passthrough(void)
{
    CHECK(check("rdkafka.linger.ms", "50") == NULL);
    CHECK(check("rdkafka.client.id", "x") == NULL);
    CHECK_STR_EQ(check("rdkafka.bootstrap.servers", "h:1"),
                 "not allowed here: set by `brokers` (a list; one broker per continuation line)");
    CHECK_STR_EQ(check("rdkafka.group.id", "g"), "not allowed here: set by `group`");
    CHECK_STR_EQ(check("rdkafka.no.such.key", "1"),
                 "No such configuration property: \"no.such.key\" (librdkafka; `kcat -X list` "
                 "lists its keys)");
    /* librdkafka names the property by its canonical name (an alias here). */
    CHECK_STR_EQ(check("rdkafka.linger.ms", "soon"),
                 "Invalid value for configuration property \"queue.buffering.max.ms\" "
                 "(librdkafka)");
    /* Without a plugin list only the always-owned keys are refused. */
    struct sluice_kv kv = {"rdkafka.group.id", "g", 3};
    CHECK(kc_check_passthrough(&kv, NULL) == NULL);
}

static void test_conf_new(void)
{
    sluice_set_pipeline_file("p.ini");
    /* A standalone instance's section is the name given here. */
    struct sluice_instance *inst = sluice_instance_standalone("source");
    struct kc_client kc = {.self = inst, .host = sluice_host_api()};
    char *items[] = {"a:1", "b:2"};
    struct sluice_list brokers = {2, items};
    static const struct kc_setting defaults[] = {{"client.id", "sluice"}, {NULL, NULL}};
    struct sluice_kv good[] = {{"rdkafka.linger.ms", "5", 7}, {"rdkafka.debug", "broker", 8}};
    struct sluice_kv_list user = {.n = 2, .items = good};
    char err[1024] = "";
    rd_kafka_conf_t *conf = kc_conf_new(&kc, &brokers, defaults, locked, &user, err, sizeof err);
    CHECK(conf != NULL);
    CHECK_STR_EQ(kc.brokers, "a:1,b:2");
    CHECK(kc.user_debug);
    if (conf) {
        char v[64];
        size_t n = sizeof v;
        CHECK(rd_kafka_conf_get(conf, "bootstrap.servers", v, &n) == RD_KAFKA_CONF_OK);
        CHECK_STR_EQ(v, "a:1,b:2");
        n = sizeof v;
        CHECK(rd_kafka_conf_get(conf, "linger.ms", v, &n) == RD_KAFKA_CONF_OK);
        CHECK_STR_EQ(v, "5");
        rd_kafka_conf_destroy(conf);
    }
    struct sluice_kv owned[] = {{"rdkafka.group.id", "g", 9}};
    user = (struct sluice_kv_list){.n = 1, .items = owned};
    CHECK(kc_conf_new(&kc, &brokers, defaults, locked, &user, err, sizeof err) == NULL);
    CHECK_STR_EQ(err, "p.ini:9: [source] rdkafka.group.id: not allowed here: set by `group`");
    struct sluice_kv bad[] = {{"rdkafka.no.such.key", "1", 11}};
    user = (struct sluice_kv_list){.n = 1, .items = bad};
    CHECK(kc_conf_new(&kc, &brokers, defaults, locked, &user, err, sizeof err) == NULL);
    CHECK_STR_EQ(err, "p.ini:11: [source] rdkafka.no.such.key: No such configuration property: "
                      "\"no.such.key\" (librdkafka; `kcat -X list` lists its keys)");
    free(kc.brokers);
    sluice_instance_free(inst);
}

static void test_errors(void)
{
    struct sluice_instance *inst = sluice_instance_standalone("sink:kafka-out:out");
    struct kc_client kc = {.self = inst, .host = sluice_host_api()};
    kc.quiet = true; /* as during the start-up checks: kept, not logged */
    kc_handle_error(&kc, RD_KAFKA_RESP_ERR__TRANSPORT, "h:1/bootstrap: Connection refused");
    CHECK_STR_EQ(kc.last_error, "h:1/bootstrap: Connection refused");
    kc_handle_error(&kc, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, "1/1 brokers are down");
    CHECK_STR_EQ(kc.last_error, "h:1/bootstrap: Connection refused");
    CHECK(!kc.fatal);
    kc_handle_error(&kc, RD_KAFKA_RESP_ERR__FATAL, "producer fenced");
    CHECK(kc.fatal);
    CHECK_STR_EQ(kc.fatal_msg, "fatal error from librdkafka: _FATAL: producer fenced");
    CHECK_INT_EQ(kc_fail(&kc), SLUICE_ERROR);
    sluice_instance_free(inst);
}

int main(void)
{
    test_join_brokers();
    test_passthrough();
    test_conf_new();
    test_errors();
    return check_exit();
}
