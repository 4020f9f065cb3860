/*
 * Differential check: jansson (strict) is the reference; the scalar scanner
 * and the SIMD scanners must give the same verdict and the same fields with
 * validate = full; with validate = fields they may accept a frame only if
 * its first fault lies at or after where they stopped; with validate =
 * structure they must accept what jansson accepts, refuse what an
 * independent structure checker (ref_structure_ok) refuses, and refuse
 * only what jansson refuses (see diffcheck.h).
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
#include <stdlib.h>
#include <string.h>

/* (A name longer than eight bytes, which the challenge generator uses as a
 * key: jx_key_at compares those by jx_match_name, the rest by a word.) */
static const char *const names[] = {"uid", "ts",    "sit",
                                    "in",  "u\xc3\xa9", "Lorem", "reprehenderit"};
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
static void make_rules(struct jx_rules *r, unsigned nnames, enum jx_validate validate)
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
    jx_spec_validate(&r->spec, validate);
    jx_spec_prepare(&r->spec);
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
    memset(&o->v, 0, sizeof o->v);
    if (fn)
        o->err = fn(buf, len, &r->spec, slots, &o->v);
    else
        o->err = jx_scan_strict(buf, len, &r->spec, slots, &o->v, bump, NULL);
    if (!o->err)
        o->err = jx_fill_record(r, slots, &o->rec, &o->v, bump, NULL);
    if (!o->v.detail) /* accepted: the failure messages print it too */
        o->v.detail = "accepted";
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

/* ---- validate = structure: an independent reference ---------------------
 *
 * Rules 1-5 of the structure level, written for obviousness, not speed: one
 * pass, a bracket stack, a string walked to its closing quote. It knows
 * nothing of keys, values, numbers, literals, UTF-8 or where colons and
 * commas stand: a frame it accepts may still be refused (a fault in a
 * wanted value, rule 6); a frame it refuses must be refused. */

