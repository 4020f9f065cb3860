/*
 * The fast scanner: root-level fields of a JSON frame without building a
 * tree, 64 bytes at a time with SIMD.
 *
 * WHAT IT MUST DO. Find the values of a few wanted root keys ("uid", "ts")
 * in ~2 KB frames whose nested objects hold decoy keys of the same names,
 * whose strings are full of escapes and UTF-8, and say whether the frame is
 * fit to count, at well over a million frames per second on one core. Three
 * levels of "fit" (the option `validate`):
 *   structure (the default, scanner_structure.h): brackets, strings,
 *       escapes and control bytes everywhere, the wanted values in full;
 *       every frame jansson accepts is accepted with the same fields, every
 *       frame it refuses jansson refuses too. ~5.1 GB/s with AVX-512.
 *   full (scanner_full.h): every byte as jansson (mode = strict) judges
 *       it, the same verdict on every frame. ~1.9 GB/s.
 *   fields (scanner_loop.h): stop after the last wanted value.
 *
 * HOW (the simdjson idea: stage 1 bitmaps, then as little stage 2 as we
 * can get away with). Three block loops share steps 1-3:
 *  1. Classify 64 bytes into bitmaps, one bit per byte: quote, backslash,
 *     structural characters, whitespace, control (< 0x20), non-ASCII. SSE2
 *     (four 16-byte compares per class, the x86-64 baseline), AVX2 (two
 *     32-byte ones, whitespace by one pshufb) or AVX-512BW (one 64-byte
 *     compare straight into a 64-bit mask, no movemask), chosen at run time
 *     with __builtin_cpu_supports (SLUICE_JX_SCANNER=avx2 etc. forces a
 *     level; the tests run every level the CPU has); a plain scalar scanner
 *     (scalar.c) elsewhere.
 *  2. Escapes without a loop: a byte is escaped if an odd-length run of
 *     backslashes ends just before it. Adding the run starts to the odd-bit
 *     pattern carries through each run and leaves its parity in the bit
 *     after it (simdjson's "escape and terminal code"); one bit carries into
 *     the next block.
 *  3. Strings: the prefix XOR of the unescaped quotes (carry-less multiply
 *     by all ones with PCLMUL on the AVX2 path, six shift-XORs otherwise)
 *     marks every byte from an opening quote up to its closing quote.
 *     Faults inside strings are bitmaps too: a control byte, an escape other
 *     than \" \\ \/ \b \f \n \r \t \u (AVX2: two nibble-table lookups). Each
 *     \u escape goes to a small scalar check (four hex digits, no U+0000,
 *     surrogates in pairs); numbers and literals too (tokens.c, with an
 *     inline fast path for true/false/null and short integers).
 *
 * THE EVENT LOOP (scanner_loop.h: validate = fields everywhere, and full on
 * SSE2). Events = structural bytes outside strings, opening quotes, and the
 * first byte of each number or literal (~200 per frame). They run through
 * one pushdown automaton (machine.h), shared with the scalar scanner, that
 * checks the grammar, keeps the depth, and at depth 1 of the root object
 * compares keys with the wanted names and captures the value after the
 * colon. UTF-8 is checked by a scalar routine over each run of non-ASCII
 * bytes. This loop can stop inside the first blocks, which validate =
 * fields wants.
 *
 * GRAMMAR ON BITMAPS (scanner_full.h: validate = full on AVX2 and
 * AVX-512). The same
 * verdicts without walking events: JSON's grammar, once brackets are
 * matched, is a set of "what may follow what" rules, and those are bit
 * operations. Let after(X) be the positions whose previous non-whitespace
 * byte is in X: X shifted by one, carried over whitespace runs by one
 * addition (just the shift for compact JSON, where a block has no
 * whitespace outside strings). Then, per block, every bit of
 *     after({)          is a key's opening quote or }
 *     after([)          is a value start or ]
 *     after(:)          is a value start
 *     after(,)          is a key's opening quote (in an object) or a
 *                       value start (in an array)
 *     after(value end)  is , } or ]
 *     after(key end)    is a colon, and every colon is one of those,
 *     the first byte is {, nothing but whitespace after its match.
 * A key string is an opening quote in an object not after ':'; its closing
 * quote is found by adding the opening bit to the string's run of in-string
 * bits (the carry lands on the closing quote). The only loop is over
 * brackets (~20 per frame): it matches them on a bit stack, limits depth,
 * and draws the "inside an object" bitmap; between brackets at depth 1 it
 * looks at the root keys whose first byte is a wanted name's first byte (or
 * a backslash), and for a wanted one reads the value by peeking past the
 * colon (an object or array value ends where the bracket loop returns to
 * depth 1). On AVX-512 that loop has no branch on the bracket while the
 * stack fits one register (64 levels; a bit array beyond): it draws the
 * "depth 1" and "returns to depth 1" bitmaps too, and the keys are looked
 * at once per block; escapes and UTF-8 are checked on every block, without
 * a branch on backslashes or non-ASCII bytes (mispredicted branches, not
 * instructions, are most of the cost: ~150 cycles per 64-byte block). UTF-8 by table lookups on AVX2 (Keiser and Lemire, "Validating
 * UTF-8 in less than one instruction per byte", 2021: three 16-entry tables
 * of nibbles of each byte pair, and the bytes two and three back), errors
 * ORed up and tested once per frame. Anything that is not clearly fine:
 * any fault, nesting near jansson's 2048 limit: goes to the scalar
 * scanner, which names the fault (or, for the depth limit, accepts).
 *
 * On any fault the scalar scanner runs over the frame to name the first
 * faulty byte in jansson's order, so reasons do not depend on the CPU.
 *
 * WHAT "AGREES WITH JANSSON" MEANS HERE. jansson 2.14 refuses: broken
 * grammar, unbalanced or mismatched brackets, truncation, control bytes in
 * strings, bad escapes, bad \u escapes (U+0000 included, because sluice does
 * not pass JSON_ALLOW_NUL), invalid UTF-8 anywhere, integers outside int64,
 * reals that overflow a double, nesting deeper than 2048, anything after the
 * root value but whitespace. All of these are checked here, in full, in
 * skipped values too, so with `validate = full` the verdicts
 * are identical: the differential tests assert it on the challenge samples,
 * generated frames and every truncation and byte flip of them. The wanted
 * keys' values are the last occurrence of a repeated root key, as in
 * jansson's object.
 *
 * validate = fields: stop at the end of the value that completes the set of
 * wanted keys. The verdict then covers only the bytes up to there: a frame
 * whose tail is broken, truncated or followed by garbage is accepted, and a
 * repeated root key counts at its first occurrence. What is checked before
 * the stop is checked exactly as in full mode, so the tests assert: the
 * verdicts of `fields` and `full` differ only for frames whose first fault
 * lies at or after the stop, and the fields agree whenever both accept and
 * no wanted key is repeated at the root. Use it when the producer is trusted
 * and speed matters (the benchmark reports both).
 *
 * MEASURED, the three levels side by side (tests/bench_scan, one session,
 * median of 5 runs, MB/s; since the structure loop, the AVX2 and AVX-512
 * code is also built for BMI1/2: tzcnt and blsr in the bit loops; the
 * structure column as its loop first stood with VBMI2, the steps after
 * that, to ~5,100 generated, in scanner_structure.h):
 *
 *                         structure   full   fields
 *   AVX-512+VBMI2, samples     4,443  2,051   6,832
 *   AVX-512+VBMI2, generated   4,372  1,926   4,443
 *   AVX-512 (no VBMI2), gen.   3,796  1,933   4,255
 *   AVX2, samples              2,509  1,766   6,242
 *   AVX2, generated            2,533  1,632   4,882
 *   scalar, generated            902    908   3,946  (structure = full)
 *
 * Earlier (one core of the 2-core AMD EPYC dev VM with AVX-512, CPU time
 * per thread; median of 7 runs, then the median of 5 such runs taken
 * alternately with the previous version in the same session; scanning
 * plus record.c, ~2 KB frames):
 *
 *                         validate = full          validate = fields
 *   AVX-512, samples      ~1.81 GB/s ~870k fr/s    ~5.6 GB/s  ~2.7M fr/s
 *   AVX-512, generated    ~1.73 GB/s ~835k fr/s    ~3.0 GB/s  ~1.46M fr/s
 *   AVX2, samples         ~1.57 GB/s ~755k fr/s    ~4.8 GB/s  ~2.3M fr/s
 *   AVX2, generated       ~1.49 GB/s ~720k fr/s    ~3.1 GB/s  ~1.49M fr/s
 *   (AVX-512 over AVX2, same session: full +15% on the samples, +16%
 *   generated; fields +17% on the samples, even generated. The event loop,
 *   before the bitmap grammar: full ~1.15 GB/s ~555k fr/s on the samples,
 *   ~1.0 GB/s ~485k fr/s generated. SSE2, event loop: ~1.09 GB/s full on
 *   the samples; jansson, mode = strict: ~90 MB/s, ~44k frames/s.)
 *
 * Where the time goes (full, AVX-512, cpu-clock samples and builds with
 * parts switched off, ~4.2 GHz): ~150 cycles per 64-byte block, spread
 * thin: the bitmaps alone (classification, escapes, strings, after()
 * rules, with the loops cut out) run at ~3.2 GB/s; the bracket loop and
 * the root keys cost about a third (keys, with record.c's decoding of the
 * wanted values, ~15%), numbers and literals ~10%, escapes and UTF-8 a
 * few % each. Classification was not a third of the time, as profiles of
 * the AVX2 build suggested (samples pile up on the instructions that wait
 * for it): AVX-512 compares alone gained ~2% in full mode (~17% in
 * fields mode); the branch-free bracket loop ~8%, UTF-8 and escapes
 * without branches ~5%. The branch-free bracket loop is ~2% slower than
 * the branchy one with AVX2, which keeps it. What helped before, in order:
 * the bitmap grammar instead of ~200 automaton events (+5%, little alone:
 * the key loop then cost 20%), filtering root keys by their first byte
 * (+15%), shift-only after() for compact blocks, pshufb escapes and one
 * movemask for the ASCII test (+8%), the inline number/literal check (+2%).
 * Tried and dropped earlier, in the event loop: a table-driven automaton,
 * and simdjson's flatten-then-walk layout (register pressure; it also hurt
 * validate = fields, which wins by stopping inside the first blocks).
 * Left to try, for the ~2.2 GB/s a million frames a second needs: numbers
 * and literals on bitmaps (digits, the letters of true/false/null, runs
 * of up to 18 digits accepted at once, the rest to jx_token), so that the
 * per-token loop and its mispredictions go; a cheaper root-key filter
 * (first byte and length of each wanted name, from the closing quote);
 * fewer classes (one structural mask plus byte bits to tell the six
 * structural characters apart) matters less than expected.
 */
