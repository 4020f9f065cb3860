/*
 * The fast scanner: root-level fields of a JSON frame without building a
 * tree, 64 bytes at a time with SIMD.
 *
 * WHAT IT MUST DO. Find the values of a few wanted root keys ("uid", "ts")
 * in ~2 KB frames whose nested objects hold decoy keys of the same names,
 * whose strings are full of escapes and UTF-8, and say whether the frame is
 * fit to count, at well over a million frames per second on one core. Three
 * levels of "fit" (the option `validate`):
 *   full (the default; loop_structure.inc): every byte as jansson (mode =
 *       strict) judges it, the same verdict on every frame.
 *   structure (by name; loop_structure.inc): brackets, strings, escapes
 *       and control bytes everywhere, the wanted values in full; every
 *       frame jansson accepts is accepted with the same fields, every frame
 *       it refuses jansson refuses too.
 *   fields (by name; loop_events.inc): stop after the last wanted value.
 *
 * HOW (the simdjson idea: stage 1 bitmaps, then as little stage 2 as we
 * can get away with). Three block loops share steps 1-3:
 *  1. Classify 64 bytes into bitmaps, one bit per byte: quote, backslash,
 *     structural characters, whitespace, control (< 0x20), non-ASCII. SSE2
 *     (four 16-byte compares per class, the x86-64 baseline), SSE4.2 (the
 *     same with pshufb's nibble tables, as AVX2), AVX2 (two 32-byte ones,
 *     whitespace by one pshufb) or AVX-512BW (one 64-byte
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
 *     by all ones with PCLMUL on the SSE4.2 and wider paths, six
 *     shift-XORs otherwise) marks every byte from an opening quote up to its closing quote.
 *     Faults inside strings are bitmaps too: a control byte, an escape other
 *     than \" \\ \/ \b \f \n \r \t \u (SSE4.2 and up: two nibble-table
 *     lookups, the same two that find the wanted names' first bytes). Each \u escape goes to a small scalar check (four hex
 *     digits, no U+0000, surrogates in pairs); numbers and literals too (tokens.c, with an
 *     inline fast path for true/false/null and short integers).
 *
 * THE EVENT LOOP (loop_events.inc: validate = fields everywhere, and full on
 * SSE2 and the scalar scanner). Events = structural bytes outside strings,
 * opening quotes, and the first byte of each number or literal (~200 per
 * frame). They run through one pushdown automaton (machine.h), shared with the scalar scanner, that
 * checks the grammar, keeps the depth, and at depth 1 of the root object
 * compares keys with the wanted names and captures the value after the
 * colon. UTF-8 is checked by a scalar routine over each run of non-ASCII
 * bytes. This loop can stop inside the first blocks, which validate =
 * fields wants.
 *
 * GRAMMAR ON BITMAPS (loop_structure.inc with JX_STRICT: validate = full
 * on AVX2 and AVX-512). The same verdicts without walking events: JSON's
 * grammar, once brackets are matched, is a set of "what may follow what"
 * rules, and those are bit operations. Let after(X) be the positions whose
 * previous non-whitespace byte is in X: X shifted by one, carried over
 * whitespace runs by one addition (just the shift for compact JSON, where
 * a block has no whitespace outside strings). A string where a key may
 * stand (after { or ,) has its closing quote found by adding its opening
 * bit to the string's run of in-string bits (the carry lands on the
 * closing quote). Then every bit of
 *     after({)              is a string or }
 *     after([), after(:)    is a value start (or ], which after a colon
 *                           fails anyway: a mismatch or a colon in an array)
 *     after(,)              is a value start
 *     after(value end)      is , } or ]
 *     a colon               is after the end of a string in a key's place,
 * whatever the container; and two rules depend on the innermost container:
 * in an object, after(,) is a string and after the end of a string in a
 * key's place comes a colon; in an array, no colon, and such a string is
 * a value (then , or ]). The rules run four blocks at a time, each
 * 64-bit lane of a 256-bit vector one block's bitmap, the carries moved up
 * a lane (loop_grammar.inc); they keep those two per block as "wrong in an
 * array" and "wrong in an object"; pass 2, matching the brackets on a bit
 * stack (brackets and key candidates flattened to one event array per
 * 4 KB chunk), marks where the innermost container's kind turns; pass 3
 * draws the "inside an object" bitmap from those turns by a prefix XOR and
 * applies the two rules. The first byte is { and nothing but whitespace
 * follows its match. Numbers and literals are checked by jx_scalar_ok at
 * their first byte once the events are flattened, in the blocks that have
 * any (as events, pass 2's branch on an event's kind was mispredicted on
 * most of them); the usual ones (literals, integers, plain fractions)
 * with every test computed and ORed, no branch on which kind it is.
 * UTF-8 by table lookups (Keiser and Lemire, "Validating UTF-8 in less than
 * one instruction per byte", 2021; utf8_lookup.h), of the blocks that
 * have a byte above 0x7F: pass 1 marks them in a bitmap, and each is then
 * checked against the 64 bytes before it (a branch per block on "any
 * here" was mispredicted on about a quarter of the blocks); errors ORed up
 * and tested once per frame. Root keys: at depth 1, a string in a key's place whose
 * first byte is a wanted name's first byte (or a backslash) is looked at
 * (jx_key_at), and for a wanted one the value is read by peeking past the
 * colon (an object or array value ends where pass 2 returns to depth 1).
 * Anything that is not clearly fine: any fault, nesting near jansson's
 * 2048 limit: goes to the scalar scanner, which names the fault (or, for
 * the depth limit, accepts).
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
 * THE FILES. This one picks an instruction set at run time. scan_sse2.c,
 * scan_sse42.c, scan_avx2.c and scan_avx512.c hold each set's classifiers and compile
 * the loop templates (loop_events.inc, loop_structure.inc)
 * with them; scan.h holds what the loops share (bit tricks, the root-key
 * state), scan_keys.c the root keys and values, utf8_lookup.h the UTF-8
 * tables, machine.h the automaton, scalar.c and tokens.c the scalar
 * scanner. How fast each step made it, and what was tried and dropped:
 * bench/SCANNER.md.
 */
