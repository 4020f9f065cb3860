/*
 * The SSE2 scanner, the x86-64 baseline: bitmaps by four 16-byte compares
 * per class and movemask, the event loop (loop_events.inc) in every mode.
 */
#include "machine.h"
#include "scan.h"

#ifdef JX_X86

#define EQ8(x, ch) _mm_cmpeq_epi8((x), _mm_set1_epi8(ch))

static inline void classify_sse2(const char *p, struct jx_masks *k)
{
    __m128i x[4], q[4], b[4], o[4], w[4], c[4];
#pragma GCC unroll 4
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
    k->quote = jx_mask4(q[0], q[1], q[2], q[3]);
    k->bs = jx_mask4(b[0], b[1], b[2], b[3]);
    k->op = jx_mask4(o[0], o[1], o[2], o[3]);
    k->ws = jx_mask4(w[0], w[1], w[2], w[3]);
    k->ctrl = jx_mask4(c[0], c[1], c[2], c[3]);
    k->high = jx_mask4(x[0], x[1], x[2], x[3]);
}

/* Bytes that may follow an escaping backslash, and the 'u's among them. */
static inline void escapes_sse2(const char *p, uint64_t *valid, uint64_t *is_u)
{
    __m128i v[4], u[4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * i));
        u[i] = EQ8(x, 'u');
        __m128i a = _mm_or_si128(_mm_or_si128(EQ8(x, '"'), EQ8(x, '\\')),
                                 _mm_or_si128(EQ8(x, '/'), EQ8(x, 'b')));
        __m128i b = _mm_or_si128(_mm_or_si128(EQ8(x, 'f'), EQ8(x, 'n')),
                                 _mm_or_si128(EQ8(x, 'r'), EQ8(x, 't')));
        v[i] = _mm_or_si128(_mm_or_si128(a, b), u[i]);
    }
    *valid = jx_mask4(v[0], v[1], v[2], v[3]);
    *is_u = jx_mask4(u[0], u[1], u[2], u[3]);
}

#define JX_NAME scan_sse2_fields
#define JX_TARGET
#define JX_CLASSIFY classify_sse2
#define JX_ESCAPES escapes_sse2
#define JX_PREFIX_XOR prefix_xor_shift
#include "loop_events.inc"
#undef JX_NAME
#undef JX_TARGET
#undef JX_CLASSIFY
#undef JX_ESCAPES
#undef JX_PREFIX_XOR

/* SSE2 runs the event loop in every mode: without pshufb its UTF-8 checks
 * stay scalar, and the bitmap grammar of validate = full measured ~4%
 * slower there than the events. */
enum jx_err jx_scan_sse2(const char *buf, size_t len, const struct jx_spec *spec,
                         struct jx_slot *slots, struct jx_verdict *v)
{
    return scan_sse2_fields(buf, len, spec, slots, v);
}

#endif /* JX_X86 */
