/* kafka-in without a broker: start positions (ISO-8601 times), the
 * partition table and the checkpoint store's key map. The broker-backed
 * tests are the scripts in tests/kafka. */
#include "partitions.h"
#include "start_position.h"
#include "state_map.h"

#include <stdio.h>
#include <string.h>

#include "check.h"

static int64_t iso(const char *text)
{
    int64_t ms = -1;
    return kin_parse_iso8601(text, &ms) ? ms : -1;
}

static void test_iso8601(void)
{
    CHECK_INT_EQ(iso("1970-01-01"), 0);
    CHECK_INT_EQ(iso("1970-01-01T00:00:00Z"), 0);
    CHECK_INT_EQ(iso("2016-07-11T13:39:44Z"), 1468244384000LL);
    CHECK_INT_EQ(iso("2016-07-11T13:39:44"), 1468244384000LL);
    CHECK_INT_EQ(iso("2016-07-11 13:39:44z"), 1468244384000LL);
    CHECK_INT_EQ(iso("2016-07-11T15:39:44+02:00"), 1468244384000LL);
    CHECK_INT_EQ(iso("2016-07-11T08:09:44-0530"), 1468244384000LL);
    CHECK_INT_EQ(iso("2016-07-11T13:39:44.25Z"), 1468244384250LL);
    CHECK_INT_EQ(iso("2016-07-11T13:39Z"), 1468244340000LL);
    CHECK_INT_EQ(iso("2024-02-29"), 1709164800000LL);
    CHECK_INT_EQ(iso("2000-03-01T00:00:00Z"), 951868800000LL);
    CHECK_INT_EQ(iso("1969-12-31T23:59:59Z"), -1000);
    /* not times */
    CHECK_INT_EQ(iso("2023-02-29"), -1);
    CHECK_INT_EQ(iso("2024-13-01"), -1);
    CHECK_INT_EQ(iso("2024-11-01T24:00:00Z"), -1);
    CHECK_INT_EQ(iso("2024-11-01T10"), -1);
    CHECK_INT_EQ(iso("2024-11-01T10:00:00.Z"), -1);
    CHECK_INT_EQ(iso("2024-11-01T10:00:00Zjunk"), -1);
    CHECK_INT_EQ(iso("24-11-01"), -1);
    CHECK_INT_EQ(iso(""), -1);
    CHECK_INT_EQ(iso("yesterday"), -1);
}

static void test_start_parse(void)
{
    struct kin_start s;
    CHECK(kin_start_parse("earliest", &s) == NULL && s.kind == KIN_START_EARLIEST);
    CHECK(kin_start_parse("latest", &s) == NULL && s.kind == KIN_START_LATEST);
    CHECK(kin_start_parse("committed", &s) == NULL && s.kind == KIN_START_COMMITTED);
    CHECK(kin_start_parse("2024-11-01T00:00:00Z", &s) == NULL && s.kind == KIN_START_TIME &&
          s.time_ms == 1730419200000LL);
    CHECK(kin_start_parse("Earliest", &s) != NULL);
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
    test_iso8601();
    test_start_parse();
    test_start_apply();
    test_partitions();
    test_state_map();
    return check_exit();
}
