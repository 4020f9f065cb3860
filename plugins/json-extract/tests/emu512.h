/*
 * The AVX-512 intrinsics scan_avx512.c uses, defined on AVX2, so that its
 * code runs on any x86-64 CPU with AVX2 (tests only: scan_avx512_emu.c).
 *
 * WHY. The AVX-512BW and VBMI2 levels run only where the CPU has them, and
 * the machines that build and test sluice differ (some AVX2 only; neither
 * QEMU 7.2 nor valgrind 3.19 executes AVX-512), so the differential test
 * left those levels unchecked on half the machines. Compiled against these
 * definitions instead, the same source (its masks, lane shuffles, masked
 * loads, the compress that flattens bitmaps, the UTF-8 lane carries) runs
 * everywhere, as the levels "avx512-emu" and "avx512bw-emu" of the test
 * programs, against jansson like every other level. What it cannot show is
 * the compiler's AVX-512 code, nor speed.
 *
 * HOW. A 512-bit value is two AVX2 halves; each of its 128-bit lanes is a
 * lane of one half, so the instructions that work per lane (pshufb,
 * palignr) are AVX2's own on each half, compares give a 64-bit mask from
 * two movemasks, and the rest (masked load, compress, the cross-lane
 * alignr) go through memory a byte or a quadword at a time, as Intel's
 * pseudocode says. <immintrin.h> comes first (the other intrinsics stay
 * native); then __m512i and each _mm512_ name scan_avx512.c uses become
 * this file's, and its target attributes AVX2's: a name it starts to use
 * that is not defined here fails to compile (GCC's own needs AVX-512 at
 * the call), so nothing runs half emulated.
 */
#ifndef SLUICE_JX_EMU512_H
#define SLUICE_JX_EMU512_H

#if defined(__x86_64__) || defined(__i386__)
#include "../scan.h" /* jx_mask2 */

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

/* Two AVX2 halves: bytes 0-31 and 32-63. Each 128-bit lane of a 512-bit
 * register is a lane of one half, so the per-lane instructions (pshufb,
 * palignr) are AVX2's own on each half. */
typedef struct {
    __m256i lo, hi;
} emu512i;

#define EMU512_ATTR __attribute__((target("avx2,pclmul,bmi,bmi2")))
#define EMU EMU512_ATTR static inline

EMU emu512i emu_halves(__m256i lo, __m256i hi)
{
    emu512i r = {lo, hi};
    return r;
}

EMU emu512i emu512_loadu_si512(const void *p)
{
    return emu_halves(_mm256_loadu_si256((const __m256i *)p),
                      _mm256_loadu_si256((const __m256i *)((const char *)p + 32)));
}

EMU void emu512_storeu_si512(void *p, emu512i a)
{
    _mm256_storeu_si256((__m256i *)p, a.lo);
    _mm256_storeu_si256((__m256i *)((char *)p + 32), a.hi);
}

EMU emu512i emu512_set1_epi8(char c)
{
    return emu_halves(_mm256_set1_epi8(c), _mm256_set1_epi8(c));
}

EMU emu512i emu512_set1_epi16(short s)
{
    return emu_halves(_mm256_set1_epi16(s), _mm256_set1_epi16(s));
}

EMU emu512i emu512_setzero_si512(void)
{
    return emu_halves(_mm256_setzero_si256(), _mm256_setzero_si256());
}

/* Arguments from the highest byte (63) down to byte 0, as Intel's. */
#define EMU_ARGS64(t)                                                                          \
    t e63, t e62, t e61, t e60, t e59, t e58, t e57, t e56, t e55, t e54, t e53, t e52, t e51, \
        t e50, t e49, t e48, t e47, t e46, t e45, t e44, t e43, t e42, t e41, t e40, t e39,    \
        t e38, t e37, t e36, t e35, t e34, t e33, t e32, t e31, t e30, t e29, t e28, t e27,    \
        t e26, t e25, t e24, t e23, t e22, t e21, t e20, t e19, t e18, t e17, t e16, t e15,    \
        t e14, t e13, t e12, t e11, t e10, t e9, t e8, t e7, t e6, t e5, t e4, t e3, t e2,     \
        t e1, t e0
