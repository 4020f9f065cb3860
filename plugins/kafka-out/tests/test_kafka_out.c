/*
 * kafka-out without a broker: its options table as the host reads a
 * section (tests/unit/plugin_harness.h); bad values are refused with the
 * host's message before init. The broker-backed tests are in tests/kafka.
 */
#include "check.h"
#include "plugin_harness.h"

#include <stdio.h>

extern const struct sluice_plugin sluice_plugin;

int main(void)
{
    static const struct {
        const char *extra, *refused;
    } cases[] = {
        {"key = uid", "test.ini:4: [x] key: 'uid' is not one of: record, none"},
        {"flush_timeout = 50ms",
         "test.ini:4: [x] flush_timeout: 50ms is out of range: use 100ms to 1h"},
        {"connect_timeout = 2h",
         "test.ini:4: [x] connect_timeout: 2h is out of range: use 100ms to 1h"},
        {"rdkafka.bootstrap.servers = h:1",
         "test.ini:4: [x] rdkafka.bootstrap.servers: not allowed here: set by `brokers` (a list; "
         "one broker per continuation line)"},
        {"rdkafka.linger.ms = soon",
         "test.ini:4: [x] rdkafka.linger.ms: Invalid value for configuration property "
         "\"queue.buffering.max.ms\" (librdkafka)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char options[256];
        snprintf(options, sizeof options, "brokers = 127.0.0.1:1\ntopic = t\n%s", cases[i].extra);
        CHECK_STR_EQ(harness_refusal(&sluice_plugin, options), cases[i].refused);
    }
    CHECK_STR_EQ(harness_refusal(&sluice_plugin, "brokers = 127.0.0.1:1"),
                 "test.ini:1: [x] topic: missing required key (topic to write to)");
    CHECK_STR_EQ(harness_refusal(&sluice_plugin, "brokers = a:1, b:2\ntopic = t\nkey = none\n"
                                                 "flush_timeout = 1m30s"),
                 "(accepted)");
    CHECK(sluice_plugin.kind == SLUICE_KIND_SINK);
    return check_exit();
}
