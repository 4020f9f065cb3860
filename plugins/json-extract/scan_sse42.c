/*
 * The SSE4.2 (+ SSSE3's pshufb, PCLMUL, POPCNT) scanner: the structure and
 * full loops (loop_structure.inc) for x86-64 CPUs without AVX2 — Westmere
 * to Ivy Bridge, the Atom line (Silvermont, Goldmont, Tremont), the
 * Pentium and Celeron parts sold without AVX, and virtual machines that
 * hide it. The same classifiers as scan_avx2.c on 16-byte quarters of a
 * 64-byte block (nibble tables by pshufb, UTF-8 by table lookups), the
 * prefix XOR by one carry-less multiply; the grammar pass two blocks at a
 * time in 128-bit vectors (loop_grammar.inc with JX_GRAMMAR_SSE).
 * validate = fields runs SSE2's event loop (scan_sse2.c): it stops early,
 * where the structure loop's chunks would read on.
 */
#include "machine.h"
#include "scan.h"
#include "utf8_lookup.h"

#ifdef JX_X86

#define SSE42_ATTR __attribute__((target("sse4.2,pclmul,popcnt")))
#define EQ16(x, ch) _mm_cmpeq_epi8((x), _mm_set1_epi8(ch))

/* The four quarters' results as one bitmap. */
#define MASK4(v) jx_mask4((v)[0], (v)[1], (v)[2], (v)[3])

/* nib_none of scan_avx2.c on 16 bytes. */
SSE42_ATTR static inline __m128i nib_none_sse42(__m128i hi, __m128i lo, __m128i x, __m128i lo_index)
{
    __m128i hn = _mm_and_si128(_mm_srli_epi16(x, 4), _mm_set1_epi8(0x0F));
    return _mm_cmpeq_epi8(_mm_and_si128(_mm_shuffle_epi8(hi, hn), _mm_shuffle_epi8(lo, lo_index)),
                          _mm_setzero_si128());
}

SSE42_ATTR static inline void escapes_full_sse42(const char *p, uint64_t *valid, uint64_t *is_u)
{
    const __m128i hi = _mm_setr_epi8(JX_ESC_HI_BYTES);
    const __m128i lo = _mm_setr_epi8(JX_ESC_LO_BYTES(8));
    __m128i bad[4], u[4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * i));
        bad[i] = nib_none_sse42(hi, lo, x, _mm_and_si128(x, _mm_set1_epi8(0x0F)));
        u[i] = EQ16(x, 'u');
    }
    *valid = ~MASK4(bad);
    *is_u = MASK4(u);
}

/* classify_full_avx2 on four quarters (its comments say why each step). */
SSE42_ATTR static inline __attribute__((always_inline)) void
classify_full_sse42(const char *p, struct jx_fmasks *k, const struct jx_first *fc)
{
    const __m128i wst = _mm_setr_epi8(JX_WS_NIBBLE_BYTES);
    const __m128i mhi = _mm_loadu_si128((const __m128i *)fc->nib_hi);
    const __m128i mlo = _mm_loadu_si128((const __m128i *)fc->nib_lo);
    const __m128i nib = _mm_set1_epi8(0x0F);
    /* One bitmap at a time, its four quarters and movemasks together (so
     * few vectors are live at once, as in classify_full_avx2). */
    __m128i x[4], l[4], v[4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        x[i] = _mm_loadu_si128((const __m128i *)(p + 16 * i));
        l[i] = _mm_or_si128(x[i], _mm_set1_epi8(0x20)); /* [ ] -> { } */
    }
#define EACH(expr) _Pragma("GCC unroll 4") for (int i = 0; i < 4; i++) v[i] = (expr)
    EACH(EQ16(x[i], '"'));
    k->quote = MASK4(v);
    EACH(EQ16(x[i], '\\'));
    k->bs = MASK4(v);
    EACH(EQ16(l[i], '{'));
    k->opn = MASK4(v);
    EACH(EQ16(l[i], '}'));
    k->cls = MASK4(v);
    EACH(_mm_slli_epi16(x[i], 2));
    k->c5 = MASK4(v);
    EACH(EQ16(x[i], ':'));
    k->colon = MASK4(v);
    EACH(EQ16(x[i], ','));
    k->comma = MASK4(v);
    EACH(_mm_cmpeq_epi8(_mm_shuffle_epi8(wst, x[i]), x[i]));
    k->ws = MASK4(v);
    /* Control bytes: one test on the quarters' bytewise minimum first
     * (as classify_full_avx2). */
    __m128i least = _mm_min_epu8(_mm_min_epu8(x[0], x[1]), _mm_min_epu8(x[2], x[3]));
    __m128i anyc = _mm_subs_epu8(_mm_set1_epi8(0x20), least);
    if (__builtin_expect(_mm_testz_si128(anyc, anyc), 1)) {
        k->ctrl = 0;
    } else {
        EACH(_mm_cmpeq_epi8(_mm_min_epu8(x[i], _mm_set1_epi8(0x1F)), x[i]));
        k->ctrl = MASK4(v);
    }
    /* The names' first bytes and the escape letters by one pair of
     * lookups (jx_first's nib_*, as classify_full_avx2). */
    __m128i t[4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++)
        t[i] = _mm_and_si128(_mm_shuffle_epi8(mhi, _mm_and_si128(_mm_srli_epi16(x[i], 4), nib)),
                             _mm_shuffle_epi8(mlo, x[i]));
    k->first = MASK4(t) | fc->nib_all;
    EACH(_mm_cmpeq_epi8(_mm_and_si128(t[i], nib), _mm_setzero_si128()));
    k->esc_slow = MASK4(v);
#undef EACH
}

