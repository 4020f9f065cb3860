/*
 * The scalar scanner: one pass over the bytes, feeding the grammar automaton
 * of machine.h. It is the fallback on CPUs without SSE2, the reference the
 * SIMD scanner is tested against, and the one that names the error when the
 * SIMD scanner refuses a frame (it only knows *that* something is wrong
 * within a block, this one knows the first wrong byte, in jansson's order).
 *
 * Error classes: input that ends where more was needed (inside a string,
 * after a '\', inside a \u escape, an unclosed bracket, a missing value) is
 * TRUNCATED; anything after the root value is TRAILING; every other fault is
 * MALFORMED. jansson calls some truncations "invalid token" ("tru" at the
 * end); both are invalid JSON, and the tests compare that group, not the
 * class inside it.
 */
#include "jx.h"
#include "machine.h"

/* Check the string whose opening quote is at pos; return the index of its
 * closing quote (0 with v set if it is bad). */
static size_t scan_string(const char *buf, size_t len, size_t pos, bool *escaped,
                          struct jx_verdict *v)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t i = pos + 1;
    bool esc = false;
    for (;;) {
        if (i >= len) {
            jx_fail(v, JX_TRUNCATED, len, "truncated JSON (input ended inside a string)");
            return 0;
        }
        unsigned c = b[i];
        if (c == '"')
            break;
        if (c == '\\') {
            esc = true;
            if (i + 1 == len) {
                jx_fail(v, JX_TRUNCATED, len, "truncated JSON (input ended inside a string)");
                return 0;
            }
            switch (b[i + 1]) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                i += 2;
                break;
            case 'u': {
                size_t n = jx_check_u(buf, len, i + 1, v);
                if (!n)
                    return 0;
                i += 2 + n;
                break;
            }
            default:
                jx_fail(v, JX_MALFORMED, i, "invalid escape in a string");
                return 0;
            }
        } else if (c < 0x20) {
            jx_fail(v, JX_MALFORMED, i, "control character in a string");
            return 0;
        } else if (c >= 0x80) {
            size_t n = jx_utf8_seq(b, len, i);
            if (!n) {
                jx_fail(v, JX_MALFORMED, i, "invalid UTF-8");
                return 0;
            }
            i += n;
        } else {
            i++;
        }
    }
    *escaped = esc;
    return i;
}

enum jx_err jx_scan_scalar(const char *buf, size_t len, const struct jx_spec *spec,
                           struct jx_slot *slots, struct jx_verdict *v)
{
    struct jx_machine m;
    jx_machine_init(&m, buf, len, spec, slots);
    jx_verdict_start(v);
    size_t i = 0;
    enum jx_err e = JX_OK;
    for (;;) {
        i = jx_skip_ws(buf, len, i);
        if (i == len)
            break;
        m.any_event = true;
        char c = buf[i];
        if (m.state == ST_DONE)
            return jx_fail(v, JX_TRAILING, i, "trailing garbage after the JSON value");
        switch (c) {
        case '{':
        case '[':
            e = jx_ev_open(&m, i, c == '{', v);
            i++;
            break;
        case '}':
        case ']':
            e = jx_ev_close(&m, i, c == '}', v);
            i++;
            break;
        case ':':
            e = jx_ev_colon(&m, i, v);
            i++;
            break;
        case ',':
            e = jx_ev_comma(&m, i, v);
            i++;
            break;
        case '"': {
            bool esc;
            size_t end = scan_string(buf, len, i, &esc, v);
            if (!end)
                return v->err;
            e = jx_ev_string(&m, i, end, esc, v);
            i = end + 1;
            break;
        }
        default: {
            uint8_t kind;
            int64_t ival = 0;
            size_t n = jx_token(buf, len, i, &kind, &ival, v);
            if (!n)
                return v->err;
            e = jx_ev_scalar(&m, i, n, kind, ival, v);
            i += n;
            break;
        }
        }
        if (e)
            return e;
        if (spec->stop_early && m.found == m.all && m.all) {
            v->stop = m.last_end;
            return JX_OK;
        }
    }
    v->stop = len;
    return jx_machine_end(&m, v);
}
