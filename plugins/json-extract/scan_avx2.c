/*
 * The AVX2 (+ PCLMUL, BMI1/2) scanner: 64-byte blocks as two 32-byte
 * halves, bitmaps by movemask pairs, whitespace and escapes by pshufb
 * nibble tables, UTF-8 by table lookups. The loops are the templates
 * loop_*.inc (scanner.c's essay says how they work).
 */
#include "machine.h"
#include "scan.h"
#include "utf8_lookup.h"

#ifdef JX_X86

#define AVX_ATTR __attribute__((target("avx2,pclmul,bmi,bmi2")))
#define EQ32(x, ch) _mm256_cmpeq_epi8((x), _mm256_set1_epi8(ch))
/* A 32-byte table of one 16-byte table twice (for pshufb's two lanes). */
#define U8_T16(...) _mm256_setr_epi8(__VA_ARGS__, __VA_ARGS__)

AVX_ATTR static inline void classify_avx2(const char *p, struct jx_masks *k)
{
    __m256i x[2], q[2], b[2], o[2], w[2], c[2];
#pragma GCC unroll 2
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
    k->quote = jx_mask2(q[0], q[1]);
    k->bs = jx_mask2(b[0], b[1]);
    k->op = jx_mask2(o[0], o[1]);
    k->ws = jx_mask2(w[0], w[1]);
    k->ctrl = jx_mask2(c[0], c[1]);
    k->high = jx_mask2(x[0], x[1]);
}

/* The escape letters by two nibble-table lookups (scan.h's tables). */
#define ESC_HI_TABLE U8_T16(JX_ESC_HI_BYTES)
#define ESC_LO_TABLE(U) U8_T16(JX_ESC_LO_BYTES(U))

/* 0xFF where a byte's two nibble lookups (hi by its high nibble, lo by its
 * low one) share no bit: the byte is none of the pair's. lo_index is the
 * byte itself (pshufb reads its low nibble, and gives 0 for a byte with
 * bit 7 set: none, as the tables want) or its low nibble alone. */
AVX_ATTR static inline __m256i nib_none(__m256i hi, __m256i lo, __m256i x, __m256i lo_index)
{
    __m256i hn = _mm256_and_si256(_mm256_srli_epi16(x, 4), _mm256_set1_epi8(0x0F));
    return _mm256_cmpeq_epi8(
        _mm256_and_si256(_mm256_shuffle_epi8(hi, hn), _mm256_shuffle_epi8(lo, lo_index)),
        _mm256_setzero_si256());
}

AVX_ATTR static inline void escapes_full_avx2(const char *p, uint64_t *valid, uint64_t *is_u)
{
    const __m256i hi = ESC_HI_TABLE;
    const __m256i lo = ESC_LO_TABLE(8);
    const __m256i nib = _mm256_set1_epi8(0x0F);
    __m256i bad[2], u[2];
#pragma GCC unroll 2
    for (int i = 0; i < 2; i++) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(p + 32 * i));
        bad[i] = nib_none(hi, lo, x, _mm256_and_si256(x, nib));
        u[i] = EQ32(x, 'u');
    }
    *valid = ~jx_mask2(bad[0], bad[1]);
    *is_u = jx_mask2(u[0], u[1]);
}

/* The full classifier's compare bytes, each 32 times, read through
 * jx_opaque (scan.h says why): with every vector register taken by the
 * block's bytes and the lookup tables, gcc rebuilt each _mm256_set1_epi8
 * in every block (2.7% of the scanner's instructions). (Not on SSE4.2: its
 * constants are loads already.) */
enum { K_BS, K_OPEN, K_CLOSE, K_COLON, K_COMMA, K_CTRL, K_COUNT };
static const unsigned char class_bytes[K_COUNT][32] __attribute__((aligned(32))) = {
    {JX_REP32('\\')}, {JX_REP32('{')}, {JX_REP32('}')},
    {JX_REP32(':')},  {JX_REP32(',')}, {JX_REP32(0x20)},
};

/* A block's bitmap, the movemasks of its halves a and b, stored as two
 * 32-bit halves: the grammar pass reads it a chunk later, and joining them
 * in a register first costs a shift and an OR. */
AVX_ATTR static inline void store_mask2(union jx_bitmap *dst, __m256i a, __m256i b)
{
    dst->h[0] = (uint32_t)_mm256_movemask_epi8(a);
    dst->h[1] = (uint32_t)_mm256_movemask_epi8(b);
}

/* (always_inline: gcc left it out of line, its masks in memory, ~40% of
 * the structure loop's instructions.) With g (validate = full), the
 * grammar's bitmaps go to block bi there by halves, not to k, and
 * k->ctrl_nows is set; without (validate = structure), they go to k. */
