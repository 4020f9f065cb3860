/*
 * validate = structure (the default): the block loop that checks a frame's
 * structure on bitmaps and reads the wanted root values, compiled for AVX2
 * and AVX-512 by scanner.c, which defines JX_STRUCT_NAME, JX_TARGET,
 * JX_BLOCK_T and JX_BLOCK (a block as the classifier takes it: a vector by
 * a masked load, or a pointer, the last short block copied and padded),
 * JX_CLASSIFY_STRUCT, JX_ESCAPES_FULL, JX_PREFIX_XOR, JX_NO_BRANCH and
 * JX_FLATTEN first.
 *
 * WHY A THIRD LEVEL. The full loop agrees with jansson on every byte: the
 * colon/comma grammar (the after() rules), every number and literal, and
 * UTF-8 everywhere. Measured on the generated frames (AVX-512, parts of the
 * full loop switched off), those cost about 40% of its time: numbers and
 * literals ~15%, UTF-8 ~5%, the grammar rules ~25%. A counting pipeline
 * reads two root fields of ~2 KB frames; what it must not do is misread
 * them, and only the structure can make it: a quote that is not where we
 * think moves every string, a bracket that does not match moves every
 * depth. So this level checks exactly that structure, everywhere, and the
 * wanted values in full:
 *   - the root is an object, nothing but whitespace after it;
 *   - brackets balance and match, the frame does not end inside a string;
 *   - no raw control byte in a string, none but \t \n \r outside strings,
 *     no backslash outside strings (it would move the quotes);
 *   - escapes are \" \\ \/ \b \f \n \r \t or \u with four hex digits, not
 *     U+0000, surrogates in pairs;
 *   - every occurrence of a wanted key at depth 1 has a value that is valid
 *     JSON in full: a number or literal by jx_token, a string's UTF-8 by
 *     jx_utf8_ok, an object or array by the scalar scanner (jx_value_ok).
 * Not checked elsewhere: UTF-8, number and literal syntax, where colons and
 * commas stand. So every frame jansson accepts is accepted with the same
 * fields (the last occurrence of a repeated key, as jansson), every frame
 * this level refuses jansson refuses too (the reason is named by the scalar
 * scanner, as in the other levels), and the frames in between have faults
 * only in bytes the pipeline does not read. The differential tests assert
 * all three, against jansson and against an independent structure checker
 * (tests/diffcheck.c).
 *
 * HOW. Two passes over chunks of 4 KB (a ~2 KB frame is one chunk).
 * Pass 1, per 64-byte block: steps 1-3 of scanner.c's essay
 * (classification, escapes, strings by prefix XOR), the control, backslash
 * and escape checks as bitmaps ORed into one error word, and the positions
 * of the brackets and of the key candidates (strings whose first bytes may
 * spell a wanted name: jx_first) appended to an event array by JX_FLATTEN:
 * one VBMI2 compress on AVX-512 (Ice Lake, Zen 4 and later), else four
 * unconditional tzcnt writes. Pass 2 walks the chunk's events in one loop:
 * brackets on a bit stack in a register (matching, depth; a bit array
 * beyond 64 levels), and candidates at depth 1 go to jx_keys_run, which
 * skips the strings that are values (no colon after them) and reads the
 * value after a wanted key's colon. Before, the brackets were walked per
 * block, as in scanner_full.h: that loop's exit, and the branch on "any
 * bracket in this block", were mispredicted on every other block.
 *
 * MEASURED (tests/bench_scan, one core of the AMD EPYC dev VM, median of 5,
 * generated frames, MB/s, in the order the steps were taken): the first
 * version, brackets walked per block as in scanner_full.h, 3,230 (AVX-512);
 * the key filter on the name's first byte and closing quote instead of the
 * first byte alone 3,060-3,200 (noise; keys_run's share fell from ~10% to
 * ~3%); the two passes with four tzcnt writes 3,730; with the VBMI2
 * compress ~4,400 (AVX-512 without VBMI2 ~3,800; AVX2 ~2,500); the last
 * block by a masked load instead of a copy ~4,450; keys and string values
 * eight bytes at a time, ASCII values without the UTF-8 loop ~4,700; no
 * branch on open/close in pass 2 (gcc had made one), key candidates scanned
 * no further than a wanted name could be spelled, the register stack
 * handing over to the bit array at depth 63 instead of a per-block count
 * of opening brackets ~4,750-4,850. Parts switched off, same session:
 * without pass 2 and the keys ~8,200, without the flattening too ~12,600;
 * without the keys (and record.c's work on them) ~6,000. So per ~2 KB
 * frame: pass 1 ~40%, flattening ~20%, pass 2 ~20%, keys and record ~20%.
 * Pass 2 was bound by its instruction count (~45 a bracket, ~16 cycles
 * with the mispredicted key candidates): the stack by two variable shifts,
 * the depth by one add, every rare case behind one range compare brought
 * it to ~26, and the whole loop to ~5,100. Tried and dropped: flattening
 * only blocks that have events (a branch mispredicted on ~40% of blocks:
 * 30% slower); -O3 (no change).
 */

