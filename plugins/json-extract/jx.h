/*
 * json-extract internals: what the scanners (fast SIMD, scalar, strict
 * jansson) share. A scanner fills one `struct jx_slot` per wanted root-level
 * key and a `struct jx_verdict`; record.c turns slots into record fields and
 * applies the type rules, identically for every mode, so the modes can only
 * differ in what the scanners themselves see.
 */
#ifndef SLUICE_JX_H
#define SLUICE_JX_H

#include <sluice/plugin.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* JSON kinds of a root-level value. */
enum jx_kind {
    JX_NONE = 0, /* key not present */
    JX_STRING,
    JX_INT,
    JX_REAL,
    JX_TRUE,
    JX_FALSE,
    JX_NULL,
    JX_OBJECT,
    JX_ARRAY
};

/* Why a frame was refused. The JSON-level classes (TRUNCATED, MALFORMED,
 * TRAILING) are "invalid JSON" to a user; see scalar.c for which is which. */
enum jx_err {
    JX_OK = 0,
    JX_EMPTY,      /* nothing but whitespace */
    JX_TRUNCATED,  /* input ended inside a value */
    JX_MALFORMED,  /* a bad token, bad escape, bad UTF-8, too deep, ... */
    JX_TRAILING,   /* something after the root value */
    JX_NOT_OBJECT, /* valid JSON, but the root is not an object */
    JX_MISSING,    /* a required field is absent */
    JX_NOT_STRING, /* a field that must be a string is not */
    JX_BAD_TS,     /* timestamp is not an integer or a numeric string */
    JX_NOMEM,
    JX_NERR
};

/* jansson's JSON_PARSER_MAX_DEPTH: a value nested deeper is refused. */
#define JX_MAX_DEPTH 2048

#define JX_MAX_WANT SLUICE_MAX_FIELDS

/* One wanted root-level value. Fast/scalar scanners give the raw text:
 * STRING = the bytes between the quotes (`escaped` set if a backslash is in
 * them), INT = digits (ival parsed), other kinds = the value's text. The
 * strict scanner gives decoded strings (escaped = 0) copied to the arena. */
struct jx_slot {
    const char *ptr;
    uint32_t len;
    uint8_t kind;    /* enum jx_kind */
    uint8_t escaped;
    int64_t ival;
};

/* The key filter of the SIMD loops: a root key is looked at if its first
 * byte is a wanted name's first byte (or a backslash: an escaped key). The
 * first bytes are a set for two nibble-table lookups: each name sets bit 7
 * in nib_hi[its high nibble] and nib_lo[its low nibble], so a byte is in
 * the set if both its lookups have bit 7 (a few other bytes may be too,
 * where two names' nibbles cross: they cost a look, not a wrong answer),
 * and the set comes by a movemask alone. The same lookups give the escape
 * letters but 'u' in bits 0-3 (scan.h's JX_ESC_*_BYTES): one pair of
 * lookups a block serves both. A byte with bit 7 set looks up 0 there:
 * nib_all is all ones if a name starts so, or if there is no filter (an
 * empty name). */
struct jx_first {
    unsigned char nib_hi[16], nib_lo[16];
    uint64_t nib_all;
    /* Name i as a little-endian word, zero-padded, if at most eight bytes
     * long (else 0): jx_key_at compares a key by one load. */
    uint64_t word[JX_MAX_WANT];
};

/* Which root keys to find. Names are plain (unescaped) bytes. */
struct jx_spec {
    unsigned n;
    const char *name[JX_MAX_WANT];
    uint32_t len[JX_MAX_WANT];
    uint32_t maxlen;
    /* validate = fields: stop as soon as every wanted key was seen once.
     * The verdict then covers only the bytes before the stop (scanner.c). */
    bool stop_early;
    /* validate = structure: check the frame's structure (brackets, strings,
     * escapes, control bytes, one root object) but not its UTF-8, numbers,
     * literals or colon/comma grammar, except inside the wanted values,
     * which are checked in full (loop_structure.inc). */
    bool structure_only;
    /* The key filter of the SIMD loops, computed once by jx_spec_prepare
     * (first_ready); a spec without it gets it per frame. */
    bool first_ready;
    struct jx_first first;
};

/* The first bytes of the wanted names: keys that start otherwise (and
 * not with a backslash) cannot match, and are not looked at. */
void jx_first_bytes(const struct jx_spec *spec, struct jx_first *fc);

/* The option `validate`: how much of a frame the fast scanner checks. The
 * default refuses every frame jansson refuses; `structure` and `fields` are
 * for who asks by name (README.md says what each lets through). The names,
 * in the order of enum jx_validate: */
enum jx_validate { JX_VALIDATE_FULL, JX_VALIDATE_STRUCTURE, JX_VALIDATE_FIELDS };
#define JX_VALIDATE_LEVELS "full|structure|fields"
#define JX_VALIDATE_DEFAULT "full"

