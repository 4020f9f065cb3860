/*
 * What the block loops of the SIMD scanner share (scanner.c's essay says
 * how they work): the bitmaps of a 64-byte block, the bit tricks on them,
 * and the root keys and values (scan_keys.c). Each instruction set's file
 * (scan_sse2.c, scan_sse42.c, scan_avx2.c, scan_avx512.c) instantiates the loop
 * templates (loop_*.inc) with its classifiers.
 */
#ifndef SLUICE_JX_SCAN_H
#define SLUICE_JX_SCAN_H

#include "jx.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define JX_X86 1
#include <immintrin.h>
#endif

#define JX_ODD_BITS 0xAAAAAAAAAAAAAAAAull

/* The entry points of each instruction set (scanner.c picks one). */
typedef enum jx_err (*jx_scan_fn)(const char *, size_t, const struct jx_spec *,
                                  struct jx_slot *, struct jx_verdict *);
enum jx_err jx_scan_sse2(const char *buf, size_t len, const struct jx_spec *spec,
                         struct jx_slot *slots, struct jx_verdict *v);
enum jx_err jx_scan_sse42(const char *buf, size_t len, const struct jx_spec *spec,
                          struct jx_slot *slots, struct jx_verdict *v);
enum jx_err jx_scan_avx2(const char *buf, size_t len, const struct jx_spec *spec,
                         struct jx_slot *slots, struct jx_verdict *v);
enum jx_err jx_scan_avx512bw(const char *buf, size_t len, const struct jx_spec *spec,
                             struct jx_slot *slots, struct jx_verdict *v);
enum jx_err jx_scan_avx512v(const char *buf, size_t len, const struct jx_spec *spec,
                            struct jx_slot *slots, struct jx_verdict *v);
#ifdef JX_EMULATED_LEVELS /* tests: scan_avx512.c on emulated intrinsics */
enum jx_err jx_scan_avx512bw_emu(const char *buf, size_t len, const struct jx_spec *spec,
                                 struct jx_slot *slots, struct jx_verdict *v);
enum jx_err jx_scan_avx512v_emu(const char *buf, size_t len, const struct jx_spec *spec,
                                struct jx_slot *slots, struct jx_verdict *v);
#endif

/* A frame a block loop did not pass: the scalar scanner judges it from the
 * start, so the reason (and where) is the same whichever scanner ran. With
 * `faulty` the loop saw a fault, so the scalar scanner must see one too. */
enum jx_err jx_rescan(const char *buf, size_t len, const struct jx_spec *spec,
                      struct jx_slot *slots, struct jx_verdict *v, bool faulty);

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

/* The bitmaps of the structure and full loops: the structural characters apart,
 * opn = { or [, cls = } or ], c5 = bit 5 of the byte (set for { and }). */
struct jx_fmasks {
    uint64_t quote, bs, opn, cls, c5, colon, comma, ws, ctrl;
    uint64_t first; /* where a wanted name may start (see jx_first) */
    uint64_t esc_slow;  /* bytes that are no escape letter, or 'u' */
    uint64_t ctrl_nows; /* with JX_CLASSIFY_GRAMMAR: control bytes that are not whitespace */
};

/* The full level's chunk: 64 blocks of 64 bytes (loop_structure.inc). */
#define JX_CHUNK_BLOCKS 64

/* Pass 1's bitmaps of a chunk's blocks for the grammar pass
 * (loop_grammar.inc), one array per bitmap (so four or eight blocks load
 * as one vector): the real quotes, the bytes in strings, and as the classifier
 * found them (in strings too) the opening and closing brackets, bit 5 of
 * the byte ({ and }), whitespace, colons, commas, where a wanted name
 * may start or a backslash stands (a key candidate is the opening quote of
 * a key just before one), and the blocks with bytes above 0x7F. A
 * classifier may store its part itself (JX_CLASSIFY_GRAMMAR), by halves on
 * AVX2 (h: a union, as C allows, where a memcpy to the word's upper half
 * made gcc compute each store's address apart, ~7 instructions a block). */
