/*
 * json-extract on hand-made frames, through the plugin descriptor, in every
 * mode (fast on each SIMD level the CPU has, scalar, strict; validate = full
 * and fields): nested decoys, escapes before the key, string ts, duplicate
 * nested keys, truncation, empty lines, non-objects, \u escapes, bad types,
 * and the three on_error policies.
 */
#include "check.h"
#include "harness.h"
#include "fields.h"
#include "jx.h"

#include <string.h>

extern const struct sluice_plugin sluice_plugin;

/* Expected outcome of one frame. err: 0 ok, else the JX_ class. A "group"
 * of JSON-level classes is accepted when `loose` is set. */
struct tcase {
    const char *frame;
    size_t len;         /* 0: strlen */
    int err;
    const char *uid;    /* expected decoded uid when ok */
    size_t uid_len;     /* 0: strlen(uid) */
    long long ts;
    bool tail_error;    /* the fault lies after uid and ts: validate=fields accepts */
};

#define OK(f, u, t) {f, 0, 0, u, 0, t, false}
#define BAD(f, e) {f, 0, e, NULL, 0, 0, false}
#define TAIL(f, e, u, t) {f, 0, e, u, 0, t, true}

static const struct tcase cases[] = {
    OK("{\"uid\":\"abc\",\"ts\":123}", "abc", 123),
    OK("{\"a\":{\"uid\":\"x\",\"ts\":1},\"uid\":\"real\",\"ts\":5}", "real", 5),
    OK("{\"ts\":6,\"a\":[{\"uid\":\"x\"},{\"ts\":1}],\"uid\":\"r\"}", "r", 6),
    OK("{\"k\":\"va\\\"l\\\\\\\" \\\"uid\\\":\\\"no\\\"\",\"uid\":\"yes\",\"ts\":7}", "yes", 7),
    OK("{\"k\":\"\\\\\",\"uid\":\"y\",\"ts\":8}", "y", 8),
    OK("{\"uid\":\"u\",\"ts\":\"1468244384\"}", "u", 1468244384),
    OK("{\"uid\":\"u\",\"ts\":\"-5\"}", "u", -5),
    OK("{\"n\":{\"ts\":1,\"ts\":2,\"uid\":\"a\",\"uid\":\"b\"},\"ts\":3,\"uid\":\"c\"}", "c", 3),
    OK("{\"uid\":\"\\u0041\\u00e9\\ud83d\\ude00x\",\"ts\":1}", "A\xc3\xa9\xf0\x9f\x98\x80x", 1),
    OK("{\"uid\":\"a\\\"b\\\\c\\/d\\n\\r\\t\\b\\f\",\"ts\":1}", "a\"b\\c/d\n\r\t\b\f", 1),
    OK("{\"u\\u0069d\":\"k\",\"ts\":1}", "k", 1),
    OK("{\"a\":[\"]\",\"}\",{\"b\":\"{\"}],\"uid\":\"u\",\"ts\":2}", "u", 2),
    OK("{\"uid\":\"\xd0\xa1\xd0\xb2\xd0\xbe\xd0\xb1\xd0\xbe\xd0\xb4\xd0\xb0\",\"ts\":3}",
       "\xd0\xa1\xd0\xb2\xd0\xbe\xd0\xb1\xd0\xbe\xd0\xb4\xd0\xb0", 3),
    OK(" \t{ \"uid\" : \"u\" ,\n \"ts\" : 9 } \r\n ", "u", 9),
    OK("{\"uid\":\"u\",\"ts\":1}\r", "u", 1),
    OK("{\"uid\":\"\",\"ts\":0}", "", 0),
    OK("{\"x\":[1,-2.5e3,true,false,null,{},[]],\"uid\":\"u\",\"ts\":-0}", "u", 0),
    OK("{\"uid\":\"u\",\"ts\":9223372036854775807}", "u", 9223372036854775807LL),
    /* Raw NUL bytes: never JSON (jansson 2.14 alone would drop the one after
     * a number or literal). */
    {"{\"uid\":\"u\",\"ts\":1\0}", 19, JX_MALFORMED, NULL, 0, 0, false},
    {"{\"ts\":1,\"x\":true\0,\"uid\":\"u\"}", 28, JX_MALFORMED, NULL, 0, 0, false},
    {"{\"uid\":\"a\0\",\"ts\":1}", 19, JX_MALFORMED, NULL, 0, 0, false},
    BAD("", JX_EMPTY),
    BAD("\r", JX_EMPTY),
    BAD("   ", JX_EMPTY),
    TAIL("{\"uid\":\"u\",\"ts\":1", JX_TRUNCATED, "u", 1),
    BAD("{\"uid\":\"u", JX_TRUNCATED),
    BAD("{\"uid\":\"u\\", JX_TRUNCATED),
    BAD("{", JX_TRUNCATED),
    BAD("{\"uid\":", JX_TRUNCATED),
    BAD("[1,2]", JX_NOT_OBJECT),
    BAD("\"str\"", JX_NOT_OBJECT),
    BAD("42", JX_NOT_OBJECT),
    BAD("null", JX_NOT_OBJECT),
    BAD("{\"uid\":\"u\"}", JX_MISSING),
    BAD("{\"ts\":1}", JX_MISSING),
    BAD("{\"a\":{\"uid\":\"u\",\"ts\":1}}", JX_MISSING),
    BAD("{\"uid\":5,\"ts\":1}", JX_NOT_STRING),
    BAD("{\"uid\":null,\"ts\":1}", JX_NOT_STRING),
    BAD("{\"uid\":{\"a\":1},\"ts\":1}", JX_NOT_STRING),
    BAD("{\"uid\":\"u\",\"ts\":1.5}", JX_BAD_TS),
    BAD("{\"uid\":\"u\",\"ts\":\"12a\"}", JX_BAD_TS),
    BAD("{\"uid\":\"u\",\"ts\":\"\"}", JX_BAD_TS),
    BAD("{\"uid\":\"u\",\"ts\":\" 12\"}", JX_BAD_TS),
    BAD("{\"uid\":\"u\",\"ts\":true}", JX_BAD_TS),
    BAD("{\"uid\":\"u\",\"ts\":\"99999999999999999999\"}", JX_BAD_TS),
    BAD("{\"uid\":\"u\",\"ts\":99999999999999999999}", JX_MALFORMED),
    TAIL("{\"uid\":\"u\",\"ts\":1,}", JX_MALFORMED, "u", 1),
    BAD("{\"uid\" \"u\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"uid\":\"u\" \"ts\":1}", JX_MALFORMED),
    BAD("{\"uid\":\"a\x01" "b\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"uid\":\"a\\qb\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"uid\":\"a\\u00zz\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"uid\":\"a\\u0000\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"uid\":\"a\\ud800\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"uid\":\"a\\udc00\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"uid\":\"a\xc0\x80\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"uid\":\"a\xed\xa0\x80\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"uid\":tru,\"ts\":1}", JX_MALFORMED),
    BAD("{\"uid\":\"u\",\"ts\":01}", JX_MALFORMED),
    TAIL("{\"uid\":\"u\",\"ts\":1]", JX_MALFORMED, "u", 1),
    BAD("{\"uid\":\"u\",\"ts\":[1}]", JX_MALFORMED),
    BAD("{\"uid\":\"u\",:\"ts\":1}", JX_MALFORMED),
    BAD("{'uid':'u'}", JX_MALFORMED),
    TAIL("{\"uid\":\"u\",\"ts\":1} x", JX_TRAILING, "u", 1),
    TAIL("{\"uid\":\"u\",\"ts\":1}{}", JX_TRAILING, "u", 1),
    TAIL("{\"uid\":\"u\",\"ts\":1,\"z\":[1,2}", JX_MALFORMED, "u", 1),
    TAIL("{\"uid\":\"u\",\"ts\":1,\"z\":\"a\xff\"}", JX_MALFORMED, "u", 1),
    TAIL("{\"uid\":\"u\",\"ts\":1,\"z\":\"abc", JX_TRUNCATED, "u", 1),
    TAIL("{\"uid\":\"u\",\"ts\":1,\"z\":1e400}", JX_MALFORMED, "u", 1),
    TAIL("{\"uid\":\"u\",\"ts\":1,", JX_TRUNCATED, "u", 1),
};

