/*
 * json-extract on hand-made frames, through the plugin descriptor, in every
 * mode (fast on each SIMD level the CPU has, scalar, strict; validate =
 * full (the default), structure and fields): nested decoys, escapes before
 * the key, string ts, duplicate nested keys, truncation, empty lines,
 * non-objects, \u escapes, bad types, faults only outside the wanted values
 * (grammar, numbers, literals, UTF-8: accepted by validate = structure) and
 * structural ones (refused by every level), and the three on_error policies.
 */
#include "check.h"
#include "plugin_harness.h"
#include "fields.h"
#include "jx.h"

#include <stdlib.h>
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
    int structure;      /* what validate = structure does with a refused frame (S_) */
};

/* validate = structure (by name) and a frame that validate = full (the default)
 * refuses: */
enum {
    S_FULL = 0, /* refused, for the same reason (a structural fault, or one in
                 * a wanted value, or a field rule) */
    S_OK,       /* accepted: the only faults are grammar, numbers, literals or
                 * UTF-8 outside the wanted values (uid and ts as given) */
    S_FIELD     /* refused by a field rule: the grammar fault hides a wanted
                 * key (a string not followed by ':' is no key) */
};

#define OK(f, u, t) {f, 0, 0, u, 0, t, false, S_FULL}
#define BAD(f, e) {f, 0, e, NULL, 0, 0, false, S_FULL}
#define TAIL(f, e, u, t) {f, 0, e, u, 0, t, true, S_FULL}
/* Faults outside the wanted values: accepted by validate = structure. */
#define LAX(f, e, u, t) {f, 0, e, u, 0, t, false, S_OK}
#define LAX_TAIL(f, e, u, t) {f, 0, e, u, 0, t, true, S_OK}
#define LOST_KEY(f, e) {f, 0, e, NULL, 0, 0, false, S_FIELD}

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
    {"{\"uid\":\"u\",\"ts\":1\0}", 19, JX_MALFORMED, NULL, 0, 0, false, S_FULL},
    {"{\"ts\":1,\"x\":true\0,\"uid\":\"u\"}", 28, JX_MALFORMED, NULL, 0, 0, false, S_FULL},
    {"{\"uid\":\"a\0\",\"ts\":1}", 19, JX_MALFORMED, NULL, 0, 0, false, S_FULL},
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
    LAX_TAIL("{\"uid\":\"u\",\"ts\":1,}", JX_MALFORMED, "u", 1),
    LOST_KEY("{\"uid\" \"u\",\"ts\":1}", JX_MALFORMED),
    LAX("{\"uid\":\"u\" \"ts\":1}", JX_MALFORMED, "u", 1),
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
    LAX("{\"uid\":\"u\",:\"ts\":1}", JX_MALFORMED, "u", 1),
    LOST_KEY("{'uid':'u'}", JX_MALFORMED),
    TAIL("{\"uid\":\"u\",\"ts\":1} x", JX_TRAILING, "u", 1),
    TAIL("{\"uid\":\"u\",\"ts\":1}{}", JX_TRAILING, "u", 1),
    TAIL("{\"uid\":\"u\",\"ts\":1,\"z\":[1,2}", JX_MALFORMED, "u", 1),
    LAX_TAIL("{\"uid\":\"u\",\"ts\":1,\"z\":\"a\xff\"}", JX_MALFORMED, "u", 1),
    TAIL("{\"uid\":\"u\",\"ts\":1,\"z\":\"abc", JX_TRUNCATED, "u", 1),
    LAX_TAIL("{\"uid\":\"u\",\"ts\":1,\"z\":1e400}", JX_MALFORMED, "u", 1),
    TAIL("{\"uid\":\"u\",\"ts\":1,", JX_TRUNCATED, "u", 1),

    /* validate = structure. Grammar, numbers, literals, UTF-8 outside the
     * wanted values: accepted (validate = full refuses). */
    LAX("{\"uid\":\"a\" \"ts\":1}", JX_MALFORMED, "a", 1),
    LAX_TAIL("{\"uid\":\"a\",\"ts\":1,\"x\":tru}", JX_MALFORMED, "a", 1),
    LAX_TAIL("{\"uid\":\"a\",\"ts\":1,\"n\":01}", JX_MALFORMED, "a", 1),
    LAX("{\"x\":\"\xff\xfe\",\"uid\":\"a\",\"ts\":1}", JX_MALFORMED, "a", 1),
    LAX("{\"k\xc0\x80\":1,\"uid\":\"a\",\"ts\":1}", JX_MALFORMED, "a", 1),
    LAX_TAIL("{\"uid\":\"a\",\"ts\":1,\"x\":[\"\xed\xa0\x80\",{\"y\":\"\xe2\x82\"}]}",
             JX_MALFORMED, "a", 1),
    LAX("{\"x\":+1,\"uid\":\"a\",\"ts\":2}", JX_MALFORMED, "a", 2),
    LAX("{\"x\":1e400,\"uid\":\"a\",\"ts\":2}", JX_MALFORMED, "a", 2),
    LAX("{\"x\":99999999999999999999,\"uid\":\"a\",\"ts\":2}", JX_MALFORMED, "a", 2),
    /* Integers around the digit counter's 16 bytes (jx_digits16) and
     * int64's end, and numbers too near the frame's end for it. */
    OK("{\"x\":1234567890123456,\"uid\":\"a\",\"ts\":2}", "a", 2),
    OK("{\"x\":12345678901234567,\"uid\":\"a\",\"ts\":2}", "a", 2),
    OK("{\"x\":[-123456789012345678],\"uid\":\"a\",\"ts\":2}", "a", 2),
    OK("{\"x\":9223372036854775807,\"uid\":\"a\",\"ts\":2}", "a", 2),
    OK("{\"x\":-9223372036854775808,\"uid\":\"a\",\"ts\":2}", "a", 2),
    LAX("{\"x\":9223372036854775808,\"uid\":\"a\",\"ts\":2}", JX_MALFORMED, "a", 2),
    OK("{\"x\":123456789012.75,\"uid\":\"a\",\"ts\":2}", "a", 2),
    LAX("{\"x\":123456789012x,\"uid\":\"a\",\"ts\":2}", JX_MALFORMED, "a", 2),
    LAX("{\"x\":12345678/,\"uid\":\"a\",\"ts\":2}", JX_MALFORMED, "a", 2),
    OK("{\"uid\":\"a\",\"ts\":2,\"x\":123456789}", "a", 2),
    LAX_TAIL("{\"uid\":\"a\",\"ts\":2,\"x\":12345678:}", JX_MALFORMED, "a", 2),
    LAX("{\"x\":nul,\"uid\":\"a\",\"ts\":2}", JX_MALFORMED, "a", 2),
    LAX("{,\"uid\":\"a\",,\"ts\":3,}", JX_MALFORMED, "a", 3),
    LAX("{\"x\":[1 2],\"uid\":\"a\",\"ts\":3}", JX_MALFORMED, "a", 3),
    LAX("{\"x\":{\"y\" 1,:},\"uid\":\"a\",\"ts\":3}", JX_MALFORMED, "a", 3),
    LAX_TAIL("{\"uid\":\"a\",\"ts\":4 \"x\" 5}", JX_MALFORMED, "a", 4),
    /* A backslash outside strings is a structural fault (rule 4 of
     * diffcheck.h's reference): it would move the quotes. */
    BAD("{\"x\":1\\,\"uid\":\"a\",\"ts\":1}", JX_MALFORMED),
    /* A repeated root key: the last occurrence is the wanted value, and
     * every occurrence is checked in full (rule 6). */
    BAD("{\"uid\":\"\xff\",\"uid\":\"a\",\"ts\":5}", JX_MALFORMED),
    BAD("{\"uid\":\"a\",\"ts\":01,\"ts\":5}", JX_MALFORMED),
    /* Structural faults outside the wanted values: refused by every level. */
    BAD("{\"uid\":\"a\",\"x\":\"abc", JX_TRUNCATED),
    TAIL("{\"uid\":\"a\",\"ts\":1,\"x\":[{}", JX_TRUNCATED, "a", 1),
    BAD("{\"x\":[1},\"uid\":\"a\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"x\":{\"y\":1]],\"uid\":\"a\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"x\":\"\\x\",\"uid\":\"a\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"x\":\"\\u00zz\",\"uid\":\"a\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"x\":\"\\u0000\",\"uid\":\"a\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"x\":\"\\ud800\",\"uid\":\"a\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"x\":\"\\udc00\\ud800\",\"uid\":\"a\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"x\":\"a\x01" "b\",\"uid\":\"a\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"x\":\"a\tb\",\"uid\":\"a\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"x\":1,\x02\"uid\":\"a\",\"ts\":1}", JX_MALFORMED),
    TAIL("{\"uid\":\"a\",\"ts\":1,\"x\":\"\\q\"}", JX_MALFORMED, "a", 1),
    TAIL("{\"uid\":\"a\",\"ts\":1}}", JX_TRAILING, "a", 1),
    TAIL("{\"uid\":\"a\",\"ts\":1} {\"uid\":\"b\"}", JX_TRAILING, "a", 1),
    TAIL("{\"uid\":\"a\",\"ts\":1}\f", JX_TRAILING, "a", 1),
    BAD("[{\"uid\":\"a\",\"ts\":1}]", JX_NOT_OBJECT),
    BAD("x{\"uid\":\"a\",\"ts\":1}", JX_MALFORMED),
    /* Faults in the wanted values: refused by every level. */
    BAD("{\"uid\":\"a\xff\",\"ts\":1}", JX_MALFORMED),
    BAD("{\"ts\":1,\"uid\":\"a\xe2\x82\"}", JX_MALFORMED),
    BAD("{\"uid\":\"a\",\"ts\":\"1\xff\"}", JX_MALFORMED),
    BAD("{\"uid\":\"a\",\"ts\":+1}", JX_MALFORMED),
    BAD("{\"uid\":\"a\",\"ts\":1x}", JX_MALFORMED),
    BAD("{\"uid\":\"a\",\"ts\":-}", JX_MALFORMED),
    BAD("{\"uid\":\"a\",\"ts\":}", JX_MALFORMED),
    BAD("{\"uid\":\"a\",\"ts\": ,\"x\":1}", JX_MALFORMED),
    BAD("{\"uid\":fals,\"ts\":1}", JX_MALFORMED),
    /* (The last occurrence of a repeated key is the wanted value;
     * validate = fields takes the first.) */
    TAIL("{\"uid\":\"a\",\"ts\":1,\"ts\":01}", JX_MALFORMED, "a", 1),
    TAIL("{\"uid\":\"a\",\"ts\":1,\"uid\":\"\xff\"}", JX_MALFORMED, "a", 1),
};

