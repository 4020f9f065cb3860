/*
 * UTF-8 by table lookups (Keiser and Lemire, "Validating UTF-8 in less than
 * one instruction per byte", 2021; simdjson's lookup4), the tables for the
 * AVX2 and AVX-512 checks (scan_avx2.c, scan_avx512.c): each byte pair is
 * classified by three 16-entry tables, indexed by the high nibble of the
 * previous byte, its low nibble, and the high nibble of this byte, whose AND
 * is nonzero exactly for the bad pairs; the bytes that must be the 3rd or
 * 4th of a sequence come from the bytes two and three back (the byte two
 * back >= 0xE0, three back >= 0xF0), and must be continuation bytes, which
 * the tables flag as TWO_CONTS. The tables are lists of 16 byte values, for
 * _mm256_setr_epi8 (twice) or a 128-bit broadcast.
 */
#ifndef SLUICE_JX_UTF8_LOOKUP_H
#define SLUICE_JX_UTF8_LOOKUP_H

#define U8_TOO_SHORT 0x01
#define U8_TOO_LONG 0x02
#define U8_OVERLONG_3 0x04
#define U8_TOO_LARGE 0x08
#define U8_SURROGATE 0x10
#define U8_OVERLONG_2 0x20
#define U8_TOO_LARGE_1000 0x40
#define U8_OVERLONG_4 0x40
#define U8_TWO_CONTS 0x80
#define U8_CARRY (U8_TOO_SHORT | U8_TOO_LONG | U8_TWO_CONTS)

/* By the high nibble of the previous byte. */
#define U8_BYTE1_HIGH                                                                    \
    U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG, U8_TOO_LONG,        \
        U8_TOO_LONG, U8_TOO_LONG, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS, U8_TWO_CONTS, \
        U8_TOO_SHORT | U8_OVERLONG_2, U8_TOO_SHORT,                                      \
        U8_TOO_SHORT | U8_OVERLONG_3 | U8_SURROGATE,                                     \
        (char)(U8_TOO_SHORT | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_OVERLONG_4)

/* By the low nibble of the previous byte. */
#define U8_LARGE (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000)
#define U8_BYTE1_LOW                                                                     \
    (char)(U8_CARRY | U8_OVERLONG_3 | U8_OVERLONG_2 | U8_OVERLONG_4),                    \
        (char)(U8_CARRY | U8_OVERLONG_2), (char)U8_CARRY, (char)U8_CARRY,                \
        (char)(U8_CARRY | U8_TOO_LARGE), U8_LARGE, U8_LARGE, U8_LARGE, U8_LARGE,          \
        U8_LARGE, U8_LARGE, U8_LARGE, U8_LARGE,                                          \
        (char)(U8_CARRY | U8_TOO_LARGE | U8_TOO_LARGE_1000 | U8_SURROGATE), U8_LARGE,    \
        U8_LARGE

/* By the high nibble of this byte. */
#define U8_BYTE2_HIGH                                                                    \
    U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT,  \
        U8_TOO_SHORT, U8_TOO_SHORT,                                                      \
        (char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 |              \
               U8_TOO_LARGE_1000 | U8_OVERLONG_4),                                       \
        (char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_OVERLONG_3 | U8_TOO_LARGE), \
        (char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE | U8_TOO_LARGE),  \
        (char)(U8_TOO_LONG | U8_OVERLONG_2 | U8_TWO_CONTS | U8_SURROGATE | U8_TOO_LARGE),  \
        U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT, U8_TOO_SHORT

/* A lead byte in the last three places of a block still wants bytes: the
 * largest byte allowed there, for the end of a 16-byte lane (a saturating
 * subtraction leaves nonzero bytes where a sequence is cut). */
#define U8_MAX_TAIL16                                                                    \
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, (char)(0xF0 - 1),                \
        (char)(0xE0 - 1), (char)(0xC0 - 1)

#endif