/* Brackets and key candidates of one chunk, as offsets from its start. */
#define JX_CHUNK 4096

static JX_TARGET enum jx_err JX_STRUCT_NAME(const char *buf, size_t len,
                                            const struct jx_spec *spec, struct jx_slot *slots,
                                            struct jx_verdict *v)
{
    jx_verdict_start(v);
    v->stop = len;

    size_t first = jx_skip_ws(buf, len, 0);
    if (first >= len || buf[first] != '{')
        goto fail; /* empty, or the root is not an object */

    uint64_t prev_escaped = 0; /* the next block's first byte is escaped */
    uint64_t prev_in_str = 0;  /* all ones if a string is open */
    uint64_t stk = 0;          /* the bracket stack while it fits a register */
    bool deep = false;         /* it does not: `stack` holds it */
    uint32_t depth = 0;
    size_t root_end = 0; /* where the root object closed (0: not yet) */
    size_t u_done = 0;   /* \u escapes checked below this offset */
    struct jx_keys ks = {.spec = spec, .slots = slots, .open_slot = -1, .values_too = true};
    for (unsigned i = 0; i < spec->n; i++)
        if (spec->len[i] < 64)
            ks.lenmask |= (uint64_t)1 << spec->len[i];
    struct jx_first fc;
    jx_first_bytes(spec, &fc);
    uint16_t ev[JX_CHUNK + 64]; /* events: brackets and key candidates */
    uint64_t stack[JX_MAX_DEPTH / 64]; /* beyond 64 levels; bit set = object */
    char tail[64];

