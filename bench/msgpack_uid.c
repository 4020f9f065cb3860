/*
 * msgpack_uid — what a better format than JSON would save: the benchmark's
 * frames, and the same frames in MessagePack (encoded by msgpack-c, Debian's
 * libmsgpack-dev), bytes per frame and CPU time to get the root `uid` and
 * `ts` out of each.
 *
 * The frames are bench/run.sh's: the `generate` source with seed 42, 100,000
 * users, 1000 frames/s (the same bytes as its frames file, N of them). Each is
 * parsed once by jansson (untimed) and written out again as
 *   - JSON, {uid, ts} only: `{"uid":"...","ts":1468244384}` — what a producer
 *     that sends only what is counted would send, in JSON;
 *   - MessagePack, whole frame: the same members, nested objects and arrays,
 *     integers as integers, reals as float64, strings as str (a `ts` that is a
 *     string in the JSON stays a string);
 *   - MessagePack, {uid, ts} only: a map of two, ts an integer.
 * Then, timed (CPU time of this thread, median of RUNS passes over all
 * frames, the ways taken round-robin), each way of getting uid and ts out:
 *   json  sluice fast   json-extract's fast scanner with its defaults
 *                       (validate = structure) and its type rules (a string
 *                       ts is parsed): exactly what the pipeline runs
 *   json  jansson       json-extract mode = strict (over N/10 frames: slow)
 *   msgpack  msgpack-c  msgpack_unpack_next (the library's tree of the whole
 *                       frame in a reused zone), then the root map's members
 *   msgpack  cursor     a walk over the bytes that skips every value it does
 *                       not want by its length prefix, bounds-checked, without
 *                       building anything: what an extractor written for
 *                       MessagePack, like json-extract for JSON, would do
 * Every way's uid and ts of every frame are checked, untimed, against the
 * generator's own (user -> uid text, ts); a mismatch is an error (exit 1).
 *
 *   bench/msgpack_uid [FRAMES [RUNS]]   (defaults 100000 and 9) > msgpack.tsv
 *
 * Output: a TSV (comment lines first) with one row per (encoding, content,
 * method): bytes per frame, CPU ns per frame, frames per CPU second, MB/s of
 * the encoding's bytes. What each encoding checks differs: the JSON scanners
 * check every frame's structure (jansson everything); msgpack-c and the cursor
 * check that every length fits in the frame, not UTF-8 in strings.
 */
#include "gen.h"
#include "jx.h"
#include "record.h"

#include <jansson.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define UID_ID 1
#define TS_ID 2

/* A set of encoded frames, back to back. */
struct set {
    char *bytes;
    size_t *off, n, total, cap, bcap;
};

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fprintf(stderr, "msgpack_uid: out of memory\n");
        exit(1);
    }
    return p;
}

static void set_add(struct set *s, const char *f, size_t len)
{
    if (s->n + 1 >= s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->off = xrealloc(s->off, s->cap * sizeof *s->off);
    }
    while (s->total + len > s->bcap) {
        s->bcap = s->bcap ? s->bcap * 2 : 1 << 22;
        s->bytes = xrealloc(s->bytes, s->bcap);
    }
    memcpy(s->bytes + s->total, f, len);
    s->off[s->n++] = s->total;
    s->total += len;
    s->off[s->n] = s->total;
}

static void set_free(struct set *s)
{
    free(s->bytes);
    free(s->off);
}

static void pack_json(msgpack_packer *pk, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *m;
        msgpack_pack_map(pk, json_object_size(v));
        json_object_foreach((json_t *)v, k, m) {
            msgpack_pack_str_with_body(pk, k, strlen(k));
            pack_json(pk, m);
        }
        break;
    }
    case JSON_ARRAY:
        msgpack_pack_array(pk, json_array_size(v));
        for (size_t i = 0; i < json_array_size(v); i++)
            pack_json(pk, json_array_get(v, i));
        break;
    case JSON_STRING:
        msgpack_pack_str_with_body(pk, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        msgpack_pack_int64(pk, json_integer_value(v));
        break;
    case JSON_REAL:
        msgpack_pack_double(pk, json_real_value(v));
        break;
    case JSON_TRUE:
        msgpack_pack_true(pk);
        break;
    case JSON_FALSE:
        msgpack_pack_false(pk);
        break;
    case JSON_NULL:
        msgpack_pack_nil(pk);
        break;
    }
}