#include "jx.h"
#include "machine.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define JX_X86 1
#include <immintrin.h>
#endif

#define JX_ODD_BITS 0xAAAAAAAAAAAAAAAAull

/* A frame a block loop did not pass: the scalar scanner judges it from the
 * start, so the reason (and where) is the same whichever scanner ran. With
 * `faulty` the loop saw a fault, so the scalar scanner must see one too. */
static enum jx_err jx_rescan(const char *buf, size_t len, const struct jx_spec *spec,
                             struct jx_slot *slots, struct jx_verdict *v, bool faulty)
{
    memset(slots, 0, sizeof *slots * spec->n);
    enum jx_err e = jx_scan_scalar(buf, len, spec, slots, v);
    if (faulty && e == JX_OK)
        return jx_fail(v, JX_MALFORMED, 0, "malformed JSON (scanners disagree)");
    return e;
}

/* Which bytes of a block are escaped (step 2 of the essay): a byte is
 * escaped if an odd-length run of backslashes (bs) ends just before it.
 * *prev: the block's first byte is escaped; set for the next block. */
static inline uint64_t jx_escaped(uint64_t bs, uint64_t *prev)
{
    uint64_t potential = bs & ~*prev;
    uint64_t maybe = potential << 1;
    uint64_t codes = ((maybe | JX_ODD_BITS) - potential) ^ JX_ODD_BITS;
    uint64_t escaped = codes ^ (bs | *prev);
    *prev = (codes & bs) >> 63;
    return escaped;
}

/* The per-block bitmaps. */
struct jx_masks {
    uint64_t quote, bs, op, ws, ctrl, high;
};

#ifdef JX_X86 /* helpers of the AVX2 full-validation loop (scanner_full.h) */

/* The bitmaps validate = full needs: the structural characters apart,
 * opn = { or [, cls = } or ], c5 = bit 5 of the byte (set for { and }). */
struct jx_fmasks {
    uint64_t quote, bs, opn, cls, c5, colon, comma, ws, ctrl;
    uint64_t first; /* where a wanted name may start (see jx_first) */
};

/* The key filter, for up to four wanted names: a root key is looked at if
 * its first byte is a wanted name's first byte and either its closing
 * quote stands where that name's would (len bytes on) or a backslash is in
 * its first eight bytes (an escaped key is longer than the name it spells;
 * its first backslash lies within the name's length). Names longer than
 * eight bytes are filtered by their first byte only; keys that start with a
 * backslash are always looked at. Patterns that run past the block count
 * as matches. n = -1: no filter (more names, or an empty one). */
struct jx_first {
    int n;
    char c[4];
    uint8_t len[4];
    uint64_t top[4]; /* the positions whose pattern runs past the block */
};

/* Where a wanted key may start, given eq(c) = the block's bytes equal to c. */
#define JX_FIRST_MATCH(fc, out, quote, bs, eq)                                   \
    do {                                                                         \
        uint64_t sm_ = (bs) | (bs) >> 1;                                         \
        sm_ |= sm_ >> 2;                                                         \
        sm_ |= sm_ >> 4;                                                         \
        uint64_t f_ = (fc)->n < 0 ? ~(uint64_t)0 : 0;                            \
        for (int i_ = 0; i_ < (fc)->n; i_++)                                     \
            f_ |= eq((fc)->c[i_]) & (((quote) >> (fc)->len[i_]) | (fc)->top[i_] | sm_); \
        (out) = f_;                                                              \
    } while (0)

/* Positions whose previous non-whitespace byte is in x: x shifted by one,
 * then carried over each run of whitespace w by an addition. *carry holds
 * the bit that enters the next block (x's top bit, or a run reaching it). */
static inline uint64_t jx_after(uint64_t x, uint64_t w, uint64_t *carry)
{
    uint64_t y = (x << 1) | *carry;
    uint64_t s;
    uint64_t o = __builtin_add_overflow(y & w, w, &s);
    *carry = (x >> 63) | o;
    return (s | y) & ~w;
}