union jx_bitmap {
    uint64_t w;
    uint32_t h[2]; /* (x86: h[0] the low half) */
};
struct jx_grammar_in {
    union jx_bitmap quote[JX_CHUNK_BLOCKS], in_str[JX_CHUNK_BLOCKS], opn[JX_CHUNK_BLOCKS];
    union jx_bitmap cls[JX_CHUNK_BLOCKS], c5[JX_CHUNK_BLOCKS], ws[JX_CHUNK_BLOCKS];
    union jx_bitmap colon[JX_CHUNK_BLOCKS], comma[JX_CHUNK_BLOCKS], first[JX_CHUNK_BLOCKS];
    /* Not 0 where a block has a byte above 0x7F (JX_UTF8_ANY's word):
     * the grammar pass makes them a bitmap of blocks, four or eight at a
     * time, cheaper than a bit set per block in pass 1. */
    union jx_bitmap high[JX_CHUNK_BLOCKS];
};

/* Nibble tables of the pshufb classifiers (16 bytes each; the wider
 * levels repeat them per 16-byte lane). Whitespace by the low nibble: the
 * whitespace byte with that nibble (space, tab, newline, return), else 0,
 * so a byte is whitespace if the lookup gives it back (a byte with bit 7
 * set gives 0). Escape letters: the high nibble of " / \\ b f n r t u picks
 * a bit (2, 5, 6, 7), the low nibble's table has that bit where the pair is
 * one of them; U is the bit for 'u' (8, or 0 to leave 'u' out). */
#define JX_WS_NIBBLE_BYTES ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0
#define JX_ESC_HI_BYTES 0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0
#define JX_ESC_LO_BYTES(U) 0, 0, 1 | 4 | 8, 0, 8, U, 4, 0, 0, 0, 0, 0, 2, 0, 4, 1

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
/* The root object's keys (the structure and full loops): which are wanted,
 * and their values, read by peeking past the key (the block loop checks the
 * frame; a frame with any fault is rescanned by the scalar scanner). */
struct jx_keys {
    const struct jx_spec *spec;
    struct jx_slot *slots;
    int open_slot;    /* wanted index whose object/array value is open, or -1 */
    uint64_t lenmask; /* bit n set: some wanted name is n bytes long */
    bool check_values; /* validate = structure: the block loop does not check
                        * UTF-8, numbers, literals: check the wanted values */
};

/* The key candidate whose opening quote is at buf[pos] (a string at depth
 * 1): if it is a wanted key (followed by a colon), its value into its slot;
 * an object or array value is open until jx_closed_to. Nonzero if the frame
 * is faulty. */
int jx_key_at(struct jx_keys *ks, const char *buf, size_t len, size_t pos, struct jx_verdict *v);

/* validate = structure: a closing bracket brought the depth to `depth`, and
 * the frame's next byte is buf[at]. Depth 1 with a wanted object or array
 * value open: that value ends here, and is checked in full; depth 0: the
 * root ends (the first time). False if the value is not valid JSON. */
bool jx_closed_to(struct jx_keys *ks, const char *buf, uint32_t depth, size_t at,
                  size_t *root_end);

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
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        o[i] = (uint16_t)(off + (uint32_t)__builtin_ctzll(m | (uint64_t)1 << 63));
        m &= m - 1;
    }
    if (__builtin_expect(cnt > 4, 0))
        for (o += 4; m; m &= m - 1)
            *o++ = (uint16_t)(off + (uint32_t)__builtin_ctzll(m));
    return n + cnt;
}

/* How many of s[0..16) are decimal digits before the first that is not:
 * 0 to 16, eight bytes at a time without a branch per digit (the loop's
 * exit was mispredicted on every number). A byte is a digit if (byte ^
 * '0') < 10: adding 0x76 to its low seven bits carries into bit 7 exactly
 * then, and no carry crosses into the next byte. */