/* What one way of extraction found in one frame. */
struct got {
    const char *uid;
    size_t uid_len;
    int64_t ts;
};

typedef bool (*extract_fn)(const char *f, size_t len, struct got *g);

/* --- JSON: json-extract's own scanners and type rules. */

static struct jx_rules rules;
static char arena[1 << 20];
static size_t arena_used;
static void *bump(void *ctx, size_t n)
{
    (void)ctx;
    n = (n + 15) & ~(size_t)15;
    if (arena_used + n > sizeof arena)
        arena_used = 0;
    void *p = arena + arena_used;
    arena_used += n;
    return p;
}

static bool json_got(enum jx_err e, const struct jx_slot *slots, struct jx_verdict *v,
                     struct got *g)
{
    struct sluice_record rec;
    if (e || jx_fill_record(&rules, slots, &rec, v, bump, NULL))
        return false;
    for (unsigned i = 0; i < rec.nfields; i++)
        if (rec.fields[i].id == UID_ID) {
            g->uid = rec.fields[i].ptr;
            g->uid_len = rec.fields[i].len;
        }
    g->ts = rec.ts;
    return true;
}

static bool json_fast(const char *f, size_t len, struct got *g)
{
    struct jx_slot slots[JX_MAX_WANT] = {{0}};
    struct jx_verdict v;
    return json_got(jx_scan_fast(f, len, &rules.spec, slots, &v), slots, &v, g);
}

static bool json_strict(const char *f, size_t len, struct got *g)
{
    struct jx_slot slots[JX_MAX_WANT] = {{0}};
    struct jx_verdict v;
    return json_got(jx_scan_strict(f, len, &rules.spec, slots, &v, bump, NULL), slots, &v, g);
}

/* --- MessagePack through msgpack-c. */

static msgpack_unpacked unpacked;

static bool mp_lib(const char *f, size_t len, struct got *g)
{
    size_t off = 0;
    if (msgpack_unpack_next(&unpacked, f, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len)
        return false;
    const msgpack_object *o = &unpacked.data;
    if (o->type != MSGPACK_OBJECT_MAP)
        return false;
    bool have_uid = false, have_ts = false;
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;
        if (k->type != MSGPACK_OBJECT_STR)
            continue;
        if (k->via.str.size == 3 && memcmp(k->via.str.ptr, "uid", 3) == 0) {
            if (v->type != MSGPACK_OBJECT_STR)
                return false;
            g->uid = v->via.str.ptr;
            g->uid_len = v->via.str.size;
            have_uid = true;
        } else if (k->via.str.size == 2 && memcmp(k->via.str.ptr, "ts", 2) == 0) {
            if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= INT64_MAX)
                g->ts = (int64_t)v->via.u64;
            else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
                g->ts = v->via.i64;
            else if (v->type != MSGPACK_OBJECT_STR ||
                     !jx_parse_int(v->via.str.ptr, v->via.str.size, &g->ts))
                return false;
            have_ts = true;
        }
    }
    return have_uid && have_ts;
}

/* --- MessagePack by a cursor: skip what is not wanted by its length. */

static uint64_t be(const uint8_t *p, unsigned n)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < n; i++)
        x = x << 8 | p[i];
    return x;
}

/* The header of the value at p: how many bytes it has before its payload
 * (*head), payload bytes (*body), and nested values that follow (*items: 1 per
 * array element, 2 per map pair). False if the header does not fit or the
 * byte is never used (0xc1). */
