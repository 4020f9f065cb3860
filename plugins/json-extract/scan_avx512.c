/*
 * The AVX-512BW scanner (+ PCLMUL, BMI1/2; with VBMI2 a second structure
 * loop): compares go straight into 64-bit masks, the last short block is
 * a masked load, UTF-8 by the lookups of utf8_lookup.h on the blocks that
 * have a byte above 0x7F. The loops are the templates loop_*.inc
 * (scanner.c's essay says how they work).
 */
#include "machine.h"
#include "scan.h"
#include "utf8_lookup.h"

#ifdef JX_X86

/* Compares go straight into 64-bit masks (one k-register per class per
 * block, no movemask pairs); the rest of both loops is the AVX2 one.
 * (tests/scan_avx512_emu.c defines both targets as AVX2's, and the
 * intrinsics, to run this file on any CPU.) */
#ifndef AVX512_ATTR
#define AVX512_ATTR __attribute__((target("avx512f,avx512bw,avx2,pclmul,bmi,bmi2")))
/* With VBMI2 (Ice Lake, Zen 4 and later, which all have VPCLMULQDQ too):
 * one compress flattens a bitmap, and pass 3 runs on vectors. */
#define AVX512V_ATTR                                                                         \
    __attribute__((target("avx512f,avx512bw,avx512vbmi2,vpclmulqdq,avx2,pclmul,bmi,bmi2")))
#endif
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
    const __m512i wst = T64(JX_WS_NIBBLE_BYTES);
    __m512i x = _mm512_loadu_si512((const void *)p);
    __m512i lo = _mm512_or_si512(x, _mm512_set1_epi8(0x20));
    k->quote = EQ64(x, '"');
    k->bs = EQ64(x, '\\');
    k->op = EQ64(lo, '{') | EQ64(lo, '}') | EQ64(x, ':') | EQ64(x, ',');
    k->ws = _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(wst, x), x);
    k->ctrl = _mm512_cmplt_epu8_mask(x, _mm512_set1_epi8(0x20));
    k->high = _mm512_movepi8_mask(x);
}

/* The classifiers' compare bytes, each 64 times, read through jx_opaque
 * (scan.h says why: with 32 vector registers too, gcc rebuilt such
 * broadcasts in every block). */
enum { K_OPEN, K_CLOSE, K_COLON, K_COMMA, K_SPACE, K_NIBBLE, K_U, K_COUNT };
static const unsigned char class_bytes[K_COUNT][64] __attribute__((aligned(64))) = {
    {JX_REP64('{')}, {JX_REP64('}')}, {JX_REP64(':')},  {JX_REP64(',')},
    {JX_REP64(' ')}, {JX_REP64(0x0F)}, {JX_REP64('u')},
};
#define KBYTES(kb, i) _mm512_loadu_si512((const void *)(kb)[i])

/* Bytes that may follow an escaping backslash, and the 'u's among them:
 * scan.h's nibble tables. */
AVX512_ATTR static inline void escapes_avx512_x(__m512i x, uint64_t *valid, uint64_t *is_u)
{
    const __m512i hi = T64(JX_ESC_HI_BYTES);
    const __m512i lo = T64(JX_ESC_LO_BYTES(8));
    const unsigned char(*kb)[64] = jx_opaque(class_bytes);
    const __m512i nib = KBYTES(kb, K_NIBBLE);
    __m512i h = _mm512_shuffle_epi8(hi, _mm512_and_si512(_mm512_srli_epi16(x, 4), nib));
    __m512i l = _mm512_shuffle_epi8(lo, _mm512_and_si512(x, nib));
    *valid = _mm512_test_epi8_mask(h, l);
    *is_u = jx_early(_mm512_cmpeq_epi8_mask(x, KBYTES(kb, K_U)));
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
    const __m512i wst = T64(JX_WS_NIBBLE_BYTES);
    const unsigned char(*kb)[64] = jx_opaque(class_bytes);
#define KEQ(x, i) _mm512_cmpeq_epi8_mask((x), KBYTES(kb, i))
    __m512i lo = _mm512_or_si512(x, KBYTES(kb, K_SPACE));
    k->quote = jx_early(EQ64(x, '"'));
    k->bs = EQ64(x, '\\');
    k->opn = KEQ(lo, K_OPEN);
    k->cls = KEQ(lo, K_CLOSE);
    k->c5 = _mm512_test_epi8_mask(x, KBYTES(kb, K_SPACE));
    k->colon = KEQ(x, K_COLON);
    k->comma = KEQ(x, K_COMMA);
#undef KEQ
    k->ws = _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(wst, x), x);
    k->ctrl = jx_early(_mm512_cmplt_epu8_mask(x, _mm512_set1_epi8(0x20)));
    /* Where a wanted name's first byte stands (all names at once) and the
     * escape letters but 'u' by one pair of nibble lookups, as on AVX2
     * (jx.h's jx_first): bit 7 and bits 0-3. */
    const __m512i mhi = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)fc->nib_hi));
    const __m512i mlo = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)fc->nib_lo));
    const __m512i nib = KBYTES(kb, K_NIBBLE);
    __m512i hn = _mm512_and_si512(_mm512_srli_epi16(x, 4), nib);
    __m512i t = _mm512_and_si512(_mm512_shuffle_epi8(mhi, hn), _mm512_shuffle_epi8(mlo, x));
    k->first = _mm512_movepi8_mask(t) | fc->nib_all;
    k->esc_slow = ~_mm512_test_epi8_mask(t, nib);
}

