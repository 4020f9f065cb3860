/*
 * distinct-count through its plugin descriptor on the challenge samples:
 * per-minute, per-hour and per-day counts equal exact counts computed
 * independently (minutes: the .minutes files, made with another parser;
 * hours and days: a naive sort-and-compare of uid strings here, no hashing),
 * in exact and sketch mode, whatever the batch size. With the late sample
 * and lateness = 5s the latest revision of each minute is exact and at
 * least one revision is emitted. Also: error and dropped records pass
 * through, frames without key/ts/plausible time become error records.
 */
#include "batch.h"
#include "check.h"
#include "distinct_count.h"
#include "host_api.h"
#include "metrics.h"
#include "plugin_harness.h"

#include <jansson.h>
#include <stdlib.h>
#include <zlib.h>

extern const struct sluice_plugin sluice_plugin;

struct frame {
    char *uid;
    int64_t ts;
};

static const char *data_dir(void)
{
    const char *d = getenv("SLUICE_TEST_DATA");
    return d && *d ? d : DC_TEST_DATA_DIR;
}

/* Read a .jsonl.gz of frames: root-level uid (string) and ts (number or
 * numeric string), with jansson as the strict reference parser. */
static size_t load_frames(const char *name, struct frame **out)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", data_dir(), name);
    gzFile f = gzopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return 0;
    size_t n = 0, cap = 4096;
    struct frame *fr = malloc(cap * sizeof *fr);
    static char line[1 << 20];
    while (gzgets(f, line, sizeof line)) {
        json_error_t jerr;
        json_t *root = json_loads(line, JSON_DECODE_ANY, &jerr);
        CHECK(root && json_is_object(root));
        if (!root)
            continue;
        json_t *uid = json_object_get(root, "uid"), *ts = json_object_get(root, "ts");
        CHECK(json_is_string(uid));
        if (n == cap)
            fr = realloc(fr, (cap *= 2) * sizeof *fr);
        fr[n].uid = strdup(json_string_value(uid));
        fr[n].ts = json_is_integer(ts) ? (int64_t)json_integer_value(ts)
                                       : strtoll(json_string_value(ts), NULL, 10);
        n++;
        json_decref(root);
    }
    gzclose(f);
    *out = fr;
    return n;
}

/* ---- independent truth ---------------------------------------------- */

struct truth {
    int64_t start;
    uint64_t unique;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Distinct uids per window of `size` seconds (UTC hours and days are plain
 * multiples of the epoch). */
static size_t naive_counts(const struct frame *fr, size_t n, int64_t size, struct truth *out)
{
    size_t nt = 0;
    char **uids = malloc(n * sizeof *uids);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        int64_t s = fr[i].ts / size * size;
        lo = s < lo ? s : lo;
        hi = s > hi ? s : hi;
    }
    for (int64_t s = lo; s <= hi; s += size) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (fr[i].ts / size * size == s)
                uids[m++] = fr[i].uid;
        if (!m)
            continue;
        qsort(uids, m, sizeof *uids, cmp_str);
        uint64_t u = 1;
        for (size_t i = 1; i < m; i++)
            u += strcmp(uids[i - 1], uids[i]) != 0;
        out[nt++] = (struct truth){s, u};
    }
    free(uids);
    return nt;
}

static size_t read_minutes(const char *name, struct truth *out)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", data_dir(), name);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return 0;
    size_t n = 0;
    long long s;
    unsigned long long u;
    while (fscanf(f, "%lld %llu", &s, &u) == 2)
        out[n++] = (struct truth){s, u};
    fclose(f);
    return n;
}

/* ---- running the plugin ----------------------------------------------- */

struct result {
    char window[16];
    int64_t start_ts;
    uint64_t unique, frames;
    int revision;
    bool final;
    char key[64];
};

#define MAX_RESULTS 256
static struct result results[MAX_RESULTS];
static size_t nresults, nerrors;

