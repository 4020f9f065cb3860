/* kafka-in without a broker: start positions (keywords and times), the
 * partition table, the checkpoint store's key map and the options table.
 * The broker-backed tests are the scripts in tests/kafka. */
#include "partitions.h"
#include "start_position.h"
#include "state_map.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "plugin_harness.h"

extern const struct sluice_plugin sluice_plugin;

static void test_start_parse(void)
{
    struct kin_start s;
    CHECK(kin_start_parse("earliest", &s) == NULL && s.kind == KIN_START_EARLIEST);
    CHECK(kin_start_parse("latest", &s) == NULL && s.kind == KIN_START_LATEST);
    CHECK(kin_start_parse("committed", &s) == NULL && s.kind == KIN_START_COMMITTED);
    CHECK(kin_start_parse("2024-11-01T00:00:00Z", &s) == NULL && s.kind == KIN_START_TIME &&
          s.time_ms == 1730419200000LL);
    CHECK(kin_start_parse("2016-07-11T15:39:44+02:00", &s) == NULL &&
          s.time_ms == 1468244384000LL);
    CHECK(kin_start_parse("Earliest", &s) != NULL);
    /* A time with a mistake says which (the parser's own tests are in
     * lib/tests/test_time.c). */
    CHECK_STR_EQ(kin_start_parse("2023-02-29", &s),
                 "no such day in that month (29 February needs a leap year)");
    const char *bad = "beginning";
    CHECK_STR_EQ(kin_start_validate(&bad),
                 "use earliest, latest, committed or an ISO-8601 time such as "
                 "2024-11-01T00:00:00Z");
}

static void test_start_apply(void)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(3);
    for (int p = 0; p < 3; p++)
        rd_kafka_topic_partition_list_add(l, "frames", p);
    bool fresh[3] = {true, false, true};
    struct kin_start s = {KIN_START_EARLIEST, 0};
    char err[256];
    CHECK(kin_start_apply(NULL, &s, l, fresh, 1000, err, sizeof err));
    CHECK_INT_EQ(l->elems[0].offset, RD_KAFKA_OFFSET_BEGINNING);
    CHECK_INT_EQ(l->elems[1].offset, RD_KAFKA_OFFSET_INVALID); /* seen before: committed */
    CHECK_INT_EQ(l->elems[2].offset, RD_KAFKA_OFFSET_BEGINNING);
    s.kind = KIN_START_LATEST;
    CHECK(kin_start_apply(NULL, &s, l, fresh, 1000, err, sizeof err));
    CHECK_INT_EQ(l->elems[0].offset, RD_KAFKA_OFFSET_END);
    CHECK_INT_EQ(l->elems[1].offset, RD_KAFKA_OFFSET_INVALID);
    s.kind = KIN_START_COMMITTED;
    CHECK(kin_start_apply(NULL, &s, l, fresh, 1000, err, sizeof err));
    CHECK_INT_EQ(l->elems[2].offset, RD_KAFKA_OFFSET_INVALID);
    rd_kafka_topic_partition_list_destroy(l);
}

static void test_partitions(void)
{
    struct kin_parts t = {0};
    bool is_new;
    for (int i = 0; i < 40; i++) {
        struct kin_part *p = kin_parts_get(&t, i % 2 ? "a" : "b", i, &is_new);
        CHECK(p && is_new && p->end == -1 && p->acked == -1 && !p->assigned && !p->done);
        p->assigned = i < 10;
        p->done = i < 4;
    }
    struct kin_part *p = kin_parts_get(&t, "a", 3, &is_new);
    CHECK(p && !is_new && p->partition == 3);
    CHECK(kin_parts_find(&t, "b", 3) == NULL);
    CHECK(kin_parts_find(&t, "b", 38) != NULL);
    size_t done, assigned = kin_parts_assigned(&t, &done);
    CHECK_INT_EQ(assigned, 10);
    CHECK_INT_EQ(done, 4);
    kin_parts_free(&t);
    CHECK_INT_EQ(kin_parts_assigned(&t, &done), 0);
}

/* The options table as the host reads a section: bad values are refused
 * with the host's message before init (so no broker is needed). */