/* Pass 3 of loop_structure.inc (the rules that depend on the innermost
 * container) on eight blocks at a time, for the VBMI2 level: a block's
 * container bitmap is the prefix XOR of its turns, XORed with the carry of
 * every block before it (all ones if their turns were odd in number). Two
 * carry-less multiplies by all ones give eight blocks' prefix XORs (the
 * even blocks', then the odd ones', each in the low quadword of its
 * 128-bit lane); their top bits are each block's own parity, and the
 * carries into the eight blocks the exclusive prefix XOR of those eight
 * bits, done on a byte. Per eight blocks ~20 instructions, where the loop
 * of 64-bit words takes ~16 a block. Returns the error bits' OR (0: none);
 * *inobj_in is the carry into the next chunk, as in the loop. Entries of
 * turn beyond nblk are 0 (pass 2 clears the array), those of need_*
 * beyond it are not read as errors. */
AVX512V_ATTR static inline uint64_t pass3_vpclmul(const uint64_t *turn, const uint64_t *need_obj,
                                                  const uint64_t *need_arr, size_t nblk,
                                                  uint64_t *inobj_in)
{
    const __m512i ones = _mm512_set1_epi64(-1);
    const __m512i sign = _mm512_set1_epi64((long long)0x8000000000000000ull);
    __m512i verr = _mm512_setzero_si512();
    unsigned carry = (unsigned)(*inobj_in & 1);
    for (size_t b = 0; b < nblk; b += 8) {
        __m512i t = _mm512_loadu_si512((const void *)(turn + b));
        __m512i px = _mm512_unpacklo_epi64(_mm512_clmulepi64_epi128(t, ones, 0x00),
                                           _mm512_clmulepi64_epi128(t, ones, 0x01));
        unsigned odd = _mm512_test_epi64_mask(px, sign); /* bit i: block b+i's parity */
        unsigned upto = odd ^ (odd << 1);
        upto ^= upto << 2;
        upto ^= upto << 4; /* bit i: the parity of blocks b..b+i */
        unsigned into = ((upto << 1) ^ -carry) & 0xFF; /* carries into each block */
        __m512i cv = _mm512_maskz_set1_epi64((__mmask8)into, -1);
        __m512i incl = _mm512_xor_si512(px, cv);
        __m512i inobj = _mm512_or_si512(_mm512_slli_epi64(incl, 1), _mm512_srli_epi64(cv, 63));
        __m512i e = _mm512_or_si512(
            _mm512_andnot_si512(inobj, _mm512_loadu_si512((const void *)(need_obj + b))),
            _mm512_and_si512(inobj, _mm512_loadu_si512((const void *)(need_arr + b))));
        unsigned real = nblk - b >= 8 ? 0xFF : (1u << (nblk - b)) - 1;
        verr = _mm512_or_si512(verr, _mm512_and_si512(e, _mm512_maskz_set1_epi64((__mmask8)real, -1)));
        carry = (carry ^ (upto >> 7)) & 1;
    }
    *inobj_in = -(uint64_t)carry;
    return _mm512_test_epi64_mask(verr, verr) != 0;
}

/* UTF-8: u8_check of scan_avx2.c on 64 bytes (the tables of utf8_lookup.h
 * in each 128-bit lane). */
struct jx_u8_avx512 {
    __m512i err;
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
    const __m512i t1h = T64(U8_BYTE1_HIGH);
    const __m512i t1l = T64(U8_BYTE1_LOW);
    const __m512i t2h = T64(U8_BYTE2_HIGH);
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
    s->err = _mm512_setzero_si512();
}

/* Not 0 if the block has a byte above 0x7F. */
AVX512_ATTR static inline uint64_t u8_any_avx512(__m512i x)
{
    return _mm512_movepi8_mask(x);
}