/* The same where w is 0. */
static inline uint64_t jx_after0(uint64_t x, uint64_t *carry)
{
    uint64_t y = (x << 1) | *carry;
    *carry = x >> 63;
    return y;
}

/* The \u escapes whose 'u's are the bits of `ucheck` (block at base), each
 * by jx_check_u; *u_done: checked below this offset (a pair's low half is
 * skipped). False with v set at the first bad one. */
static inline bool jx_check_u_bits(const char *buf, size_t len, size_t base, uint64_t ucheck,
                                   size_t *u_done, struct jx_verdict *v)
{
    while (ucheck) {
        size_t upos = base + (size_t)__builtin_ctzll(ucheck);
        ucheck &= ucheck - 1;
        if (upos < *u_done)
            continue; /* the low half of a checked pair */
        size_t n = jx_check_u(buf, len, upos, v);
        if (!n)
            return false;
        *u_done = upos + 1 + n;
    }
    return true;
}

/* Is s[0..len) valid UTF-8? (A wanted string value, validate = structure.) */
static inline bool jx_utf8_ok(const unsigned char *s, size_t len)
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
 * jx_string_end finds it, but eight bytes at a time while no backslash or
 * non-ASCII byte comes first (bytes equal to c are found by the "has a zero
 * byte" trick on w ^ c; the lowest flagged byte is exact). *ascii: known to
 * be plain ASCII (false: not looked at, or not). */
static inline size_t jx_string_end8(const char *buf, size_t len, size_t pos, bool *escaped,
                                    bool *ascii)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = pos + 1;
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

/* The root object's keys, for validate = full: which are wanted, and their
 * values (read by peeking past the key: the grammar is checked on bitmaps,
 * and a frame with any fault is rescanned by the scalar scanner). */
struct jx_keys {
    const struct jx_spec *spec;
    struct jx_slot *slots;
    int open_slot;    /* wanted index whose object/array value is open, or -1 */
    size_t open_pos;  /* where that value starts */
    unsigned seen, repeated;
    uint64_t lenmask; /* bit n set: some wanted name is n bytes long */
    bool values_too;  /* the candidates include value strings (validate =
                       * structure): skip those not followed by a colon */
};

/* The open object or array value of a wanted key ends at the first bracket
 * after its start that returns to depth 1: a bit of ret1 (block at base). */
static inline void jx_keys_close(struct jx_keys *ks, const char *buf, size_t base, uint64_t ret1)
{
    if (ks->open_pos >= base + 64)
        return; /* it starts in a later block */
    if (ks->open_pos >= base)
        ret1 &= ((uint64_t)~0 << (ks->open_pos - base)) << 1;
    if (ret1) {
        struct jx_slot *s = &ks->slots[ks->open_slot];
        s->len = (uint32_t)(buf + base + (unsigned)__builtin_ctzll(ret1) + 1 - s->ptr);
        ks->open_slot = -1;
    }
}

/* The keys whose opening quotes are the bits of `keys` (block at base;
 * quote and bs are the block's unescaped quotes and backslashes, ret1 its
 * brackets that return to depth 1). Nonzero if something is wrong. */
static int jx_keys_run(struct jx_keys *ks, const char *buf, size_t len, size_t base,
                       uint64_t keys, uint64_t quote, uint64_t bs, uint64_t ret1,
                       struct jx_verdict *v)
{
    do {
        unsigned off = (unsigned)__builtin_ctzll(keys);
        keys &= keys - 1;
        size_t pos = base + off, end;
        bool esc;
        uint64_t after = off == 63 ? 0 : quote & ~((2ull << off) - 1);
        if (after) {
            unsigned eoff = (unsigned)__builtin_ctzll(after);
            end = base + eoff;
            esc = (bs & (((1ull << eoff) - 1) & ~((2ull << off) - 1))) != 0;
        } else {
            /* A key spelling a wanted name is at most six bytes a character
             * (\uXXXX): a longer string is not one, however it ends. */
            bool plain;
            size_t most = pos + 2 + 6 * (size_t)ks->spec->maxlen;
            size_t lim = most < len ? most : len;
            end = jx_string_end8(buf, lim, pos, &esc, &plain);
            if (end >= lim) {
                if (lim == len)
                    return 1;
                continue;
            }
        }
        size_t klen = end - pos - 1;
        if (!esc && (klen >= 64 || !((ks->lenmask >> klen) & 1)))
            continue;
        int i = jx_match_name(ks->spec, buf + pos + 1, klen, esc);
        if (i < 0)
            continue;
        size_t q = jx_skip_ws(buf, len, end + 1);
        if (q >= len || buf[q] != ':') {
            if (ks->values_too)
                continue;
            return 1;
        }
        ks->repeated |= ks->seen & (1u << i);
        ks->seen |= 1u << i;
        q = jx_skip_ws(buf, len, q + 1);
        if (q >= len)
            return 1;
        struct jx_slot *s = &ks->slots[i];
        s->ptr = buf + q;
        s->escaped = 0;
        s->ival = 0;
        if (buf[q] == '"') {
            bool e2, plain;
            size_t vend = jx_string_end8(buf, len, q, &e2, &plain);
            if (vend >= len)
                return 1;
            s->ptr = buf + q + 1;
            s->len = (uint32_t)(vend - q - 1);
            s->kind = JX_STRING;
            s->escaped = e2;
            /* validate = structure checks wanted values in full; their
             * escapes are checked by the block loop, UTF-8 here. */
            if (ks->values_too && !plain &&
                !jx_utf8_ok((const unsigned char *)s->ptr, s->len))
                return 1;
        } else if (buf[q] == '{' || buf[q] == '[') {
            s->len = 1; /* set when it closes */
            s->kind = buf[q] == '{' ? JX_OBJECT : JX_ARRAY;
            ks->open_slot = i;
            ks->open_pos = q;
            jx_keys_close(ks, buf, base, ret1);
        } else {
            uint8_t kind;
            int64_t ival = 0;
            size_t n = jx_token(buf, len, q, &kind, &ival, v);
            if (!n)
                return 1;
            s->len = (uint32_t)n;
            s->kind = kind;
            s->ival = ival;
        }
    } while (keys);
    return 0;
}

/* The first bytes of the wanted names: keys that start otherwise (and
 * not with a backslash) cannot match, and are not looked at. */
static inline void jx_first_bytes(const struct jx_spec *spec, struct jx_first *fc)
{
    fc->n = spec->n <= 4 ? (int)spec->n : -1;
    for (unsigned i = 0; i < spec->n && fc->n >= 0; i++) {
        uint32_t l = spec->len[i];
        if (l == 0) {
            fc->n = -1;
            break;
        }
        fc->c[i] = spec->name[i][0];
        fc->len[i] = (uint8_t)(l <= 8 ? l : 0);
        fc->top[i] = l <= 8 ? ~(uint64_t)0 << (64 - l) : ~(uint64_t)0;
    }
}

/* A block for the structure loop without masked loads: a pointer, the
 * last short block copied into `tail` and padded with spaces. */
static inline const char *jx_block_ptr(const char *p, size_t avail, char *tail)
{
    if (__builtin_expect(avail >= 64, 1))
        return p;
    memcpy(tail, p, avail);
    memset(tail + avail, ' ', 64 - avail);
    return tail;
}

/* Append the positions of m's bits (off + bit) to out[n..]; returns the new
 * count. Four are written whether or not there are as many (out needs four
 * spare entries), so a block with up to four takes no branch. */
static inline uint32_t jx_flatten(uint16_t *out, uint32_t n, uint32_t off, uint64_t m)
{
    uint32_t cnt = (uint32_t)__builtin_popcountll(m);
    uint16_t *o = out + n;
    for (int i = 0; i < 4; i++) {
        o[i] = (uint16_t)(off + (uint32_t)__builtin_ctzll(m | (uint64_t)1 << 63));
        m &= m - 1;
    }
    if (__builtin_expect(cnt > 4, 0))
        for (o += 4; m; m &= m - 1)
            *o++ = (uint16_t)(off + (uint32_t)__builtin_ctzll(m));
    return n + cnt;
}

/* The one key candidate whose opening quote is at buf[pos], without the
 * block's bitmaps (validate = structure's pass 2). */
static inline int jx_key_at(struct jx_keys *ks, const char *buf, size_t len, size_t pos,
                            struct jx_verdict *v)
{
    return jx_keys_run(ks, buf, len, pos, 1, 0, 0, 0, v);
}

/* Is the object or array value p[0..n) valid JSON in full? (A wanted value,
 * validate = structure: the scalar scanner judges it as a frame of its own.) */
static inline bool jx_value_ok(const char *p, size_t n)
{
    struct jx_spec none = {.n = 0};
    struct jx_verdict v;
    enum jx_err e = jx_scan_scalar(p, n, &none, NULL, &v);
    return e == JX_OK || e == JX_NOT_OBJECT;
}

/* validate = structure: a closing bracket brought the depth to `depth`, and
 * the frame's next byte is buf[at]. Depth 1 with a wanted object or array
 * value open: that value ends here, and is checked in full; depth 0: the
 * root ends (the first time). False if the value is not valid JSON. */
static inline bool jx_closed_to(struct jx_keys *ks, const char *buf, uint32_t depth, size_t at,
                                size_t *root_end)
{
    if (depth == 1 && ks->open_slot >= 0) {
        struct jx_slot *s = &ks->slots[ks->open_slot];
        s->len = (uint32_t)(buf + at - s->ptr);
        ks->open_slot = -1;
        return jx_value_ok(s->ptr, s->len);
    }
    if (depth == 0 && !*root_end)
        *root_end = at;
    return true;
}

/* Bytes that end a number or literal (tokens.c's is_delim). */
static const unsigned char jx_delim[256] = {
    [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['{'] = 1, ['}'] = 1,
    ['['] = 1, [']'] = 1, [':'] = 1, [','] = 1, ['"'] = 1,
};

/* Is the number or literal at buf[pos] valid? true, false, null and
 * integers of up to 18 digits (always within int64) are checked here;
 * everything else by jx_token. */
static inline bool jx_scalar_ok(const char *buf, size_t len, size_t pos, struct jx_verdict *v)
{
    const unsigned char *s = (const unsigned char *)buf + pos;
    size_t room = len - pos;
    if (room > 5) {
        uint32_t w;
        memcpy(&w, s, 4);
        if ((w == 0x65757274u || w == 0x6c6c756eu) && jx_delim[s[4]]) /* true null */
            return true;
        if (w == 0x736c6166u && s[4] == 'e' && jx_delim[s[5]]) /* false */
            return true;
        size_t i = s[0] == '-';
        if (s[i] >= '1' && s[i] <= '9') {
            size_t j = i + 1, lim = i + 18 < room ? i + 18 : room;
            while (j < lim && s[j] >= '0' && s[j] <= '9')
                j++;
            if (j < room && jx_delim[s[j]])
                return true;
        } else if (s[i] == '0' && jx_delim[s[i + 1]]) {
            return true;
        }
    }
    uint8_t kind;
    int64_t ival;
    return jx_token(buf, len, pos, &kind, &ival, v) != 0;
}

#endif /* JX_X86 */

static inline uint64_t prefix_xor_shift(uint64_t x)
{
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

#ifdef JX_X86

/* ---- SSE2: the x86-64 baseline ------------------------------------- */

static inline uint64_t mask4(__m128i a, __m128i b, __m128i c, __m128i d)
{
    return (uint64_t)(uint16_t)_mm_movemask_epi8(a) |
           (uint64_t)(uint16_t)_mm_movemask_epi8(b) << 16 |
           (uint64_t)(uint16_t)_mm_movemask_epi8(c) << 32 |
           (uint64_t)(uint16_t)_mm_movemask_epi8(d) << 48;
}

#define EQ8(x, ch) _mm_cmpeq_epi8((x), _mm_set1_epi8(ch))

static inline void classify_sse2(const char *p, struct jx_masks *k)
{
    __m128i x[4], q[4], b[4], o[4], w[4], c[4];
    for (int i = 0; i < 4; i++) {
        x[i] = _mm_loadu_si128((const __m128i *)(p + 16 * i));
        __m128i lo = _mm_or_si128(x[i], _mm_set1_epi8(0x20)); /* [ ] -> { } */
        q[i] = EQ8(x[i], '"');
        b[i] = EQ8(x[i], '\\');
        o[i] = _mm_or_si128(_mm_or_si128(EQ8(lo, '{'), EQ8(lo, '}')),
                            _mm_or_si128(EQ8(x[i], ':'), EQ8(x[i], ',')));
        w[i] = _mm_or_si128(_mm_or_si128(EQ8(x[i], ' '), EQ8(x[i], '\t')),
                            _mm_or_si128(EQ8(x[i], '\n'), EQ8(x[i], '\r')));
        c[i] = _mm_cmpeq_epi8(_mm_min_epu8(x[i], _mm_set1_epi8(0x1F)), x[i]);
    }
    k->quote = mask4(q[0], q[1], q[2], q[3]);
    k->bs = mask4(b[0], b[1], b[2], b[3]);
    k->op = mask4(o[0], o[1], o[2], o[3]);
    k->ws = mask4(w[0], w[1], w[2], w[3]);
    k->ctrl = mask4(c[0], c[1], c[2], c[3]);
    k->high = mask4(x[0], x[1], x[2], x[3]);
}

/* Bytes that may follow an escaping backslash, and the 'u's among them. */
static inline void escapes_sse2(const char *p, uint64_t *valid, uint64_t *is_u)
{
    __m128i v[4], u[4];
    for (int i = 0; i < 4; i++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * i));
        u[i] = EQ8(x, 'u');
        __m128i a = _mm_or_si128(_mm_or_si128(EQ8(x, '"'), EQ8(x, '\\')),
                                 _mm_or_si128(EQ8(x, '/'), EQ8(x, 'b')));
        __m128i b = _mm_or_si128(_mm_or_si128(EQ8(x, 'f'), EQ8(x, 'n')),
                                 _mm_or_si128(EQ8(x, 'r'), EQ8(x, 't')));
        v[i] = _mm_or_si128(_mm_or_si128(a, b), u[i]);
    }
    *valid = mask4(v[0], v[1], v[2], v[3]);
    *is_u = mask4(u[0], u[1], u[2], u[3]);
}

#define JX_NAME scan_sse2_fields
#define JX_TARGET
#define JX_CLASSIFY classify_sse2
#define JX_ESCAPES escapes_sse2
#define JX_PREFIX_XOR prefix_xor_shift
#include "scanner_loop.h"
#undef JX_NAME
#undef JX_TARGET
#undef JX_CLASSIFY
#undef JX_ESCAPES
#undef JX_PREFIX_XOR

/* SSE2 runs the event loop in both modes: without pshufb its UTF-8 checks
 * stay scalar, and the bitmap grammar of validate = full measured ~4%
 * slower there than the events. */
#define scan_sse2 scan_sse2_fields

/* ---- AVX2 (+ PCLMUL), chosen at run time --------------------------- */

#define AVX_ATTR __attribute__((target("avx2,pclmul,bmi,bmi2")))
#define EQ32(x, ch) _mm256_cmpeq_epi8((x), _mm256_set1_epi8(ch))

AVX_ATTR static inline uint64_t mask2(__m256i a, __m256i b)
{
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(a) |
           (uint64_t)(uint32_t)_mm256_movemask_epi8(b) << 32;
}

AVX_ATTR static inline void classify_avx2(const char *p, struct jx_masks *k)
{
    __m256i x[2], q[2], b[2], o[2], w[2], c[2];
    for (int i = 0; i < 2; i++) {
        x[i] = _mm256_loadu_si256((const __m256i *)(p + 32 * i));
        __m256i lo = _mm256_or_si256(x[i], _mm256_set1_epi8(0x20));
        q[i] = EQ32(x[i], '"');
        b[i] = EQ32(x[i], '\\');
        o[i] = _mm256_or_si256(_mm256_or_si256(EQ32(lo, '{'), EQ32(lo, '}')),
                               _mm256_or_si256(EQ32(x[i], ':'), EQ32(x[i], ',')));
        w[i] = _mm256_or_si256(_mm256_or_si256(EQ32(x[i], ' '), EQ32(x[i], '\t')),
                               _mm256_or_si256(EQ32(x[i], '\n'), EQ32(x[i], '\r')));
        c[i] = _mm256_cmpeq_epi8(_mm256_min_epu8(x[i], _mm256_set1_epi8(0x1F)), x[i]);
    }
    k->quote = mask2(q[0], q[1]);
    k->bs = mask2(b[0], b[1]);
    k->op = mask2(o[0], o[1]);
    k->ws = mask2(w[0], w[1]);
    k->ctrl = mask2(c[0], c[1]);
    k->high = mask2(x[0], x[1]);
}

AVX_ATTR static inline void escapes_avx2(const char *p, uint64_t *valid, uint64_t *is_u)
{
    __m256i v[2], u[2];
    for (int i = 0; i < 2; i++) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(p + 32 * i));
        u[i] = EQ32(x, 'u');
        __m256i a = _mm256_or_si256(_mm256_or_si256(EQ32(x, '"'), EQ32(x, '\\')),
                                    _mm256_or_si256(EQ32(x, '/'), EQ32(x, 'b')));
        __m256i b = _mm256_or_si256(_mm256_or_si256(EQ32(x, 'f'), EQ32(x, 'n')),
                                    _mm256_or_si256(EQ32(x, 'r'), EQ32(x, 't')));
        v[i] = _mm256_or_si256(_mm256_or_si256(a, b), u[i]);
    }
    *valid = mask2(v[0], v[1]);
    *is_u = mask2(u[0], u[1]);
}

