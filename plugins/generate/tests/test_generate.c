/*
 * The generate source: byte-identical output for a seed, valid JSON frames
 * (checked with jansson over many seeds and option sets), root uid/ts as the
 * generator says, the challenge data's properties (string ts, uid/ts not
 * always first, nested decoys, escapes, Cyrillic, ~2 KB), delays, and the
 * "distinct_uids" counter against an independent count.
 */
#include "check.h"
#include "gen.h"
#include "plugin_harness.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const struct sluice_plugin sluice_plugin;

/* Run the source to its end; hand every record to fn. Returns frames. */
static size_t drain(struct harness *h, void (*fn)(const struct sluice_record *, void *),
                    void *arg)
{
    struct sluice_batch b;
    sluice_batch_init(&b);
    size_t n = 0;
    for (;;) {
        sluice_batch_reset(&b);
        int rc = h->plugin->poll(h->state, &b, 0);
        if (rc == SLUICE_END)
            break;
        CHECK_INT_EQ(rc, SLUICE_OK);
        if (rc != SLUICE_OK)
            break;
        for (size_t i = 0; i < b.count; i++) {
            CHECK_INT_EQ(b.records[i].offset, (int64_t)n);
            CHECK_INT_EQ(b.records[i].partition, 0);
            n++;
            if (fn)
                fn(&b.records[i], arg);
        }
        CHECK_INT_EQ(h->plugin->ack(h->state, &b), SLUICE_OK);
    }
    sluice_batch_free(&b);
    return n;
}

/* FNV-1a over all frames, with lengths, as a fingerprint. */
static void fingerprint(const struct sluice_record *r, void *arg)
{
    uint64_t *hsh = arg;
    for (size_t i = 0; i < r->value_len; i++)
        *hsh = (*hsh ^ (unsigned char)r->value[i]) * 0x100000001b3ull;
    *hsh = (*hsh ^ r->value_len) * 0x100000001b3ull;
}

static uint64_t run_fingerprint(const char *opts, size_t *frames)
{
    struct harness h;
    CHECK_INT_EQ(harness_start(&h, &sluice_plugin, opts), SLUICE_OK);
    uint64_t hsh = 0xcbf29ce484222325ull;
    *frames = drain(&h, fingerprint, &hsh);
    harness_stop(&h);
    return hsh;
}

static void check_deterministic(void)
{
    size_t n1, n2, n3;
    uint64_t a = run_fingerprint("count = 5000\nseed = 7\nbatch = 333", &n1);
    uint64_t b = run_fingerprint("count = 5000\nseed = 7\nbatch = 1000", &n2);
    uint64_t c = run_fingerprint("count = 5000\nseed = 8", &n3);
    CHECK_INT_EQ(n1, 5000);
    CHECK_INT_EQ(n2, 5000);
    CHECK(a == b); /* the batch size does not change the bytes */
    CHECK(a != c);
}

struct stats {
    size_t frames, bytes, ts_string, late_pair, with_cr, delayed, uesc, cyr, decoy;
    int64_t max_ts;
    bool crlf;
    char (*uids)[GEN_UID_LEN + 1];
    size_t nuids;
};

static void inspect(const struct sluice_record *r, void *arg)
{
    struct stats *s = arg;
    size_t len = r->value_len;
    s->frames++;
    s->bytes += len;
    if (len && r->value[len - 1] == '\r') {
        s->with_cr++;
        len--;
    }
    json_error_t je;
    json_t *root = json_loadb(r->value, len, 0, &je);
    CHECK(root && json_is_object(root));
    if (!root) {
        fprintf(stderr, "invalid frame %lld: %s\n%.*s\n", (long long)r->offset, je.text,
                (int)len, r->value);
        return;
    }
    json_t *uid = json_object_get(root, "uid");
    json_t *ts = json_object_get(root, "ts");
    CHECK(json_is_string(uid) && json_string_length(uid) == GEN_UID_LEN);
    CHECK(json_is_integer(ts) || json_is_string(ts));
    int64_t t = 0;
    if (json_is_string(ts)) {
        s->ts_string++;
        t = strtoll(json_string_value(ts), NULL, 10);
    } else {
        t = json_integer_value(ts);
    }
    if (t < s->max_ts)
        s->delayed++;
    else
        s->max_ts = t;
    if (json_is_string(uid) && s->uids) {
        memcpy(s->uids[s->nuids], json_string_value(uid), GEN_UID_LEN);
        s->uids[s->nuids++][GEN_UID_LEN] = '\0';
    }
    /* Position of the pair: beyond the fifth member? */
    const char *k;
    json_t *v;
    int idx = 0, uid_at = -1;
    json_object_foreach(root, k, v)
    {
        (void)v;
        if (strcmp(k, "uid") == 0)
            uid_at = idx;
        idx++;
    }
    (void)uid_at;
    const char *p = memmem(r->value, len, "\"uid\":\"", 7);
    /* The first "uid" key in the text is the root one unless a decoy comes first. */
    if (p && p - r->value > 400)
        s->late_pair++;
    if (memmem(r->value, len, "\\u", 2))
        s->uesc++;
    if (memmem(r->value, len, "\xd0", 1))
        s->cyr++;
    /* A nested decoy: "uid" or "ts" as a key somewhere after an opening brace
     * that is not the root's. */
    const char *q = r->value + 1;
    const char *brace = memchr(q, '{', len - 1);
    if (brace && (memmem(brace, len - (size_t)(brace - r->value), "\"uid\":", 6) ||
                  memmem(brace, len - (size_t)(brace - r->value), "\"ts\":", 5)))
        s->decoy++;
    json_decref(root);
}

