/*
 * Token checks shared by the scalar and the SIMD scanner: numbers and
 * literals, UTF-8 sequences, \u escapes. They follow jansson 2.14's rules
 * exactly (src/load.c, src/utf.c), because `mode = strict` is jansson and the
 * modes must agree on every verdict:
 *   - numbers: RFC 8259 grammar; an integer (no '.', no exponent) must fit
 *     int64 ("too big integer"); a real must not overflow a double
 *     (underflow to 0 is fine);
 *   - literals: exactly true, false, null;
 *   - UTF-8: shortest form, no surrogates, at most U+10FFFF;
 *   - \u escapes: four hex digits, never U+0000 (no JSON_ALLOW_NUL), a high
 *     surrogate only directly followed by a \u low surrogate, no lone low one.
 */
#include "jx.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Bytes that end a scalar token: whitespace, structural characters, '"'. */
const unsigned char jx_delim[256] = {
    [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['{'] = 1, ['}'] = 1,
    ['['] = 1, [']'] = 1, [':'] = 1, [','] = 1, ['"'] = 1,
};

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Does the decimal real in s[0..n) (grammar already checked) overflow a
 * double? Decide from the decimal exponent; only the border case asks strtod. */
static bool real_overflows(const char *s, size_t n)
{
    size_t i = 0;
    if (s[i] == '-')
        i++;
    /* Significant digits: skip leading zeros, count integer digits. */
    long long int_digits = 0, lead_frac_zeros = 0;
    bool nonzero = false;
    for (; i < n && is_digit(s[i]); i++) {
        if (s[i] != '0')
            nonzero = true;
        if (nonzero)
            int_digits++;
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && is_digit(s[i]); i++) {
            if (!nonzero) {
                if (s[i] == '0')
                    lead_frac_zeros++;
                else
                    nonzero = true;
            }
        }
    }
    if (!nonzero)
        return false; /* zero */
    long long exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool neg = false;
        if (s[i] == '+' || s[i] == '-')
            neg = s[i++] == '-';
        for (; i < n; i++) {
            if (exp < 100000000)
                exp = exp * 10 + (s[i] - '0');
        }
        if (neg)
            exp = -exp;
    }
    /* value = 0.ddd × 10^e10 */
    long long e10 = exp + (int_digits ? int_digits : -lead_frac_zeros);
    if (e10 <= 308)
        return false;
    if (e10 >= 310)
        return true;
    char tmp[1200];
    size_t m = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
    memcpy(tmp, s, m);
    tmp[m] = '\0';
    errno = 0;
    double d = strtod(tmp, NULL);
    return errno == ERANGE && isinf(d);
}

size_t jx_token(const char *buf, size_t len, size_t pos, uint8_t *kind, int64_t *ival,
                struct jx_verdict *v)
{
    size_t end = pos;
    while (end < len && !jx_delim[(unsigned char)buf[end]])
        end++;
    const char *s = buf + pos;
    size_t n = end - pos;

    switch (s[0]) {
    case 't':
        if (n == 4 && memcmp(s, "true", 4) == 0) {
            *kind = JX_TRUE;
            return n;
        }
        break;
    case 'f':
        if (n == 5 && memcmp(s, "false", 5) == 0) {
            *kind = JX_FALSE;
            return n;
        }
        break;
    case 'n':
        if (n == 4 && memcmp(s, "null", 4) == 0) {
            *kind = JX_NULL;
            return n;
        }
        break;
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': {
        size_t i = 0;
        bool neg = s[0] == '-';
        if (neg)
            i++;
        if (i == n || !is_digit(s[i]))
            break;
        if (s[i] == '0')
            i++;
        else
            while (i < n && is_digit(s[i]))
                i++;
        bool real = false;
        if (i < n && s[i] == '.') {
            i++;
            if (i == n || !is_digit(s[i]))
                break;
            while (i < n && is_digit(s[i]))
                i++;
            real = true;
        }
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
            i++;
            if (i < n && (s[i] == '+' || s[i] == '-'))
                i++;
            if (i == n || !is_digit(s[i]))
                break;
            while (i < n && is_digit(s[i]))
                i++;
            real = true;
        }
        if (i != n)
            break;
        if (real) {
            if (real_overflows(s, n)) {
                jx_fail(v, JX_MALFORMED, pos, "real number overflow");
                return 0;
            }
            *kind = JX_REAL;
            return n;
        }
        if (!jx_parse_int(s, n, ival)) {
            jx_fail(v, JX_MALFORMED, pos, "integer does not fit 64 bits");
            return 0;
        }
        *kind = JX_INT;
        return n;
    }
    default:
        break;
    }
    jx_fail(v, JX_MALFORMED, pos, "invalid token");
    return 0;
}

size_t jx_utf8_seq(const unsigned char *b, size_t len, size_t pos)
{
    unsigned c = b[pos];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else
        return 0;
    if (len - pos < n)
        return 0;
    if (b[pos + 1] < lo || b[pos + 1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((b[pos + i] & 0xC0) != 0x80)
            return 0;
    return n;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

size_t jx_check_u(const char *buf, size_t len, size_t pos, struct jx_verdict *v)
{
    if (len - pos < 5) {
        /* Fewer than four digits before the end: a bad escape unless what is
         * there could still be a prefix of one (then the input was cut). */
        for (size_t i = pos + 1; i < len; i++)
            if (hex4((const char[]){buf[i], '0', '0', '0'}) < 0) {
                jx_fail(v, JX_MALFORMED, pos - 1, "invalid \\u escape");
                return 0;
            }
        jx_fail(v, JX_TRUNCATED, len, "truncated JSON (input ended inside a string)");
        return 0;
    }
    int u = hex4(buf + pos + 1);
    if (u < 0) {
        jx_fail(v, JX_MALFORMED, pos - 1, "invalid \\u escape");
        return 0;
    }
    if (u == 0) {
        jx_fail(v, JX_MALFORMED, pos - 1, "\\u0000 in a string");
        return 0;
    }
    if (u >= 0xDC00 && u <= 0xDFFF) {
        jx_fail(v, JX_MALFORMED, pos - 1, "lone low surrogate in \\u escape");
        return 0;
    }
    if (u < 0xD800 || u > 0xDBFF)
        return 4;
    if (len - pos >= 11 && buf[pos + 5] == '\\' && buf[pos + 6] == 'u') {
        int lo = hex4(buf + pos + 7);
        if (lo >= 0xDC00 && lo <= 0xDFFF)
            return 10;
    }
    jx_fail(v, JX_MALFORMED, pos - 1, "unpaired high surrogate in \\u escape");
    return 0;
}