#include "jx.h"
#include "scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- run-time choice ------------------------------------------------ */

struct impl {
    const char *name;
    jx_scan_fn fn;
    bool structure; /* a structure loop of its own */
};

static const struct impl impls[] = {
#ifdef JX_X86
    {"avx512", jx_scan_avx512v, true},
    {"avx512bw", jx_scan_avx512bw, true},
    {"avx2", jx_scan_avx2, true},
    {"sse42", jx_scan_sse42, true},
    {"sse2", jx_scan_sse2, false},
#ifdef JX_EMULATED_LEVELS
    /* Test programs: the AVX-512 levels' code on emulated intrinsics
     * (tests/emu512.h), on any CPU with AVX2; never chosen by default. */
    {"avx512-emu", jx_scan_avx512v_emu, true},
    {"avx512bw-emu", jx_scan_avx512bw_emu, true},
#endif
#endif
    {"scalar", jx_scan_scalar, false},
};
_Static_assert(sizeof impls / sizeof impls[0] <= JX_MAX_IMPL, "JX_MAX_IMPL in jx.h");

const char *jx_impl_at(size_t i)
{
    return i < sizeof impls / sizeof impls[0] ? impls[i].name : NULL;
}

/* The level called name, or NULL. */
static const struct impl *find_impl(const char *name)
{
    for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++)
        if (strcmp(impls[i].name, name) == 0)
            return &impls[i];
    return NULL;
}

bool jx_impl_has_structure(const char *name)
{
    const struct impl *im = find_impl(name);
    return im && im->structure;
}

static const struct impl *chosen;

static bool cpu_has(const char *name)
{
#ifdef JX_X86
    if (strcmp(name, "avx512") == 0 && !cpu_has("avx512bw"))
        return false;
    if (strcmp(name, "avx512") == 0)
        return __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("vpclmulqdq");
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
    if (strcmp(name, "sse42") == 0) {
        __builtin_cpu_init();
        return __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul") &&
               __builtin_cpu_supports("popcnt");
    }
    if (strcmp(name, "sse2") == 0)
        return true; /* x86-64 baseline; SSE2 on i386 is assumed too */
#ifdef JX_EMULATED_LEVELS
    if (strcmp(name, "avx512-emu") == 0 || strcmp(name, "avx512bw-emu") == 0)
        return cpu_has("avx2");
#endif
#endif
    return strcmp(name, "scalar") == 0;
}

static const struct impl *choose(void)
{
    /* SLUICE_JX_SCANNER=avx2 (or avx512, avx512bw, sse42, sse2, scalar) forces a level, for
     * tests and comparisons; ignored if this CPU cannot run it (jx_impl_env_problem says so). */
    const char *env = getenv("SLUICE_JX_SCANNER");
    const struct impl *forced = env ? find_impl(env) : NULL;
    if (forced && cpu_has(env))
        return forced;
    for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++)
        if (cpu_has(impls[i].name))
            return &impls[i];
    return &impls[sizeof impls / sizeof impls[0] - 1];
}

bool jx_force_impl(const char *name)
{
    const struct impl *im = find_impl(name);
    if (!im || !cpu_has(name))
        return false;
    chosen = im;
    return true;
}

const char *jx_impl_env_problem(char *msg, size_t size)
{
    const char *env = getenv("SLUICE_JX_SCANNER");
    const char *name = jx_impl_name();
    if (!env || strcmp(env, name) == 0)
        return NULL;
    if (find_impl(env)) {
        snprintf(msg, size, "SLUICE_JX_SCANNER=%s: this CPU cannot run that level; scanning with %s",
                 env, name);
        return msg;
    }
    char levels[128] = "";
    for (size_t i = 0, at = 0; i < sizeof impls / sizeof impls[0] && at < sizeof levels; i++)
        at += (size_t)snprintf(levels + at, sizeof levels - at, "%s%s", i ? ", " : "",
                               impls[i].name);
    snprintf(msg, size, "SLUICE_JX_SCANNER=%s: no such scanner level (%s); scanning with %s", env,
             levels, name);
    return msg;
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

