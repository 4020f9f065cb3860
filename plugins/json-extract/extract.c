/*
 * json-extract: fill root-level fields of JSON frames (default uid and ts),
 * in place. Two modes: `fast` (default) runs the structural scanner of
 * scanner.c, which never builds a tree and points string fields into the
 * frame; `strict` runs jansson. Both feed record.c, which applies the field
 * rules. A frame that fails is skipped (counted), failed, or passed on as a
 * dead letter, per `on_error`.
 */
#include "jx.h"
#include "pool.h"
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jx_config {
    struct sluice_list fields;
    char *timestamp;
    int mode;     /* JX_MODE_* */
    int validate; /* enum jx_validate */
    int on_error; /* ON_* */
    struct sluice_list require;
    struct sluice_list any_type;
    int64_t threads;
};

/* In the order of the options' choices. */
enum { JX_MODE_FAST, JX_MODE_STRICT };
enum { ON_SKIP, ON_FAIL, ON_DEAD };

/* How many skipped frames are logged at warn level before going quiet. */
#define JX_LOG_FIRST 10

/* threads = 0: one per CPU this process may run on, at most this many. */
#define JX_AUTO_THREADS_CAP 4
/* Batches smaller than this are scanned on the pipeline's thread alone
 * (waking a helper costs more than it saves), and helpers take slices of
 * this many frames. */
#define JX_POOL_MIN_BYTES (64 * 1024)
#define JX_POOL_GRAIN 16

/* A frame's scan, kept from the scanning phase for the in-order one. */
struct jx_scanned {
    enum jx_err err;
    struct jx_verdict v;
    struct jx_slot slots[JX_MAX_WANT];
};

struct jx_state {
    struct sluice_instance *self;
    const struct sluice_host_api *host;
    struct jx_rules rules;
    bool strict;
    int on_error;
    const char *stage;
    int64_t logged;
    struct jx_pool *pool; /* NULL: scan on the pipeline's thread only */
    struct jx_scanned *scanned; /* one per record of the batch (pool only) */
    size_t scanned_cap;
};

static const struct sluice_option jx_options[] = {
    SLUICE_LIST_OPTION("fields", struct jx_config, fields, .default_value = "uid, ts",
                       .flags = SLUICE_OPT_NONEMPTY,
                       .doc = "root-level keys to extract (at most 8 with the timestamp)"),
    SLUICE_STRING_OPTION("timestamp", struct jx_config, timestamp, .default_value = "ts",
                         .doc = "key holding the event time, unix seconds as an integer or numeric "
                                "string; empty = none"),
    SLUICE_ENUM_OPTION("mode", struct jx_config, mode, "fast|strict", .default_value = "fast",
                       .doc = "fast = SIMD root-level scanner, strict = full jansson parse"),
    SLUICE_ENUM_OPTION("validate", struct jx_config, validate, JX_VALIDATE_LEVELS,
                       .default_value = JX_VALIDATE_DEFAULT,
                       .doc = "fast mode: full = refuse every frame jansson refuses (the default); "
                              "by name only: structure = brackets, strings, escapes everywhere, "
                              "wanted values in full (faults elsewhere pass); fields = stop once "
                              "every field was found"),
    SLUICE_ENUM_OPTION("on_error", struct jx_config, on_error, "skip|fail|dead-letter",
                       .default_value = "skip",
                       .doc = "bad frame: skip (counted), fail the pipeline, or pass it on marked "
                              "as an error"),
    SLUICE_LIST_OPTION("require", struct jx_config, require,
                       .doc = "fields that must be present (default: all of fields)"),
    SLUICE_LIST_OPTION("any_type", struct jx_config, any_type,
                       .doc = "fields that may hold any JSON type (the others must be strings)"),
    SLUICE_INT_OPTION("threads", struct jx_config, threads, .default_value = "0", .min = 0,
                      .max = 64,
                      .doc = "fast mode: threads that scan a batch's frames, the pipeline's "
                             "included; 0 = one per CPU this process may use (at most 4), "
                             "1 = the pipeline's thread only"),
    SLUICE_OPTIONS_END};

