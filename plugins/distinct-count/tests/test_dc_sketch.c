/*
 * The sketch: register encoding, explicit -> dense, estimates, merge
 * properties (merge(A,B) equals the sketch of A∪B byte for byte;
 * commutative, associative, idempotent) and the serialized form.
 */
#include "check.h"
#include "sketch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64: a stream of independent uniform 64-bit "hashes". */
static uint64_t next_hash(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Serialize into a malloc'd buffer. */
static uint8_t *ser(const struct dc_sketch *s, size_t *len)
{
    *len = dc_sketch_serialized_size(s);
    uint8_t *b = malloc(*len);
    size_t n = dc_sketch_serialize(s, b, *len);
    CHECK(n == *len);
    return b;
}

static int same_bytes(const struct dc_sketch *a, const struct dc_sketch *b)
{
    size_t la, lb;
    uint8_t *x = ser(a, &la), *y = ser(b, &lb);
    int same = la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

static void test_register_encoding(void)
{
    /* The worked example of sketch.c's essay, p = 13, register 0. */
    uint8_t regs[1 << 13] = {0};
    const unsigned p = 13;
    CHECK(dc_ull_update(regs, p, UINT64_C(1) << (64 - p - 3))); /* k = 3 */
    CHECK_INT_EQ(regs[0], 0x38);
    CHECK(dc_ull_update(regs, p, UINT64_C(1) << (64 - p - 2))); /* k = 2 */
    CHECK_INT_EQ(regs[0], 0x3A);
    CHECK(dc_ull_update(regs, p, UINT64_C(1) << (64 - p - 5))); /* k = 5 */
    CHECK_INT_EQ(regs[0], 0x41);
    /* Idempotent: the same hash again changes nothing. */
    CHECK(!dc_ull_update(regs, p, UINT64_C(1) << (64 - p - 5)));
    /* A lower level below the two kept is forgotten: no change. */
    CHECK(!dc_ull_update(regs, p, UINT64_C(1) << (64 - p - 1)));
    CHECK_INT_EQ(regs[0], 0x41);
    /* k = 1 into an empty register: top = p - 1. */
    CHECK(dc_ull_update(regs, p, (UINT64_C(5) << (64 - p)) | (UINT64_C(1) << (63 - p))));
    CHECK_INT_EQ(regs[5], (p - 1) << 2);
    /* All-zero suffix: capped level 65 - p, top bit 63. */
    CHECK(dc_ull_update(regs, p, UINT64_C(7) << (64 - p)));
    CHECK_INT_EQ(regs[7], 63 << 2);
    /* The last index is reached. */
    CHECK(dc_ull_update(regs, p, UINT64_MAX));
    CHECK_INT_EQ(regs[(1 << 13) - 1], (p - 1) << 2);
}

static void test_explicit_then_dense(void)
{
    struct dc_sketch s;
    dc_sketch_init(&s, 13, DC_SKETCH_EXPLICIT_MAX);
    CHECK_INT_EQ(dc_sketch_count(&s), 0);
    CHECK(dc_sketch_rse(&s) == 0);
    uint64_t seed = 1;
    for (unsigned i = 0; i < DC_SKETCH_EXPLICIT_MAX; i++) {
        uint64_t h = next_hash(&seed);
        CHECK_INT_EQ(dc_sketch_add(&s, h), 1);
        CHECK_INT_EQ(dc_sketch_add(&s, h), 0); /* duplicates never count */
    }
    CHECK(!dc_sketch_is_dense(&s));
    CHECK_INT_EQ(dc_sketch_count(&s), DC_SKETCH_EXPLICIT_MAX);
    char buf[24];
    CHECK_STR_EQ(dc_sketch_estimator(&s, buf, sizeof buf), "exact");
    /* The zero hash is a member like any other. */
    struct dc_sketch z;
    dc_sketch_init(&z, 13, DC_SKETCH_EXPLICIT_MAX);
    CHECK_INT_EQ(dc_sketch_add(&z, 0), 1);
    CHECK_INT_EQ(dc_sketch_add(&z, 0), 0);
    CHECK_INT_EQ(dc_sketch_count(&z), 1);
    dc_sketch_free(&z);

    /* The 1025th distinct hash makes it dense. */
    CHECK_INT_EQ(dc_sketch_add(&s, next_hash(&seed)), 1);
    CHECK(dc_sketch_is_dense(&s));
    CHECK_STR_EQ(dc_sketch_estimator(&s, buf, sizeof buf), "ull-p13");
    CHECK(fabs(dc_sketch_rse(&s) - 0.0084064) < 1e-6);
    CHECK_INT_EQ(dc_sketch_bytes(&s), 8192);
    /* With 1025 hashes in 8192 registers the estimate is within a few %. */
    double e = dc_sketch_estimate(&s);
    CHECK(fabs(e / 1025 - 1) < 0.03);
    dc_sketch_free(&s);

    /* Exact mode never leaves the explicit phase. */
    dc_sketch_init(&s, 13, DC_SKETCH_NO_LIMIT);
    for (unsigned i = 0; i < 50000; i++)
        dc_sketch_add(&s, next_hash(&seed));
    CHECK(!dc_sketch_is_dense(&s));
    CHECK_INT_EQ(dc_sketch_count(&s), 50000);
    dc_sketch_free(&s);
}

static void build(struct dc_sketch *s, unsigned p, uint64_t seed, unsigned n)
{
    dc_sketch_init(s, p, DC_SKETCH_EXPLICIT_MAX);
    for (unsigned i = 0; i < n; i++)
        dc_sketch_add(s, next_hash(&seed));
}

/* A = seeds sa (na hashes), B = seeds sb (nb): overlapping when sa == sb. */
static void test_merge_properties(void)
{
    const unsigned sizes[] = {0, 1, 10, 600, 1024, 1025, 3000, 100000};
    const size_t ns = sizeof sizes / sizeof *sizes;
    for (size_t i = 0; i < ns; i++) {
        for (size_t j = 0; j < ns; j++) {
            for (int overlap = 0; overlap < 2; overlap++) {
                unsigned na = sizes[i], nb = sizes[j];
                uint64_t sa = 100 + i, sb = overlap ? sa : 200 + j;
                struct dc_sketch a, b, ab, ba, u;
                build(&a, 12, sa, na);
                build(&b, 12, sb, nb);
                /* The sketch of the union, built directly. */
                dc_sketch_init(&u, 12, DC_SKETCH_EXPLICIT_MAX);
                uint64_t s1 = sa, s2 = sb;
                for (unsigned k = 0; k < na; k++)
                    dc_sketch_add(&u, next_hash(&s1));
                for (unsigned k = 0; k < nb; k++)
                    dc_sketch_add(&u, next_hash(&s2));
                build(&ab, 12, sa, na);
                CHECK_INT_EQ(dc_sketch_merge(&ab, &b), 0);
                build(&ba, 12, sb, nb);
                CHECK_INT_EQ(dc_sketch_merge(&ba, &a), 0);
                CHECK(same_bytes(&ab, &u));  /* merge(A,B) == sketch(A∪B) */
                CHECK(same_bytes(&ab, &ba)); /* commutative */
                CHECK_INT_EQ(dc_sketch_merge(&ab, &b), 0);
                CHECK(same_bytes(&ab, &u)); /* idempotent */
                CHECK_INT_EQ(dc_sketch_merge(&ab, &ab), 0);
                CHECK(same_bytes(&ab, &u));
                dc_sketch_free(&a);
                dc_sketch_free(&b);
                dc_sketch_free(&ab);
                dc_sketch_free(&ba);
                dc_sketch_free(&u);
            }
        }
    }
    /* Associative: (A ∪ B) ∪ C == A ∪ (B ∪ C), across representations. */
    struct dc_sketch a, b, c, l, r;
    build(&a, 12, 7, 700);
    build(&b, 12, 8, 700);
    build(&c, 12, 9, 50000);
    build(&l, 12, 7, 700);
    dc_sketch_merge(&l, &b);
    dc_sketch_merge(&l, &c);
    build(&r, 12, 8, 700);
    dc_sketch_merge(&r, &c);
    dc_sketch_merge(&r, &a);
    CHECK(same_bytes(&l, &r));
    /* Mismatched precision is refused and changes nothing. */
    struct dc_sketch q;
    build(&q, 13, 1, 10);
    CHECK_INT_EQ(dc_sketch_merge(&q, &a), -1);
    CHECK_INT_EQ(dc_sketch_count(&q), 10);
    dc_sketch_free(&q);
    dc_sketch_free(&a);
    dc_sketch_free(&b);
    dc_sketch_free(&c);
    dc_sketch_free(&l);
    dc_sketch_free(&r);
}

static void test_serialized_form(void)
{
    const unsigned sizes[] = {0, 3, 1024, 1025, 200000};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        struct dc_sketch s, t;
        build(&s, 13, 42 + i, sizes[i]);
        size_t len;
        uint8_t *b = ser(&s, &len);
        const char *err = NULL;
        CHECK_INT_EQ(dc_sketch_deserialize(&t, b, len, DC_SKETCH_EXPLICIT_MAX, &err), 0);
        CHECK(same_bytes(&s, &t));
        CHECK_INT_EQ(dc_sketch_count(&s), dc_sketch_count(&t));
        /* The round-tripped sketch keeps working like the original. */
        uint64_t seed = 999;
        for (int k = 0; k < 5000; k++) {
            uint64_t h = next_hash(&seed);
            dc_sketch_add(&s, h);
            dc_sketch_add(&t, h);
        }
        CHECK(same_bytes(&s, &t));
        free(b);
        dc_sketch_free(&s);
        dc_sketch_free(&t);
    }

    /* The documented layout, byte for byte: explicit {2, 1}. */
    struct dc_sketch s, t;
    dc_sketch_init(&s, 13, DC_SKETCH_EXPLICIT_MAX);
    dc_sketch_add(&s, 2);
    dc_sketch_add(&s, UINT64_C(0x0102030405060708));
    size_t len;
    uint8_t *b = ser(&s, &len);
    static const uint8_t want[] = {'D', 'C', 'S', 'K', 1, 1, 13, 0, 2, 0, 0, 0,
                                   2, 0, 0, 0, 0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1};
    CHECK_INT_EQ(len, sizeof want);
    CHECK(memcmp(b, want, sizeof want) == 0);

    /* Corrupt forms are refused with a reason. */
    const char *err = NULL;
    b[4] = 2;
    CHECK_INT_EQ(dc_sketch_deserialize(&t, b, len, DC_SKETCH_EXPLICIT_MAX, &err), -1);
    CHECK(err != NULL);
    b[4] = 1;
    CHECK_INT_EQ(dc_sketch_deserialize(&t, b, len, DC_SKETCH_EXPLICIT_MAX, &err), 0);
    CHECK_INT_EQ(dc_sketch_count(&t), 2);
    dc_sketch_free(&t);
    memcpy(b + 12, b + 20, 8); /* duplicate: not strictly ascending */
    CHECK_INT_EQ(dc_sketch_deserialize(&t, b, len, DC_SKETCH_EXPLICIT_MAX, &err), -1);
    CHECK_INT_EQ(dc_sketch_deserialize(&t, b, len - 1, DC_SKETCH_EXPLICIT_MAX, &err), -1);
    CHECK_INT_EQ(dc_sketch_deserialize(&t, b, 5, DC_SKETCH_EXPLICIT_MAX, &err), -1);
    /* More explicit hashes than the limit is not canonical. */
    CHECK_INT_EQ(dc_sketch_deserialize(&t, want, sizeof want, 1, &err), -1);
    free(b);
    dc_sketch_free(&s);

    /* Dense: a register no update can produce is refused. */
    build(&s, 13, 5, 5000);
    b = ser(&s, &len);
    CHECK_INT_EQ(b[5], DC_SKETCH_REPR_DENSE);
    CHECK_INT_EQ(len, DC_SKETCH_HEADER + 8192);
    b[DC_SKETCH_HEADER] = 1; /* top 0 < p - 1 */
    CHECK_INT_EQ(dc_sketch_deserialize(&t, b, len, DC_SKETCH_EXPLICIT_MAX, &err), -1);
    b[DC_SKETCH_HEADER] = (uint8_t)(((13 - 1) << 2) | 2); /* u = 1 with a lower flag */
    CHECK_INT_EQ(dc_sketch_deserialize(&t, b, len, DC_SKETCH_EXPLICIT_MAX, &err), -1);
    free(b);
    dc_sketch_free(&s);
}

static void test_estimate_extremes(void)
{
    uint8_t regs[1 << 13] = {0};
    CHECK(dc_ull_estimate(regs, 13) == 0);
    /* Every register saturated: the estimate is the top of the range. */
    memset(regs, 0xFF, sizeof regs);
    CHECK(dc_ull_estimate(regs, 13) >= 1e19);
    /* Every register at level 1 only: about m ln 2 ... a finite, sane value. */
    memset(regs, (13 - 1) << 2, sizeof regs);
    double e = dc_ull_estimate(regs, 13);
    CHECK(e > 8192 * 0.5 && e < 8192 * 3);
}

/* A serialized sketch of another format version is refused, by name. */
static void test_other_version_refused(void)
{
    for (unsigned n = 10; n <= 5000; n += 4990) { /* explicit, then dense */
        struct dc_sketch a, b;
        build(&a, 13, 3, n);
        size_t len = dc_sketch_serialized_size(&a);
        uint8_t *buf = malloc(len);
        CHECK(buf && dc_sketch_serialize(&a, buf, len) == len);
        buf[4] = DC_SKETCH_VERSION + 1;
        const char *err = NULL;
        CHECK_INT_EQ(dc_sketch_deserialize(&b, buf, len, DC_SKETCH_EXPLICIT_MAX, &err), -1);
        CHECK(err && strstr(err, "version"));
        free(buf);
        dc_sketch_free(&a);
    }
}

int main(void)
{
    test_register_encoding();
    test_explicit_then_dense();
    test_merge_properties();
    test_serialized_form();
    test_estimate_extremes();
    test_other_version_refused();
    return check_exit();
}
