/*
 * String unescaping and numeric strings. Only wanted values and escaped
 * root keys are ever decoded, and only when they contain a backslash: the
 * common case points into the frame (zero copy).
 */
#include "jx.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at s (room checked by the caller), or -1. */
static long hex4(const char *s)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(s[i]);
        if (h < 0)
            return -1;
        v = v << 4 | h;
    }
    return v;
}

static size_t put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The input was validated, but the SIMD scanner may match a key before the
 * block holding a bad escape was checked: stay in bounds and never grow the
 * output whatever the bytes are (the frame is then refused anyway). */
size_t jx_decode(const char *raw, size_t len, char *out)
{
    size_t i = 0, o = 0;
    while (i < len) {
        char c = raw[i];
        if (c != '\\' || i + 1 == len) {
            out[o++] = c;
            i++;
            continue;
        }
        char e = raw[i + 1];
        i += 2;
        switch (e) {
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            long cp = len - i >= 4 ? hex4(raw + i) : -1;
            if (cp < 0) {
                out[o++] = '?';
                break;
            }
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && len - i >= 6 && raw[i] == '\\' &&
                raw[i + 1] == 'u') {
                long lo = hex4(raw + i + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            o += put_utf8(out + o, (unsigned long)cp); /* 6 raw bytes >= 3 out */
            break;
        }
        default: out[o++] = e; break; /* " \ / and anything invalid */
        }
    }
    return o;
}

bool jx_parse_int(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && s[i] == '-') {
        neg = true;
        i++;
    }
    if (i == len || len - i > 19)
        return false;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    /* 19 digits cannot overflow uint64; check the int64 range. */
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return false;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)v;
    }
    return true;
}