EMU emu512i emu512_set_epi8(EMU_ARGS64(char))
{
    const char in[64] = {e0,  e1,  e2,  e3,  e4,  e5,  e6,  e7,  e8,  e9,  e10, e11, e12,
                         e13, e14, e15, e16, e17, e18, e19, e20, e21, e22, e23, e24, e25,
                         e26, e27, e28, e29, e30, e31, e32, e33, e34, e35, e36, e37, e38,
                         e39, e40, e41, e42, e43, e44, e45, e46, e47, e48, e49, e50, e51,
                         e52, e53, e54, e55, e56, e57, e58, e59, e60, e61, e62, e63};
    return emu512_loadu_si512(in);
}
#undef EMU_ARGS64

EMU emu512i emu512_set_epi64(long long e7, long long e6, long long e5, long long e4,
                             long long e3, long long e2, long long e1, long long e0)
{
    const long long in[8] = {e0, e1, e2, e3, e4, e5, e6, e7};
    return emu512_loadu_si512(in);
}

/* Bytes of p where k is set, src's elsewhere; the others are not read
 * (the instruction suppresses their faults: the loop relies on it). */
EMU emu512i emu512_mask_loadu_epi8(emu512i src, uint64_t k, const void *p)
{
    uint8_t b[64];
    emu512_storeu_si512(b, src);
    for (int i = 0; i < 64; i++)
        if (k >> i & 1)
            b[i] = ((const uint8_t *)p)[i];
    return emu512_loadu_si512(b);
}

/* The same AVX2 operation on both halves. */
#define EMU_EACH(name, avx2)                                     \
    EMU emu512i emu512_##name(emu512i a, emu512i b)              \
    {                                                            \
        return emu_halves(avx2(a.lo, b.lo), avx2(a.hi, b.hi));   \
    }
EMU_EACH(and_si512, _mm256_and_si256)
EMU_EACH(or_si512, _mm256_or_si256)
EMU_EACH(xor_si512, _mm256_xor_si256)
EMU_EACH(subs_epu8, _mm256_subs_epu8)
EMU_EACH(shuffle_epi8, _mm256_shuffle_epi8) /* per 128-bit lane, as AVX-512's */
EMU_EACH(add_epi16, _mm256_add_epi16)
EMU_EACH(add_epi64, _mm256_add_epi64)
EMU_EACH(andnot_si512, _mm256_andnot_si256)
#undef EMU_EACH

/* The 64-bit lanes (the grammar pass's, eight blocks at a time): their
 * masks are 8 bits, one a lane. */
EMU emu512i emu512_set1_epi64(long long x)
{
    return emu_halves(_mm256_set1_epi64x(x), _mm256_set1_epi64x(x));
}

/* vpclmulqdq: in each 128-bit lane, the carry-less product of the
 * quadwords imm picks (bit 0: a's high one, bit 4: b's), by PCLMUL a lane
 * at a time. */
EMU __m128i emu_clmul128(__m128i a, __m128i b, int imm)
{
    switch (imm & 0x11) {
    case 0x00: return _mm_clmulepi64_si128(a, b, 0x00);
    case 0x01: return _mm_clmulepi64_si128(a, b, 0x01);
    case 0x10: return _mm_clmulepi64_si128(a, b, 0x10);
    default: return _mm_clmulepi64_si128(a, b, 0x11);
    }
}

EMU __m256i emu_clmul256(__m256i a, __m256i b, int imm)
{
    return _mm256_set_m128i(
        emu_clmul128(_mm256_extracti128_si256(a, 1), _mm256_extracti128_si256(b, 1), imm),
        emu_clmul128(_mm256_castsi256_si128(a), _mm256_castsi256_si128(b), imm));
}

EMU emu512i emu512_clmulepi64_epi128(emu512i a, emu512i b, int imm)
{
    return emu_halves(emu_clmul256(a.lo, b.lo, imm), emu_clmul256(a.hi, b.hi, imm));
}

EMU emu512i emu512_unpacklo_epi64(emu512i a, emu512i b)
{
    return emu_halves(_mm256_unpacklo_epi64(a.lo, b.lo), _mm256_unpacklo_epi64(a.hi, b.hi));
}