AVX_ATTR static inline __attribute__((always_inline)) void
classify_full_avx2(const char *p, struct jx_fmasks *k, const struct jx_first *fc,
                   struct jx_grammar_in *g, size_t bi)
{
    /* Whitespace by one table lookup on the low nibble (scan.h). */
    const __m256i wst = U8_T16(JX_WS_NIBBLE_BYTES);
    /* The wanted names' first bytes (bit 7) and the escape letters as
     * escapes_full_avx2 finds them, but without 'u' (bits 0-3; its hex
     * digits are checked apart, rarely), by one pair of nibble lookups
     * (jx_first's nib_*): the low nibble's needs no mask, a byte with bit
     * 7 set gives 0. */
    const __m256i mhi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)fc->nib_hi));
    const __m256i mlo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)fc->nib_lo));
    /* One bitmap at a time, both halves and their movemask together: gcc
     * keeps this order (it does not schedule before register allocation
     * here), so few vectors are live at once; all compares first, then
     * the movemasks, spilled some (1.6% more instructions in the scanner). */
    const __m256i *kb = (const __m256i *)jx_opaque(class_bytes); /* (see class_bytes) */
#define KEQ(x, i) _mm256_cmpeq_epi8((x), _mm256_load_si256(&kb[i]))
    const __m256i x0 = _mm256_loadu_si256((const __m256i *)p);
    const __m256i x1 = _mm256_loadu_si256((const __m256i *)(p + 32));
    const __m256i l0 = _mm256_or_si256(x0, _mm256_set1_epi8(0x20)); /* [ ] -> { } */
    const __m256i l1 = _mm256_or_si256(x1, _mm256_set1_epi8(0x20));
    k->quote = jx_mask2(EQ32(x0, '"'), EQ32(x1, '"'));
    k->bs = jx_mask2(KEQ(x0, K_BS), KEQ(x1, K_BS));
    const __m256i w0 = _mm256_cmpeq_epi8(_mm256_shuffle_epi8(wst, x0), x0);
    const __m256i w1 = _mm256_cmpeq_epi8(_mm256_shuffle_epi8(wst, x1), x1);
    if (g) {
        store_mask2(&g->opn[bi], KEQ(l0, K_OPEN), KEQ(l1, K_OPEN));
        store_mask2(&g->cls[bi], KEQ(l0, K_CLOSE), KEQ(l1, K_CLOSE));
        store_mask2(&g->c5[bi], _mm256_slli_epi16(x0, 2), _mm256_slli_epi16(x1, 2));
        store_mask2(&g->colon[bi], KEQ(x0, K_COLON), KEQ(x1, K_COLON));
        store_mask2(&g->comma[bi], KEQ(x0, K_COMMA), KEQ(x1, K_COMMA));
        store_mask2(&g->ws[bi], w0, w1);
    } else {
        k->opn = jx_mask2(KEQ(l0, K_OPEN), KEQ(l1, K_OPEN));
        k->cls = jx_mask2(KEQ(l0, K_CLOSE), KEQ(l1, K_CLOSE));
        k->c5 = jx_mask2(_mm256_slli_epi16(x0, 2), _mm256_slli_epi16(x1, 2));
        k->colon = jx_mask2(KEQ(x0, K_COLON), KEQ(x1, K_COLON));
        k->comma = jx_mask2(KEQ(x0, K_COMMA), KEQ(x1, K_COMMA));
        k->ws = jx_mask2(w0, w1);
    }
    /* Control bytes are rare (none in compact JSON): one test on both
     * halves at once (a byte below 0x20 in either leaves one in their
     * bytewise minimum, and 0x20 minus it, saturated, is not 0 only
     * there), and their bitmap only when there are some. */
    const __m256i c32 = _mm256_load_si256(&kb[K_CTRL]);
    __m256i anyc = _mm256_subs_epu8(c32, _mm256_min_epu8(x0, x1));
    if (__builtin_expect(_mm256_testz_si256(anyc, anyc), 1)) {
        k->ctrl = k->ctrl_nows = 0;
    } else {
        __m256i c31 = _mm256_set1_epi8(0x1F);
        __m256i c0 = _mm256_cmpeq_epi8(_mm256_min_epu8(x0, c31), x0);
        __m256i c1 = _mm256_cmpeq_epi8(_mm256_min_epu8(x1, c31), x1);
        k->ctrl = jx_mask2(c0, c1);
        k->ctrl_nows = jx_mask2(_mm256_andnot_si256(w0, c0), _mm256_andnot_si256(w1, c1));
    }
    /* Where a wanted name's first byte stands, all names at once (a test
     * per name of where its closing quote would stand, as the AVX-512
     * levels had, costs a movemask pair per name here, more than the few
     * extra candidates it saves cost jx_key_at). */
    const __m256i nib = _mm256_set1_epi8(0x0F);
    __m256i t0 = _mm256_and_si256(
        _mm256_shuffle_epi8(mhi, _mm256_and_si256(_mm256_srli_epi16(x0, 4), nib)),
        _mm256_shuffle_epi8(mlo, x0));
    __m256i t1 = _mm256_and_si256(
        _mm256_shuffle_epi8(mhi, _mm256_and_si256(_mm256_srli_epi16(x1, 4), nib)),
        _mm256_shuffle_epi8(mlo, x1));
    k->first = jx_mask2(t0, t1) | fc->nib_all;
    k->esc_slow = jx_mask2(_mm256_cmpeq_epi8(_mm256_and_si256(t0, nib), _mm256_setzero_si256()),
                           _mm256_cmpeq_epi8(_mm256_and_si256(t1, nib), _mm256_setzero_si256()));