static int want_index(const struct jx_spec *sp, const char *name)
{
    for (unsigned i = 0; i < sp->n; i++)
        if (strcmp(sp->name[i], name) == 0)
            return (int)i;
    return -1;
}

static int add_want(struct jx_state *st, const char *name)
{
    struct jx_spec *sp = &st->rules.spec;
    int i = want_index(sp, name);
    if (i >= 0)
        return i;
    if (sp->n == JX_MAX_WANT) {
        st->host->log(st->self, SLUICE_LOG_ERROR,
                      "fields: at most %d fields (timestamp included)", JX_MAX_WANT);
        return -1;
    }
    i = (int)sp->n++;
    sp->first_ready = false; /* (jx_init prepares the spec once all are in) */
    sp->name[i] = name;
    sp->len[i] = (uint32_t)strlen(name);
    if (sp->len[i] > sp->maxlen)
        sp->maxlen = sp->len[i];
    st->rules.id[i] = st->host->field_id(name);
    if (st->rules.id[i] == 0) {
        st->host->log(st->self, SLUICE_LOG_ERROR,
                      "cannot register field '%s' with the host (its table of names is full, "
                      "or memory ran out)",
                      name);
        return -1;
    }
    return i;
}

static int jx_init(struct sluice_instance *self, const struct sluice_host_api *host,
                   const void *config, void **state)
{
    const struct jx_config *cf = config;
    struct jx_state *st = calloc(1, sizeof *st);
    if (!st)
        return SLUICE_ERROR;
    st->self = self;
    st->host = host;
    st->stage = host->instance_name(self);
    st->strict = cf->mode == JX_MODE_STRICT;
    st->on_error = cf->on_error;
    struct jx_rules *r = &st->rules;
    jx_spec_validate(&r->spec, cf->validate);
    r->ts = -1;
    for (size_t i = 0; i < cf->fields.n; i++)
        if (add_want(st, cf->fields.items[i]) < 0)
            goto fail;
    if (cf->timestamp && cf->timestamp[0] && (r->ts = add_want(st, cf->timestamp)) < 0)
        goto fail;
    jx_spec_prepare(&r->spec);
    if (cf->require.n == 0) {
        for (unsigned i = 0; i < r->spec.n; i++)
            r->required[i] = true;
    }
    for (size_t i = 0; i < cf->require.n; i++) {
        int k = want_index(&r->spec, cf->require.items[i]);
        if (k < 0) {
            host->log(self, SLUICE_LOG_ERROR,
                      "require: \"%s\" is not one of fields (or the timestamp)",
                      cf->require.items[i]);
            goto fail;
        }
        r->required[k] = true;
    }
    for (size_t i = 0; i < cf->any_type.n; i++) {
        int k = want_index(&r->spec, cf->any_type.items[i]);
        if (k < 0) {
            host->log(self, SLUICE_LOG_ERROR, "any_type: \"%s\" is not one of fields",
                      cf->any_type.items[i]);
            goto fail;
        }
        r->any_type[k] = true;
    }
    for (unsigned i = 0; i < r->spec.n; i++) {
        snprintf(r->why_missing[i], sizeof r->why_missing[i], "missing field \"%s\"",
                 r->spec.name[i]);
        snprintf(r->why_type[i], sizeof r->why_type[i],
                 (int)i == r->ts ? "\"%s\" is not an integer or a numeric string"
                                 : "\"%s\" is not a string",
                 r->spec.name[i]);
    }
    if (!st->strict) {
        unsigned want = cf->threads ? (unsigned)cf->threads
                                    : jx_pool_auto_threads(JX_AUTO_THREADS_CAP);
        if (want > 1 && !(st->pool = jx_pool_start(want)))
            host->log(self, SLUICE_LOG_WARN,
                      "could not start %u scanning threads; scanning on the pipeline's thread "
                      "alone (set threads = 1 to say so)",
                      want);
        char why[256];
        if (jx_impl_env_problem(why, sizeof why))
            host->log(self, SLUICE_LOG_WARN, "%s", why);
        host->log(self, SLUICE_LOG_DEBUG, "fast scanner: %s, validate = %s, threads = %u",
                  jx_impl_name(),
                  r->spec.stop_early ? "fields" : r->spec.structure_only ? "structure" : "full",
                  st->pool ? want : 1);
    }
    *state = st;
    return SLUICE_OK;
fail:
    free(st);
    return SLUICE_ERROR;
}