static bool ref_ws(unsigned c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The value of the four hex digits at b[i..i+4), or -1. */
static long ref_hex4(const unsigned char *b, size_t len, size_t i)
{
    long v = 0;
    if (i + 4 > len)
        return -1;
    for (size_t k = i; k < i + 4; k++) {
        unsigned c = b[k];
        int d = c >= '0' && c <= '9'   ? (int)(c - '0')
                : c >= 'a' && c <= 'f' ? (int)(c - 'a' + 10)
                : c >= 'A' && c <= 'F' ? (int)(c - 'A' + 10)
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Rules 1-5; *maxdepth: the deepest nesting met (rule 7 is not checked). */
static bool ref_structure(const char *buf, size_t len, size_t *maxdepth)
{
    const unsigned char *b = (const unsigned char *)buf;
    char *stack = malloc(len + 1); /* the open brackets */
    size_t i = 0, depth = 0;
    bool ok = false;
    *maxdepth = 0;
    if (!stack)
        abort();
    while (i < len && ref_ws(b[i]))
        i++;
    if (i == len || b[i] != '{')
        goto out; /* rule 1 */
    for (; i < len; i++) {
        unsigned c = b[i];
        if (c == '"') {
            for (i++;; i++) {
                if (i >= len)
                    goto out; /* rule 2: ends inside a string */
                c = b[i];
                if (c == '"')
                    break;
                if (c < 0x20)
                    goto out; /* rule 4 */
                if (c != '\\')
                    continue;
                if (++i >= len)
                    goto out;
                c = b[i];
                if (c == 'u') {
                    long u = ref_hex4(b, len, i + 1);
                    if (u <= 0 || (u >= 0xDC00 && u <= 0xDFFF))
                        goto out; /* rule 5: not hex, U+0000, a lone low surrogate */
                    i += 4;
                    if (u >= 0xD800 && u <= 0xDBFF) { /* a high one: \uDC00-\uDFFF next */
                        long lo = i + 2 < len && b[i + 1] == '\\' && b[i + 2] == 'u'
                                      ? ref_hex4(b, len, i + 3)
                                      : -1;
                        if (lo < 0xDC00 || lo > 0xDFFF)
                            goto out;
                        i += 6;
                    }
                } else if (!memchr("\"\\/bfnrt", (int)c, 8)) {
                    goto out; /* rule 5 */
                }
            }
        } else if (c == '{' || c == '[') {
            stack[depth++] = (char)c;
            if (depth > *maxdepth)
                *maxdepth = depth;
        } else if (c == '}' || c == ']') {
            if (depth == 0 || stack[depth - 1] != (c == '}' ? '{' : '['))
                goto out; /* rule 2: mismatched */
            if (--depth == 0)
                break; /* the root object's end */
        } else if ((c < 0x20 && !ref_ws(c)) || c == '\\') {
            goto out; /* rule 4: control bytes, a backslash outside strings */
        }
    }
    if (i >= len)
        goto out; /* rule 2: ends inside the root object */
    for (i++; i < len; i++)
        if (!ref_ws(b[i]))
            goto out; /* rule 3 */
    ok = true;
out:
    free(stack);
    return ok;
}

/* Rule 6 on a frame that passes rules 1-5: the value of every occurrence
 * of a wanted key at the root (a string at depth 1 followed by ':') is
 * valid JSON in full, by jansson. */
static size_t ref_string_end(const unsigned char *b, size_t i)
{
    for (i++; b[i] != '"'; i++)
        if (b[i] == '\\')
            i++;
    return i;
}

static bool ref_json_ok(const char *p, size_t n)
{
    json_t *j = n ? json_loadb(p, n, JSON_DECODE_ANY, NULL) : NULL;
    json_decref(j);
    return j != NULL;
}

/* Is the value after the colon at p (whitespace skipped) valid JSON? */
static bool ref_value_ok(const char *buf, size_t len, size_t p)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t e;
    while (ref_ws(b[p]))
        p++;
    if (b[p] == '"') {
        e = ref_string_end(b, p) + 1;
    } else if (b[p] == '{' || b[p] == '[') { /* to the matching bracket */
        size_t d = 0;
        for (e = p;; e++) {
            if (b[e] == '"')
                e = ref_string_end(b, e);
            else if (b[e] == '{' || b[e] == '[')
                d++;
            else if ((b[e] == '}' || b[e] == ']') && --d == 0)
                break;
        }
        e++;
    } else { /* a number or literal: to whitespace, a structural byte or a quote */
        for (e = p; e < len && !ref_ws(b[e]) && !memchr("{}[],:\"", b[e], 7); e++)
            ;
    }
    return ref_json_ok(buf + p, e - p);
}

/* Rule 6: every occurrence of a wanted key at depth 1 (a string followed by
 * a colon) has a valid value. */
static bool ref_wanted_ok(const char *buf, size_t len, const struct jx_spec *spec)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t depth = 0;
    for (size_t i = 0; i < len; i++) {
        if (b[i] == '"') {
            size_t start = i, q;
            i = ref_string_end(b, i);
            for (q = i + 1; q < len && ref_ws(b[q]); q++)
                ;
            if (depth != 1 || q >= len || b[q] != ':')
                continue;
            json_t *key = json_loadb(buf + start, i + 1 - start, JSON_DECODE_ANY, NULL);
            bool ok = true;
            for (unsigned w = 0; key && w < spec->n; w++)
                if (json_string_length(key) == spec->len[w] &&
                    memcmp(json_string_value(key), spec->name[w], spec->len[w]) == 0)
                    ok = ref_value_ok(buf, len, q + 1);
            json_decref(key);
            if (!ok)
                return false;
        } else if (b[i] == '{' || b[i] == '[') {
            depth++;
        } else if ((b[i] == '}' || b[i] == ']') && --depth == 0) {
            break;
        }
    }
    return true;
}

bool ref_structure_ok(const char *buf, size_t len)
{
    size_t depth;
    return ref_structure(buf, len, &depth);
}

/* A frame-level refusal (the scanner's), as opposed to a field rule's. */
static bool frame_err(enum jx_err e)
{
    return e == JX_EMPTY || e == JX_NOT_OBJECT || json_group((int)e);
}

/* What the reference says of a frame, for validate = structure. */
struct ref_verdict {
    bool judged;    /* nested 2000 levels or less (rule 7) */
    bool structure; /* rules 1-5 hold */
    bool accepts;   /* and rule 6, for the wanted set at hand */
};

/* validate = structure with rules rs; ref = strict, ref_sc = scalar full
 * with the same wanted keys. The relations (a)-(c) of diffcheck.h; *lenient
 * set if structure accepted a frame strict refuses, *stricter if it refused
 * one the definition accepts. */
static bool check_structure(const char *impl, const char *set, const struct jx_rules *rs,
                            const struct outcome *ref, const struct outcome *ref_sc,
                            const struct ref_verdict *rv, bool *lenient, bool *stricter,
                            const char *buf, size_t len, char *why, size_t whylen)
{
    struct outcome o;
    char sub[256];
    run(&o, rs, buf, len, jx_scan_fast);
    bool def_ok = !rv->judged || rv->accepts;
    /* (a) Valid JSON (strict's verdict, if any, is a field rule's): the same
     * verdict, and the same fields when accepted. */
    if (!json_group((int)ref->err)) {
        if (o.err != ref->err)
            return fail(why, whylen,
                        "%s structure (%s): class %d (%s at %zu), strict %d (%s) on valid JSON",
                        impl, set, o.err, o.v.detail, o.v.pos, ref->err,
                        ref->err ? ref->v.detail : "accepts");
        if (!o.err && !same_fields(&ref->rec, &o.rec, sub, sizeof sub))
            return fail(why, whylen, "%s structure (%s) vs strict: %s", impl, set, sub);
    }
    /* (b) A structural fault (the reference checker's rules 1-5), or a wanted
     * value that is not JSON (rule 6), is refused by the scanner itself,
     * not by a field rule. */
    if (!def_ok && !frame_err(o.err))
        return fail(why, whylen, "%s structure (%s): %s (%s), the reference finds %s", impl, set,
                    o.err ? "field error" : "accepts", o.err ? o.v.detail : "-",
                    rv->structure ? "a bad wanted value" : "a structural fault");
    /* Stricter than the definition: a failure on the levels with a
     * structure loop; counted on the others, where structure is full. */
    if (def_ok && rv->judged && frame_err(o.err)) {
        *stricter = true;
        if (jx_impl_has_structure(impl))
            return fail(why, whylen, "%s structure (%s) refuses (%s at %zu) what its definition "
                        "accepts", impl, set, o.v.detail, o.v.pos);
    }
    /* (c) A frame-level refusal: strict refuses too, and the reason is the
     * scalar full scanner's, at the same byte. */
    if (frame_err(o.err)) {
        if (!ref->err)
            return fail(why, whylen, "%s structure (%s) refuses (%s at %zu), strict accepts",
                        impl, set, o.v.detail, o.v.pos);
        if (o.err != ref_sc->err || o.v.pos != ref_sc->v.pos)
            return fail(why, whylen, "%s structure (%s): reason '%s' at %zu, scalar '%s' at %zu",
                        impl, set, o.v.detail, o.v.pos, ref_sc->v.detail, ref_sc->v.pos);
    }
    /* (d) The asymmetric case: a fault only outside the wanted values. */
    if (!o.err && ref->err)
        *lenient = true;
    return true;
}

bool diff_check(const char *buf, size_t len, bool require_ok, struct diff_stats *st,
                char *why, size_t whylen)
{
    const char *impls[JX_MAX_IMPL];
    int nimpl = 0, first = -1;
    while (nimpl < JX_MAX_IMPL && (impls[nimpl] = jx_impl_at((size_t)nimpl)))
        nimpl++;
    /* full, two: the default (validate = full), with six keys or uid and ts. */
    struct jx_rules full, two, fields, sfull, stwo;
    make_rules(&full, NNAMES, JX_VALIDATE_FULL);
    make_rules(&two, 2, JX_VALIDATE_FULL);
    make_rules(&fields, 2, JX_VALIDATE_FIELDS);
    make_rules(&sfull, NNAMES, JX_VALIDATE_STRUCTURE);
    make_rules(&stwo, 2, JX_VALIDATE_STRUCTURE);
    size_t maxdepth;
    struct ref_verdict rv = {0};
    rv.structure = ref_structure(buf, len, &maxdepth);
    /* Rule 7: past ~2046 levels the structure level may be stricter than
     * the reference (the scalar scanner judges), so (b) stops at 2000. */
    rv.judged = maxdepth <= 2000;
    /* Rule 6 by jansson on each wanted value, for each wanted set. */
    struct ref_verdict rv6 = rv, rv2 = rv;
    rv6.accepts = rv.structure && ref_wanted_ok(buf, len, &sfull.spec);
    rv2.accepts = rv.structure && ref_wanted_ok(buf, len, &stwo.spec);
    bool lenient = false, stricter[JX_MAX_IMPL] = {false};
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
        st->structure_fine += rv.structure && json_group((int)ref.err);
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
        /* The default with the real pipeline's wanted set. */
        run(&o, &two, buf, len, jx_scan_fast);
        if (!same_class(ref2.err, o.err) ||
            (o.err && (o.err != ref2_scalar.err || o.v.pos != ref2_scalar.v.pos)))
            return fail(why, whylen, "%s default (uid, ts): %d (%s at %zu), strict %d (%s at %zu)",
                        impls[i], o.err, o.v.detail, o.v.pos, ref2.err, ref2.v.detail, ref2.v.pos);
        if (!o.err && !same_fields(&ref2.rec, &o.rec, sub, sizeof sub))
            return fail(why, whylen, "%s default (uid, ts) vs strict: %s", impls[i], sub);

        /* validate = structure, with both wanted sets. */
        if (!check_structure(impls[i], "6 keys", &sfull, &ref, &ref_scalar, &rv6, &lenient,
                             &stricter[i], buf, len, why, whylen) ||
            !check_structure(impls[i], "uid, ts", &stwo, &ref2, &ref2_scalar, &rv2, &lenient,
                             &stricter[i], buf, len, why, whylen))
            return false;

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
    if (st) {
        st->lenient += lenient;
        for (int i = 0; i < nimpl; i++)
            st->stricter[i] += stricter[i];
        /* The first few on the best level, to see why. */
        if (first >= 0 && stricter[first] && st->stricter[first] <= 5 && getenv("DIFF_VERBOSE"))
            fprintf(stderr, "%s validate = structure refuses what its definition accepts: %.*s\n",
                    impls[first], (int)(len > 300 ? 300 : len), buf);
    }
    return true;
}
