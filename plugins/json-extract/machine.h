/*
 * The grammar both fast scanners share: a pushdown automaton over "events"
 * (a structural character, the opening quote of a string, the first byte of
 * a number or literal). scalar.c produces events by walking bytes; scanner.c
 * produces them from SIMD bitmaps. Keeping one automaton keeps their verdicts
 * identical by construction; they differ only in how string contents are
 * checked (byte loop versus masks), which the tests compare.
 *
 * Besides checking the grammar it records the wanted root-level values: a key
 * string met at depth 1 of a root object is compared with the wanted names,
 * and the value after its colon is captured into the slot (the last
 * occurrence wins, as with jansson's json_object_set).
 */
#ifndef SLUICE_JX_MACHINE_H
#define SLUICE_JX_MACHINE_H

#include "jx.h"

#include <string.h>

enum jx_state {
    ST_VALUE,        /* a value must come: root, after ':', after ',' in [] */
    ST_ARRAY_FIRST,  /* after '[': a value or ']' */
    ST_OBJECT_FIRST, /* after '{': a key or '}' */
    ST_KEY,          /* after ',' in {}: a key */
    ST_COLON,        /* after a key */
    ST_AFTER_VALUE,  /* after a value in a container: ',' or its closer */
    ST_DONE          /* the root value is complete: only whitespace may follow */
};

struct jx_machine {
    const char *buf;
    size_t len;
    const struct jx_spec *spec;
    struct jx_slot *slots;
    int state;
    uint32_t depth;  /* open containers */
    int pending;     /* wanted index whose value comes next, or -1 */
    int open_slot;   /* wanted index whose object/array value is open, or -1 */
    unsigned found;  /* wanted values completed (bitmask) */
    unsigned seen;   /* wanted keys met */
    unsigned repeated; /* wanted keys met twice or more */
    unsigned all;
    size_t last_end; /* just past the value that completed `found` */
    bool root_object;
    bool any_event;
    uint64_t stack[JX_MAX_DEPTH / 64]; /* bit set = object */
};

static inline void jx_machine_init(struct jx_machine *m, const char *buf, size_t len,
                                   const struct jx_spec *spec, struct jx_slot *slots)
{
    m->buf = buf;
    m->len = len;
    m->spec = spec;
    m->slots = slots;
    m->state = ST_VALUE;
    m->depth = 0;
    m->pending = -1;
    m->open_slot = -1;
    m->found = 0;
    m->seen = 0;
    m->repeated = 0;
    m->all = (1u << spec->n) - 1;
    m->last_end = 0;
    m->root_object = false;
    m->any_event = false;
}

static inline bool jx_top_is_object(const struct jx_machine *m)
{
    uint32_t d = m->depth - 1;
    return (m->stack[d >> 6] >> (d & 63)) & 1;
}

static inline void jx_value_done(struct jx_machine *m, int slot, size_t end)
{
    if (slot >= 0) {
        m->found |= 1u << slot;
        m->last_end = end;
    }
    m->state = m->depth == 0 ? ST_DONE : ST_AFTER_VALUE;
}

/* A value may start here; 0 if so, else the error. */
static inline enum jx_err jx_expect_value(struct jx_machine *m, size_t pos,
                                          struct jx_verdict *v)
{
    if (m->state == ST_VALUE || m->state == ST_ARRAY_FIRST) {
        if (m->depth >= JX_MAX_DEPTH)
            return jx_fail(v, JX_MALFORMED, pos, "nested too deeply (limit 2048)");
        return JX_OK;
    }
    if (m->state == ST_DONE)
        return jx_fail(v, JX_TRAILING, pos, "trailing garbage after the JSON value");
    if (m->state == ST_COLON)
        return jx_fail(v, JX_MALFORMED, pos, "':' expected");
    if (m->state == ST_AFTER_VALUE)
        return jx_fail(v, JX_MALFORMED, pos, "',' or a closing bracket expected");
    return jx_fail(v, JX_MALFORMED, pos, "object key (a string) expected");
}

static inline enum jx_err jx_ev_open(struct jx_machine *m, size_t pos, bool obj,
                                     struct jx_verdict *v)
{
    enum jx_err e = jx_expect_value(m, pos, v);
    if (e)
        return e;
    if (m->depth == 0) {
        m->root_object = obj;
    } else if (m->depth == 1 && m->pending >= 0) {
        struct jx_slot *s = &m->slots[m->pending];
        s->ptr = m->buf + pos;
        s->kind = obj ? JX_OBJECT : JX_ARRAY;
        s->escaped = 0;
        m->open_slot = m->pending;
        m->pending = -1;
    }
    uint32_t d = m->depth++;
    uint64_t bit = (uint64_t)1 << (d & 63);
    m->stack[d >> 6] = obj ? (m->stack[d >> 6] | bit) : (m->stack[d >> 6] & ~bit);
    m->state = obj ? ST_OBJECT_FIRST : ST_ARRAY_FIRST;
    return JX_OK;
}