static void jx_exit(void *state)
{
    struct jx_state *st = state;
    jx_pool_stop(st->pool);
    free(st->scanned);
    free(st);
}

static void *arena_alloc(void *ctx, size_t n)
{
    struct { const struct sluice_host_api *host; struct sluice_batch *b; } *a = ctx;
    return a->host->batch_alloc(a->b, n);
}

static const char *const err_counter[JX_NERR] = {
    [JX_EMPTY] = "error.empty",           [JX_TRUNCATED] = "error.truncated",
    [JX_MALFORMED] = "error.malformed",   [JX_TRAILING] = "error.trailing",
    [JX_NOT_OBJECT] = "error.not_object", [JX_MISSING] = "error.missing",
    [JX_NOT_STRING] = "error.not_string", [JX_BAD_TS] = "error.bad_ts",
    [JX_NOMEM] = "error.nomem",
};

/* The reason as a user reads it: what, and where for JSON-level faults. */
static int format_reason(char *buf, size_t n, const struct jx_verdict *v)
{
    if (v->err == JX_MISSING || v->err == JX_NOT_STRING || v->err == JX_BAD_TS ||
        v->err == JX_EMPTY || v->err == JX_NOT_OBJECT)
        return snprintf(buf, n, "%s", v->detail);
    return snprintf(buf, n, "%s at byte %zu", v->detail, v->pos);
}

/* The frame of a record, as the scanners take it (a trailing \r is the
 * line ending's, not the frame's). */
static const char *frame_of(const struct sluice_record *rec, size_t *len)
{
    size_t n = rec->value_len;
    const char *buf = rec->value ? rec->value : "";
    if (n && buf[n - 1] == '\r')
        n--;
    *len = n;
    return buf;
}

/* The scanning phase on the pool: records [begin, end) into st->scanned.
 * Reads the records and the rules only (any thread). */
struct scan_job {
    const struct jx_state *st;
    const struct sluice_batch *in;
};

static void scan_slice(void *ctx, size_t begin, size_t end)
{
    const struct scan_job *job = ctx;
    const struct jx_spec *spec = &job->st->rules.spec;
    for (size_t k = begin; k < end; k++) {
        const struct sluice_record *rec = &job->in->records[k];
        struct jx_scanned *sc = &job->st->scanned[k];
        if (!sluice_record_live(rec))
            continue;
        size_t len;
        const char *buf = frame_of(rec, &len);
        memset(sc->slots, 0, sizeof sc->slots[0] * spec->n);
        sc->err = jx_scan_fast(buf, len, spec, sc->slots, &sc->v);
    }
}

/* Scan the batch's frames on the pool into st->scanned. False if the batch
 * is better scanned inline (small, or no pool), or memory ran short. */
static bool scan_on_pool(struct jx_state *st, struct sluice_batch *in)
{
    if (!st->pool || in->count < 2)
        return false;
    size_t bytes = 0;
    for (size_t k = 0; k < in->count && bytes < JX_POOL_MIN_BYTES; k++)
        bytes += in->records[k].value_len;
    if (bytes < JX_POOL_MIN_BYTES)
        return false;
    if (in->count > st->scanned_cap) {
        size_t cap = in->count > 2 * st->scanned_cap ? in->count : 2 * st->scanned_cap;
        struct jx_scanned *m = realloc(st->scanned, cap * sizeof *m);
        if (!m)
            return false;
        st->scanned = m;
        st->scanned_cap = cap;
    }
    struct scan_job job = {st, in};
    jx_pool_run(st->pool, in->count, JX_POOL_GRAIN, scan_slice, &job);
    return true;
}

