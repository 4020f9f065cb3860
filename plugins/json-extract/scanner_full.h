/*
 * validate = full: the block loop that checks the whole grammar on bitmaps,
 * compiled for AVX2 by scanner.c (which defines JX_FULL_NAME,
 * JX_TARGET, JX_CLASSIFY_FULL, JX_ESCAPES_FULL, JX_PREFIX_XOR and the JX_UTF8_*
 * hooks before including this file; JX_NO_BRANCH 1 computes escapes on
 * every block instead of branching on backslashes, and matches brackets
 * without branching on each). See scanner.c for the essay; the rules
 * below are its "GRAMMAR ON BITMAPS" section.
 */

static JX_TARGET enum jx_err JX_FULL_NAME(const char *buf, size_t len,
                                          const struct jx_spec *spec, struct jx_slot *slots,
                                          struct jx_verdict *v)
{
    jx_verdict_start(v);
    v->stop = len;

    uint64_t prev_escaped = 0; /* the next block's first byte is escaped */
    uint64_t prev_in_str = 0;  /* all ones if a string is open */
    uint64_t prev_sc = 0;      /* the previous byte was part of a number/literal */
    /* Carries of jx_after (see there) and of the key transfer. */
    uint64_t c_start = 1, c_lb = 0, c_lk = 0, c_co = 0, c_cm = 0, c_ve = 0, c_key = 0;
    uint64_t c_xfer = 0;
    uint64_t inobj_in = 0; /* all ones if the innermost open container is an object */
#if JX_NO_BRANCH
    uint64_t d1_in = 0;    /* all ones if the depth is 1 */
    uint64_t stk = 0;      /* the bracket stack while it fits (see below) */
    bool deep = false;     /* it does not: `stack` holds it */
#endif
    uint64_t err = 0;      /* fault bits, accumulated */
    uint32_t depth = 0;
    bool closed = false; /* the root value is complete */
    size_t u_done = 0;   /* \u escapes checked below this offset */
    struct jx_keys ks = {.spec = spec, .slots = slots, .open_slot = -1, .lenmask = 0};
    for (unsigned i = 0; i < spec->n; i++)
        if (spec->len[i] < 64)
            ks.lenmask |= (uint64_t)1 << spec->len[i];
    struct jx_first fc;
    jx_first_bytes(spec, &fc);
    uint64_t stack[JX_MAX_DEPTH / 64]; /* bit set = object */
    JX_UTF8_STATE u8;
    JX_UTF8_INIT(&u8);
    char tail[64];