/* The same by two nibble-table lookups: the high nibble of " / \\ b f n r
 * t u picks a bit (2, 5, 6, 7), the low nibble's table has that bit where
 * the pair is one of them. */
AVX_ATTR static inline void escapes_full_avx2(const char *p, uint64_t *valid, uint64_t *is_u)
{
    const __m256i hi = _mm256_setr_epi8(0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0,
                                        0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i lo = _mm256_setr_epi8(0, 0, 1 | 4 | 8, 0, 8, 8, 4, 0, 0, 0, 0, 0, 2, 0, 4, 1,
                                        0, 0, 1 | 4 | 8, 0, 8, 8, 4, 0, 0, 0, 0, 0, 2, 0, 4, 1);
    const __m256i nib = _mm256_set1_epi8(0x0F);
    __m256i bad[2], u[2];
    for (int i = 0; i < 2; i++) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(p + 32 * i));
        __m256i h = _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(x, 4), nib));
        __m256i l = _mm256_shuffle_epi8(lo, _mm256_and_si256(x, nib));
        bad[i] = _mm256_cmpeq_epi8(_mm256_and_si256(h, l), _mm256_setzero_si256());
        u[i] = EQ32(x, 'u');
    }
    *valid = ~mask2(bad[0], bad[1]);
    *is_u = mask2(u[0], u[1]);
}