static int cmp_uid(const void *a, const void *b)
{
    return memcmp(a, b, GEN_UID_LEN);
}

static size_t distinct(char (*u)[GEN_UID_LEN + 1], size_t n)
{
    qsort(u, n, sizeof *u, cmp_uid);
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || memcmp(u[i], u[i - 1], GEN_UID_LEN) != 0)
            d++;
    return d;
}

static void check_frames(void)
{
    static const char *const variants[] = {
        "", "ts_string = 0", "ts_string = 1", "crlf = true", "unicode = true",
        "delay = 10s\ndelay_prob = 0.05", "users = 1\nrate = 0.5"};
    size_t nv = sizeof variants / sizeof variants[0];
    for (int seed = 1; seed <= 40; seed++) {
        const char *var = variants[seed % nv];
        char opts[256];
        snprintf(opts, sizeof opts, "count = 1000\nseed = %d\n%s%s", seed, var,
                 strstr(var, "users") ? "" : "\nusers = 300");
        struct harness h;
        CHECK_INT_EQ(harness_start(&h, &sluice_plugin, opts), SLUICE_OK);
        struct stats s = {0};
        s.uids = calloc(1000, sizeof *s.uids);
        drain(&h, inspect, &s);
        CHECK_INT_EQ(s.frames, 1000);
        /* The counter against an independent count of root uids. */
        CHECK_INT_EQ(harness_counter(&h, "distinct_uids"), (int64_t)distinct(s.uids, s.nuids));
        CHECK_INT_EQ(harness_counter(&h, "frames"), 1000);
        double avg = (double)s.bytes / (double)s.frames;
        if (!(avg > 1800 && avg < 2200))
            fprintf(stderr, "seed %d: average frame %.0f bytes\n", seed, avg);
        CHECK(avg > 1800 && avg < 2200);
        if (strstr(var, "ts_string = 0"))
            CHECK_INT_EQ(s.ts_string, 0);
        else if (strstr(var, "ts_string = 1"))
            CHECK_INT_EQ(s.ts_string, 1000);
        else
            CHECK(s.ts_string > 150 && s.ts_string < 350);
        CHECK_INT_EQ(s.with_cr, strstr(var, "crlf") ? 1000 : 0);
        if (strstr(var, "unicode"))
            CHECK(s.uesc > 100);
        else
            CHECK_INT_EQ(s.uesc, 0);
        if (strstr(var, "delay"))
            CHECK(s.delayed > 20 && s.delayed < 90);
        else
            CHECK_INT_EQ(s.delayed, 0);
        if (strstr(var, "users = 1"))
            CHECK_INT_EQ(harness_counter(&h, "distinct_uids"), 1);
        CHECK(s.late_pair > 10);  /* the pair is not always near the start */
        CHECK(s.cyr > 500);       /* Cyrillic in most frames */
        CHECK(s.decoy > 500);     /* nested uid/ts decoys in most frames */
        free(s.uids);
        harness_stop(&h);
    }
}

/* Every user appears when frames far outnumber users; uids are distinct. */
static void check_users(void)
{
    struct gen_params p = {.seed = 3, .users = 200, .rate = 1000, .start_ts = 1};
    struct gen *g = gen_new(&p);
    char (*u)[GEN_UID_LEN + 1] = calloc(200000, sizeof *u);
    for (uint64_t i = 0; i < 200000; i++)
        gen_uid(g, i, u[i]);
    CHECK_INT_EQ(distinct(u, 200000), 200000);
    char *frame = malloc(gen_max_frame(g));
    bool seen[200] = {0};
    size_t nseen = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t user;
        int64_t ts;
        size_t n = gen_next(g, frame, &user, &ts);
        CHECK(n <= gen_max_frame(g));
        CHECK(user < 200);
        CHECK_INT_EQ(ts, 1 + i / 1000);
        if (!seen[user]) {
            seen[user] = true;
            nseen++;
        }
    }
    CHECK_INT_EQ(nseen, 200);
    free(frame);
    free(u);
    gen_free(g);
}

/* Not a pass/fail check: how fast frames are made (the benchmark's feed). */
static void report_speed(void)
{
    struct gen_params p = {.seed = 1, .users = 100000, .rate = 1000, .start_ts = 1468244384,
                           .ts_string_prob = 0.25};
    struct gen *g = gen_new(&p);
    size_t max = gen_max_frame(g), n = 200000;
    char *buf = malloc(max * 1024);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t user;
        int64_t ts;
        bytes += gen_next(g, buf + (i % 1024) * max, &user, &ts);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    fprintf(stderr, "generate: %.0f frames/s, %.0f MB/s\n", (double)n / s, (double)bytes / s / 1e6);
    free(buf);
    gen_free(g);
}

int main(void)
{
    check_deterministic();
    check_frames();
    check_users();
    report_speed();
    return check_exit();
}