    for (size_t base = 0; base < len; base += 64) {
        const char *p = jx_block_ptr(buf + base, len - base, tail);
        struct jx_fmasks k;
        JX_CLASSIFY_FULL(p, &k, &fc);

        /* Which bytes are escaped (the byte after an escaping backslash). */
        uint64_t escaped = (JX_NO_BRANCH || (k.bs | prev_escaped))
                               ? jx_escaped(k.bs, &prev_escaped)
                               : 0;
        uint64_t quote = k.quote & ~escaped;
        /* Inside strings: the opening quote and the bytes up to (without)
         * the closing quote. */
        uint64_t in_str = JX_PREFIX_XOR(quote) ^ prev_in_str;
        prev_in_str = (uint64_t)((int64_t)in_str >> 63);
        uint64_t out = ~in_str;

        /* The token classes (bytes outside strings, plus the quotes). */
        uint64_t oq = quote & in_str, cq = quote & out;
        uint64_t w = k.ws & out;
        uint64_t opn = k.opn & out, cls = k.cls & out;
        uint64_t lb = opn & k.c5, lk = opn & ~k.c5, rb = cls & k.c5, rk = cls & ~k.c5;
        uint64_t co = k.colon & out, cm = k.comma & out;
        uint64_t sc = ~(k.ws | k.opn | k.cls | k.colon | k.comma | k.quote | in_str);
        uint64_t sc_prev = (sc << 1) | prev_sc;
        prev_sc = sc >> 63;
        uint64_t ss = sc & ~sc_prev; /* first bytes of numbers and literals */
        uint64_t vs = oq | ss | opn; /* value starts */
        if (closed)
            err |= ~w; /* only whitespace after the root value */

        uint64_t a_start, a_lb, a_lk, a_co, a_cm;
        if (__builtin_expect(w == 0, 1)) { /* compact JSON: plain shifts */
            a_start = jx_after0(0, &c_start);
            a_lb = jx_after0(lb, &c_lb);
            a_lk = jx_after0(lk, &c_lk);
            a_co = jx_after0(co, &c_co);
            a_cm = jx_after0(cm, &c_cm);
        } else {
            a_start = jx_after(0, w, &c_start);
            a_lb = jx_after(lb, w, &c_lb);
            a_lk = jx_after(lk, w, &c_lk);
            a_co = jx_after(co, w, &c_co);
            a_cm = jx_after(cm, w, &c_cm);
        }
        /* Strings not after ':': keys, if in an object. */
        uint64_t cand = oq & ~a_co;
        uint64_t kcand = cand & (((k.first | k.bs) >> 1) | (uint64_t)1 << 63);

#if JX_NO_BRANCH
        /* Brackets in order: matching, depth, which container each byte is
         * in (inobj), where the depth is 1 (d1: the root object's keys) and
         * where it returns to 1 (ret1: ends of object and array values).
         * Without branches on the bracket while the stack fits a register
         * (stk: bit 0 is the innermost container, set for an object); the
         * bit array `stack` beyond 64 levels. */
        uint64_t inobj = inobj_in, d1 = d1_in, ret1 = 0, shut = 0;
        uint64_t br = opn | cls;
        if (br) {
            uint32_t nopen = (uint32_t)__builtin_popcountll(opn);
            if (__builtin_expect(depth + nopen < 64, 1)) {
                if (__builtin_expect(deep, 0)) { /* back from the bit array */
                    stk = 0;
                    for (uint32_t l = 0; l < depth; l++)
                        stk = stk << 1 | ((stack[l >> 6] >> (l & 63)) & 1);
                    deep = false;
                }
                uint64_t bad = 0;
                do {
                    unsigned off = (unsigned)__builtin_ctzll(br);
                    br &= br - 1;
                    uint64_t above = ((uint64_t)~0 << off) << 1;
                    unsigned c = (unsigned char)p[off];
                    uint64_t open = (c >> 1) & 1, obj = (c >> 5) & 1;
                    uint64_t empty = depth == 0;
                    /* A closing bracket: something open, of its kind. */
                    bad |= (open ^ 1) & (empty | ((stk ^ obj) & 1));
                    stk = open ? stk << 1 | obj : stk >> 1;
                    depth = open ? depth + 1 : depth - 1 + (uint32_t)empty;
                    uint64_t one = -(uint64_t)(depth == 1);
                    inobj = (inobj & ~above) | (-(stk & 1) & above);
                    d1 = (d1 & ~above) | (one & above);
                    ret1 |= (one & (open ^ 1)) << off;
                    shut |= -((open ^ 1) & (depth == 0)) & above;
                } while (br);
                if (bad)
                    goto fail;
            } else {
                if (depth + nopen >= JX_MAX_DEPTH - 1)
                    goto soft; /* near jansson's limit: let the scalar scanner judge */
                if (!deep) { /* into the bit array */
                    for (uint32_t l = 0; l < depth; l++) {
                        uint64_t bit = (uint64_t)1 << (l & 63);
                        stack[l >> 6] = (stack[l >> 6] & ~bit) |
                                        (-((stk >> (depth - 1 - l)) & 1) & bit);
                    }
                    deep = true;
                }
                do {
                    unsigned off = (unsigned)__builtin_ctzll(br);
                    br &= br - 1;
                    uint64_t above = ((uint64_t)~0 << off) << 1;
                    unsigned char c = (unsigned char)p[off];
                    uint64_t obj = (c >> 5) & 1;
                    if (c & 2) { /* { or [ */
                        stack[depth >> 6] = (stack[depth >> 6] & ~((uint64_t)1 << (depth & 63))) |
                                            obj << (depth & 63);
                        depth++;
                    } else {
                        if (depth == 0 ||
                            ((stack[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1) != obj)
                            goto fail;
                        depth--;
                        if (depth == 1)
                            ret1 |= (uint64_t)1 << off;
                        else if (depth == 0)
                            shut |= above;
                    }
                    uint64_t top =
                        depth ? -((stack[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1) : 0;
                    inobj = (inobj & ~above) | (top & above);
                    d1 = (d1 & ~above) | (-(uint64_t)(depth == 1) & above);
                } while (br);
            }
            /* (a bracket at bit 63 changes none of the bitmaps: the state
             * that enters the next block comes from the stack) */
            if (!deep)
                inobj_in = -(stk & 1);
            else
                inobj_in = depth ? -((stack[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1) : 0;
            d1_in = -(uint64_t)(depth == 1);
            if (depth == 0)
                closed = true; /* (a closing bracket on an empty stack failed above) */
            err |= ~w & shut;
        }
        /* The root object's keys; the end of an object or array value of a
         * wanted key left open in an earlier block. */
        if (ks.open_slot >= 0 && ret1)
            jx_keys_close(&ks, buf, base, ret1);
        uint64_t keys = kcand & d1;
        if (keys && jx_keys_run(&ks, buf, len, base, keys, quote, k.bs, ret1, v))
            goto fail;
#else
        /* (The same with a branch per bracket: faster with AVX2.) */
        /* Brackets in order: matching, depth, which container each byte is
         * in; between them, at depth 1, the root object's keys. */
        uint64_t inobj = inobj_in;
        uint64_t br = opn | cls;
        unsigned seg = 0; /* keys below this offset are done */
        while (br) {
            unsigned off = (unsigned)__builtin_ctzll(br);
            br &= br - 1;
            if (depth == 1) {
                uint64_t keys = kcand & ((((uint64_t)1 << off) - 1) & ~(((uint64_t)1 << seg) - 1));
                if (keys && jx_keys_run(&ks, buf, len, base, keys, quote, k.bs, 0, v))
                    goto fail;
            }
            seg = off + 1;
            uint64_t above = ((uint64_t)~0 << off) << 1;
            unsigned char c = (unsigned char)p[off];
            uint64_t obj = (c >> 5) & 1;
            if (c & 2) { /* { or [ */
                if (depth >= JX_MAX_DEPTH - 1)
                    goto soft; /* near jansson's limit: let the scalar scanner judge */
                stack[depth >> 6] = (stack[depth >> 6] & ~((uint64_t)1 << (depth & 63))) |
                                    obj << (depth & 63);
                depth++;
            } else {
                if (depth == 0 || ((stack[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1) != obj)
                    goto fail;
                depth--;
                if (depth == 1 && ks.open_slot >= 0) {
                    struct jx_slot *s = &slots[ks.open_slot];
                    s->len = (uint32_t)(buf + base + off + 1 - s->ptr);
                    ks.open_slot = -1;
                } else if (depth == 0) {
                    closed = true;
                    err |= ~w & above;
                }
            }
            uint64_t top = depth ? -((stack[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1) : 0;
            inobj = (inobj & ~above) | (top & above);
        }
        if (depth == 1 && seg < 64) {
            uint64_t keys = kcand & ~(((uint64_t)1 << seg) - 1);
            if (keys && jx_keys_run(&ks, buf, len, base, keys, quote, k.bs, 0, v))
                goto fail;
        }
        inobj_in = depth ? -((stack[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1) : 0;
#endif

        /* Key strings: carry their opening quote to their closing one by
         * adding it to the run of in-string bits. */
        uint64_t keyq = cand & inobj, sum;
        uint64_t o1 = __builtin_add_overflow(in_str, keyq, &sum);
        uint64_t o2 = __builtin_add_overflow(sum, c_xfer, &sum);
        c_xfer = o1 | o2;
        uint64_t keycq = sum & out & quote;
        uint64_t a_key, a_ve, ve = (cq & ~keycq) | cls | sc;
        if (__builtin_expect(w == 0, 1)) {
            a_key = jx_after0(keycq, &c_key);
            a_ve = jx_after0(ve, &c_ve);
        } else {
            a_key = jx_after(keycq, w, &c_key);
            a_ve = jx_after(ve, w, &c_ve);
        }
        a_ve &= ~(sc & sc_prev);

        /* What may follow what (whitespace skipped). */
        err |= a_start & ~lb;                                   /* the root is an object */
        err |= a_lb & ~(oq | rb);                               /* { then a key or } */
        err |= a_lk & ~(vs | rk);                               /* [ then a value or ] */
        err |= a_co & ~vs;                                      /* : then a value */
        err |= a_cm & ~((oq & inobj) | (vs & ~inobj));          /* , then a key / value */
        err |= a_ve & ~(cm | cls);                              /* value then , } ] */
        err |= a_key ^ co;                                      /* keys, and only keys, then : */
        err |= k.ctrl & in_str;                                 /* raw control bytes */

        /* Escapes: only \" \\ \/ \b \f \n \r \t \u. */
        uint64_t esc_in = escaped & in_str;
        uint64_t ucheck = 0;
        if (JX_NO_BRANCH || esc_in) {
            uint64_t valid, is_u;
            JX_ESCAPES_FULL(p, &valid, &is_u);
            err |= esc_in & ~valid;
            ucheck = esc_in & is_u;
        }
        if (err)
            goto fail;
        /* \u escapes: four hex digits, no U+0000, paired surrogates. */
        if (!jx_check_u_bits(buf, len, base, ucheck, &u_done, v))
            goto fail;
        /* Numbers and literals. */
        while (ss) {
            size_t pos = base + (size_t)__builtin_ctzll(ss);
            ss &= ss - 1;
            if (!jx_scalar_ok(buf, len, pos, v))
                goto fail;
        }
        if (JX_UTF8_BLOCK(&u8, p, buf, len, base))
            goto fail;
    }
    if (prev_in_str || !closed || JX_UTF8_END(&u8))
        goto fail;
    v->repeated = ks.repeated;
    return JX_OK;

soft:
    /* Not a fault, or not one this loop names: the scalar scanner decides. */
    return jx_rescan(buf, len, spec, slots, v, false);

fail:
    return jx_rescan(buf, len, spec, slots, v, true);
}