static void collect(const struct sluice_batch *b)
{
    for (size_t i = 0; i < b->count; i++) {
        const struct sluice_record *r = &b->records[i];
        if (r->flags & SLUICE_REC_ERROR) {
            nerrors++;
            continue;
        }
        CHECK(r->flags & SLUICE_REC_RESULT);
        json_error_t jerr;
        json_t *o = json_loadb(r->value, r->value_len, 0, &jerr);
        CHECK(o != NULL);
        if (!o || nresults == MAX_RESULTS)
            continue;
        struct result *x = &results[nresults++];
        snprintf(x->window, sizeof x->window, "%s",
                 json_string_value(json_object_get(o, "window")));
        x->start_ts = json_integer_value(json_object_get(o, "start_ts"));
        x->unique = (uint64_t)json_integer_value(json_object_get(o, "unique"));
        x->frames = (uint64_t)json_integer_value(json_object_get(o, "frames"));
        x->revision = (int)json_integer_value(json_object_get(o, "revision"));
        x->final = json_is_true(json_object_get(o, "final"));
        snprintf(x->key, sizeof x->key, "%.*s", (int)r->key_len, r->key);
        json_decref(o);
    }
}

static void fill_frame(struct sluice_record *r, const struct frame *f, uint16_t uid_id)
{
    r->value = f->uid;
    r->value_len = strlen(f->uid);
    r->ts = f->ts;
    r->flags = SLUICE_REC_HAS_TS;
    r->nfields = 1;
    r->fields[0] = (struct sluice_field){.ptr = f->uid,
                                         .len = (uint32_t)strlen(f->uid),
                                         .id = uid_id,
                                         .type = SLUICE_FIELD_STRING};
}

/* What the last run() published: its "late" and "revisions" counters, and
 * the windows still open at the end (gauges; 0 after end_of_input). */
static int64_t last_late, last_revisions;
static double last_open;
static int last_open_kinds;

/* Run the plugin with `options` (pipeline file lines) over the frames in
 * batches of `batch`, collecting the results. */
static void run(const struct frame *fr, size_t n, const char *options, size_t batch)
{
    struct harness h;
    nresults = nerrors = 0;
    CHECK_INT_EQ(harness_start(&h, &sluice_plugin, options), SLUICE_OK);
    uint16_t uid_id = sluice_field_id("uid");
    struct sluice_batch in, out;
    sluice_batch_init(&in);
    sluice_batch_init(&out);
    for (size_t i = 0; i < n; i += batch) {
        sluice_batch_reset(&in);
        sluice_batch_reset(&out);
        for (size_t j = i; j < n && j < i + batch; j++)
            fill_frame(sluice_batch_append(&in), &fr[j], uid_id);
        CHECK_INT_EQ(sluice_plugin.process(h.state, &in, &out), SLUICE_OK);
        collect(&out);
    }
    sluice_batch_reset(&out);
    CHECK_INT_EQ(sluice_plugin.end_of_input(h.state, &out), SLUICE_OK);
    collect(&out);
    last_late = harness_counter(&h, "late");
    last_revisions = harness_counter(&h, "revisions");
    struct sluice_gauge_view open;
    sluice_gauge_view(h.inst, "windows_open", &open);
    last_open = open.sum;
    last_open_kinds = open.n;
    harness_stop(&h);
    sluice_batch_free(&in);
    sluice_batch_free(&out);
}

/* Every truth window has results, the latest revision equals the truth,
 * and revisions are numbered 0, 1, ... in order. Returns the revisions > 0. */
static int check_against(const char *window, const struct truth *t, size_t nt)
{
    int revisions = 0;
    for (size_t i = 0; i < nt; i++) {
        int latest = -1;
        uint64_t unique = 0;
        for (size_t j = 0; j < nresults; j++) {
            const struct result *r = &results[j];
            if (strcmp(r->window, window) != 0 || r->start_ts != t[i].start)
                continue;
            CHECK_INT_EQ(r->revision, latest + 1); /* emitted in order */
            CHECK(r->final);
            latest = r->revision;
            unique = r->unique;
            if (r->revision > 0)
                revisions++;
        }
        if (latest < 0 || unique != t[i].unique)
            fprintf(stderr, "%s %lld: got %llu (revision %d), want %llu\n", window,
                    (long long)t[i].start, (unsigned long long)unique, latest,
                    (unsigned long long)t[i].unique);
        CHECK(latest >= 0);
        CHECK_INT_EQ(unique, t[i].unique);
    }
    /* No results for windows without frames. */
    for (size_t j = 0; j < nresults; j++) {
        if (strcmp(results[j].window, window) != 0)
            continue;
        bool known = false;
        for (size_t i = 0; i < nt; i++)
            known |= results[j].start_ts == t[i].start;
        CHECK(known);
    }
    return revisions;
}

