/*
 * Differential check: jansson (strict) is the reference; the scalar scanner
 * and the SIMD scanners must give the same verdict and the same fields with
 * validate = full; with validate = fields they may accept a frame only if
 * its first fault lies at or after where they stopped.
 *
 * Wanted keys: uid and ts (the rules of the real pipeline: uid a string, ts
 * an integer or numeric string), plus a few common lorem keys of any type so
 * that objects, arrays, reals and literals are captured and compared too.
 */
#include "diffcheck.h"
#include "jx.h"
#include "record.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const names[] = {"uid", "ts", "sit", "in", "u\xc3\xa9", "Lorem"};
#define NNAMES (sizeof names / sizeof names[0])

/* A bump allocator standing in for the batch arena, reset per frame. */
static char arena[1 << 22];
static size_t arena_used;

static void *bump(void *ctx, size_t n)
{
    (void)ctx;
    n = (n + 15) & ~(size_t)15;
    if (arena_used + n > sizeof arena)
        return NULL;
    void *p = arena + arena_used;
    arena_used += n;
    return p;
}

/* nnames = 2: just uid and ts, the real pipeline's wanted set (and the one
 * with which validate = fields actually stops early). */
static void make_rules(struct jx_rules *r, unsigned nnames, bool stop_early)
{
    memset(r, 0, sizeof *r);
    r->spec.n = nnames;
    for (unsigned i = 0; i < nnames; i++) {
        r->spec.name[i] = names[i];
        r->spec.len[i] = (uint32_t)strlen(names[i]);
        if (r->spec.len[i] > r->spec.maxlen)
            r->spec.maxlen = r->spec.len[i];
        r->id[i] = (uint16_t)(i + 1);
        r->any_type[i] = i >= 2;
        snprintf(r->why_missing[i], sizeof r->why_missing[i], "missing %s", names[i]);
        snprintf(r->why_type[i], sizeof r->why_type[i], "bad type %s", names[i]);
    }
    r->required[0] = r->required[1] = true;
    r->ts = 1;
    r->spec.stop_early = stop_early;
}

struct outcome {
    enum jx_err err;
    struct jx_verdict v;
    struct sluice_record rec;
};

typedef enum jx_err (*scanfn)(const char *, size_t, const struct jx_spec *, struct jx_slot *,
                              struct jx_verdict *);

static void run(struct outcome *o, const struct jx_rules *r, const char *buf, size_t len,
                scanfn fn)
{
    struct jx_slot slots[JX_MAX_WANT];
    memset(slots, 0, sizeof slots);
    memset(&o->rec, 0, sizeof o->rec);
    if (fn)
        o->err = fn(buf, len, &r->spec, slots, &o->v);
    else
        o->err = jx_scan_strict(buf, len, &r->spec, slots, &o->v, bump, NULL);
    if (!o->err)
        o->err = jx_fill_record(r, slots, &o->rec, &o->v, bump, NULL);
}

static bool json_group(int e)
{
    return e == JX_TRUNCATED || e == JX_MALFORMED || e == JX_TRAILING;
}

static bool same_class(enum jx_err a, enum jx_err b)
{
    return a == b || (json_group((int)a) && json_group((int)b));
}

static bool same_other(const struct sluice_field *a, const struct sluice_field *b)
{
    json_t *x = json_loadb(a->ptr, a->len, JSON_DECODE_ANY, NULL);
    json_t *y = json_loadb(b->ptr, b->len, JSON_DECODE_ANY, NULL);
    bool eq = x && y && json_equal(x, y);
    json_decref(x);
    json_decref(y);
    return eq;
}

/* Same fields (count, ids, types, values)? */
static bool same_fields(const struct sluice_record *a, const struct sluice_record *b,
                        char *why, size_t n)
{
    if (a->nfields != b->nfields) {
        snprintf(why, n, "%u fields vs %u", a->nfields, b->nfields);
        return false;
    }
    for (unsigned i = 0; i < a->nfields; i++) {
        const struct sluice_field *x = &a->fields[i], *y = &b->fields[i];
        bool eq = x->id == y->id && x->type == y->type;
        if (eq && x->type == SLUICE_FIELD_STRING)
            eq = x->len == y->len && memcmp(x->ptr, y->ptr, x->len) == 0;
        else if (eq && x->type == SLUICE_FIELD_INT)
            eq = x->ival == y->ival;
        else if (eq)
            eq = same_other(x, y);
        if (!eq) {
            snprintf(why, n, "field %s differs: '%.*s' vs '%.*s'", names[x->id - 1],
                     (int)(x->len > 60 ? 60 : x->len), x->ptr, (int)(y->len > 60 ? 60 : y->len),
                     y->ptr);
            return false;
        }
    }
    if (a->ts != b->ts || (a->flags & SLUICE_REC_HAS_TS) != (b->flags & SLUICE_REC_HAS_TS)) {
        snprintf(why, n, "ts differs");
        return false;
    }
    return true;
}