/* UTF-8 by table lookups (utf8_lookup.h), as u8_check in scan_avx2.c on
 * 16-byte vectors: the bytes one, two and three back by palignr. */
struct jx_u8_sse42 {
    __m128i err;
};

SSE42_ATTR static inline __m128i u8_check_sse42(__m128i in, __m128i prev)
{
    const __m128i nib = _mm_set1_epi8(0x0F);
    const __m128i t1h = _mm_setr_epi8(U8_BYTE1_HIGH);
    const __m128i t1l = _mm_setr_epi8(U8_BYTE1_LOW);
    const __m128i t2h = _mm_setr_epi8(U8_BYTE2_HIGH);
    __m128i p1 = _mm_alignr_epi8(in, prev, 15);
    __m128i b1h = _mm_shuffle_epi8(t1h, _mm_and_si128(_mm_srli_epi16(p1, 4), nib));
    __m128i b1l = _mm_shuffle_epi8(t1l, _mm_and_si128(p1, nib));
    __m128i b2h = _mm_shuffle_epi8(t2h, _mm_and_si128(_mm_srli_epi16(in, 4), nib));
    __m128i sc = _mm_and_si128(_mm_and_si128(b1h, b1l), b2h);
    __m128i third =
        _mm_subs_epu8(_mm_alignr_epi8(in, prev, 14), _mm_set1_epi8((char)(0xE0 - 0x80)));
    __m128i fourth =
        _mm_subs_epu8(_mm_alignr_epi8(in, prev, 13), _mm_set1_epi8((char)(0xF0 - 0x80)));
    __m128i must = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8((char)0x80));
    return _mm_xor_si128(must, sc);
}

SSE42_ATTR static inline void u8_init_sse42(struct jx_u8_sse42 *s)
{
    s->err = _mm_setzero_si128();
}

/* Not 0 if the 64-byte block has a byte above 0x7F. */
SSE42_ATTR static inline uint64_t u8_any_sse42(const char *p)
{
    __m128i a = _mm_or_si128(_mm_loadu_si128((const __m128i *)p),
                             _mm_loadu_si128((const __m128i *)(p + 16)));
    __m128i b = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + 32)),
                             _mm_loadu_si128((const __m128i *)(p + 48)));
    return (uint32_t)_mm_movemask_epi8(_mm_or_si128(a, b));
}

/* One 64-byte block after the 64 bytes at `before`; with ends_here, a lead
 * byte in its last three places that still wants bytes is an error too. */
SSE42_ATTR static inline void u8_block_sse42(struct jx_u8_sse42 *s, const char *p,
                                             const char *before, bool ends_here)
{
    __m128i x[4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++)
        x[i] = _mm_loadu_si128((const __m128i *)(p + 16 * i));
    __m128i prev = _mm_loadu_si128((const __m128i *)(before + 48));
    __m128i e = _mm_or_si128(u8_check_sse42(x[0], prev), u8_check_sse42(x[1], x[0]));
    e = _mm_or_si128(e, _mm_or_si128(u8_check_sse42(x[2], x[1]), u8_check_sse42(x[3], x[2])));
    __m128i wants = _mm_subs_epu8(x[3], _mm_setr_epi8(U8_MAX_TAIL16));
    e = _mm_or_si128(e, _mm_and_si128(wants, _mm_set1_epi8((char)-(int)ends_here)));
    s->err = _mm_or_si128(s->err, e);
}

SSE42_ATTR static inline bool u8_end_sse42(struct jx_u8_sse42 *s)
{
    return !_mm_testz_si128(s->err, s->err);
}

/* validate = structure and = full: loop_structure.inc twice. */
#define JX_TARGET SSE42_ATTR
#define JX_BLOCK_T const char *
#define JX_BLOCK jx_block_ptr
#define JX_CLASSIFY_STRUCT classify_full_sse42
#define JX_ESCAPES_FULL escapes_full_sse42
#define JX_PREFIX_XOR prefix_xor_clmul
#define JX_FLATTEN jx_flatten
#define JX_GRAMMAR_SSE 1
#define JX_UTF8_STATE struct jx_u8_sse42
#define JX_UTF8_INIT u8_init_sse42
#define JX_UTF8_ANY u8_any_sse42
#define JX_UTF8_CHECK u8_block_sse42
#define JX_UTF8_END u8_end_sse42
#define JX_STRUCT_NAME scan_sse42_structure
#define JX_STRICT 0
#include "loop_structure.inc"
#undef JX_STRUCT_NAME
#undef JX_STRICT
#define JX_STRUCT_NAME scan_sse42_full
#define JX_STRICT 1
#include "loop_structure.inc"
#undef JX_STRUCT_NAME
#undef JX_STRICT

enum jx_err jx_scan_sse42(const char *buf, size_t len, const struct jx_spec *spec,
                          struct jx_slot *slots, struct jx_verdict *v)
{
    return spec->stop_early      ? jx_scan_sse2(buf, len, spec, slots, v)
           : spec->structure_only ? scan_sse42_structure(buf, len, spec, slots, v)
                                  : scan_sse42_full(buf, len, spec, slots, v);
}

#endif /* JX_X86 */