static bool mp_header(const uint8_t *p, const uint8_t *end, size_t *head, uint64_t *body,
                      uint64_t *items)
{
    uint8_t c = *p;
    *head = 1, *body = 0, *items = 0;
    if (c <= 0x7f || c >= 0xe0 || (c >= 0xc0 && c <= 0xc3 && c != 0xc1))
        return true; /* fixint, nil, bool */
    if (c <= 0x8f)
        return *items = 2u * (c & 15u), true;
    if (c <= 0x9f)
        return *items = c & 15u, true;
    if (c <= 0xbf)
        return *body = c & 31u, true;
    static const uint8_t lenbytes[] = {
        /* c4..c9 bin8/16/32, ext8/16/32 */ 1, 2, 4, 1, 2, 4,
        /* ca..cb float32/64 */ 0, 0,
        /* cc..d3 uint, int 8..64 */ 0, 0, 0, 0, 0, 0, 0, 0,
        /* d4..d8 fixext */ 0, 0, 0, 0, 0,
        /* d9..db str8/16/32 */ 1, 2, 4,
        /* dc..dd array16/32, de..df map16/32 */ 2, 4, 2, 4};
    static const uint8_t fixed[] = {0, 0, 0, 0, 0, 0, 4, 8, 1, 2, 4, 8, 1, 2, 4, 8,
                                    2, 3, 5, 9, 17, 0, 0, 0, 0, 0, 0, 0};
    if (c == 0xc1)
        return false;
    unsigned i = c - 0xc4, n = lenbytes[i];
    if ((size_t)(end - p) < 1u + n)
        return false;
    uint64_t len = be(p + 1, n);
    *head = 1 + n;
    if (c >= 0xdc)
        *items = c >= 0xde ? 2 * len : len;
    else if (c >= 0xc7 && c <= 0xc9)
        *body = len + 1; /* ext: a type byte, then the data */
    else if (n)
        *body = len;
    else
        *body = fixed[i];
    return true;
}

/* The end of the value at p (nested values included), or NULL if it does
 * not fit in [p, end). */
static const uint8_t *mp_skip(const uint8_t *p, const uint8_t *end)
{
    uint64_t pending = 1; /* values still to skip */
    while (pending) {
        size_t head;
        uint64_t body, items;
        if (p >= end || !mp_header(p, end, &head, &body, &items) ||
            body > (uint64_t)(end - p) - head)
            return NULL;
        p += head + body;
        pending += items - 1;
        if (pending > (uint64_t)(end - p)) /* every value takes at least a byte */
            return NULL;
    }
    return p;
}

/* The string at v (fixstr, str8, str16, str32), whose bytes mp_skip found
 * to fit. */
static bool mp_str(const uint8_t *v, const uint8_t *end, const char **str, size_t *len)
{
    size_t head;
    uint64_t body, items;
    if (!((*v >= 0xa0 && *v <= 0xbf) || (*v >= 0xd9 && *v <= 0xdb)) ||
        !mp_header(v, end, &head, &body, &items))
        return false;
    *str = (const char *)v + head;
    *len = (size_t)body;
    return true;
}

/* An integer ts, or a string holding one (as the JSON frames may carry it). */
static bool mp_ts(const uint8_t *v, const uint8_t *end, int64_t *ts)
{
    uint8_t c = *v;
    const char *s;
    size_t len;
    if (c <= 0x7f || c >= 0xe0) {
        *ts = (int8_t)c;
    } else if (c >= 0xcc && c <= 0xcf) {
        uint64_t x = be(v + 1, 1u << (c - 0xcc));
        if (x > INT64_MAX)
            return false;
        *ts = (int64_t)x;
    } else if (c >= 0xd0 && c <= 0xd3) {
        unsigned n = 1u << (c - 0xd0);
        uint64_t x = be(v + 1, n);
        if (n < 8 && (x >> (8 * n - 1))) /* sign-extend */
            x |= ~UINT64_C(0) << (8 * n);
        *ts = (int64_t)x;
    } else {
        return mp_str(v, end, &s, &len) && jx_parse_int(s, len, ts);
    }
    return true;
}