    for (size_t cbase = 0; cbase < len; cbase += JX_CHUNK) {
        size_t cend = len - cbase > JX_CHUNK ? cbase + JX_CHUNK : len;
        uint32_t n = 0;
        uint64_t err = 0;
        /* Pass 1: the bitmaps of each block; brackets and key candidates
         * (strings whose first bytes may spell a wanted name) go to ev. */
        for (size_t base = cbase; base < cend; base += 64) {
            JX_BLOCK_T p = JX_BLOCK(buf + base, len - base, tail);
            struct jx_fmasks k;
            JX_CLASSIFY_STRUCT(p, &k, &fc);

            uint64_t escaped = (JX_NO_BRANCH || (k.bs | prev_escaped))
                                   ? jx_escaped(k.bs, &prev_escaped)
                                   : 0;
            uint64_t quote = k.quote & ~escaped;
            uint64_t in_str = JX_PREFIX_XOR(quote) ^ prev_in_str;
            prev_in_str = (uint64_t)((int64_t)in_str >> 63);
            uint64_t out = ~in_str;
            uint64_t opn = k.opn & out;
            uint64_t keys = quote & in_str & (((k.first | k.bs) >> 1) | (uint64_t)1 << 63);
            /* (Every block, events or not: skipping the empty ones by a
             * branch measured 30% slower, mispredicted on ~40% of blocks.) */
            n = JX_FLATTEN(ev, n, (uint32_t)(base - cbase), opn | (k.cls & out) | keys);

            /* Control bytes: none in strings, only \t \n \r outside; no
             * backslash outside strings (it would move the quotes). */
            err |= (k.ctrl & (in_str | ~k.ws)) | (k.bs & out);
            /* Escapes: only \" \\ \/ \b \f \n \r \t \u. */
            uint64_t esc_in = escaped & in_str;
            if (JX_NO_BRANCH || esc_in) {
                uint64_t valid, is_u;
                JX_ESCAPES_FULL(p, &valid, &is_u);
                err |= esc_in & ~valid;
                uint64_t ucheck = esc_in & is_u;
                if (ucheck && !jx_check_u_bits(buf, len, base, ucheck, &u_done, v))
                    goto fail;
            }
        }
        if (err)
            goto fail;

        /* Pass 2: brackets in order (matching, depth) and, at depth 1, the
         * root keys. One loop over the chunk's events instead of one per
         * block: its exit is mispredicted once per chunk, not per block. */
        const char *cb = buf + cbase;
        uint32_t i = 0;
        if (__builtin_expect(!deep, 1)) {
            uint64_t bad = 0;
            /* The common case is a depth in [lo, 62]: outside it, a rare
             * event: the root closed (0), the end of an open wanted object
             * or array value (back to 1; lo is 2 while one is open), a
             * depth the register cannot hold, or a closing bracket too
             * many (the depth wraps below 0). One compare per bracket. */
            uint32_t lo = ks.open_slot >= 0 ? 2 : 1;
            for (; i < n; i++) {
                uint32_t off = ev[i];
                unsigned c = (unsigned char)cb[off];
                if (__builtin_expect(c == '"', 0)) {
                    if (depth == 1 && jx_key_at(&ks, buf, len, cbase + off, v))
                        goto fail;
                    lo = ks.open_slot >= 0 ? 2 : 1;
                    continue;
                }
                /* No branch on open or close: which one comes next is
                 * anybody's guess. `{` and `[` have bit 1 set, `{` and `}`
                 * bit 5. */
                uint64_t open = (c >> 1) & 1, obj = (c >> 5) & 1, close = open ^ 1;
                /* A closing bracket: of the kind on top (an empty stack
                 * reads as `[`; a `]` too many wraps the depth, below). */
                bad |= close & ((stk ^ obj) & 1);
                stk = ((stk << open) >> close) | (obj & open);
                depth += (uint32_t)(2 * open) - 1;
                if (__builtin_expect(depth - lo > 61 - (lo - 1), 0)) {
                    if (depth >= 63) {
                        if ((int32_t)depth < 0)
                            goto fail; /* closed more than was open */
                        i++;
                        break; /* on in the bit array */
                    }
                    if (!close)
                        continue; /* (the root's opening bracket) */
                    if (!jx_closed_to(&ks, buf, depth, cbase + off + 1, &root_end))
                        goto fail;
                    lo = ks.open_slot >= 0 ? 2 : 1;
                }
            }
            if (bad)
                goto fail;
            if (depth >= 63) { /* into the bit array: level l is stk's bit depth-1-l */
                for (uint32_t l = 0; l < depth; l++) {
                    uint64_t bit = (uint64_t)1 << (l & 63);
                    stack[l >> 6] = (stack[l >> 6] & ~bit) |
                                    (-((stk >> (depth - 1 - l)) & 1) & bit);
                }
                deep = true;
            }
        }
        if (deep) {
            /* Deep nesting: the stack in a bit array. */
            for (; i < n; i++) {
                uint32_t off = ev[i];
                unsigned c = (unsigned char)cb[off];
                if (c == '"') {
                    if (depth == 1 && jx_key_at(&ks, buf, len, cbase + off, v))
                        goto fail;
                    continue;
                }
                uint64_t obj = (c >> 5) & 1;
                if (c & 2) { /* { or [ */
                    if (depth >= JX_MAX_DEPTH - 1)
                        goto soft; /* near jansson's limit: the scalar scanner judges */
                    stack[depth >> 6] = (stack[depth >> 6] & ~((uint64_t)1 << (depth & 63))) |
                                        obj << (depth & 63);
                    depth++;
                } else {
                    if (depth == 0 ||
                        ((stack[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1) != obj)
                        goto fail;
                    depth--;
                    if (depth <= 1 && !jx_closed_to(&ks, buf, depth, cbase + off + 1, &root_end))
                        goto fail;
                }
            }
            if (depth < 63) { /* back into the register for the next chunk */
                stk = 0;
                for (uint32_t l = 0; l < depth; l++)
                    stk = stk << 1 | ((stack[l >> 6] >> (l & 63)) & 1);
                deep = false;
            }
        }
    }
    /* Closed, whole, and nothing but whitespace after the root. */
    if (prev_in_str || depth != 0 || !root_end || jx_skip_ws(buf, len, root_end) != len)
        goto fail;
    v->repeated = ks.repeated;
    return JX_OK;

soft:
    return jx_rescan(buf, len, spec, slots, v, false); /* near jansson's depth limit */

fail:
    return jx_rescan(buf, len, spec, slots, v, true);
}

#undef JX_CHUNK