EMU emu512i emu512_slli_epi64(emu512i a, int n)
{
    const __m128i count = _mm_cvtsi32_si128(n);
    return emu_halves(_mm256_sll_epi64(a.lo, count), _mm256_sll_epi64(a.hi, count));
}

EMU emu512i emu512_srli_epi64(emu512i a, int n)
{
    const __m128i count = _mm_cvtsi32_si128(n);
    return emu_halves(_mm256_srl_epi64(a.lo, count), _mm256_srl_epi64(a.hi, count));
}

EMU unsigned emu_lanes64(__m256i lo, __m256i hi) /* bit i: lane i's sign bit */
{
    return (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(lo)) |
           (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(hi)) << 4;
}

EMU unsigned emu512_cmpeq_epi64_mask(emu512i a, emu512i b)
{
    return emu_lanes64(_mm256_cmpeq_epi64(a.lo, b.lo), _mm256_cmpeq_epi64(a.hi, b.hi));
}

/* a > b, signed */
EMU unsigned emu512_cmpgt_epi64_mask(emu512i a, emu512i b)
{
    return emu_lanes64(_mm256_cmpgt_epi64(a.lo, b.lo), _mm256_cmpgt_epi64(a.hi, b.hi));
}

/* (a & b) != 0 */
EMU unsigned emu512_test_epi64_mask(emu512i a, emu512i b)
{
    const __m256i z = _mm256_setzero_si256();
    return 0xFFu & ~emu_lanes64(_mm256_cmpeq_epi64(_mm256_and_si256(a.lo, b.lo), z),
                                _mm256_cmpeq_epi64(_mm256_and_si256(a.hi, b.hi), z));
}

/* x in the lanes where k is set, 0 in the others. */
EMU emu512i emu512_maskz_set1_epi64(unsigned k, long long x)
{
    long long r[8];
    for (int i = 0; i < 8; i++)
        r[i] = k >> i & 1 ? x : 0;
    return emu512_loadu_si512(r);
}

/* Lane i: b's where k is set, a's elsewhere. */
EMU emu512i emu512_mask_blend_epi64(unsigned k, emu512i a, emu512i b)
{
    long long x[8], y[8];
    emu512_storeu_si512(x, a);
    emu512_storeu_si512(y, b);
    for (int i = 0; i < 8; i++)
        if (k >> i & 1)
            x[i] = y[i];
    return emu512_loadu_si512(x);
}

/* Lane i: a's lane idx[i] (its low three bits). */
EMU emu512i emu512_permutexvar_epi64(emu512i idx, emu512i a)
{
    long long ix[8], x[8], r[8];
    emu512_storeu_si512(ix, idx);
    emu512_storeu_si512(x, a);
    for (int i = 0; i < 8; i++)
        r[i] = x[ix[i] & 7];
    return emu512_loadu_si512(r);
}

/* (The upper lanes of a cast up are undefined: zeros here.) */
EMU emu512i emu512_castsi128_si512(__m128i a)
{
    return emu_halves(_mm256_zextsi128_si256(a), _mm256_setzero_si256());
}

EMU __m128i emu512_castsi512_si128(emu512i a)
{
    return _mm256_castsi256_si128(a.lo);
}

EMU uint64_t emu512_cmpeq_epi8_mask(emu512i a, emu512i b)
{
    return jx_mask2(_mm256_cmpeq_epi8(a.lo, b.lo), _mm256_cmpeq_epi8(a.hi, b.hi));
}

/* a < b, unsigned: not (max(a, b) == a). */
EMU uint64_t emu512_cmplt_epu8_mask(emu512i a, emu512i b)
{
    return ~jx_mask2(_mm256_cmpeq_epi8(_mm256_max_epu8(a.lo, b.lo), a.lo),
                     _mm256_cmpeq_epi8(_mm256_max_epu8(a.hi, b.hi), a.hi));
}

/* (a & b) != 0 */
EMU uint64_t emu512_test_epi8_mask(emu512i a, emu512i b)
{
    const __m256i z = _mm256_setzero_si256();
    return ~jx_mask2(_mm256_cmpeq_epi8(_mm256_and_si256(a.lo, b.lo), z),
                     _mm256_cmpeq_epi8(_mm256_and_si256(a.hi, b.hi), z));
}