AVX_ATTR static inline uint64_t prefix_xor_clmul(uint64_t x)
{
    __m128i r = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)x), _mm_set1_epi8((char)0xFF), 0);
    return (uint64_t)_mm_cvtsi128_si64(r);
}

AVX_ATTR static inline void classify_full_avx2(const char *p, struct jx_fmasks *k,
                                               const struct jx_first *fc)
{
    /* Whitespace by one table lookup on the low nibble: the table holds
     * the whitespace byte with that nibble (space, tab, newline, return), else 0. */
    const __m256i wst = _mm256_setr_epi8(' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0,
                                         ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0);
    __m256i x[2], q[2], b[2], on[2], cl[2], c5[2], co[2], cm[2], w[2], c[2];
    for (int i = 0; i < 2; i++) {
        x[i] = _mm256_loadu_si256((const __m256i *)(p + 32 * i));
        __m256i lo = _mm256_or_si256(x[i], _mm256_set1_epi8(0x20));
        q[i] = EQ32(x[i], '"');
        b[i] = EQ32(x[i], '\\');
        on[i] = EQ32(lo, '{');
        cl[i] = EQ32(lo, '}');
        c5[i] = _mm256_slli_epi16(x[i], 2);
        co[i] = EQ32(x[i], ':');
        cm[i] = EQ32(x[i], ',');
        w[i] = _mm256_cmpeq_epi8(_mm256_shuffle_epi8(wst, x[i]), x[i]);
        c[i] = _mm256_cmpeq_epi8(_mm256_min_epu8(x[i], _mm256_set1_epi8(0x1F)), x[i]);
    }
    k->quote = mask2(q[0], q[1]);
    k->bs = mask2(b[0], b[1]);
    k->opn = mask2(on[0], on[1]);
    k->cls = mask2(cl[0], cl[1]);
    k->c5 = mask2(c5[0], c5[1]);
    k->colon = mask2(co[0], co[1]);
    k->comma = mask2(cm[0], cm[1]);
    k->ws = mask2(w[0], w[1]);
    k->ctrl = mask2(c[0], c[1]);
#define EQ_AVX2(ch) mask2(EQ32(x[0], ch), EQ32(x[1], ch))
    JX_FIRST_MATCH(fc, k->first, k->quote, k->bs, EQ_AVX2);
#undef EQ_AVX2
}

/* UTF-8 by table lookups (Keiser and Lemire, "Validating UTF-8 in less than
 * one instruction per byte", 2021; simdjson's lookup4): each byte pair is
 * classified by three 16-entry tables (high nibble of the previous byte, its
 * low nibble, high nibble of this byte) whose AND is nonzero exactly for the
 * bad pairs; the bytes that must be 3rd or 4th of a sequence come from the
 * bytes two and three back. Errors are ORed up and tested once per frame. */
struct jx_u8_avx2 {
    __m256i prev, incomplete, err;
};

#define U8_TOO_SHORT 0x01
#define U8_TOO_LONG 0x02
#define U8_OVERLONG_3 0x04
#define U8_TOO_LARGE 0x08
#define U8_SURROGATE 0x10
#define U8_OVERLONG_2 0x20
#define U8_TOO_LARGE_1000 0x40
#define U8_OVERLONG_4 0x40
#define U8_TWO_CONTS 0x80
#define U8_CARRY (U8_TOO_SHORT | U8_TOO_LONG | U8_TWO_CONTS)
#define U8_T16(...) _mm256_setr_epi8(__VA_ARGS__, __VA_ARGS__)