static void test_options(void)
{
    static const struct {
        const char *extra, *refused;
    } cases[] = {
        {"start = 2023-02-29",
         "test.ini:5: [x] start: no such day in that month (29 February needs a leap year)"},
        {"start = yesterday",
         "test.ini:5: [x] start: use earliest, latest, committed or an ISO-8601 time such as "
         "2024-11-01T00:00:00Z"},
        {"connect_timeout = 50ms",
         "test.ini:5: [x] connect_timeout: 50ms is out of range: use 100ms to 1h"},
        {"join_timeout = 1mo",
         "test.ini:5: [x] join_timeout: months have no fixed length: use days (30d), or a "
         "calendar window (month)"},
        {"rdkafka.enable.auto.offset.store = true",
         "test.ini:5: [x] rdkafka.enable.auto.offset.store: not allowed here: kafka-in stores an "
         "offset only after the host acknowledged its batch (at-least-once)"},
        {"rdkafka.no.such.key = 1",
         "test.ini:5: [x] rdkafka.no.such.key: No such configuration property: \"no.such.key\" "
         "(librdkafka; `kcat -X list` lists its keys)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char options[256];
        snprintf(options, sizeof options, "brokers = 127.0.0.1:1\ntopic = t\ngroup = g\n%s",
                 cases[i].extra);
        CHECK_STR_EQ(harness_refusal(&sluice_plugin, options), cases[i].refused);
    }
    CHECK_STR_EQ(harness_refusal(&sluice_plugin, "topic = t"),
                 "test.ini:1: [x] brokers: missing required key (bootstrap brokers host:port (a "
                 "list; one per indented continuation line))");
    CHECK_STR_EQ(harness_refusal(&sluice_plugin, "brokers = h:1\ntopic = t\ngroup = g\n"
                                                 "start = 2024-11-01T00:00:00+01:00"),
                 "(accepted)");
}

/* The map against a plain array model: random puts (new keys and
 * overwrites), removals (which must not break the probe runs of other
 * keys) and lookups, over enough keys to grow the table several times. */
static void test_state_map(void)
{
    enum { KEYS = 500, STEPS = 20000 };
    static int model[KEYS]; /* 0: absent, else the value's length */
    struct kin_map m = {0};
    uint64_t x = 88172645463325252ull;
    char key[32], value[64];
    memset(value, 'v', sizeof value);
    for (int step = 0; step < STEPS; step++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int k = (int)(x % KEYS), op = (int)((x >> 20) % 4);
        int klen = snprintf(key, sizeof key, "p/topic-%d/%d", k % 7, k);
        if (op == 0) {
            kin_map_remove(&m, key, (size_t)klen);
            model[k] = 0;
        } else {
            int len = 1 + (int)((x >> 30) % 60);
            value[0] = (char)k;
            CHECK(kin_map_put(&m, key, (size_t)klen, value, (size_t)len));
            model[k] = len;
        }
    }
    size_t present = 0;
    for (int k = 0; k < KEYS; k++) {
        snprintf(key, sizeof key, "p/topic-%d/%d", k % 7, k);
        const struct kin_map_entry *e = kin_map_get(&m, key);
        present += model[k] != 0;
        if (model[k] == 0) {
            CHECK(e == NULL);
            continue;
        }
        CHECK(e != NULL);
        if (e) {
            CHECK_INT_EQ(e->len, model[k]);
            CHECK_INT_EQ(((const char *)e->value)[0], (char)k);
        }
    }
    CHECK_INT_EQ(m.n, present);
    CHECK(kin_map_put(&m, "empty", 5, NULL, 0));
    const struct kin_map_entry *e = kin_map_get(&m, "empty");
    CHECK(e && e->len == 0);
    /* The key length counts, not a NUL: "abc" from "abcdef". */
    CHECK(kin_map_put(&m, "abcdef", 3, "x", 1));
    CHECK(kin_map_get(&m, "abc") != NULL && kin_map_get(&m, "abcdef") == NULL);
    kin_map_free(&m);
    CHECK(kin_map_get(&m, "abc") == NULL);
}

int main(void)
{
    test_options();
    test_start_parse();
    test_start_apply();
    test_partitions();
    test_state_map();
    return check_exit();
}