#undef KEQ
}

/* UTF-8 by table lookups (utf8_lookup.h), errors ORed up and tested once
 * per frame; only the blocks that have a byte above 0x7F are checked
 * (loop_structure.inc). */
struct jx_u8_avx2 {
    __m256i err;
};

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
    const __m256i t1h = U8_T16(U8_BYTE1_HIGH);
    const __m256i t1l = U8_T16(U8_BYTE1_LOW);
    const __m256i t2h = U8_T16(U8_BYTE2_HIGH);
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
    s->err = _mm256_setzero_si256();
}

/* Not 0 if the 64-byte block has a byte above 0x7F. */
AVX_ATTR static inline uint64_t u8_any_avx2(const char *p)
{
    __m256i x = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)p),
                                _mm256_loadu_si256((const __m256i *)(p + 32)));
    return (uint32_t)_mm256_movemask_epi8(x);
}

/* One 64-byte block after the 64 bytes at `before`; with ends_here, a lead
 * byte in its last three places that still wants bytes is an error too. */
AVX_ATTR static inline void u8_block_avx2(struct jx_u8_avx2 *s, const char *p, const char *before,
                                          bool ends_here)
{
    const __m256i max = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                         -1, -1, U8_MAX_TAIL16);
    __m256i x0 = _mm256_loadu_si256((const __m256i *)p);
    __m256i x1 = _mm256_loadu_si256((const __m256i *)(p + 32));
    __m256i prev = _mm256_loadu_si256((const __m256i *)(before + 32));
    __m256i e = _mm256_or_si256(u8_check(x0, prev), u8_check(x1, x0));
    __m256i wants = _mm256_subs_epu8(x1, max);
    e = _mm256_or_si256(e, _mm256_and_si256(wants, _mm256_set1_epi8((char)-(int)ends_here)));
    s->err = _mm256_or_si256(s->err, e);
}

AVX_ATTR static inline bool u8_end_avx2(struct jx_u8_avx2 *s)
{
    return !_mm256_testz_si256(s->err, s->err);
}

#define JX_NAME scan_avx2_fields
#define JX_TARGET AVX_ATTR
#define JX_CLASSIFY classify_avx2
#define JX_ESCAPES escapes_full_avx2
#define JX_PREFIX_XOR prefix_xor_clmul
#include "loop_events.inc"
#undef JX_NAME
#undef JX_CLASSIFY
#undef JX_ESCAPES

/* validate = structure and = full: loop_structure.inc twice. */
#define JX_BLOCK_T const char *
#define JX_BLOCK jx_block_ptr
#define JX_CLASSIFY_STRUCT(p, k, fc) classify_full_avx2(p, k, fc, NULL, 0)
#define JX_CLASSIFY_GRAMMAR(p, k, fc, g, bi) classify_full_avx2(p, k, fc, g, bi)
#define JX_ESCAPES_FULL escapes_full_avx2
#define JX_FLATTEN jx_flatten
#define JX_UTF8_STATE struct jx_u8_avx2
#define JX_UTF8_INIT u8_init_avx2
#define JX_UTF8_ANY u8_any_avx2
#define JX_UTF8_CHECK u8_block_avx2
#define JX_UTF8_END u8_end_avx2
#define JX_STRUCT_NAME scan_avx2_structure
#define JX_STRICT 0
#include "loop_structure.inc"
#undef JX_STRUCT_NAME
#undef JX_STRICT
#define JX_STRUCT_NAME scan_avx2_full
#define JX_STRICT 1
#include "loop_structure.inc"
#undef JX_STRUCT_NAME
#undef JX_STRICT
#undef JX_TARGET
#undef JX_CLASSIFY_STRUCT
#undef JX_CLASSIFY_GRAMMAR
#undef JX_ESCAPES_FULL
#undef JX_PREFIX_XOR
#undef JX_FLATTEN
#undef JX_BLOCK_T
#undef JX_BLOCK
#undef JX_UTF8_STATE
#undef JX_UTF8_INIT
#undef JX_UTF8_ANY
#undef JX_UTF8_CHECK
#undef JX_UTF8_END

enum jx_err jx_scan_avx2(const char *buf, size_t len, const struct jx_spec *spec,
                         struct jx_slot *slots, struct jx_verdict *v)
{
    return spec->stop_early      ? scan_avx2_fields(buf, len, spec, slots, v)
           : spec->structure_only ? scan_avx2_structure(buf, len, spec, slots, v)
                                  : scan_avx2_full(buf, len, spec, slots, v);
}

#endif /* JX_X86 */
