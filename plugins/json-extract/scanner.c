/*
 * The fast scanner: root-level fields of a JSON frame without building a
 * tree, 64 bytes at a time with SIMD.
 *
 * WHAT IT MUST DO. Find the values of a few wanted root keys ("uid", "ts")
 * in ~2 KB frames whose nested objects hold decoy keys of the same names,
 * whose strings are full of escapes and UTF-8, and say whether the frame is
 * JSON at all, agreeing with jansson (mode = strict) on every verdict, at
 * about a million frames per second on one core.
 *
 * HOW (the simdjson idea, stage 1 and a slim stage 2 fused per block).
 *  1. Classify 64 bytes into bitmaps, one bit per byte: quote, backslash,
 *     structural ({}[]:,), whitespace, control (< 0x20), non-ASCII. SSE2
 *     (four 16-byte compares per class, the x86-64 baseline) or AVX2 (two
 *     32-byte ones), chosen at run time with __builtin_cpu_supports; a plain
 *     scalar scanner (scalar.c) everywhere else.
 *  2. Escapes without a loop: a byte is escaped if an odd-length run of
 *     backslashes ends just before it. Adding the run starts to the odd-bit
 *     pattern carries through each run and leaves its parity in the bit
 *     after it (simdjson's "escape and terminal code"); one bit carries into
 *     the next block.
 *  3. Strings: the prefix XOR of the unescaped quotes (carry-less multiply
 *     by all ones with PCLMUL on the AVX2 path, six shift-XORs otherwise)
 *     marks every byte from an opening quote up to its closing quote.
 *  4. Faults inside strings are bitmaps too: a control byte, an escape other
 *     than \" \\ \/ \b \f \n \r \t \u. Rare things go to small scalar
 *     checks: each \u escape (four hex digits, no U+0000, surrogates in
 *     pairs), each run of non-ASCII bytes (strict UTF-8, as jansson).
 *  5. Events = structural bytes outside strings, opening quotes, and the
 *     first byte of each number or literal. They run through one pushdown
 *     automaton (machine.h), shared with the scalar scanner, that checks the
 *     grammar and bracket matching, keeps the depth, and at depth 1 of the
 *     root object compares keys with the wanted names and captures the value
 *     after the colon: a string by its bounds (zero copy; decoded later only
 *     if it has a backslash), a number or literal by its token, an object or
 *     array by its brackets. Numbers and literals are checked by a scalar
 *     routine (tokens.c): they are few. Nested values are never looked into
 *     beyond their events.
 *  6. On any fault the scalar scanner runs over the frame to name the first
 *     faulty byte in jansson's order, so reasons do not depend on the CPU.
 *
 * WHAT "AGREES WITH JANSSON" MEANS HERE. jansson 2.14 refuses: broken
 * grammar, unbalanced or mismatched brackets, truncation, control bytes in
 * strings, bad escapes, bad \u escapes (U+0000 included, because sluice does
 * not pass JSON_ALLOW_NUL), invalid UTF-8 anywhere, integers outside int64,
 * reals that overflow a double, nesting deeper than 2048, anything after the
 * root value but whitespace. All of these are checked here, in full, in
 * skipped values too, so with `validate = full` (the default) the verdicts
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
 * MEASURED (tests/bench_scan, one core of the 2-core AMD EPYC dev VM, CPU
 * time, median of 5; scanning plus record.c, ~2 KB frames):
 *
 *                         validate = full          validate = fields
 *   challenge samples     ~1.2 GB/s  ~580k fr/s    ~5.3 GB/s  ~2.6M fr/s
 *   generated (seed 1)    ~1.0 GB/s  ~490k fr/s    ~3.0 GB/s  ~1.5M fr/s
 *   (SSE2 ~10% below AVX2, the scalar scanner ~25% below; jansson, mode =
 *   strict: ~90 MB/s, ~44k frames/s.)
 *
 * Where the time goes (full): about half in stage 1 (classification,
 * escapes, the UTF-8 of the Cyrillic strings), half in the automaton (~200
 * events per frame). Tried and dropped, because they were slower here: a
 * table-driven automaton (state x class lookups, branch-free), and
 * simdjson's layout (flatten all event positions into an array, then one
 * long automaton loop with branch-free appends of keys and tokens, packed
 * nibble tables). The event loop there became ~70 instructions per event
 * from register pressure, and chunking hurt validate = fields, which wins
 * by stopping inside the first blocks. Left to try: SIMD UTF-8 validation
 * (Keiser-Lemire), and a cheaper escape-validity test (one pshufb).
 */
#include "jx.h"
#include "machine.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define JX_X86 1
#include <immintrin.h>
#endif

#define JX_ODD_BITS 0xAAAAAAAAAAAAAAAAull

/* The per-block bitmaps. */
struct jx_masks {
    uint64_t quote, bs, op, ws, ctrl, high;
};

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

#define JX_NAME scan_sse2
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

/* ---- AVX2 (+ PCLMUL), chosen at run time --------------------------- */

#define AVX_ATTR __attribute__((target("avx2,pclmul")))
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

AVX_ATTR static inline uint64_t prefix_xor_clmul(uint64_t x)
{
    __m128i r = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)x), _mm_set1_epi8((char)0xFF), 0);
    return (uint64_t)_mm_cvtsi128_si64(r);
}

#define JX_NAME scan_avx2
#define JX_TARGET AVX_ATTR
#define JX_CLASSIFY classify_avx2
#define JX_ESCAPES escapes_avx2
#define JX_PREFIX_XOR prefix_xor_clmul
#include "scanner_loop.h"
#undef JX_NAME
#undef JX_TARGET
#undef JX_CLASSIFY
#undef JX_ESCAPES
#undef JX_PREFIX_XOR

#endif /* JX_X86 */

/* ---- run-time choice ------------------------------------------------ */

typedef enum jx_err (*scan_fn)(const char *, size_t, const struct jx_spec *, struct jx_slot *,
                               struct jx_verdict *);

struct impl {
    const char *name;
    scan_fn fn;
};

static const struct impl impls[] = {
#ifdef JX_X86
    {"avx2", scan_avx2},
    {"sse2", scan_sse2},
#endif
    {"scalar", jx_scan_scalar},
};

static const struct impl *chosen;

static bool cpu_has(const char *name)
{
#ifdef JX_X86
    if (strcmp(name, "avx2") == 0) {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul");
    }
    if (strcmp(name, "sse2") == 0)
        return true; /* x86-64 baseline; SSE2 on i386 is assumed too */
#endif
    return strcmp(name, "scalar") == 0;
}

static const struct impl *choose(void)
{
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