/* Set spec's flags for a validate level. */
static inline void jx_spec_validate(struct jx_spec *spec, int level)
{
    spec->stop_early = level == JX_VALIDATE_FIELDS;
    spec->structure_only = level == JX_VALIDATE_STRUCTURE;
}

/* Once the last wanted name is in: the key filter, computed once instead of
 * per frame (a spec changed afterwards must clear first_ready). */
static inline void jx_spec_prepare(struct jx_spec *spec)
{
    jx_first_bytes(spec, &spec->first);
    spec->first_ready = true;
}

struct jx_verdict {
    enum jx_err err;
    size_t pos;         /* byte offset of the error */
    const char *detail; /* static text: what exactly was wrong */
    size_t stop;        /* bytes examined (len unless stopped early) */
    int field;          /* wanted index for field errors, else -1 */
    unsigned repeated;  /* the event loop and the scalar scanner: wanted keys met
                         * more than once at the root (among the bytes examined) */
};

/* Scanners. Each returns v->err. `len` excludes any trailing "\r" (the
 * caller strips it). Slots must be zeroed by the caller. */
enum jx_err jx_scan_scalar(const char *buf, size_t len, const struct jx_spec *spec,
                           struct jx_slot *slots, struct jx_verdict *v);
enum jx_err jx_scan_fast(const char *buf, size_t len, const struct jx_spec *spec,
                         struct jx_slot *slots, struct jx_verdict *v);

typedef void *(*jx_alloc_fn)(void *ctx, size_t n);
enum jx_err jx_scan_strict(const char *buf, size_t len, const struct jx_spec *spec,
                           struct jx_slot *slots, struct jx_verdict *v,
                           jx_alloc_fn alloc, void *alloc_ctx);

/* Which implementation jx_scan_fast uses: "avx512", "avx512bw", "avx2",
 * "sse42", "sse2" or "scalar": the first this CPU runs, or the one named by
 * the environment variable SLUICE_JX_SCANNER if it can. jx_force_impl (tests, benchmarks)
 * overrides the choice; returns false if the CPU cannot run it. */
const char *jx_impl_name(void);
/* Why SLUICE_JX_SCANNER, if set, names another level than the one in use
 * (no such level, or this CPU cannot run it), written to msg; NULL if it
 * is not set or was followed. */
const char *jx_impl_env_problem(char *msg, size_t size);
bool jx_force_impl(const char *name);
/* The implementations this build has, best first: the i-th name, or NULL
 * past the last (at most JX_MAX_IMPL), whether or not this CPU runs it. */
#define JX_MAX_IMPL 8
const char *jx_impl_at(size_t i);
/* Has implementation `name` a validate = structure loop of its own
 * (loop_structure.inc)? Else structure is checked as full is. */
bool jx_impl_has_structure(const char *name);

/* tokens.c: pieces both scanners use. */
/* 1 for the bytes that end a number or literal: whitespace, structural
 * characters, '"'. */
extern const unsigned char jx_delim[256];
/* Length of the scalar token (number or literal) at buf[pos]: the run up to
 * whitespace, a structural character, a quote or the end. Sets *kind and,
 * for integers, *ival. Returns 0 and sets v on a bad token. */
size_t jx_token(const char *buf, size_t len, size_t pos, uint8_t *kind, int64_t *ival,
                struct jx_verdict *v);
/* Validate the UTF-8 sequence starting at buf[pos] (a byte >= 0x80);
 * returns its length, or 0 if invalid or cut by `len`. */
size_t jx_utf8_seq(const unsigned char *buf, size_t len, size_t pos);
/* Validate the \u escape whose 'u' is at buf[pos]: four hex digits, not
 * U+0000, surrogates paired. Returns the bytes consumed after the 'u'
 * (4, or 10 for a pair) or 0 with v set. */
size_t jx_check_u(const char *buf, size_t len, size_t pos, struct jx_verdict *v);

/* decode.c */
/* Decode the validated JSON string body raw[0..len) into out (room for len
 * bytes suffices); returns the decoded length. */
size_t jx_decode(const char *raw, size_t len, char *out);
/* Parse a numeric string: optional '-', then 1..19 digits, no spaces, value
 * in int64. Returns false if it is not one. */
bool jx_parse_int(const char *s, size_t len, int64_t *out);

/* Set the error fields of v. */
static inline enum jx_err jx_fail(struct jx_verdict *v, enum jx_err err, size_t pos,
                                  const char *detail)
{
    v->err = err;
    v->pos = pos;
    v->detail = detail;
    return err;
}

/* Reset the verdict a scanner fills (no error yet, no field, no repeats). */
static inline void jx_verdict_start(struct jx_verdict *v)
{
    v->err = JX_OK;
    v->field = -1;
    v->repeated = 0;
}

/* The first index from i on that is not JSON whitespace (or len). */
static inline size_t jx_skip_ws(const char *buf, size_t len, size_t i)
{
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
        i++;
    return i;
}

#endif