EMU uint64_t emu512_movepi8_mask(emu512i a)
{
    return jx_mask2(a.lo, a.hi);
}

EMU emu512i emu512_srli_epi16(emu512i a, int n)
{
    const __m128i count = _mm_cvtsi32_si128(n);
    return emu_halves(_mm256_srl_epi16(a.lo, count), _mm256_srl_epi16(a.hi, count));
}

/* Per 128-bit lane: the 32 bytes a:b (a high) shifted right by n bytes,
 * the low 16 kept (AVX2's palignr on each half; n as the callers pass it). */
EMU emu512i emu512_alignr_epi8(emu512i a, emu512i b, int n)
{
#define EMU_ALIGNR(k) emu_halves(_mm256_alignr_epi8(a.lo, b.lo, k), _mm256_alignr_epi8(a.hi, b.hi, k))
    switch (n) {
    case 13: return EMU_ALIGNR(13);
    case 14: return EMU_ALIGNR(14);
    case 15: return EMU_ALIGNR(15);
    }
#undef EMU_ALIGNR
    uint8_t x[64], y[64], r[64];
    emu512_storeu_si512(x, a);
    emu512_storeu_si512(y, b);
    for (int lane = 0; lane < 64; lane += 16)
        for (int j = 0; j < 16; j++) {
            int s = j + n;
            r[lane + j] = s < 16 ? y[lane + s] : s < 32 ? x[lane + s - 16] : 0;
        }
    return emu512_loadu_si512(r);
}

/* The 16 quadwords a:b (a high) shifted right by n quadwords, the low 8 kept. */
EMU emu512i emu512_alignr_epi64(emu512i a, emu512i b, int n)
{
    uint64_t ab[16], r[8];
    emu512_storeu_si512(ab, b);
    emu512_storeu_si512(ab + 8, a);
    memcpy(r, ab + (n & 7), sizeof r);
    return emu512_loadu_si512(r);
}

/* The bytes where k is set, packed from byte 0 up; zeros after them. */
EMU emu512i emu512_maskz_compress_epi8(uint64_t k, emu512i a)
{
    uint8_t in[64], out[64] = {0};
    emu512_storeu_si512(in, a);
    int n = 0;
    for (int i = 0; i < 64; i++)
        if (k >> i & 1)
            out[n++] = in[i];
    return emu512_loadu_si512(out);
}

/* Between this type and the native 128- and 256-bit ones. */
EMU emu512i emu512_cvtepu8_epi16(__m256i a)
{
    return emu_halves(_mm256_cvtepu8_epi16(_mm256_castsi256_si128(a)),
                      _mm256_cvtepu8_epi16(_mm256_extracti128_si256(a, 1)));
}

EMU __m256i emu512_castsi512_si256(emu512i a)
{
    return a.lo;
}

EMU __m256i emu512_extracti64x4_epi64(emu512i a, int half)
{
    return half & 1 ? a.hi : a.lo;
}

EMU emu512i emu512_broadcast_i32x4(__m128i a)
{
    return emu_halves(_mm256_broadcastsi128_si256(a), _mm256_broadcastsi128_si256(a));
}

EMU emu512i emu512_inserti32x4(emu512i a, __m128i b, int lane)
{
    uint8_t t[64];
    emu512_storeu_si512(t, a);
    _mm_storeu_si128((__m128i *)(t + 16 * (lane & 3)), b);
    return emu512_loadu_si512(t);
}
#undef EMU