static inline size_t jx_digits16(const unsigned char *s)
{
    const uint64_t zeros = 0x3030303030303030ull, low7 = 0x7F7F7F7F7F7F7F7Full;
    const uint64_t add = 0x7676767676767676ull, highs = 0x8080808080808080ull;
    uint64_t a, b;
    memcpy(&a, s, 8);
    memcpy(&b, s + 8, 8);
    a ^= zeros;
    b ^= zeros;
    uint64_t na = (((a & low7) + add) | a) & highs; /* bit 7 of each non-digit */
    uint64_t nb = (((b & low7) + add) | b) & highs;
    size_t db = nb ? (size_t)__builtin_ctzll(nb) >> 3 : 8;
    return na ? (size_t)__builtin_ctzll(na) >> 3 : 8 + db;
}

/* The plain integer at t[0..room) (an optional '-', up to 16 digits not
 * starting with 0, then a delimiter): its length, its value in *val; 0 if
 * it is not one (jx_token judges it). A wanted value's fast path: the
 * usual event time, without jx_token's branch per byte. */
static inline size_t jx_plain_int(const unsigned char *t, size_t room, int64_t *val)
{
    size_t neg = t[0] == '-';
    if (room < neg + 18 || t[neg] < '1' || t[neg] > '9')
        return 0;
    size_t d = 1 + jx_digits16(t + neg + 1);
    if (d > 16 || !jx_delim[t[neg + d]])
        return 0;
    int64_t x = 0;
    for (size_t k = 0; k < d; k++)
        x = x * 10 + (t[neg + k] - '0');
    *val = neg ? -x : x;
    return neg + d;
}

/* Is the number or literal at buf[pos] valid? true, false, null,
 * integers of up to 18 digits (always within int64) and plain decimal
 * fractions are checked here; everything else by jx_token. */
static inline __attribute__((always_inline)) bool jx_scalar_ok(const char *buf, size_t len, size_t pos, struct jx_verdict *v)
{
    const unsigned char *s = (const unsigned char *)buf + pos;
    size_t room = len - pos;
#ifdef JX_X86
    /* The usual tokens without a branch on their kind (which kind comes
     * next is anybody's guess: the branches below were mispredicted about
     * once a token): a literal, or a number of up to 15 integer digits
     * with or without a fraction that ends within the same 16 bytes, each
     * ended by a delimiter; every test is computed and the results ORed.
     * Digits by one 16-byte compare: nd has a bit for every byte that is
     * not one (and bits 16 up). The reads stay within s[0..18]. */
    if (__builtin_expect(room >= 19, 1)) {
        uint32_t w;
        memcpy(&w, s, 4);
        unsigned lit = ((unsigned)(w == 0x65757274u) | (unsigned)(w == 0x6c6c756eu)) &
                       jx_delim[s[4]]; /* true null */
        lit |= (unsigned)(w == 0x736c6166u) & (unsigned)(s[4] == 'e') & jx_delim[s[5]];
        size_t i = s[0] == '-';
        __m128i x = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(s + i)), _mm_set1_epi8('0'));
        __m128i dig = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(9)), x);
        uint32_t nd = ~(uint32_t)_mm_movemask_epi8(dig);
        size_t e = (size_t)__builtin_ctz(nd); /* integer digits */
        unsigned int_ok = (unsigned)(e - 1 < 15) & ((unsigned)(s[i] != '0') | (unsigned)(e == 1));
        size_t j = i + e;
        size_t f = (size_t)__builtin_ctz(nd >> ((e + 1) & 31)); /* fraction digits */
        unsigned frac = (unsigned)(s[j] == '.') & (unsigned)(f != 0) & jx_delim[s[j + 1 + f]];
        if (lit | (int_ok & (jx_delim[s[j]] | frac)))
            return true;
    }