static void test_sample(const char *file, const char *minutes, bool late)
{
    struct frame *fr = NULL;
    size_t n = load_frames(file, &fr);
    CHECK_INT_EQ(n, 3000);
    struct truth tm[64], tmn[64], th[8], td[8];
    size_t ntm = read_minutes(minutes, tm);
    size_t ntmn = naive_counts(fr, n, 60, tmn);
    size_t nth = naive_counts(fr, n, 3600, th);
    size_t ntd = naive_counts(fr, n, 86400, td);
    /* The test's own reader agrees with the independent .minutes file. */
    CHECK_INT_EQ(ntmn, ntm);
    for (size_t i = 0; i < ntm && i < ntmn; i++) {
        CHECK_INT_EQ(tmn[i].start, tm[i].start);
        CHECK_INT_EQ(tmn[i].unique, tm[i].unique);
    }

    static const char *const algorithms[] = {"exact", "sketch"};
    static const size_t batches[] = {1, 97, 1000, 5000};
    for (size_t a = 0; a < 2; a++) {
        for (size_t b = 0; b < sizeof batches / sizeof *batches; b++) {
            /* lateness = 5s: late frames of the late sample make revisions. */
            char options[128];
            snprintf(options, sizeof options,
                     "windows = minute, hour, day\nalgorithm = %s\nlateness = 5s", algorithms[a]);
            run(fr, n, options, batches[b]);
            CHECK_INT_EQ(nerrors, 0);
            int rev = check_against("minute", tm, ntm);
            rev += check_against("hour", th, nth);
            rev += check_against("day", td, ntd);
            if (late)
                CHECK(rev >= 1);
            else
                CHECK_INT_EQ(rev, 0);
            /* The counters agree with the results: every revision is
             * counted, and each needed at least one late frame. */
            CHECK_INT_EQ(last_revisions, rev);
            CHECK(last_late >= rev);
            if (!late)
                CHECK_INT_EQ(last_late, 0);
            CHECK_INT_EQ(last_open_kinds, 3);
            CHECK(last_open == 0); /* all final at the end */
            /* lateness = 15s covers the 10 s delays: no revision at all. */
            snprintf(options, sizeof options,
                     "windows = minute, hour, day\nalgorithm = %s\nlateness = 15s", algorithms[a]);
            run(fr, n, options, batches[b]);
            CHECK_INT_EQ(check_against("minute", tm, ntm), 0);
            CHECK_INT_EQ(check_against("hour", th, nth), 0);
            CHECK_INT_EQ(check_against("day", td, ntd), 0);
            CHECK_INT_EQ(nresults, ntm + nth + ntd);
            CHECK_INT_EQ(last_revisions, 0);
            CHECK_INT_EQ(last_late, 0);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(fr[i].uid);
    free(fr);
}

/* The exact bytes of one result, and its key. */
static void test_result_format(void)
{
    struct frame *fr = NULL;
    size_t n = load_frames("challenge-sample-a.jsonl.gz", &fr);
    struct harness h;
    CHECK_INT_EQ(harness_start(&h, &sluice_plugin, "windows = minute\nalgorithm = sketch"),
                 SLUICE_OK);
    struct sluice_batch in, out;
    sluice_batch_init(&in);
    sluice_batch_init(&out);
    uint16_t uid_id = sluice_field_id("uid");
    for (size_t j = 0; j < n; j++)
        fill_frame(sluice_batch_append(&in), &fr[j], uid_id);
    CHECK_INT_EQ(sluice_plugin.process(h.state, &in, &out), SLUICE_OK);
    CHECK(out.count >= 1);
    if (out.count >= 1) {
        const struct sluice_record *r = &out.records[0];
        char v[512];
        snprintf(v, sizeof v, "%.*s", (int)r->value_len, r->value);
        CHECK_STR_EQ(v, "{\"window\":\"minute\",\"start\":\"2016-07-11T13:39:00Z\","
                        "\"end\":\"2016-07-11T13:40:00Z\",\"start_ts\":1468244340,"
                        "\"unique\":180,\"frames\":195,\"revision\":0,\"final\":true,"
                        "\"estimator\":\"exact\",\"rse\":0}");
        snprintf(v, sizeof v, "%.*s", (int)r->key_len, r->key);
        CHECK_STR_EQ(v, "minute/2016-07-11T13:39:00Z");
        CHECK(r->flags == (SLUICE_REC_RESULT | SLUICE_REC_HAS_TS));
        CHECK_INT_EQ(r->ts, 1468244340);
        CHECK_INT_EQ(r->partition, SLUICE_NO_PARTITION);
    }
    harness_stop(&h);
    sluice_batch_free(&in);
    sluice_batch_free(&out);
    for (size_t i = 0; i < n; i++)
        free(fr[i].uid);
    free(fr);
}

/* Records the stage cannot count, and records it must not touch. */
static void test_error_records(void)
{
    struct harness h;
    CHECK_INT_EQ(harness_start(&h, &sluice_plugin, "windows = minute, hour, day\nretention = 1m"),
                 SLUICE_OK);
    uint16_t uid_id = sluice_field_id("uid");
    struct sluice_batch in, out;
    sluice_batch_init(&in);
    sluice_batch_init(&out);
    struct frame f = {"u1", 1468244340};
    struct sluice_record *r;

    r = sluice_batch_append(&in); /* 0: already an error upstream */
    fill_frame(r, &f, uid_id);
    r->flags |= SLUICE_REC_ERROR;
    r->error = "malformed JSON";
    r->error_stage = "transform.extract";
    r = sluice_batch_append(&in); /* 1: dropped upstream */
    fill_frame(r, &f, uid_id);
    r->flags |= SLUICE_REC_DROPPED;
    r = sluice_batch_append(&in); /* 2: fine */
    fill_frame(r, &f, uid_id);
    r = sluice_batch_append(&in); /* 3: no key */
    fill_frame(r, &f, uid_id);
    r->nfields = 0;
    r = sluice_batch_append(&in); /* 4: no ts */
    fill_frame(r, &f, uid_id);
    r->flags &= ~SLUICE_REC_HAS_TS;
    r = sluice_batch_append(&in); /* 5: 2106 */
    fill_frame(r, &f, uid_id);
    r->ts = INT64_C(4294967295);
    r = sluice_batch_append(&in); /* 6: a day ahead: wild */
    fill_frame(r, &f, uid_id);
    r->ts += 86400;
    r = sluice_batch_append(&in); /* 7: moves time on 10 minutes */
    fill_frame(r, &f, uid_id);
    r->ts += 600;
    r = sluice_batch_append(&in); /* 8: too late for the minute, fine for hour, day */
    fill_frame(r, &f, uid_id);
    r->ts += 1;

    CHECK_INT_EQ(sluice_plugin.process(h.state, &in, &out), SLUICE_OK);
    size_t errors = 0, passed = 0, res = 0;
    const char *reasons[8] = {0};
    for (size_t i = 0; i < out.count; i++) {
        const struct sluice_record *o = &out.records[i];
        if (o->flags & SLUICE_REC_RESULT) {
            res++;
            continue;
        }
        if (o->flags & SLUICE_REC_DROPPED) {
            passed++;
            CHECK(o->error == NULL);
            continue;
        }
        CHECK(o->flags & SLUICE_REC_ERROR);
        if (errors < 8)
            reasons[errors] = o->error;
        errors++;
        /* The original bytes travel with the error. */
        CHECK(o->value == f.uid);
    }
    CHECK_INT_EQ(passed, 1);
    CHECK_INT_EQ(errors, 6);
    CHECK_INT_EQ(res, 1); /* minute 13:39 closed by record 7 */
    if (errors == 6) {
        CHECK_STR_EQ(reasons[0], "malformed JSON"); /* unchanged */
        CHECK(strncmp(reasons[1], "no 'uid' field", 14) == 0);
        CHECK(strncmp(reasons[2], "no event time", 13) == 0);
        CHECK_STR_EQ(reasons[3], "timestamp out of range: 4294967295 is not in [2000, 2100)");
        CHECK(strncmp(reasons[4], "wild timestamp: 2016-07-12T13:39:00Z is more than "
                                  "max_future (1h) ahead", 70) == 0);
        CHECK_STR_EQ(reasons[5], "too late: the minute window holding 2016-07-11T13:39:01Z "
                                 "closed beyond retention (1m); counted in the other windows");
    }
    for (size_t i = 0; i < out.count; i++)
        if (out.records[i].flags & SLUICE_REC_ERROR && out.records[i].error != reasons[0])
            CHECK_STR_EQ(out.records[i].error_stage, "transform:distinct-count:test");
    CHECK_INT_EQ(harness_counter(&h, "frames_counted"), 3);
    CHECK_INT_EQ(harness_counter(&h, "error.no_key"), 1);
    CHECK_INT_EQ(harness_counter(&h, "error.no_ts"), 1);
    CHECK_INT_EQ(harness_counter(&h, "error.ts_out_of_range"), 1);
    CHECK_INT_EQ(harness_counter(&h, "error.wild_ts"), 1);
    CHECK_INT_EQ(harness_counter(&h, "error.too_late"), 1);
    harness_stop(&h);
    sluice_batch_free(&in);
    sluice_batch_free(&out);
}

/* The options table: every row has a doc, validators refuse bad values. */
static void test_options(void)
{
    size_t n = 0;
    const struct sluice_option *windows = NULL, *tz = NULL;
    for (const struct sluice_option *o = sluice_plugin.options; o->name; o++, n++) {
        CHECK(o->doc && *o->doc);
        if (strcmp(o->name, "windows") == 0)
            windows = o;
        if (strcmp(o->name, "timezone") == 0)
            tz = o;
    }
    CHECK_INT_EQ(n, 14);
    CHECK(windows && windows->validate && tz && tz->validate);
    if (!windows || !tz)
        return;
    char *good[] = {"minute", "hour", "day", "week", "month", "year", "10s", "5m"};
    struct sluice_list l = {8, good};
    CHECK(windows->validate(&l) == NULL);
    char *bad[] = {"minute", "fortnight"};
    l = (struct sluice_list){2, bad};
    CHECK_STR_EQ(windows->validate(&l),
                 "'fortnight': unknown window: use minute, hour, day, week, month, year, or "
                 "a fixed size like 10s, 5m, 1h30m, 2d");
    char *dup[] = {"day", "day"};
    l = (struct sluice_list){2, dup};
    CHECK_STR_EQ(windows->validate(&l), "'day' is listed twice");
    const char *zone = "Europe/Zurich";
    CHECK(tz->validate(&zone) == NULL);
    zone = "Europe/Zurch";
    CHECK(tz->validate(&zone) != NULL);
    CHECK(sluice_plugin.kind == SLUICE_KIND_TRANSFORM);
    CHECK(sluice_plugin.config_size == sizeof(struct dc_config));
}

/* Once the host's table of field names is full, field_id returns 0 and
 * init fails instead of counting nothing. Runs last: it fills the table. */
static void test_field_table_full(void)
{
    char name[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(name, sizeof name, "filler-%d", i);
        sluice_field_id(name);
    }
    CHECK_INT_EQ(sluice_field_id("never-seen-before"), 0);
    struct harness h;
    CHECK_INT_EQ(harness_start(&h, &sluice_plugin, "key = never-seen-before"), SLUICE_ERROR);
    harness_stop(&h);
    sluice_fields_free();
}

int main(void)
{
    test_sample("challenge-sample-a.jsonl.gz", "challenge-sample-a.minutes", false);
    test_sample("challenge-sample-late.jsonl.gz", "challenge-sample-late.minutes", true);
    test_result_format();
    test_error_records();
    test_options();
    test_field_table_full();
    return check_exit();
}