static bool mp_cursor(const char *f, size_t len, struct got *g)
{
    const uint8_t *p = (const uint8_t *)f, *end = p + len;
    size_t head;
    uint64_t body, items;
    if (!len || !((*p >= 0x80 && *p <= 0x8f) || *p == 0xde || *p == 0xdf) ||
        !mp_header(p, end, &head, &body, &items))
        return false;
    p += head;
    bool have_uid = false, have_ts = false;
    for (uint64_t i = 0; i < items / 2; i++) {
        const uint8_t *k = p, *v = mp_skip(p, end), *next = v ? mp_skip(v, end) : NULL;
        const char *key;
        size_t key_len;
        if (!next)
            return false;
        if (mp_str(k, end, &key, &key_len)) {
            if (key_len == 3 && memcmp(key, "uid", 3) == 0) {
                if (!mp_str(v, end, &g->uid, &g->uid_len))
                    return false;
                have_uid = true;
            } else if (key_len == 2 && memcmp(key, "ts", 2) == 0) {
                if (!mp_ts(v, end, &g->ts))
                    return false;
                have_ts = true;
            }
        }
        p = next;
    }
    return p == end && have_uid && have_ts;
}

/* --- Timing. */

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* CPU seconds per frame of one pass over the first n frames. */
static double one_pass(const struct set *s, size_t n, extract_fn fn)
{
    static uint64_t sink;
    double t0 = cpu_now();
    for (size_t i = 0; i < n; i++) {
        struct got g = {0};
        fn(s->bytes + s->off[i], s->off[i + 1] - s->off[i], &g);
        sink += g.uid_len + (uint64_t)g.ts + (g.uid ? (uint8_t)g.uid[0] : 0u);
    }
    double t = (cpu_now() - t0) / (double)n;
    if (sink == 42) /* keeps the results alive */
        fputc(' ', stderr);
    return t;
}