static bool json_group(int e)
{
    return e == JX_TRUNCATED || e == JX_MALFORMED || e == JX_TRAILING;
}

/* Run every case through the plugin configured by `opts`. */
static void run_cases(const char *opts, bool strict, bool fields_mode)
{
    struct harness h;
    CHECK_INT_EQ(harness_start(&h, &sluice_plugin, opts), SLUICE_OK);
    uint16_t uid_id = sluice_field_id("uid"), ts_id = sluice_field_id("ts");
    struct sluice_batch b;
    sluice_batch_init(&b);
    size_t n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++) {
        struct sluice_record *r = sluice_batch_append(&b);
        r->value = cases[i].frame;
        r->value_len = cases[i].len ? cases[i].len : strlen(cases[i].frame);
        r->offset = (int64_t)i;
    }
    CHECK_INT_EQ(h.plugin->process(h.state, &b, NULL), SLUICE_OK);
    int64_t dead = 0;
    for (size_t i = 0; i < n; i++) {
        const struct tcase *c = &cases[i];
        const struct sluice_record *r = &b.records[i];
        bool want_ok = c->err == 0 || (fields_mode && !strict && c->tail_error);
        if (want_ok != sluice_record_live(r))
            fprintf(stderr, "case %zu (%s, %s): %s, reason %s\n", i, opts, c->frame,
                    sluice_record_live(r) ? "accepted" : "refused", r->error ? r->error : "-");
        CHECK(want_ok == sluice_record_live(r));
        if (!want_ok) {
            CHECK(r->flags & SLUICE_REC_ERROR);
            CHECK(r->error && r->error[0]);
            CHECK_STR_EQ(r->error_stage, "test");
            dead++;
            continue;
        }
        if (!sluice_record_live(r))
            continue;
        const struct sluice_field *u = sluice_record_field(r, uid_id);
        const struct sluice_field *t = sluice_record_field(r, ts_id);
        CHECK(u && t);
        if (!u || !t)
            continue;
        size_t ulen = c->uid_len ? c->uid_len : strlen(c->uid);
        CHECK_INT_EQ(u->type, SLUICE_FIELD_STRING);
        CHECK(u->len == ulen && memcmp(u->ptr, c->uid, ulen) == 0);
        CHECK_INT_EQ(t->type, SLUICE_FIELD_INT);
        CHECK_INT_EQ(t->ival, c->ts);
        CHECK(r->flags & SLUICE_REC_HAS_TS);
        CHECK_INT_EQ(r->ts, c->ts);
        /* Zero copy: an unescaped uid points into the frame. */
        if (!strict && !memchr(c->frame, '\\', r->value_len))
            CHECK(u->ptr >= r->value && u->ptr < r->value + r->value_len);
    }
    CHECK_INT_EQ(harness_counter(&h, "dead_letter"), dead);
    sluice_batch_free(&b);
    harness_stop(&h);
}