AVX_ATTR static inline __m256i u8_prev(__m256i in, __m256i prev, int n)
{
    __m256i t = _mm256_permute2x128_si256(prev, in, 0x21);
    switch (n) {
    case 1: return _mm256_alignr_epi8(in, t, 15);
    case 2: return _mm256_alignr_epi8(in, t, 14);
    default: return _mm256_alignr_epi8(in, t, 13);
    }
}

AVX_ATTR static inline __m256i u8_check(__m256i in, __m256i prev)
{
    const __m256i nib = _mm256_set1_epi8(0x0F);
    const __m256i t1h = U8_T16(
        U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,
        U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,
        U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS,
        U8_TOO_SHORT | U8_OVERLONG_2,
        U8_TOO_SHORT,
        U8_TOO_SHORT | U8_OVERLONG_3 | U8_SURROGATE,
        (char)(U8_TOO_SHORT | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_OVERLONG_4));
    const __m256i t1l = U8_T16(
        (char)(U8_CARRY | U8_OVERLONG_3 | U8_OVERLONG_2 | U8_OVERLONG_4),
        (char)(U8_CARRY | U8_OVERLONG_2),
        (char)U8_CARRY, (char)U8_CARRY,
        (char)(U8_CARRY | U8_TOO_LARGE),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_SURROGATE),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000));
    const __m256i t2h = U8_T16(
        U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,
        U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,
        (char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 | U8_TOO_LARGE_1000 |
               U8_OVERLONG_4),
        (char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 | U8_TOO_LARGE),
        (char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE | U8_TOO_LARGE),
        (char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE | U8_TOO_LARGE),
        U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT);
    __m256i p1 = u8_prev(in, prev, 1);
    __m256i b1h = _mm256_shuffle_epi8(t1h, _mm256_and_si256(_mm256_srli_epi16(p1, 4), nib));
    __m256i b1l = _mm256_shuffle_epi8(t1l, _mm256_and_si256(p1, nib));
    __m256i b2h = _mm256_shuffle_epi8(t2h, _mm256_and_si256(_mm256_srli_epi16(in, 4), nib));
    __m256i sc = _mm256_and_si256(_mm256_and_si256(b1h, b1l), b2h);
    __m256i third = _mm256_subs_epu8(u8_prev(in, prev, 2), _mm256_set1_epi8((char)(0xE0 - 0x80)));
    __m256i fourth = _mm256_subs_epu8(u8_prev(in, prev, 3), _mm256_set1_epi8((char)(0xF0 - 0x80)));
    __m256i must = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(must, sc);
}

AVX_ATTR static inline void u8_init_avx2(struct jx_u8_avx2 *s)
{
    s->prev = s->incomplete = s->err = _mm256_setzero_si256();
}

