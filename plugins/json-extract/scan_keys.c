/*
 * The root keys and values of the structure and full block loops (scan.h):
 * a key candidate's string, whether it spells a wanted name, and the value
 * after its colon; and the scalar rescan of a frame a block loop refused.
 * Plain C, shared by every instruction set.
 */
#include "machine.h"
#include "scan.h"

enum jx_err jx_rescan(const char *buf, size_t len, const struct jx_spec *spec,
                      struct jx_slot *slots, struct jx_verdict *v, bool faulty)
{
    memset(slots, 0, sizeof *slots * spec->n);
    enum jx_err e = jx_scan_scalar(buf, len, spec, slots, v);
    if (faulty && e == JX_OK)
        return jx_fail(v, JX_MALFORMED, 0, "malformed JSON (scanners disagree)");
    return e;
}

/* Is s[0..len) valid UTF-8? (A wanted string value, validate = structure.) */
static bool jx_utf8_ok(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = jx_utf8_seq(s, len, i);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

/* The closing quote of the string whose opening quote is at buf[pos], as
 * jx_string_end finds it, but 16 bytes at a time (SSE2, every x86-64), then
 * eight (the "has a zero byte" trick on w ^ c finds the bytes equal to c;
 * the lowest flagged byte is exact), while no backslash or non-ASCII byte
 * comes first. *ascii: known to be plain ASCII (false: not looked at, or
 * not). */
static size_t jx_string_end8(const char *buf, size_t len, size_t pos, bool *escaped,
                             bool *ascii)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = pos + 1;
#ifdef __SSE2__
    while (i + 16 <= len) {
        __m128i x = _mm_loadu_si128((const __m128i *)(buf + i));
        __m128i stop = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                                    _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
        unsigned any = (unsigned)_mm_movemask_epi8(_mm_or_si128(stop, x));
        if (any) {
            size_t at = i + (size_t)__builtin_ctz(any);
            if (buf[at] != '"')
                break; /* a backslash or a non-ASCII byte: byte by byte */
            *escaped = false;
            *ascii = true;
            return at;
        }
        i += 16;
    }
#endif
    while (i + 8 <= len) {
        uint64_t w, q, b;
        memcpy(&w, buf + i, 8);
        q = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        uint64_t any = ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs) | (w & highs);
        if (any) {
            size_t at = i + (size_t)(__builtin_ctzll(any) >> 3);
            if (buf[at] != '"')
                break; /* a backslash or a non-ASCII byte: byte by byte */
            *escaped = false;
            *ascii = true;
            return at;
        }
        i += 8;
    }
    *ascii = false;
    return jx_string_end(buf, len, pos, escaped);
}

int jx_key_at(struct jx_keys *ks, const char *buf, size_t len, size_t pos, struct jx_verdict *v)
{
    /* A key spelling a wanted name is at most six bytes a character
     * (\uXXXX): a longer string is not one, however it ends. */
    bool esc, plain;
    size_t most = pos + 2 + 6 * (size_t)ks->spec->maxlen;
    size_t lim = most < len ? most : len;
    size_t end = jx_string_end8(buf, lim, pos, &esc, &plain);
    if (end >= lim)
        return lim == len;
    size_t klen = end - pos - 1;
    if (!esc && (klen >= 64 || !((ks->lenmask >> klen) & 1)))
        return 0;
    int i = -1;
    const struct jx_spec *sp = ks->spec;
    if (!esc && klen - 1 < 8 && pos + 9 <= len && sp->first_ready) {
        /* The usual key: its bytes as a word, against each name's. */
        uint64_t w;
        memcpy(&w, buf + pos + 1, 8);
        w &= ~(uint64_t)0 >> (64 - 8 * klen);
        for (unsigned j = 0; j < sp->n; j++)
            if (sp->first.word[j] == w && sp->len[j] == klen) {
                i = (int)j;
                break;
            }
    } else {
        i = jx_match_name(sp, buf + pos + 1, klen, esc);
    }
    if (i < 0)
        return 0;
    size_t q = jx_skip_ws(buf, len, end + 1);
    if (q >= len || buf[q] != ':')
        return 0; /* a string value, not a key */
    q = jx_skip_ws(buf, len, q + 1);
    if (q >= len)
        return 1;
    struct jx_slot *s = &ks->slots[i];
    s->ptr = buf + q;
    s->escaped = 0;
    s->ival = 0;
    if (buf[q] == '"') {
        bool e2;
        size_t vend = jx_string_end8(buf, len, q, &e2, &plain);
        if (vend >= len)
            return 1;
        s->ptr = buf + q + 1;
        s->len = (uint32_t)(vend - q - 1);
        s->kind = JX_STRING;
        s->escaped = e2;
        /* validate = structure checks wanted values in full; their
         * escapes are checked by the block loop, UTF-8 here. */
        if (ks->check_values && !plain && !jx_utf8_ok((const unsigned char *)s->ptr, s->len))
            return 1;
    } else if (buf[q] == '{' || buf[q] == '[') {
        s->len = 1; /* set when it closes (jx_closed_to) */
        s->kind = buf[q] == '{' ? JX_OBJECT : JX_ARRAY;
        ks->open_slot = i;
    } else {
        /* A plain integer (the usual event time) without jx_token. */
        uint8_t kind = JX_INT;
        size_t n = jx_plain_int((const unsigned char *)buf + q, len - q, &s->ival);
        if (!n && !(n = jx_token(buf, len, q, &kind, &s->ival, v)))
            return 1;
        s->len = (uint32_t)n;
        s->kind = kind;
    }
    return 0;
}

void jx_first_bytes(const struct jx_spec *spec, struct jx_first *fc)
{
    static const unsigned char esc_hi[16] = {JX_ESC_HI_BYTES}, esc_lo[16] = {JX_ESC_LO_BYTES(0)};
    memset(fc, 0, sizeof *fc);
    memcpy(fc->nib_hi, esc_hi, 16);
    memcpy(fc->nib_lo, esc_lo, 16);
    for (unsigned i = 0; i < spec->n; i++) {
        if (spec->len[i] <= 8)
            memcpy(&fc->word[i], spec->name[i], spec->len[i]);
        if (spec->len[i] == 0) {
            fc->nib_all = ~(uint64_t)0; /* no filter */
            continue;
        }
        unsigned char c = (unsigned char)spec->name[i][0];
        fc->nib_hi[c >> 4] |= 0x80;
        fc->nib_lo[c & 15] |= 0x80;
        if (c & 0x80)
            fc->nib_all = ~(uint64_t)0;
    }
}


/* Is the object or array value p[0..n) valid JSON in full? (A wanted value,
 * validate = structure: the scalar scanner judges it as a frame of its own.) */
static bool jx_value_ok(const char *p, size_t n)
{
    struct jx_spec none = {.n = 0};
    struct jx_verdict v;
    enum jx_err e = jx_scan_scalar(p, n, &none, NULL, &v);
    return e == JX_OK || e == JX_NOT_OBJECT;
}

bool jx_closed_to(struct jx_keys *ks, const char *buf, uint32_t depth, size_t at,
                  size_t *root_end)
{
    if (depth == 1 && ks->open_slot >= 0) {
        struct jx_slot *s = &ks->slots[ks->open_slot];
        s->len = (uint32_t)(buf + at - s->ptr);
        ks->open_slot = -1;
        return !ks->check_values || jx_value_ok(s->ptr, s->len);
    }
    if (depth == 0 && !*root_end)
        *root_end = at;
    return true;
}