static inline enum jx_err jx_ev_close(struct jx_machine *m, size_t pos, bool obj,
                                      struct jx_verdict *v)
{
    if (m->state == ST_DONE)
        return jx_fail(v, JX_TRAILING, pos, "trailing garbage after the JSON value");
    bool ok = m->state == ST_AFTER_VALUE || (obj && m->state == ST_OBJECT_FIRST) ||
              (!obj && m->state == ST_ARRAY_FIRST);
    if (!ok || m->depth == 0 || jx_top_is_object(m) != obj)
        return jx_fail(v, JX_MALFORMED, pos,
                       obj ? "unexpected '}'" : "unexpected ']'");
    m->depth--;
    int slot = -1;
    if (m->depth == 1 && m->open_slot >= 0) {
        slot = m->open_slot;
        struct jx_slot *s = &m->slots[slot];
        s->len = (uint32_t)(m->buf + pos + 1 - s->ptr);
        m->open_slot = -1;
    }
    jx_value_done(m, slot, pos + 1);
    return JX_OK;
}

static inline enum jx_err jx_ev_colon(struct jx_machine *m, size_t pos, struct jx_verdict *v)
{
    if (m->state != ST_COLON)
        return jx_fail(v, m->state == ST_DONE ? JX_TRAILING : JX_MALFORMED, pos,
                       "unexpected ':'");
    m->state = ST_VALUE;
    return JX_OK;
}

static inline enum jx_err jx_ev_comma(struct jx_machine *m, size_t pos, struct jx_verdict *v)
{
    if (m->state != ST_AFTER_VALUE)
        return jx_fail(v, m->state == ST_DONE ? JX_TRAILING : JX_MALFORMED, pos,
                       "unexpected ','");
    m->state = jx_top_is_object(m) ? ST_KEY : ST_VALUE;
    return JX_OK;
}

/* Which wanted name is the raw key k[0..klen) (maybe escaped)? -1 if none. */
static inline int jx_match_name(const struct jx_spec *sp, const char *k, size_t klen,
                                bool escaped)
{
    char tmp[512];
    if (escaped) {
        /* Rare: a key written with escapes ("u\u0069d" is "uid"). Decoding
         * never grows a string, and shrinks it at most six times. */
        if (klen > sizeof tmp || klen > 6 * (size_t)sp->maxlen)
            return -1;
        klen = jx_decode(k, klen, tmp);
        k = tmp;
    }
    for (unsigned i = 0; i < sp->n; i++)
        if (sp->len[i] == klen && memcmp(sp->name[i], k, klen) == 0)
            return (int)i;
    return -1;
}

/* Does the key buf[pos+1 .. end) (raw, maybe escaped) name wanted field i? */
static inline int jx_match_key(const struct jx_machine *m, size_t pos, size_t end,
                               bool escaped)
{
    return jx_match_name(m->spec, m->buf + pos + 1, end - pos - 1, escaped);
}

/* A string event: the opening quote at pos, the closing one at end. */
static inline enum jx_err jx_ev_string(struct jx_machine *m, size_t pos, size_t end,
                                       bool escaped, struct jx_verdict *v)
{
    if (m->state == ST_OBJECT_FIRST || m->state == ST_KEY) {
        if (m->depth == 1 && m->root_object) {
            int k = jx_match_key(m, pos, end, escaped);
            if (k >= 0) {
                m->repeated |= m->seen & (1u << k);
                m->seen |= 1u << k;
            }
            m->pending = k;
        }
        m->state = ST_COLON;
        return JX_OK;
    }
    enum jx_err e = jx_expect_value(m, pos, v);
    if (e)
        return e;
    int slot = -1;
    if (m->depth == 1 && m->pending >= 0) {
        slot = m->pending;
        struct jx_slot *s = &m->slots[slot];
        s->ptr = m->buf + pos + 1;
        s->len = (uint32_t)(end - pos - 1);
        s->kind = JX_STRING;
        s->escaped = escaped;
        m->pending = -1;
    }
    jx_value_done(m, slot, end + 1);
    return JX_OK;
}

/* A number or literal of `tlen` bytes at pos, already validated. */
static inline enum jx_err jx_ev_scalar(struct jx_machine *m, size_t pos, size_t tlen,
                                       uint8_t kind, int64_t ival, struct jx_verdict *v)
{
    enum jx_err e = jx_expect_value(m, pos, v);
    if (e)
        return e;
    int slot = -1;
    if (m->depth == 1 && m->pending >= 0) {
        slot = m->pending;
        struct jx_slot *s = &m->slots[slot];
        s->ptr = m->buf + pos;
        s->len = (uint32_t)tlen;
        s->kind = kind;
        s->escaped = 0;
        s->ival = ival;
        m->pending = -1;
    }
    jx_value_done(m, slot, pos + tlen);
    return JX_OK;
}

/* After the last event: is the whole input one complete root object? */
static inline enum jx_err jx_machine_end(struct jx_machine *m, struct jx_verdict *v)
{
    v->repeated = m->repeated;
    if (!m->any_event)
        return jx_fail(v, JX_EMPTY, 0, "empty line");
    if (m->state != ST_DONE)
        return jx_fail(v, JX_TRUNCATED, m->len, "truncated JSON (input ended inside a value)");
    if (!m->root_object)
        return jx_fail(v, JX_NOT_OBJECT, 0, "not a JSON object");
    return JX_OK;
}

/* Where is the closing quote of the string whose opening quote is at pos?
 * Returns len if there is none. Sets *escaped if a backslash is inside. */
static inline size_t jx_string_end(const char *buf, size_t len, size_t pos, bool *escaped)
{
    bool esc = false;
    size_t i = pos + 1;
    while (i < len) {
        char c = buf[i];
        if (c == '"')
            break;
        if (c == '\\') {
            esc = true;
            i += 2;
            continue;
        }
        i++;
    }
    *escaped = esc;
    return i < len ? i : len;
}

#endif