AVX_ATTR static inline bool u8_block_avx2(struct jx_u8_avx2 *s, const char *p, const char *buf,
                                          size_t len, size_t base)
{
    (void)buf;
    (void)len;
    (void)base;
    __m256i x0 = _mm256_loadu_si256((const __m256i *)p);
    __m256i x1 = _mm256_loadu_si256((const __m256i *)(p + 32));
    if (!_mm256_movemask_epi8(_mm256_or_si256(x0, x1))) {
        s->err = _mm256_or_si256(s->err, s->incomplete);
        s->incomplete = _mm256_setzero_si256();
    } else {
        /* A lead byte in the last three places still wants bytes. */
        const __m256i max = _mm256_setr_epi8(
            -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
            -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
            (char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
        s->err = _mm256_or_si256(s->err, _mm256_or_si256(u8_check(x0, s->prev),
                                                         u8_check(x1, x0)));
        s->incomplete = _mm256_subs_epu8(x1, max);
    }
    s->prev = x1;
    return false;
}

AVX_ATTR static inline bool u8_end_avx2(struct jx_u8_avx2 *s)
{
    __m256i e = _mm256_or_si256(s->err, s->incomplete);
    return !_mm256_testz_si256(e, e);
}

#define JX_NAME scan_avx2_fields
#define JX_TARGET AVX_ATTR
#define JX_CLASSIFY classify_avx2
#define JX_ESCAPES escapes_avx2
#define JX_PREFIX_XOR prefix_xor_clmul
#include "scanner_loop.h"
#define JX_FULL_NAME scan_avx2_full
#define JX_NO_BRANCH 0
#define JX_ESCAPES_FULL escapes_full_avx2
#define JX_CLASSIFY_FULL classify_full_avx2
#define JX_UTF8_STATE struct jx_u8_avx2
#define JX_UTF8_INIT u8_init_avx2
#define JX_UTF8_BLOCK u8_block_avx2
#define JX_UTF8_END u8_end_avx2
#include "scanner_full.h"
#undef JX_NAME
#undef JX_FULL_NAME
#undef JX_TARGET
#undef JX_CLASSIFY
#undef JX_CLASSIFY_FULL
#undef JX_ESCAPES
#undef JX_ESCAPES_FULL
#undef JX_PREFIX_XOR
#undef JX_UTF8_STATE
#undef JX_UTF8_INIT
#undef JX_UTF8_BLOCK
#undef JX_UTF8_END
#undef JX_NO_BRANCH

#define JX_STRUCT_NAME scan_avx2_structure
#define JX_TARGET AVX_ATTR
#define JX_BLOCK_T const char *
#define JX_BLOCK jx_block_ptr
#define JX_CLASSIFY_STRUCT classify_full_avx2
#define JX_ESCAPES_FULL escapes_full_avx2
#define JX_PREFIX_XOR prefix_xor_clmul
#define JX_NO_BRANCH 0
#define JX_FLATTEN jx_flatten
#include "scanner_structure.h"
#undef JX_STRUCT_NAME
#undef JX_TARGET
#undef JX_CLASSIFY_STRUCT
#undef JX_ESCAPES_FULL
#undef JX_PREFIX_XOR
#undef JX_NO_BRANCH
#undef JX_FLATTEN
#undef JX_BLOCK_T
#undef JX_BLOCK

static enum jx_err scan_avx2(const char *buf, size_t len, const struct jx_spec *spec,
                             struct jx_slot *slots, struct jx_verdict *v)
{
    return spec->stop_early      ? scan_avx2_fields(buf, len, spec, slots, v)
           : spec->structure_only ? scan_avx2_structure(buf, len, spec, slots, v)
                                  : scan_avx2_full(buf, len, spec, slots, v);
}

/* ---- AVX-512BW (+ PCLMUL), chosen at run time ----------------------- */

/* Compares go straight into 64-bit masks (one k-register per class per
 * block, no movemask pairs); the rest of both loops is the AVX2 one. */
#define AVX512_ATTR __attribute__((target("avx512f,avx512bw,avx2,pclmul,bmi,bmi2")))
/* With VBMI2 (Ice Lake, Zen 4 and later): one compress flattens a bitmap. */
#define AVX512V_ATTR __attribute__((target("avx512f,avx512bw,avx512vbmi2,avx2,pclmul,bmi,bmi2")))
#define EQ64(x, ch) _mm512_cmpeq_epi8_mask((x), _mm512_set1_epi8(ch))
#define EQ64_X(ch) EQ64(x, ch)

/* A 16-byte table in each 128-bit lane. */
#define T64(...) _mm512_broadcast_i32x4(_mm_setr_epi8(__VA_ARGS__))

/* jx_flatten by one compress (AVX-512 VBMI2): the offsets of m's bits,
 * widened to 16 bits; 32 entries are written whatever the count. */
AVX512V_ATTR static inline uint32_t jx_flatten_vbmi2(uint16_t *out, uint32_t n, uint32_t off, uint64_t m)
{
    const __m512i iota = _mm512_set_epi8(
        63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42,
        41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20,
        19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    uint32_t cnt = (uint32_t)__builtin_popcountll(m);
    __m512i c = _mm512_maskz_compress_epi8(m, iota);
    __m512i base = _mm512_set1_epi16((short)off);
    _mm512_storeu_si512((void *)(out + n),
                        _mm512_add_epi16(_mm512_cvtepu8_epi16(_mm512_castsi512_si256(c)), base));
    if (__builtin_expect(cnt > 32, 0))
        _mm512_storeu_si512((void *)(out + n + 32),
                            _mm512_add_epi16(_mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(c, 1)),
                                             base));
    return n + cnt;
}

AVX512_ATTR static inline void classify_avx512(const char *p, struct jx_masks *k)
{
    const __m512i wst = T64(' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0);
    __m512i x = _mm512_loadu_si512((const void *)p);
    __m512i lo = _mm512_or_si512(x, _mm512_set1_epi8(0x20));
    k->quote = EQ64(x, '"');
    k->bs = EQ64(x, '\\');
    k->op = EQ64(lo, '{') | EQ64(lo, '}') | EQ64(x, ':') | EQ64(x, ',');
    k->ws = _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(wst, x), x);
    k->ctrl = _mm512_cmplt_epu8_mask(x, _mm512_set1_epi8(0x20));
    k->high = _mm512_movepi8_mask(x);
}

/* Bytes that may follow an escaping backslash, and the 'u's among them:
 * the nibble tables of escapes_full_avx2. */
AVX512_ATTR static inline void escapes_avx512_x(__m512i x, uint64_t *valid, uint64_t *is_u)
{
    const __m512i hi = T64(0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m512i lo = T64(0, 0, 1 | 4 | 8, 0, 8, 8, 4, 0, 0, 0, 0, 0, 2, 0, 4, 1);
    const __m512i nib = _mm512_set1_epi8(0x0F);
    __m512i h = _mm512_shuffle_epi8(hi, _mm512_and_si512(_mm512_srli_epi16(x, 4), nib));
    __m512i l = _mm512_shuffle_epi8(lo, _mm512_and_si512(x, nib));
    *valid = _mm512_test_epi8_mask(h, l);
    *is_u = EQ64(x, 'u');
}

AVX512_ATTR static inline void escapes_avx512(const char *p, uint64_t *valid, uint64_t *is_u)
{
    escapes_avx512_x(_mm512_loadu_si512((const void *)p), valid, is_u);
}

/* A block for the structure loop: the last, short one by a masked load
 * that fills the rest with spaces (no copy, no store-forwarding stall). */
AVX512_ATTR static inline __m512i jx_block_avx512(const char *p, size_t avail, char *tail)
{
    (void)tail;
    if (__builtin_expect(avail >= 64, 1))
        return _mm512_loadu_si512((const void *)p);
    return _mm512_mask_loadu_epi8(_mm512_set1_epi8(' '), _bzhi_u64(~(uint64_t)0, (unsigned)avail),
                                  p);
}

AVX512_ATTR static inline void classify_full_avx512_x(__m512i x, struct jx_fmasks *k,
                                                      const struct jx_first *fc)
{
    const __m512i wst = T64(' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0);
    __m512i lo = _mm512_or_si512(x, _mm512_set1_epi8(0x20));
    k->quote = EQ64(x, '"');
    k->bs = EQ64(x, '\\');
    k->opn = EQ64(lo, '{');
    k->cls = EQ64(lo, '}');
    k->c5 = _mm512_test_epi8_mask(x, _mm512_set1_epi8(0x20));
    k->colon = EQ64(x, ':');
    k->comma = EQ64(x, ',');
    k->ws = _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(wst, x), x);
    k->ctrl = _mm512_cmplt_epu8_mask(x, _mm512_set1_epi8(0x20));
    JX_FIRST_MATCH(fc, k->first, k->quote, k->bs, EQ64_X);
}

AVX512_ATTR static inline void classify_full_avx512(const char *p, struct jx_fmasks *k,
                                                    const struct jx_first *fc)
{
    classify_full_avx512_x(_mm512_loadu_si512((const void *)p), k, fc);
}

/* UTF-8: u8_check on 64 bytes (the same tables, one per 128-bit lane). */
struct jx_u8_avx512 {
    __m512i prev, incomplete, err;
};

/* The bytes n back: lane i of t is lane i-1 of in (lane 0: prev's last). */
AVX512_ATTR static inline __m512i u8_prev512(__m512i in, __m512i prev, int n)
{
    __m512i t = _mm512_alignr_epi64(in, prev, 6);
    switch (n) {
    case 1: return _mm512_alignr_epi8(in, t, 15);
    case 2: return _mm512_alignr_epi8(in, t, 14);
    default: return _mm512_alignr_epi8(in, t, 13);
    }
}

AVX512_ATTR static inline __m512i u8_check512(__m512i in, __m512i prev)
{
    const __m512i nib = _mm512_set1_epi8(0x0F);
    const __m512i t1h = T64(
        U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,
        U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,
        U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS,
        U8_TOO_SHORT | U8_OVERLONG_2,
        U8_TOO_SHORT,
        U8_TOO_SHORT | U8_OVERLONG_3 | U8_SURROGATE,
        (char)(U8_TOO_SHORT | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_OVERLONG_4));
    const __m512i t1l = T64(
        (char)(U8_CARRY | U8_OVERLONG_3 | U8_OVERLONG_2 | U8_OVERLONG_4),
        (char)(U8_CARRY | U8_OVERLONG_2),
        (char)U8_CARRY, (char)U8_CARRY,
        (char)(U8_CARRY | U8_TOO_LARGE),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_SURROGATE),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000),
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000));
    const __m512i t2h = T64(
        U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,
        U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,
        (char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 | U8_TOO_LARGE_1000 |
               U8_OVERLONG_4),
        (char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 | U8_TOO_LARGE),
        (char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE | U8_TOO_LARGE),
        (char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE | U8_TOO_LARGE),
        U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT);
    __m512i p1 = u8_prev512(in, prev, 1);
    __m512i b1h = _mm512_shuffle_epi8(t1h, _mm512_and_si512(_mm512_srli_epi16(p1, 4), nib));
    __m512i b1l = _mm512_shuffle_epi8(t1l, _mm512_and_si512(p1, nib));
    __m512i b2h = _mm512_shuffle_epi8(t2h, _mm512_and_si512(_mm512_srli_epi16(in, 4), nib));
    __m512i sc = _mm512_and_si512(_mm512_and_si512(b1h, b1l), b2h);
    __m512i third = _mm512_subs_epu8(u8_prev512(in, prev, 2), _mm512_set1_epi8((char)(0xE0 - 0x80)));
    __m512i fourth = _mm512_subs_epu8(u8_prev512(in, prev, 3), _mm512_set1_epi8((char)(0xF0 - 0x80)));
    __m512i must = _mm512_and_si512(_mm512_or_si512(third, fourth), _mm512_set1_epi8((char)0x80));
    return _mm512_xor_si512(must, sc);
}