/* The names scan_avx512.c uses, and its targets: AVX2's. */
#define __m512i emu512i
#undef _mm512_set1_epi8
#define _mm512_set1_epi8 emu512_set1_epi8
#undef _mm512_set1_epi16
#define _mm512_set1_epi16 emu512_set1_epi16
#undef _mm512_set_epi8
#define _mm512_set_epi8 emu512_set_epi8
#undef _mm512_set_epi64
#define _mm512_set_epi64 emu512_set_epi64
#undef _mm512_setzero_si512
#define _mm512_setzero_si512 emu512_setzero_si512
#undef _mm512_loadu_si512
#define _mm512_loadu_si512 emu512_loadu_si512
#undef _mm512_storeu_si512
#define _mm512_storeu_si512 emu512_storeu_si512
#undef _mm512_mask_loadu_epi8
#define _mm512_mask_loadu_epi8 emu512_mask_loadu_epi8
#undef _mm512_and_si512
#define _mm512_and_si512 emu512_and_si512
#undef _mm512_or_si512
#define _mm512_or_si512 emu512_or_si512
#undef _mm512_xor_si512
#define _mm512_xor_si512 emu512_xor_si512
#undef _mm512_subs_epu8
#define _mm512_subs_epu8 emu512_subs_epu8
#undef _mm512_shuffle_epi8
#define _mm512_shuffle_epi8 emu512_shuffle_epi8
#undef _mm512_cmpeq_epi8_mask
#define _mm512_cmpeq_epi8_mask emu512_cmpeq_epi8_mask
#undef _mm512_cmplt_epu8_mask
#define _mm512_cmplt_epu8_mask emu512_cmplt_epu8_mask
#undef _mm512_test_epi8_mask
#define _mm512_test_epi8_mask emu512_test_epi8_mask
#undef _mm512_movepi8_mask
#define _mm512_movepi8_mask emu512_movepi8_mask
#undef _mm512_srli_epi16
#define _mm512_srli_epi16 emu512_srli_epi16
#undef _mm512_add_epi16
#define _mm512_add_epi16 emu512_add_epi16
#undef _mm512_add_epi64
#define _mm512_add_epi64 emu512_add_epi64
#undef _mm512_andnot_si512
#define _mm512_andnot_si512 emu512_andnot_si512
#undef _mm512_set1_epi64
#define _mm512_set1_epi64 emu512_set1_epi64
#undef _mm512_slli_epi64
#define _mm512_slli_epi64 emu512_slli_epi64
#undef _mm512_clmulepi64_epi128
#define _mm512_clmulepi64_epi128 emu512_clmulepi64_epi128
#undef _mm512_unpacklo_epi64
#define _mm512_unpacklo_epi64 emu512_unpacklo_epi64
#undef _mm512_srli_epi64
#define _mm512_srli_epi64 emu512_srli_epi64
#undef _mm512_cmpeq_epi64_mask
#define _mm512_cmpeq_epi64_mask emu512_cmpeq_epi64_mask
#undef _mm512_cmpgt_epi64_mask
#define _mm512_cmpgt_epi64_mask emu512_cmpgt_epi64_mask
#undef _mm512_test_epi64_mask
#define _mm512_test_epi64_mask emu512_test_epi64_mask
#undef _mm512_maskz_set1_epi64
#define _mm512_maskz_set1_epi64 emu512_maskz_set1_epi64
#undef _mm512_mask_blend_epi64
#define _mm512_mask_blend_epi64 emu512_mask_blend_epi64
#undef _mm512_permutexvar_epi64
#define _mm512_permutexvar_epi64 emu512_permutexvar_epi64
#undef _mm512_castsi128_si512
#define _mm512_castsi128_si512 emu512_castsi128_si512
#undef _mm512_castsi512_si128
#define _mm512_castsi512_si128 emu512_castsi512_si128
#undef _mm512_alignr_epi8
#define _mm512_alignr_epi8 emu512_alignr_epi8
#undef _mm512_alignr_epi64
#define _mm512_alignr_epi64 emu512_alignr_epi64
#undef _mm512_maskz_compress_epi8
#define _mm512_maskz_compress_epi8 emu512_maskz_compress_epi8
#undef _mm512_cvtepu8_epi16
#define _mm512_cvtepu8_epi16 emu512_cvtepu8_epi16
#undef _mm512_castsi512_si256
#define _mm512_castsi512_si256 emu512_castsi512_si256
#undef _mm512_extracti64x4_epi64
#define _mm512_extracti64x4_epi64 emu512_extracti64x4_epi64
#undef _mm512_broadcast_i32x4
#define _mm512_broadcast_i32x4 emu512_broadcast_i32x4
#undef _mm512_inserti32x4
#define _mm512_inserti32x4 emu512_inserti32x4

#define AVX512_ATTR EMU512_ATTR
#define AVX512V_ATTR EMU512_ATTR

#endif /* x86 */

#endif