static int jx_process(void *state, struct sluice_batch *in, struct sluice_batch *out)
{
    (void)out;
    struct jx_state *st = state;
    const struct sluice_host_api *host = st->host;
    const struct jx_rules *r = &st->rules;
    struct { const struct sluice_host_api *host; struct sluice_batch *b; } actx = {host, in};
    int64_t n_ok = 0, n_bad = 0, by_err[JX_NERR] = {0};
    int rc = SLUICE_OK;
    bool pooled = scan_on_pool(st, in); /* (no pool in strict mode) */

    for (size_t k = 0; k < in->count; k++) {
        struct sluice_record *rec = &in->records[k];
        if (!sluice_record_live(rec))
            continue;
        struct jx_slot own_slots[JX_MAX_WANT];
        struct jx_verdict own_v;
        struct jx_slot *slots = own_slots;
        struct jx_verdict *v = &own_v;
        enum jx_err e;
        if (pooled) {
            slots = st->scanned[k].slots;
            v = &st->scanned[k].v;
            e = st->scanned[k].err;
        } else {
            size_t len;
            const char *buf = frame_of(rec, &len);
            memset(slots, 0, sizeof slots[0] * r->spec.n);
            e = st->strict ? jx_scan_strict(buf, len, &r->spec, slots, v, arena_alloc, &actx)
                           : jx_scan_fast(buf, len, &r->spec, slots, v);
        }
        if (!e)
            e = jx_fill_record(r, slots, rec, v, arena_alloc, &actx);
        if (!e) {
            n_ok++;
            continue;
        }
        n_bad++;
        by_err[e]++;
        rec->nfields = 0;
        char why[256];
        if (st->on_error == ON_FAIL) {
            format_reason(why, sizeof why, v);
            host->log(st->self, SLUICE_LOG_ERROR,
                      "partition %d offset %lld: %s (on_error = fail stops the pipeline)",
                      (int)rec->partition, (long long)rec->offset, why);
            rc = SLUICE_ERROR;
            break;
        }
        if (st->on_error == ON_DEAD) {
            int m = format_reason(why, sizeof why, v);
            size_t sz = (size_t)(m < 0 ? 0 : m >= (int)sizeof why ? (int)sizeof why - 1 : m);
            char *msg = host->batch_alloc(in, sz + 1);
            if (msg) {
                memcpy(msg, why, sz);
                msg[sz] = '\0';
            }
            rec->flags |= SLUICE_REC_ERROR;
            rec->error = msg ? msg : v->detail;
            rec->error_stage = st->stage;
            continue;
        }
        rec->flags |= SLUICE_REC_DROPPED;
        if (st->logged < JX_LOG_FIRST || host->log_enabled(st->self, SLUICE_LOG_DEBUG)) {
            format_reason(why, sizeof why, v);
            int lvl = st->logged < JX_LOG_FIRST ? SLUICE_LOG_WARN : SLUICE_LOG_DEBUG;
            host->log(st->self, lvl, "skipped partition %d offset %lld: %s%s",
                      (int)rec->partition, (long long)rec->offset, why,
                      st->logged == JX_LOG_FIRST - 1
                          ? " (further skips are counted, logged at debug level)"
                          : "");
            st->logged++;
        }
    }
    if (n_ok)
        host->counter_add(st->self, "extracted", n_ok);
    if (n_bad) {
        host->counter_add(st->self, st->on_error == ON_DEAD ? "dead_letter" : "skipped", n_bad);
        for (int e = 1; e < JX_NERR; e++)
            if (by_err[e])
                host->counter_add(st->self, err_counter[e], by_err[e]);
    }
    return rc;
}

SLUICE_PLUGIN(.name = "json-extract",
              .description = "extract root-level JSON fields (uid, ts) into record fields",
              .version = PACKAGE_VERSION,
              .kind = SLUICE_KIND_TRANSFORM,
              .flags = SLUICE_PLUGIN_INPLACE,
              .options = jx_options,
              .config_size = sizeof(struct jx_config),
              .init = jx_init,
              .exit = jx_exit,
              .process = jx_process);