AVX512_ATTR static inline void u8_init_avx512(struct jx_u8_avx512 *s)
{
    s->prev = s->incomplete = s->err = _mm512_setzero_si512();
}

/* A lead byte in the last three places still wants bytes. */
#define U8_FF8 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF
static const unsigned char jx_u8_max512[64] = {
    U8_FF8, U8_FF8, U8_FF8, U8_FF8, U8_FF8, U8_FF8, U8_FF8,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF0 - 1, 0xE0 - 1, 0xC0 - 1,
};

AVX512_ATTR static inline bool u8_block_avx512(struct jx_u8_avx512 *s, const char *p,
                                               const char *buf, size_t len, size_t base)
{
    (void)buf;
    (void)len;
    (void)base;
    /* No branch on ASCII blocks: the check costs less than a mispredicted
     * branch on text that mixes ASCII and other blocks. */
    __m512i x = _mm512_loadu_si512((const void *)p);
    s->err = _mm512_or_si512(s->err, u8_check512(x, s->prev));
    s->incomplete = _mm512_subs_epu8(x, _mm512_loadu_si512((const void *)jx_u8_max512));
    s->prev = x;
    return false;
}

AVX512_ATTR static inline bool u8_end_avx512(struct jx_u8_avx512 *s)
{
    return _mm512_test_epi8_mask(_mm512_or_si512(s->err, s->incomplete),
                                 _mm512_set1_epi8((char)0xFF)) != 0;
}

#define JX_NAME scan_avx512_fields
#define JX_TARGET AVX512_ATTR
#define JX_CLASSIFY classify_avx512
#define JX_ESCAPES escapes_avx512
#define JX_PREFIX_XOR prefix_xor_clmul
#include "scanner_loop.h"
#define JX_FULL_NAME scan_avx512_full
#define JX_NO_BRANCH 1
#define JX_ESCAPES_FULL escapes_avx512
#define JX_CLASSIFY_FULL classify_full_avx512
#define JX_UTF8_STATE struct jx_u8_avx512
#define JX_UTF8_INIT u8_init_avx512
#define JX_UTF8_BLOCK u8_block_avx512
#define JX_UTF8_END u8_end_avx512
#include "scanner_full.h"
#undef JX_NAME
#undef JX_FULL_NAME
#undef JX_TARGET
#undef JX_CLASSIFY
#undef JX_CLASSIFY_FULL
#undef JX_ESCAPES
#undef JX_ESCAPES_FULL
#undef JX_PREFIX_XOR
#undef JX_UTF8_STATE
#undef JX_UTF8_INIT
#undef JX_UTF8_BLOCK
#undef JX_UTF8_END
#undef JX_NO_BRANCH

#define JX_STRUCT_NAME scan_avx512_structure
#define JX_TARGET AVX512_ATTR
#define JX_BLOCK_T __m512i
#define JX_BLOCK jx_block_avx512
#define JX_CLASSIFY_STRUCT classify_full_avx512_x
#define JX_ESCAPES_FULL escapes_avx512_x
#define JX_PREFIX_XOR prefix_xor_clmul
#define JX_NO_BRANCH 1
#define JX_FLATTEN jx_flatten
#include "scanner_structure.h"
#undef JX_STRUCT_NAME
#undef JX_TARGET
#undef JX_FLATTEN
#define JX_STRUCT_NAME scan_avx512v_structure
#define JX_TARGET AVX512V_ATTR
#define JX_FLATTEN jx_flatten_vbmi2
#include "scanner_structure.h"
#undef JX_STRUCT_NAME
#undef JX_TARGET
#undef JX_CLASSIFY_STRUCT
#undef JX_ESCAPES_FULL
#undef JX_PREFIX_XOR
#undef JX_NO_BRANCH
#undef JX_FLATTEN
#undef JX_BLOCK_T
#undef JX_BLOCK

static enum jx_err scan_avx512(const char *buf, size_t len, const struct jx_spec *spec,
                               struct jx_slot *slots, struct jx_verdict *v)
{
    return spec->stop_early      ? scan_avx512_fields(buf, len, spec, slots, v)
           : spec->structure_only ? scan_avx512_structure(buf, len, spec, slots, v)
                                  : scan_avx512_full(buf, len, spec, slots, v);
}

static enum jx_err scan_avx512v(const char *buf, size_t len, const struct jx_spec *spec,
                                struct jx_slot *slots, struct jx_verdict *v)
{
    return spec->structure_only && !spec->stop_early
               ? scan_avx512v_structure(buf, len, spec, slots, v)
               : scan_avx512(buf, len, spec, slots, v);
}

#endif /* JX_X86 */

/* ---- run-time choice ------------------------------------------------ */

typedef enum jx_err (*scan_fn)(const char *, size_t, const struct jx_spec *, struct jx_slot *,
                               struct jx_verdict *);

struct impl {
    const char *name;
    scan_fn fn;
    bool structure; /* a structure loop of its own */
};

static const struct impl impls[] = {
#ifdef JX_X86
    {"avx512", scan_avx512v, true},
    {"avx512bw", scan_avx512, true},
    {"avx2", scan_avx2, true},
    {"sse2", scan_sse2, false},
#endif
    {"scalar", jx_scan_scalar, false},
};
_Static_assert(sizeof impls / sizeof impls[0] <= JX_MAX_IMPL, "JX_MAX_IMPL in jx.h");

const char *jx_impl_at(size_t i)
{
    return i < sizeof impls / sizeof impls[0] ? impls[i].name : NULL;
}

bool jx_impl_has_structure(const char *name)
{
    for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++)
        if (strcmp(impls[i].name, name) == 0)
            return impls[i].structure;
    return false;
}

static const struct impl *chosen;

static bool cpu_has(const char *name)
{
#ifdef JX_X86
    if (strcmp(name, "avx512") == 0 && !cpu_has("avx512bw"))
        return false;
    if (strcmp(name, "avx512") == 0)
        return __builtin_cpu_supports("avx512vbmi2");
    if (strcmp(name, "avx512bw") == 0) {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul") &&
               __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
    }
    if (strcmp(name, "avx2") == 0) {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul") &&
               __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
    }
    if (strcmp(name, "sse2") == 0)
        return true; /* x86-64 baseline; SSE2 on i386 is assumed too */
#endif
    return strcmp(name, "scalar") == 0;
}

static const struct impl *choose(void)
{
    /* SLUICE_JX_SCANNER=avx2 (or avx512, sse2, scalar) forces a level, for
     * tests and comparisons; ignored if this CPU cannot run it. */
    const char *env = getenv("SLUICE_JX_SCANNER");
    if (env)
        for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++)
            if (strcmp(impls[i].name, env) == 0 && cpu_has(env))
                return &impls[i];
    for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++)
        if (cpu_has(impls[i].name))
            return &impls[i];
    return &impls[sizeof impls / sizeof impls[0] - 1];
}

bool jx_force_impl(const char *name)
{
    for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++)
        if (strcmp(impls[i].name, name) == 0 && cpu_has(name)) {
            chosen = &impls[i];
            return true;
        }
    return false;
}

const char *jx_impl_name(void)
{
    if (!chosen)
        chosen = choose();
    return chosen->name;
}

enum jx_err jx_scan_fast(const char *buf, size_t len, const struct jx_spec *spec,
                         struct jx_slot *slots, struct jx_verdict *v)
{
    if (__builtin_expect(!chosen, 0))
        chosen = choose();
    return chosen->fn(buf, len, spec, slots, v);
}