#endif
    if (room > 5) {
        uint32_t w;
        memcpy(&w, s, 4);
        if ((w == 0x65757274u || w == 0x6c6c756eu) && jx_delim[s[4]]) /* true null */
            return true;
        if (w == 0x736c6166u && s[4] == 'e' && jx_delim[s[5]]) /* false */
            return true;
        size_t i = s[0] == '-', j = i + 1;
        if (s[i] >= '1' && s[i] <= '9') {
            size_t d = j + 16 <= room ? jx_digits16(s + j) : 16;
            if (d < 16) {
                j += d; /* up to 16 digits in all: within int64 */
            } else {
                size_t lim = i + 18 < room ? i + 18 : room;
                while (j < lim && s[j] >= '0' && s[j] <= '9')
                    j++;
            }
        } else if (s[i] != '0') {
            j = 0; /* not a number that starts plainly */
        }
        if (j && j < room && jx_delim[s[j]])
            return true;
        /* A plain decimal fraction, no exponent (-4.569085, the generator's
         * reals): within a double's range whatever its digits, so valid if
         * it ends at a delimiter; up to 30 fraction digits here. */
        if (j && j + 1 < room && s[j] == '.' && s[j + 1] >= '0' && s[j + 1] <= '9') {
            size_t k = j + 2, lim = j + 32 < room ? j + 32 : room;
            while (k < lim && s[k] >= '0' && s[k] <= '9')
                k++;
            if (k < room && jx_delim[s[k]])
                return true;
        }
    }
    uint8_t kind;
    int64_t ival;
    return jx_token(buf, len, pos, &kind, &ival, v) != 0;
}

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
/* Four 16-byte movemasks as one 64-bit bitmap (the SSE levels). */
static inline uint64_t jx_mask4(__m128i a, __m128i b, __m128i c, __m128i d)
{
    return (uint64_t)(uint16_t)_mm_movemask_epi8(a) |
           (uint64_t)(uint16_t)_mm_movemask_epi8(b) << 16 |
           (uint64_t)(uint16_t)_mm_movemask_epi8(c) << 32 |
           (uint64_t)(uint16_t)_mm_movemask_epi8(d) << 48;
}

/* p, as a value the compiler cannot see into: what it points to is loaded
 * where used (a load folds into the instruction that uses it), never
 * rebuilt as a constant. Why: the block loops' vector constants do not all
 * stay in registers, and gcc rebuilds a broadcast byte with two or three
 * instructions (mov, vmovd, vpbroadcastb) in every block rather than load
 * it (seen in the AVX2 and the AVX-512 loops). */
static inline const void *jx_opaque(const void *p)
{
    __asm__("" : "+r"(p));
    return p;
}

/* A compare's bitmap, taken into a general register where it is made.
 * AVX-512's compares write mask registers, and gcc folds a later
 * `bitmap & m` into a compare masked by m: then the compare waits for m
 * (for the control bytes and the u of \\u escapes the string bitmap, at
 * the end of the block's longest chain: kmov, carry-less multiply, kmov;
 * for the quotes the escaped bytes), where unmasked it runs at the
 * block's start with the other compares. */
static inline uint64_t jx_early(uint64_t m)
{
    __asm__("" : "+r"(m));
    return m;
}
#define JX_REP8(c) c, c, c, c, c, c, c, c
#define JX_REP32(c) JX_REP8(c), JX_REP8(c), JX_REP8(c), JX_REP8(c)
#define JX_REP64(c) JX_REP32(c), JX_REP32(c)

/* Two 32-byte movemasks as one 64-bit bitmap (AVX2, and the emulated
 * AVX-512 of the tests). */
__attribute__((target("avx2"))) static inline uint64_t jx_mask2(__m256i a, __m256i b)
{
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(a) |
           (uint64_t)(uint32_t)_mm256_movemask_epi8(b) << 32;
}

/* The prefix XOR by one carry-less multiply by all ones. */
__attribute__((target("pclmul"))) static inline uint64_t prefix_xor_clmul(uint64_t x)
{
    __m128i r = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)x), _mm_set1_epi8((char)0xFF), 0);
    return (uint64_t)_mm_cvtsi128_si64(r);
}
#endif

#endif
