/*
 * The block loop of the SIMD scanner, compiled once per instruction set by
 * scanner.c (which defines JX_NAME, JX_TARGET, JX_CLASSIFY, JX_ESCAPES and
 * JX_PREFIX_XOR before including this file). See scanner.c for the essay.
 */

static JX_TARGET enum jx_err JX_NAME(const char *buf, size_t len, const struct jx_spec *spec,
                                     struct jx_slot *slots, struct jx_verdict *v)
{
    struct jx_machine m;
    jx_machine_init(&m, buf, len, spec, slots);
    jx_verdict_start(v);
    v->stop = len;

    uint64_t prev_escaped = 0;  /* the next block's first byte is escaped */
    uint64_t prev_in_str = 0;   /* all ones if a string is open */
    uint64_t prev_scalar = 0;   /* the previous byte was part of a token */
    size_t utf8_done = 0;       /* UTF-8 checked below this offset */
    size_t u_done = 0;          /* \u escapes checked below this offset */
    size_t stop = SIZE_MAX;     /* validate = fields: where the verdict ends */
    char tail[64];

    for (size_t base = 0; base < len; base += 64) {
        size_t avail = len - base;
        const char *p = jx_block_ptr(buf + base, avail, tail);
        struct jx_masks k;
        JX_CLASSIFY(p, &k);

        /* Which bytes are escaped (the byte after an escaping backslash). */
        uint64_t escaped = (k.bs | prev_escaped) ? jx_escaped(k.bs, &prev_escaped) : 0;
        uint64_t quote = k.quote & ~escaped;
        /* Inside strings: the opening quote and the bytes up to (without)
         * the closing quote. */
        uint64_t in_str = JX_PREFIX_XOR(quote) ^ prev_in_str;
        prev_in_str = (uint64_t)((int64_t)in_str >> 63);

        /* Faults in string bodies, as a bitmap of positions. */
        uint64_t err = k.ctrl & in_str;
        uint64_t esc_in = escaped & in_str;
        uint64_t ucheck = 0;
        if (esc_in) {
            uint64_t valid, is_u;
            JX_ESCAPES(p, &valid, &is_u);
            err |= esc_in & ~valid;
            ucheck = esc_in & is_u;
        }

        /* Events: structural bytes outside strings, opening quotes, and the
         * first byte of every number or literal. */
        uint64_t scalar = ~(k.ws | k.op | k.quote | in_str);
        uint64_t ev = (k.op & ~in_str) | (quote & in_str) |
                      (scalar & ~((scalar << 1) | prev_scalar));
        prev_scalar = scalar >> 63;
        if (avail < 64)
            ev &= ((uint64_t)1 << avail) - 1;
        if (stop != SIZE_MAX)
            ev = 0; /* stopped: only finish checking the last wanted value */

        while (ev) {
            size_t pos = base + (size_t)__builtin_ctzll(ev);
            ev &= ev - 1;
            m.any_event = true;
            enum jx_err e;
            if (m.state == ST_DONE)
                goto done;
            switch (buf[pos]) {
            case '{':
            case '[':
                e = jx_ev_open(&m, pos, buf[pos] == '{', v);
                break;
            case '}':
            case ']':
                e = jx_ev_close(&m, pos, buf[pos] == '}', v);
                break;
            case ':':
                e = jx_ev_colon(&m, pos, v);
                break;
            case ',':
                e = jx_ev_comma(&m, pos, v);
                break;
            case '"': {
                size_t end = 0;
                bool esc = false;
                bool key = m.state == ST_OBJECT_FIRST || m.state == ST_KEY;
                if (m.depth == 1 && (key ? m.root_object : m.pending >= 0)) {
                    /* Where does it end? The next unescaped quote. */
                    unsigned off = (unsigned)(pos - base);
                    uint64_t after = off == 63 ? 0 : quote & ~((2ull << off) - 1);
                    if (after) {
                        unsigned eoff = (unsigned)__builtin_ctzll(after);
                        end = base + eoff;
                        esc = (k.bs & (((1ull << eoff) - 1) & ~((2ull << off) - 1))) != 0;
                    } else {
                        end = jx_string_end(buf, len, pos, &esc);
                        if (end >= len)
                            goto done;
                    }
                }
                e = jx_ev_string(&m, pos, end, esc, v);
                break;
            }
            default: {
                uint8_t kind;
                int64_t ival = 0;
                size_t n = jx_token(buf, len, pos, &kind, &ival, v);
                if (!n)
                    goto done;
                e = jx_ev_scalar(&m, pos, n, kind, ival, v);
                break;
            }
            }
            if (e)
                goto done;
            if (spec->stop_early && m.found == m.all && m.all) {
                /* validate = fields: the verdict covers bytes before `stop`;
                 * a string value may still run into the next blocks. */
                stop = m.last_end;
                break;
            }
        }
        if (stop != SIZE_MAX && stop - base < 64) {
            uint64_t below = ((uint64_t)1 << (stop - base)) - 1;
            err &= below;
            ucheck &= below;
        }

        if (err)
            goto done;
        /* \u escapes: four hex digits, no U+0000, paired surrogates. */
        if (!jx_check_u_bits(buf, len, base, ucheck, &u_done, v))
            goto done;
        /* UTF-8: whole runs of non-ASCII bytes, from their first byte. */
        uint64_t high = k.high;
        if (avail < 64)
            high &= ((uint64_t)1 << avail) - 1;
        while (high) {
            size_t hpos = base + (size_t)__builtin_ctzll(high);
            high &= high - 1;
            if (hpos < utf8_done)
                continue;
            if (hpos >= stop)
                break;
            const unsigned char *b = (const unsigned char *)buf;
            size_t q = hpos;
            while (q < len && b[q] >= 0x80) {
                size_t n = jx_utf8_seq(b, len, q);
                if (!n)
                    goto done;
                q += n;
            }
            utf8_done = q;
        }
        if (stop != SIZE_MAX && stop <= base + 64) {
            v->stop = stop;
            v->repeated = m.repeated;
            return JX_OK;
        }
    }
    if (prev_in_str)
        goto done;
    return jx_machine_end(&m, v);

done:
    return jx_rescan(buf, len, spec, slots, v, true);
}