static void *alloc_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n);
}

/* The reason classes: the same class from every mode, up to the JSON group. */
static void check_classes(void)
{
    struct jx_spec sp = {.n = 2, .name = {"uid", "ts"}, .len = {3, 2}, .maxlen = 3};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct tcase *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->frame);
        if (len && c->frame[len - 1] == '\r')
            len--;
        struct jx_slot s1[2] = {0}, s2[2] = {0};
        struct jx_verdict v1, v2;
        enum jx_err e1 = jx_scan_scalar(c->frame, len, &sp, s1, &v1);
        enum jx_err e2 = jx_scan_strict(c->frame, len, &sp, s2, &v2, alloc_malloc, NULL);
        /* Field errors are record.c's: the scanners accept those frames. */
        int want = c->err >= JX_MISSING ? 0 : c->err;
        if (json_group(want)) {
            if (!json_group((int)e1))
                fprintf(stderr, "case %zu: scalar says %d\n", i, e1);
            CHECK(json_group((int)e1));
            CHECK(json_group((int)e2));
        } else {
            CHECK_INT_EQ(e1, want);
            CHECK_INT_EQ(e2, want);
        }
        if (c->err == JX_TRUNCATED)
            CHECK_INT_EQ(e1, JX_TRUNCATED);
        for (int k = 0; k < 2; k++)
            if (s2[k].kind != JX_NONE)
                free((void *)s2[k].ptr);
    }
}