int main(int argc, char **argv)
{
    size_t frames = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    int runs = argc > 2 ? atoi(argv[2]) : 9;
    if (frames < 10 || runs < 1 || runs > 63) {
        fprintf(stderr, "usage: msgpack_uid [FRAMES>=10 [RUNS in 1..63]]\n");
        return 2;
    }
    rules.spec = (struct jx_spec){.n = 2, .name = {"uid", "ts"}, .len = {3, 2}, .maxlen = 3,
                                  .structure_only = true};
    jx_spec_prepare(&rules.spec); /* as json-extract does */
    rules.required[0] = rules.required[1] = true;
    rules.ts = 1;
    rules.id[0] = UID_ID;
    rules.id[1] = TS_ID;

    /* The frames, their truth, and the three other encodings. */
    struct gen_params gp = {.seed = 42, .users = 100000, .rate = 1000, .start_ts = 1468244384,
                            .ts_string_prob = 0.25};
    struct gen *gn = gen_new(&gp);
    if (!gn)
        return 1;
    char *buf = xrealloc(NULL, gen_max_frame(gn));
    char (*want_uid)[GEN_UID_LEN] = xrealloc(NULL, frames * GEN_UID_LEN);
    int64_t *want_ts = xrealloc(NULL, frames * sizeof *want_ts);
    struct set json = {0}, json_min = {0}, mp_full = {0}, mp_min = {0};
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    for (size_t i = 0; i < frames; i++) {
        uint64_t user;
        size_t len = gen_next(gn, buf, &user, &want_ts[i]);
        gen_uid(gn, user, want_uid[i]);
        set_add(&json, buf, len);
        json_error_t err;
        json_t *root = json_loadb(buf, len, 0, &err);
        if (!root) {
            fprintf(stderr, "msgpack_uid: frame %zu is not JSON to jansson: %s\n", i, err.text);
            return 1;
        }
        msgpack_sbuffer_clear(&sb);
        pack_json(&pk, root);
        set_add(&mp_full, sb.data, sb.size);
        json_decref(root);
        char small[96];
        int n = snprintf(small, sizeof small, "{\"uid\":\"%.*s\",\"ts\":%lld}", GEN_UID_LEN,
                         want_uid[i], (long long)want_ts[i]);
        set_add(&json_min, small, (size_t)n);
        msgpack_sbuffer_clear(&sb);
        msgpack_pack_map(&pk, 2);
        msgpack_pack_str_with_body(&pk, "uid", 3);
        msgpack_pack_str_with_body(&pk, want_uid[i], GEN_UID_LEN);
        msgpack_pack_str_with_body(&pk, "ts", 2);
        msgpack_pack_int64(&pk, want_ts[i]);
        set_add(&mp_min, sb.data, sb.size);
    }
    msgpack_sbuffer_destroy(&sb);
    free(buf);
    gen_free(gn);
    msgpack_unpacked_init(&unpacked);

    const struct {
        const char *encoding, *content, *method;
        const struct set *set;
        extract_fn fn;
        size_t divide; /* measure over frames / divide frames */
    } ways[] = {
        {"json", "whole frame", "sluice fast", &json, json_fast, 1},
        {"json", "whole frame", "jansson", &json, json_strict, 10},
        {"msgpack", "whole frame", "msgpack-c", &mp_full, mp_lib, 1},
        {"msgpack", "whole frame", "cursor", &mp_full, mp_cursor, 1},
        {"json", "uid+ts only", "sluice fast", &json_min, json_fast, 1},
        {"msgpack", "uid+ts only", "msgpack-c", &mp_min, mp_lib, 1},
        {"msgpack", "uid+ts only", "cursor", &mp_min, mp_cursor, 1},
    };
    time_t now = time(NULL);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    printf("# source: bench/msgpack_uid %zu %d: the benchmark's frames (generate seed 42, 100,000 "
           "users, 1000/s), root uid and ts; CPU time of one thread, median of %d passes; "
           "json-extract scanner %s, msgpack-c %s\n",
           frames, runs, runs, jx_impl_name(), msgpack_version());
    printf("# date: %s\n", date);
    printf("encoding\tcontent\tmethod\tbytes_per_frame\tns_per_frame\tframes_per_cpu_s\tMB_per_s\n");
    enum { NWAYS = sizeof ways / sizeof *ways };
    for (size_t w = 0; w < NWAYS; w++) { /* untimed: every frame's answer */
        const struct set *s = ways[w].set;
        for (size_t i = 0; i < frames / ways[w].divide; i++) {
            struct got g = {0};
            size_t len = s->off[i + 1] - s->off[i];
            if (!ways[w].fn(s->bytes + s->off[i], len, &g) || g.uid_len != GEN_UID_LEN ||
                memcmp(g.uid, want_uid[i], GEN_UID_LEN) != 0 || g.ts != want_ts[i]) {
                fprintf(stderr, "msgpack_uid: %s (%s) by %s: frame %zu: wrong uid or ts\n",
                        ways[w].encoding, ways[w].content, ways[w].method, i);
                return 1;
            }
        }
    }
    /* Timed: the ways round-robin (a pass of each, then the next round), so a machine whose
     * load changes during the run slows them alike; then each way's median. */
    static double t[NWAYS][64];
    for (int r = 0; r < runs; r++)
        for (size_t w = 0; w < NWAYS; w++)
            t[w][r] = one_pass(ways[w].set, frames / ways[w].divide, ways[w].fn);
    for (size_t w = 0; w < NWAYS; w++) {
        qsort(t[w], (size_t)runs, sizeof t[w][0], cmp_d);
        double sec = t[w][runs / 2], bytes = (double)ways[w].set->total / (double)frames;
        printf("%s\t%s\t%s\t%.1f\t%.1f\t%.0f\t%.0f\n", ways[w].encoding, ways[w].content,
               ways[w].method, bytes, sec * 1e9, 1 / sec, bytes / sec / 1e6);
    }
    msgpack_unpacked_destroy(&unpacked);
    set_free(&json);
    set_free(&json_min);
    set_free(&mp_full);
    set_free(&mp_min);
    free(want_uid);
    free(want_ts);
    return 0;
}