static bool json_group(int e)
{
    return e == JX_TRUNCATED || e == JX_MALFORMED || e == JX_TRAILING;
}

/* What runs: mode = strict, or the fast scanner's validate level. */
enum level { L_STRICT, L_FULL, L_FIELDS, L_STRUCTURE };

/* Accepted? (impl: the SIMD level, NULL for strict.) */
static bool expect_ok(const struct tcase *c, enum level lv, const char *impl)
{
    if (c->err == 0)
        return true;
    if (lv == L_FIELDS)
        return c->tail_error;
    if (lv == L_STRUCTURE && jx_impl_has_structure(impl))
        return c->structure == S_OK;
    return false;
}

#define NCASES (sizeof cases / sizeof cases[0])

/* Each case's error text ("" if accepted). */
typedef char reasons_t[NCASES][256];

/* Run every case through the plugin configured by `opts`; the reasons go
 * to `why` if not NULL. */
static void run_cases(const char *opts, enum level lv, const char *impl, reasons_t *why)
{
    bool strict = lv == L_STRICT;
    char shown[256]; /* opts on one line, for messages */
    snprintf(shown, sizeof shown, "%s", opts);
    for (char *p = shown; (p = strchr(p, '\n'));)
        *p = ';';
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
        bool want_ok = expect_ok(c, lv, impl);
        if (why)
            snprintf((*why)[i], sizeof (*why)[i], "%s",
                     !sluice_record_live(r) && r->error ? r->error : "");
        if (want_ok != sluice_record_live(r))
            fprintf(stderr, "case %zu (%s, %s, %s): %s, reason %s\n", i, impl ? impl : "strict",
                    shown, c->frame, sluice_record_live(r) ? "accepted" : "refused",
                    r->error ? r->error : "-");
        CHECK(want_ok == sluice_record_live(r));
        if (!want_ok) {
            CHECK(r->flags & SLUICE_REC_ERROR);
            CHECK(r->error && r->error[0]);
            CHECK_STR_EQ(r->error_stage, "transform:json-extract:test");
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

        /* validate = structure, on each level: a frame it refuses is refused
         * with the scalar scanner's class at the scalar scanner's byte; the
         * faults outside the wanted values (S_OK), or hiding a key (S_FIELD),
         * pass the scanner. */
        struct jx_spec ss = sp;
        ss.structure_only = true;
        const char *impl;
        for (size_t k = 0; (impl = jx_impl_at(k)); k++) {
            if (!jx_force_impl(impl))
                continue;
            struct jx_slot s3[2] = {0};
            struct jx_verdict v3;
            enum jx_err e3 = jx_scan_fast(c->frame, len, &ss, s3, &v3);
            bool pass = want == 0 || (jx_impl_has_structure(impl) && c->structure != S_FULL);
            if (pass ? e3 != JX_OK : (e3 != e1 || v3.pos != v1.pos))
                fprintf(stderr,
                        "case %zu (%s, validate = structure): %d at %zu (%s), scalar %d at %zu\n",
                        i, impl, e3, v3.pos, e3 ? v3.detail : "-", e1, v1.pos);
            if (pass) {
                CHECK_INT_EQ(e3, JX_OK);
            } else {
                CHECK_INT_EQ(e3, e1);
                CHECK_INT_EQ(v3.pos, v1.pos);
            }
        }
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
    CHECK(harness_start(&h, &sluice_plugin, "mode = turbo") == HARNESS_REFUSED);
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

/* A wanted key of any type (fields = uid, o; any_type = o): validate =
 * structure checks its object or array value in full, as the last
 * occurrence of the key; an unwanted key's value only for its structure. */
static void check_any_type(const char *impl)
{
    static const struct {
        const char *frame;
        bool lax;      /* accepted by validate = structure */
        const char *o; /* then o's text */
    } f[] = {
        {"{\"uid\":\"a\",\"o\":{\"x\":\"\xff\"}}", false, NULL},
        {"{\"uid\":\"a\",\"o\":{\"x\":tru}}", false, NULL},
        {"{\"uid\":\"a\",\"o\":[1,01]}", false, NULL},
        {"{\"uid\":\"a\",\"o\":[[1e400]]}", false, NULL},
        {"{\"uid\":\"a\",\"o\":{\"x\" 1}}", false, NULL},
        {"{\"uid\":\"a\",\"o\":[1,]}", false, NULL},
        {"{\"uid\":\"a\",\"o\":{\"\xc0\x80\":1}}", false, NULL},
        {"{\"uid\":\"a\",\"o\":tru}", false, NULL},
        {"{\"uid\":\"a\",\"o\":\"\xed\xa0\x80\"}", false, NULL},
        {"{\"o\":{\"x\":1},\"uid\":\"a\",\"o\":[\"\xff\"]}", false, NULL},
        {"{\"o\":{\"x\":tru},\"uid\":\"a\",\"o\":[1]}", false, NULL}, /* every occurrence is checked */
        {"{\"uid\":\"a\",\"p\":{\"x\":tru,\"y\":\"\xff\"},\"o\":{\"x\":[1]}}", true, "{\"x\":[1]}"},
        {"{\"uid\":\"a\",\"o\":[],\"p\":[01,+1 2]}", true, "[]"},
        {"{\"uid\":\"a\",\"o\":{\"x\":[{},\"\\u00e9\"]},\"p\":\"\xf8\"}", true,
         "{\"x\":[{},\"\\u00e9\"]}"},
    };
    static const char *const opts[] = {
        "fields = uid, o\nany_type = o\ntimestamp =\non_error = dead-letter\nvalidate = structure",
        "fields = uid, o\nany_type = o\ntimestamp =\non_error = dead-letter"};
    size_t n = sizeof f / sizeof f[0];
    for (int k = 0; k < 2; k++) {
        bool structure = k == 0 && jx_impl_has_structure(impl);
        struct harness h;
        CHECK_INT_EQ(harness_start(&h, &sluice_plugin, opts[k]), SLUICE_OK);
        struct sluice_batch b;
        sluice_batch_init(&b);
        for (size_t i = 0; i < n; i++) {
            struct sluice_record *r = sluice_batch_append(&b);
            r->value = f[i].frame;
            r->value_len = strlen(f[i].frame);
        }
        CHECK_INT_EQ(h.plugin->process(h.state, &b, NULL), SLUICE_OK);
        for (size_t i = 0; i < n; i++) {
            const struct sluice_record *r = &b.records[i];
            bool want_ok = structure && f[i].lax;
            if (want_ok != sluice_record_live(r))
                fprintf(stderr, "any_type case %zu (%s, %s): %s, reason %s\n", i, impl,
                        k ? "default (full)" : "structure", sluice_record_live(r) ? "accepted" : "refused",
                        r->error ? r->error : "-");
            CHECK(want_ok == sluice_record_live(r));
            if (!want_ok || !sluice_record_live(r))
                continue;
            const struct sluice_field *o = sluice_record_field(r, sluice_field_id("o"));
            CHECK(o && o->type == SLUICE_FIELD_OTHER && o->len == strlen(f[i].o) &&
                  memcmp(o->ptr, f[i].o, o->len) == 0);
        }
        sluice_batch_free(&b);
        harness_stop(&h);
    }
}

/* Wanted names the first-byte filter must not lose: one that starts with a
 * byte above 0x7F (the nibble tables look such bytes up as 0), names whose
 * first bytes share nibbles ('u' 0x75, 'e' 0x65, 't' 0x74), and eight
 * names (each its own bit in the tables), among keys that start alike, at
 * every level. */
static void check_name_set(const char *impl, const char *fields, const char *frame,
                           const char *const *name, const char *const *want, int n)
{
    static const char *const lv[] = {"full", "structure", "fields"};
    for (int k = 0; k < 3; k++) {
        char opts[256];
        snprintf(opts, sizeof opts,
                 "fields = %s\ntimestamp =\non_error = dead-letter\nvalidate = %s", fields,
                 lv[k]);
        struct harness h;
        CHECK_INT_EQ(harness_start(&h, &sluice_plugin, opts), SLUICE_OK);
        struct sluice_batch b;
        sluice_batch_init(&b);
        struct sluice_record *r = sluice_batch_append(&b);
        r->value = frame;
        r->value_len = strlen(frame);
        CHECK_INT_EQ(h.plugin->process(h.state, &b, NULL), SLUICE_OK);
        CHECK(sluice_record_live(&b.records[0]));
        for (int i = 0; i < n; i++) {
            const struct sluice_field *f = sluice_record_field(&b.records[0], sluice_field_id(name[i]));
            bool ok = f && f->len == 1 && f->ptr[0] == want[i][0];
            if (!ok)
                fprintf(stderr, "names (%s, validate = %s): field %d (%s) not read\n", impl, lv[k],
                        i, name[i]);
            CHECK(ok);
        }
        sluice_batch_free(&b);
        harness_stop(&h);
    }
}

static void check_names(const char *impl)
{
    static const char *const name3[] = {"\xd0\xb8\xd0\xbc\xd1\x8f", "uid", "e"};
    static const char *const want3[] = {"b", "c", "d"};
    check_name_set(impl, "\xd0\xb8\xd0\xbc\xd1\x8f, uid, e",
                   "{\"a\":1,\"ua\":\"x\",\"\xd0\xb8\xd0\xbc\xd1\x8f\":\"b\",\"uid\":\"c\",\"e\":\"d\","
                   "\"t\":7}",
                   name3, want3, 3);
    static const char *const name8[] = {"k0", "l1", "m2", "n3", "o4", "p5", "q6", "r7"};
    static const char *const want8[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    check_name_set(impl, "k0, l1, m2, n3, o4, p5, q6, r7",
                   "{\"k\":0,\"r7x\":1,\"r7\":\"h\",\"q6\":\"g\",\"p\":[\"p5\"],\"p5\":\"f\","
                   "\"o4\":\"e\",\"n3\":\"d\",\"m2\":\"c\",\"l1\":\"b\",\"k0\":\"a\",\"z\":{\"k0\":\"y\"}}",
                   name8, want8, 8);
}

/* threads: the same records, errors and counters as on one thread, with
 * batches large enough for the helpers (the cases repeated), under every
 * validate level; 0 (one per CPU) starts; out of range is refused. */
static void check_threads(const char *impl)
{
    const char *levels[] = {"full", "structure", "fields"};
    const size_t copies = 300; /* many slices for every thread */
    size_t n = NCASES * copies;
    for (size_t lv = 0; lv < 3; lv++) {
        struct sluice_batch b[2];
        struct harness h[2];
        for (int t = 0; t < 2; t++) {
            char opts[160];
            snprintf(opts, sizeof opts, "on_error = dead-letter\nvalidate = %s\nthreads = %d",
                     levels[lv], t ? 3 : 1);
            CHECK_INT_EQ(harness_start(&h[t], &sluice_plugin, opts), SLUICE_OK);
            sluice_batch_init(&b[t]);
            for (size_t i = 0; i < n; i++) {
                const struct tcase *c = &cases[i % NCASES];
                struct sluice_record *r = sluice_batch_append(&b[t]);
                r->value = c->frame;
                r->value_len = c->len ? c->len : strlen(c->frame);
                r->offset = (int64_t)i;
            }
            CHECK_INT_EQ(h[t].plugin->process(h[t].state, &b[t], NULL), SLUICE_OK);
        }
        size_t differ = 0;
        for (size_t i = 0; i < n; i++) {
            const struct sluice_record *one = &b[0].records[i], *many = &b[1].records[i];
            bool same = sluice_record_live(one) == sluice_record_live(many) &&
                        one->nfields == many->nfields && one->ts == many->ts &&
                        (!one->error) == (!many->error) &&
                        (!one->error || strcmp(one->error, many->error) == 0);
            for (uint16_t f = 0; same && f < one->nfields; f++)
                same = one->fields[f].len == many->fields[f].len &&
                       memcmp(one->fields[f].ptr, many->fields[f].ptr, one->fields[f].len) == 0;
            differ += !same;
        }
        if (differ)
            fprintf(stderr, "threads = 3 differs from threads = 1 on %zu records (%s, %s)\n",
                    differ, impl, levels[lv]);
        CHECK_INT_EQ(differ, 0);
        CHECK_INT_EQ(harness_counter(&h[1], "extracted"), harness_counter(&h[0], "extracted"));
        CHECK_INT_EQ(harness_counter(&h[1], "dead_letter"), harness_counter(&h[0], "dead_letter"));
        CHECK(harness_counter(&h[0], "dead_letter") > 0 && harness_counter(&h[0], "extracted") > 0);
        for (int t = 0; t < 2; t++) {
            sluice_batch_free(&b[t]);
            harness_stop(&h[t]);
        }
    }
    struct harness h;
    CHECK_INT_EQ(harness_start(&h, &sluice_plugin, "threads = 0"), SLUICE_OK);
    harness_stop(&h);
    CHECK(harness_start(&h, &sluice_plugin, "threads = 65") == HARNESS_REFUSED);
    harness_stop(&h);
}

int main(void)
{
    static reasons_t full, structure;
    const char *impl;
    for (size_t i = 0; (impl = jx_impl_at(i)); i++) {
        if (!jx_force_impl(impl)) {
            fprintf(stderr, "(%s not available here)\n", impl);
            continue;
        }
        /* validate = full is the default. */
        run_cases("on_error = dead-letter", L_FULL, impl, &full);
        run_cases("on_error = dead-letter\nvalidate = full", L_FULL, impl, NULL);
        run_cases("on_error = dead-letter\nvalidate = structure", L_STRUCTURE, impl, &structure);
        run_cases("on_error = dead-letter\nvalidate = fields", L_FIELDS, impl, NULL);
        /* A frame both refuse for the same fault: the same reason text (the
         * scalar scanner's); S_FIELD frames lose a key instead. */
        for (size_t k = 0; k < NCASES; k++)
            if (cases[k].err && (cases[k].structure == S_FULL || !jx_impl_has_structure(impl)))
                CHECK_STR_EQ(structure[k], full[k]);
        check_any_type(impl);
        check_names(impl);
        check_threads(impl);
    }
    run_cases("on_error = dead-letter\nmode = strict", L_STRICT, NULL, NULL);
    check_classes();
    check_policies();
    check_options();
    sluice_fields_free();
    return check_exit();
}