static void check_policies(void)
{
    static const char good[] = "{\"uid\":\"u\",\"ts\":1}";
    static const char bad[] = "{\"uid\":\"u\"";
    const char *opts[] = {"on_error = skip", "on_error = fail"};
    for (int k = 0; k < 2; k++) {
        struct harness h;
        CHECK_INT_EQ(harness_start(&h, &sluice_plugin, opts[k]), SLUICE_OK);
        struct sluice_batch b;
        sluice_batch_init(&b);
        const char *frames[] = {good, bad, good};
        for (int i = 0; i < 3; i++) {
            struct sluice_record *r = sluice_batch_append(&b);
            r->value = frames[i];
            r->value_len = strlen(frames[i]);
            r->offset = i;
        }
        int rc = h.plugin->process(h.state, &b, NULL);
        if (k == 0) {
            CHECK_INT_EQ(rc, SLUICE_OK);
            CHECK(b.records[1].flags & SLUICE_REC_DROPPED);
            CHECK(!(b.records[1].flags & SLUICE_REC_ERROR));
            CHECK(sluice_record_live(&b.records[2]));
            CHECK_INT_EQ(harness_counter(&h, "skipped"), 1);
            CHECK_INT_EQ(harness_counter(&h, "error.truncated"), 1);
            CHECK_INT_EQ(harness_counter(&h, "extracted"), 2);
        } else {
            CHECK_INT_EQ(rc, SLUICE_ERROR);
        }
        sluice_batch_free(&b);
        harness_stop(&h);
    }
    /* Options refused at init. */
    struct harness h;
    CHECK(harness_start(&h, &sluice_plugin, "require = nope") == SLUICE_ERROR);
    harness_stop(&h);
    CHECK(harness_start(&h, &sluice_plugin, "fields = a,b,c,d,e,f,g,h,i") == SLUICE_ERROR);
    harness_stop(&h);
    CHECK(harness_start(&h, &sluice_plugin, "mode = turbo") == -100);
    harness_stop(&h);
}

/* Other field lists: any_type, optional fields, no timestamp. */
static void check_options(void)
{
    struct harness h;
    CHECK_INT_EQ(harness_start(&h, &sluice_plugin,
                               "fields = uid, n, o\nrequire = uid\nany_type = n, o\ntimestamp ="),
                 SLUICE_OK);
    struct sluice_batch b;
    sluice_batch_init(&b);
    const char *f[] = {"{\"uid\":\"a\",\"n\":42,\"o\":{\"x\":[1]}}", "{\"uid\":\"b\"}",
                       "{\"n\":1}"};
    for (int i = 0; i < 3; i++) {
        struct sluice_record *r = sluice_batch_append(&b);
        r->value = f[i];
        r->value_len = strlen(f[i]);
    }
    CHECK_INT_EQ(h.plugin->process(h.state, &b, NULL), SLUICE_OK);
    const struct sluice_record *r = &b.records[0];
    CHECK(sluice_record_live(r));
    CHECK_INT_EQ(r->nfields, 3);
    CHECK(!(r->flags & SLUICE_REC_HAS_TS));
    const struct sluice_field *n = sluice_record_field(r, sluice_field_id("n"));
    CHECK(n && n->type == SLUICE_FIELD_INT && n->ival == 42);
    const struct sluice_field *o = sluice_record_field(r, sluice_field_id("o"));
    CHECK(o && o->type == SLUICE_FIELD_OTHER && o->len == 9 && memcmp(o->ptr, "{\"x\":[1]}", 9) == 0);
    CHECK(sluice_record_live(&b.records[1]));
    CHECK_INT_EQ(b.records[1].nfields, 1);
    CHECK(!sluice_record_live(&b.records[2]));
    sluice_batch_free(&b);
    harness_stop(&h);
}

int main(void)
{
    const char *impls[] = {"avx512", "avx2", "sse2", "scalar"};
    for (int i = 0; i < 4; i++) {
        if (!jx_force_impl(impls[i])) {
            fprintf(stderr, "(%s not available here)\n", impls[i]);
            continue;
        }
        run_cases("on_error = dead-letter", false, false);
        run_cases("on_error = dead-letter\nvalidate = fields", false, true);
    }
    run_cases("on_error = dead-letter\nmode = strict", true, false);
    check_classes();
    check_policies();
    check_options();
    sluice_fields_free();
    return check_exit();
}