/* One block after the block `before`; with ends_here, a lead byte in its
 * last three places that still wants bytes is an error too. */
AVX512_ATTR static inline void u8_block_avx512(struct jx_u8_avx512 *s, __m512i x, __m512i before,
                                               bool ends_here)
{
    const __m512i max = _mm512_set_epi64(-1, -1, -1, -1, -1, -1, -1, -1);
    __m512i wants = _mm512_subs_epu8(x, _mm512_inserti32x4(max, _mm_setr_epi8(U8_MAX_TAIL16), 3));
    __m512i e = _mm512_and_si512(wants, _mm512_set1_epi8((char)-(int)ends_here));
    s->err = _mm512_or_si512(s->err, _mm512_or_si512(u8_check512(x, before), e));
}

AVX512_ATTR static inline bool u8_end_avx512(struct jx_u8_avx512 *s)
{
    return _mm512_test_epi8_mask(s->err, _mm512_set1_epi8((char)0xFF)) != 0;
}

#define JX_NAME scan_avx512_fields
#define JX_TARGET AVX512_ATTR
#define JX_CLASSIFY classify_avx512
#define JX_ESCAPES escapes_avx512
#define JX_PREFIX_XOR prefix_xor_clmul
#include "loop_events.inc"
#undef JX_NAME
#undef JX_TARGET
#undef JX_CLASSIFY
#undef JX_ESCAPES

/* validate = structure and = full: loop_structure.inc four times, with
 * and without VBMI2. */
#define JX_BLOCK_T __m512i
#define JX_BLOCK jx_block_avx512
#define JX_CLASSIFY_STRUCT classify_full_avx512_x
#define JX_ESCAPES_FULL escapes_avx512_x
#define JX_GRAMMAR_512 1
#define JX_UTF8_STATE struct jx_u8_avx512
#define JX_UTF8_INIT u8_init_avx512
#define JX_UTF8_ANY u8_any_avx512
#define JX_UTF8_CHECK u8_block_avx512
#define JX_UTF8_END u8_end_avx512
#define JX_TARGET AVX512_ATTR
#define JX_FLATTEN jx_flatten
#define JX_STRUCT_NAME scan_avx512_structure
#define JX_STRICT 0
#include "loop_structure.inc"
#undef JX_STRUCT_NAME
#undef JX_STRICT
#define JX_STRUCT_NAME scan_avx512_full
#define JX_STRICT 1
#include "loop_structure.inc"
#undef JX_STRUCT_NAME
#undef JX_STRICT
#undef JX_TARGET
#undef JX_FLATTEN
#define JX_TARGET AVX512V_ATTR
#define JX_FLATTEN jx_flatten_vbmi2
#define JX_PASS3 pass3_vpclmul
#define JX_STRUCT_NAME scan_avx512v_structure
#define JX_STRICT 0
#include "loop_structure.inc"
#undef JX_STRUCT_NAME
#undef JX_STRICT
#define JX_STRUCT_NAME scan_avx512v_full
#define JX_STRICT 1
#include "loop_structure.inc"
#undef JX_STRUCT_NAME
#undef JX_STRICT
#undef JX_TARGET
#undef JX_FLATTEN
#undef JX_PASS3
#undef JX_CLASSIFY_STRUCT
#undef JX_ESCAPES_FULL
#undef JX_PREFIX_XOR
#undef JX_GRAMMAR_512
#undef JX_BLOCK_T
#undef JX_BLOCK
#undef JX_UTF8_STATE
#undef JX_UTF8_INIT
#undef JX_UTF8_ANY
#undef JX_UTF8_CHECK
#undef JX_UTF8_END

enum jx_err jx_scan_avx512bw(const char *buf, size_t len, const struct jx_spec *spec,
                             struct jx_slot *slots, struct jx_verdict *v)
{
    return spec->stop_early      ? scan_avx512_fields(buf, len, spec, slots, v)
           : spec->structure_only ? scan_avx512_structure(buf, len, spec, slots, v)
                                  : scan_avx512_full(buf, len, spec, slots, v);
}

enum jx_err jx_scan_avx512v(const char *buf, size_t len, const struct jx_spec *spec,
                            struct jx_slot *slots, struct jx_verdict *v)
{
    return spec->stop_early      ? scan_avx512_fields(buf, len, spec, slots, v)
           : spec->structure_only ? scan_avx512v_structure(buf, len, spec, slots, v)
                                  : scan_avx512v_full(buf, len, spec, slots, v);
}

#endif /* JX_X86 */