static bool fail(char *why, size_t n, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    snprintf(why, n, "%s", tmp);
    return false;
}

bool diff_check(const char *buf, size_t len, bool require_ok, struct diff_stats *st,
                char *why, size_t whylen)
{
    static const char *const impls[] = {"avx512", "avx2", "sse2", "scalar"};
    int nimpl = (int)(sizeof impls / sizeof impls[0]), first = -1;
    struct jx_rules full, two, fields;
    make_rules(&full, NNAMES, false);
    make_rules(&two, 2, false);
    make_rules(&fields, 2, true);
    arena_used = 0;
    struct outcome ref, ref2, o, ref_scalar, ref2_scalar;
    char sub[256];
    run(&ref, &full, buf, len, NULL);
    run(&ref_scalar, &full, buf, len, jx_scan_scalar);
    run(&ref2, &two, buf, len, NULL);
    run(&ref2_scalar, &two, buf, len, jx_scan_scalar);
    if (st) {
        st->frames++;
        st->accepted += ref.err == JX_OK;
    }
    if (require_ok && ref.err)
        return fail(why, whylen, "strict refuses: %s at %zu", ref.v.detail, ref.v.pos);
    if (!same_class(ref.err, ref_scalar.err))
        return fail(why, whylen, "scalar: class %d (%s at %zu), strict %d (%s)", ref_scalar.err,
                    ref_scalar.v.detail, ref_scalar.v.pos, ref.err, ref.v.detail);
    if (!ref.err && !same_fields(&ref.rec, &ref_scalar.rec, sub, sizeof sub))
        return fail(why, whylen, "scalar vs strict: %s", sub);

    for (int i = 0; i < nimpl; i++) {
        if (!jx_force_impl(impls[i]))
            continue;
        if (first < 0)
            first = i;
        run(&o, &full, buf, len, jx_scan_fast);
        if (!same_class(ref.err, o.err))
            return fail(why, whylen, "%s full: class %d (%s at %zu), strict %d (%s at %zu)",
                        impls[i], o.err, o.v.detail, o.v.pos, ref.err, ref.v.detail, ref.v.pos);
        /* Reasons come from the scalar scanner whichever scanner ran. */
        if (o.err && (o.err != ref_scalar.err || o.v.pos != ref_scalar.v.pos))
            return fail(why, whylen, "%s full: reason '%s' at %zu, scalar '%s' at %zu", impls[i],
                        o.v.detail, o.v.pos, ref_scalar.v.detail, ref_scalar.v.pos);
        if (!o.err && !same_fields(&ref.rec, &o.rec, sub, sizeof sub))
            return fail(why, whylen, "%s full vs strict: %s", impls[i], sub);

        run(&o, &fields, buf, len, jx_scan_fast);
        /* A wanted key repeated at the root: fields mode takes the first
         * occurrence, jansson the last; only the JSON verdict must hold. */
        bool repeated = ref2_scalar.v.repeated != 0 && !json_group((int)ref2_scalar.err);
        if (repeated && !json_group((int)o.err) && !json_group((int)ref2.err))
            continue;
        if (o.err) {
            if (!ref2.err)
                return fail(why, whylen, "%s fields refuses (%s at %zu), strict accepts",
                            impls[i], o.v.detail, o.v.pos);
            continue;
        }
        if (ref2.err) {
            /* Accepted a bad frame: only if the first fault is past the stop. */
            if (!json_group((int)ref2_scalar.err) || ref2_scalar.v.pos < o.v.stop)
                return fail(why, whylen,
                            "%s fields accepts; strict refuses (%s), scalar fault at %zu < stop %zu",
                            impls[i], ref2.v.detail, ref2_scalar.v.pos, o.v.stop);
            if (st && i == first)
                st->tail_only++;
            continue;
        }
        if (!same_fields(&ref2.rec, &o.rec, sub, sizeof sub))
            return fail(why, whylen, "%s fields vs strict: %s", impls[i], sub);
    }
    /* Leave the run-time choice as it was. */
    for (int i = 0; i < nimpl; i++)
        if (jx_force_impl(impls[i]))
            break;
    return true;
}
