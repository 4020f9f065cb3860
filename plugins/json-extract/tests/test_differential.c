/*
 * Fast versus strict, frame by frame (the rules are in scanner.c's essay and
 * diffcheck.c): both challenge samples (every frame must give uid and ts),
 * generated frames from many seeds, every truncation and many byte flips of
 * real frames, backslash runs across 64-byte block edges, and random token
 * soup. Every SIMD level the CPU has is checked, and the scalar scanner.
 */
#include "check.h"
#include "diffcheck.h"
#include "gen.h"
#include "jx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_FRAME (1 << 16)

static struct diff_stats stats;
static int reported;

static void check_frame(const char *buf, size_t len, bool require_ok, const char *what)
{
    char why[600];
    bool ok = diff_check(buf, len, require_ok, &stats, why, sizeof why);
    CHECK(ok);
    if (!ok && reported++ < 20)
        fprintf(stderr, "%s: %s\n  frame (%zu bytes): %.*s\n", what, why, len,
                (int)(len > 400 ? 400 : len), buf);
}

/* Frames of a .jsonl.gz file, "\r\n" or "\n" ended; returns how many. */
static size_t load(const char *path, char ***out, size_t **lens)
{
    gzFile f = gzopen(path, "rb");
    if (!f)
        return 0;
    size_t n = 0, cap = 4096;
    char **v = malloc(cap * sizeof *v);
    size_t *l = malloc(cap * sizeof *l);
    char *line = malloc(MAX_FRAME);
    while (gzgets(f, line, MAX_FRAME)) {
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            len--;
        if (n == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            l = realloc(l, cap * sizeof *l);
        }
        v[n] = malloc(len + 1);
        memcpy(v[n], line, len);
        l[n++] = len;
    }
    free(line);
    gzclose(f);
    *out = v;
    *lens = l;
    return n;
}

static const char *data_dir(void)
{
    const char *d = getenv("SLUICE_TEST_DATA");
    return d ? d : "tests/data";
}

static void mutate(const char *frame, size_t len, unsigned seed, const char *what);
static void mutate_lenient(const char *frame, size_t len, unsigned seed, const char *what);

static void check_samples(void)
{
    const char *files[] = {"challenge-sample-a.jsonl.gz", "challenge-sample-late.jsonl.gz"};
    for (int f = 0; f < 2; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", data_dir(), files[f]);
        char **frames = NULL;
        size_t *lens = NULL;
        size_t n = load(path, &frames, &lens);
        CHECK_INT_EQ(n, 3000);
        for (size_t i = 0; i < n; i++) {
            /* The late sample keeps its "\r": the extractor strips it. */
            size_t len = lens[i];
            if (len && frames[i][len - 1] == '\r')
                len--;
            check_frame(frames[i], len, true, files[f]);
        }
        /* Every truncation of a few frames, byte flips of more. */
        for (size_t i = 0; i < n; i += 100) {
            size_t len = lens[i];
            if (len && frames[i][len - 1] == '\r')
                len--;
            if (i % 500 == 0)
                for (size_t cut = 0; cut < len; cut++)
                    check_frame(frames[i], cut, false, "truncated sample");
            mutate(frames[i], len, (unsigned)i + 1, "mutated sample");
            mutate_lenient(frames[i], len, (unsigned)i + 7, "sample, grammar/UTF-8 fault");
        }
        for (size_t i = 0; i < n; i++)
            free(frames[i]);
        free(frames);
        free(lens);
    }
}

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xFFFFFF;
}

/* Replace, insert or delete bytes; favour bytes that matter to the grammar. */
static void mutate(const char *frame, size_t len, unsigned seed, const char *what)
{
    static const char special[] = "\"\\{}[]:, \t\n0-1.eEuxtfnl/\x01\x1f\x7f\x80\xbf\xc0\xd0\xe0\xed\xf0\xf4\xff";
    char buf[MAX_FRAME];
    if (len + 8 > sizeof buf)
        return;
    for (int k = 0; k < 60; k++) {
        memcpy(buf, frame, len);
        size_t n = len;
        int edits = 1 + (int)(rnd(&seed) % 2);
        for (int e = 0; e < edits && n; e++) {
            size_t pos = rnd(&seed) % n;
            unsigned op = rnd(&seed) % 8;
            char c = rnd(&seed) % 3 ? special[rnd(&seed) % (sizeof special - 1)]
                                    : (char)rnd(&seed);
            if (op < 5) {
                buf[pos] = c;
            } else if (op < 7) {
                memmove(buf + pos + 1, buf + pos, n - pos);
                buf[pos] = c;
                n++;
            } else {
                memmove(buf + pos, buf + pos + 1, n - pos - 1);
                n--;
            }
        }
        check_frame(buf, n, false, what);
    }
}

/* Where the bytes of a frame stand: 0 outside strings, 1 an opening
 * quote, 2 inside a string, 3 a closing quote. */
static void string_map(const char *buf, size_t len, unsigned char *map)
{
    bool in = false;
    for (size_t i = 0; i < len; i++) {
        if (!in) {
            in = buf[i] == '"';
            map[i] = in ? 1 : 0;
        } else if (buf[i] == '\\' && i + 1 < len) {
            map[i] = map[i + 1] = 2;
            i++;
        } else if (buf[i] == '"') {
            in = false;
            map[i] = 3;
        } else {
            map[i] = 2;
        }
    }
}

/* Faults that leave the structure intact (validate = structure's rules 1-5
 * hold): colons and commas moved (grammar; trailing commas before a closing
 * bracket, a colon after a value), bad numbers and literals, and invalid
 * UTF-8 inside strings (stray continuation bytes, overlong encodings,
 * surrogates, code points past U+10FFFF, cut sequences). Placed at random, some land in a wanted
 * value or key (refused, or the key lost) and most elsewhere (accepted by
 * validate = structure, refused by jansson), so the relations of
 * diffcheck.h are exercised both ways. Each variant is also checked to
 * keep the reference checker's verdict. */
static void mutate_lenient(const char *frame, size_t len, unsigned seed, const char *what)
{
    static const char *const utf8[] = {"\xff", "\x80", "\xc0\x80", "\xc1\xbf", "\xed\xa0\x80",
                                       "\xe2\x82", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80",
                                       "\xe0\x80\xaf", "\xd0"};
    static char buf[MAX_FRAME];
    static unsigned char map[MAX_FRAME];
    if (len + 8 > sizeof buf)
        return;
    bool before = ref_structure_ok(frame, len);
    string_map(frame, len, map);
    for (int k = 0; k < 50; k++) {
        unsigned op = (unsigned)k % 10;
        /* A position of the kind the edit wants, from a random start. */
        size_t start = rnd(&seed) % len, pos = len;
        for (size_t j = 0; j < len && pos == len; j++) {
            size_t i = (start + j) % len;
            char c = frame[i];
            bool out = map[i] == 0;
            char d = i + 1 < len ? frame[i + 1] : 0;
            bool ok = op == 0   ? out && c == ':'               /* "a" "b" */
                      : op == 1 ? out && c == ','               /* 1 "b" */
                      : op == 2 ? out && (c == ',' || c == '{') /* ,, or {, */
                      : op == 3 ? out && c == ','               /* , to : */
                      : op == 4 ? out && (c == ':' || c == '[' || c == ',') && /* a number next */
                                      (d == '-' || (d >= '0' && d <= '9'))
                      : op == 5 ? out && (c == 'e' || c == 'u' || c == 'l') /* tru, fals, nul */
                      : op == 8 ? out && (c == '}' || c == ']') /* ,} or ,] */
                      : op == 9 ? out && c == ','               /* "a":1:, */
                      : map[i] == 3; /* 6, 7: before a closing quote */
            if (ok)
                pos = i;
        }
        if (pos == len)
            continue;
        memcpy(buf, frame, pos);
        size_t n = pos;
        switch (op) {
        case 0: case 1: /* delete it */
            memcpy(buf + n, frame + pos + 1, len - pos - 1);
            n += len - pos - 1;
            break;
        case 2: /* an extra comma after it */
            buf[n++] = frame[pos];
            buf[n++] = ',';
            memcpy(buf + n, frame + pos + 1, len - pos - 1);
            n += len - pos - 1;
            break;
        case 3: /* a colon instead */
            buf[n++] = ':';
            memcpy(buf + n, frame + pos + 1, len - pos - 1);
            n += len - pos - 1;
            break;
        case 4: { /* a number with a leading 0, a '+' or a bad exponent */
            static const char *const pre[] = {"0", "+", "-0", "1e"};
            const char *a = pre[rnd(&seed) % 4];
            buf[n++] = frame[pos];
            memcpy(buf + n, a, strlen(a));
            n += strlen(a);
            memcpy(buf + n, frame + pos + 1, len - pos - 1);
            n += len - pos - 1;
            break;
        }
        case 5: /* a literal cut short, or a letter as a value */
            memcpy(buf + n, frame + pos + 1, len - pos - 1);
            n += len - pos - 1;
            break;
        case 8: case 9: /* a comma before it (trailing), a colon before it */
            buf[n++] = op == 8 ? ',' : ':';
            memcpy(buf + n, frame + pos, len - pos);
            n += len - pos;
            break;
        default: { /* invalid UTF-8 at the end of a string */
            const char *u = utf8[rnd(&seed) % (sizeof utf8 / sizeof utf8[0])];
            memcpy(buf + n, u, strlen(u));
            n += strlen(u);
            memcpy(buf + n, frame + pos, len - pos);
            n += len - pos;
            break;
        }
        }
        /* None of these edits touches the structure. */
        CHECK(ref_structure_ok(buf, n) == before);
        check_frame(buf, n, false, what);
    }
}

static void check_generated(void)
{
    for (unsigned seed = 1; seed <= 60; seed++) {
        struct gen_params p = {.seed = seed, .users = 1000, .rate = 100,
                               .start_ts = 1468244384, .ts_string_prob = 0.3,
                               .unicode_escapes = seed % 2, .crlf = seed % 3 == 0};
        struct gen *g = gen_new(&p);
        char *buf = malloc(gen_max_frame(g));
        for (int i = 0; i < 300; i++) {
            uint64_t user;
            int64_t ts;
            size_t len = gen_next(g, buf, &user, &ts);
            if (len && buf[len - 1] == '\r')
                len--;
            check_frame(buf, len, true, "generated");
            if (i < 3) {
                mutate(buf, len, seed * 1000 + (unsigned)i, "mutated generated");
                mutate_lenient(buf, len, seed * 1000 + (unsigned)i,
                               "generated, grammar/UTF-8 fault");
            }
            if (i == 0 && seed <= 4)
                for (size_t cut = 0; cut < len; cut++)
                    check_frame(buf, cut, false, "truncated generated");
        }
        free(buf);
        gen_free(g);
    }
}

/* Backslash runs and quotes at every offset around the 64-byte edges. */
static void check_block_edges(void)
{
    char buf[512];
    for (int pad = 0; pad < 140; pad++)
        for (int k = 0; k <= 5; k++)
            for (int tail = 0; tail < 4; tail++) {
                size_t n = (size_t)snprintf(buf, sizeof buf, "{\"x\":\"");
                for (int i = 0; i < pad; i++)
                    buf[n++] = 'a';
                for (int i = 0; i < k; i++)
                    buf[n++] = '\\';
                static const char *tails[] = {"\",\"uid\":\"u\",\"ts\":1}",
                                              "\"\",\"uid\":\"u\",\"ts\":1}",
                                              "n\",\"uid\":\"u\\\\\",\"ts\":1}",
                                              "u00e9\",\"ts\":2,\"uid\":\"\\u00e9\"}"};
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", tails[tail]);
                check_frame(buf, n, false, "block edge");
                /* The same nested after the wanted keys (validate = fields
                 * stops before it). */
                char b2[600];
                size_t m = (size_t)snprintf(b2, sizeof b2, "{\"uid\":\"u\",\"ts\":1,\"y\":%.*s}",
                                            (int)n, buf);
                check_frame(b2, m, false, "block edge, keys first");
            }
}

/* Valid UTF-8 of every length and at the edges of every range (U+0080,
 * U+07FF, U+0800, U+D7FF before the surrogates, U+E000 after them, U+FFFF,
 * U+10000, U+10FFFF), raw in a string at every offset around the 16-, 32-
 * and 64-byte edges, so that a sequence straddles each lane and block the
 * lookups carry across: every such frame is accepted. Then the same with
 * the sequence cut one byte short, or its last byte made ASCII, which
 * jansson refuses. (Until these, the test data held multi-byte UTF-8 only
 * as faults: a scanner refusing every valid three- or four-byte character
 * passed every other check here.) Each also in a wanted value. The same
 * around the 4 KB edge of the structure loop's chunks, where a sequence cut
 * short in a chunk's last block is followed by an ASCII block of the next
 * chunk (no check passed or failed on that case before). */
static void check_utf8_edges(void)
{
    static const char *const valid[] = {"\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
                                        "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
                                        "\xf4\x8f\xbf\xbf", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"};
    static char buf[4300];
    char seq[16];
    for (int pad = 0; pad < 4110; pad = pad == 139 ? 4070 : pad + 1)
        for (size_t vi = 0; vi < sizeof valid / sizeof valid[0]; vi++)
            for (int form = 0; form < 3; form++) {
                size_t sl = strlen(valid[vi]);
                memcpy(seq, valid[vi], sl + 1);
                if (form == 1)
                    seq[--sl] = 0; /* cut short */
                else if (form == 2)
                    seq[sl - 1] = 'z'; /* the last byte not a continuation */
                size_t n = (size_t)snprintf(buf, sizeof buf, "{\"x\":\"%*s%s\",\"uid\":\"u\",\"ts\":1}",
                                            pad, "", seq);
                check_frame(buf, n, form == 0, "UTF-8 edge");
                n = (size_t)snprintf(buf, sizeof buf, "{\"ts\":1,\"uid\":\"%*s%s\"}", pad, "", seq);
                check_frame(buf, n, form == 0, "UTF-8 edge, wanted value");
            }
}

/* Numbers and literals, valid and not, at every offset around the 64-byte
 * edges, as a value, in an array and as the wanted ts: every form of the
 * grammar (signs, zero, fractions, both exponent letters and signs), the
 * limits jansson draws (int64, a double's range; underflow is fine), and
 * what it refuses near them. (Until these, refusing an exponent's '+' sign
 * failed no check here, and refusing 'E' one.) */
static void check_token_edges(void)
{
    static const char *const good[] = {
        "0", "-0", "7", "-12", "0.5", "-0.0", "10.25", "1e5", "1E5", "1e+5", "1E-5", "-2.5e-3",
        "1.5E+10", "0e0", "9223372036854775807", "-9223372036854775808",
        "1.7976931348623157e308", "4.9e-324", "1e-400", "123456789012345678901234567890.5",
        "true", "false", "null"};
    static const char *const bad[] = {
        "9223372036854775808", "-9223372036854775809", "1e309", "-1.8e308", "01", "-", "1.",
        ".5", "1e", "1e+", "1E-", "+1", "0x10", "1.5e", "--1", "1ee5", "1e5.5", "-.5", "Infinity",
        "NaN", "tru", "nul", "falsee", "nulll", "True", "t"};
    char buf[512];
    for (int pad = 0; pad < 70; pad++)
        for (int b = 0; b < 2; b++) {
            size_t count = b ? sizeof bad / sizeof bad[0] : sizeof good / sizeof good[0];
            for (size_t t = 0; t < count; t++) {
                const char *tok = b ? bad[t] : good[t];
                size_t n = (size_t)snprintf(buf, sizeof buf,
                                            "{\"p\":\"%*s\",\"x\":%s,\"uid\":\"u\",\"ts\":1}",
                                            pad, "", tok);
                check_frame(buf, n, !b, "token edge");
                n = (size_t)snprintf(buf, sizeof buf,
                                     "{\"uid\":\"u\",\"ts\":1,\"a\":[%*s%s,%s]}", pad, "", tok,
                                     tok);
                check_frame(buf, n, !b, "token edge, array");
                n = (size_t)snprintf(buf, sizeof buf, "{\"uid\":\"%*s\",\"ts\":%s}", pad, "",
                                     tok);
                check_frame(buf, n, false, "token edge, wanted value");
            }
        }
}

/* The wanted keys written with escapes, the first byte too ("\u0075id" is
 * "uid": a key candidate is also a quote before a backslash), repeated
 * (the last occurrence wins, escaped or not), and names that are not
 * wanted but start alike, each at every offset around the 64-byte edges:
 * the key's opening quote at the last byte of a block, its first byte in
 * the next. (Until these, dropping the backslash candidates failed no
 * check here.) */
static void check_escaped_keys(void)
{
    static const char *const forms[] = {
        "{%s\"\\u0075id\":\"e\",\"ts\":1}",
        "{%s\"uid\":\"a\",\"\\u0074s\":2}",
        "{%s\"\\u0075\\u0069\\u0064\":\"f\",\"ts\":3}",
        "{%s\"uid\":\"a\",\"ts\":1,\"\\u0075id\":\"last\"}",
        "{%s\"\\u0075id\":\"first\",\"ts\":1,\"uid\":\"last\"}",
        "{%s\"\\u0075ie\":\"no\",\"uid\":\"a\",\"ts\":1}",
        "{%s\"\\\"uid\":\"no\",\"uid\":\"a\",\"ts\":1}",
        "{%s\"\\u0075id\":{\"uid\":\"inner\"},\"ts\":1}", /* (uid not a string) */
    };
    char buf[512], pad[200];
    for (int p = 0; p < 140; p++) {
        /* A padding member of p bytes (or none) before the keys. */
        if (p < 8)
            pad[0] = 0;
        else
            snprintf(pad, sizeof pad, "\"p\":\"%*s\",", p - 8, "");
        for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
            size_t len = (size_t)snprintf(buf, sizeof buf, forms[f], pad);
            check_frame(buf, len, f + 1 < sizeof forms / sizeof forms[0], "escaped key");
        }
    }
}

/* Long keys and long strings after commas at every offset: a string that
 * runs through a whole 64-byte block where a key may stand (the full
 * level's key transfer carries across it, loop_grammar.inc), in compact
 * frames long enough for its four-block groups, and with the colon after
 * the key missing. */
static void check_long_keys(void)
{
    static const int lens[] = {1, 62, 63, 64, 65, 66, 127, 128, 129, 190, 200, 260};
    char buf[2048], key[300], filler[400];
    memset(filler, 'f', 300);
    filler[300] = 0;
    for (int pad = 0; pad < 68; pad++)
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++)
            for (int form = 0; form < 4; form++) {
                memset(key, 'k', (size_t)lens[li]);
                key[lens[li]] = 0;
                size_t n = (size_t)snprintf(buf, sizeof buf, "{\"p\":\"%.*s\",", pad,
                                            filler);
                switch (form) {
                case 0: /* a long key */
                    n += (size_t)snprintf(buf + n, sizeof buf - n, "\"%s\":1,", key);
                    break;
                case 1: /* a long string after a comma in an array */
                    n += (size_t)snprintf(buf + n, sizeof buf - n, "\"a\":[\"x\",\"%s\"],", key);
                    break;
                case 2: /* a long key without its colon */
                    n += (size_t)snprintf(buf + n, sizeof buf - n, "\"%s\"1,", key);
                    break;
                default: /* a long key in a nested object, then a comma too many */
                    n += (size_t)snprintf(buf + n, sizeof buf - n, "\"o\":{\"%s\":2,},", key);
                    break;
                }
                n += (size_t)snprintf(buf + n, sizeof buf - n,
                                      "\"uid\":\"u\",\"ts\":1,\"z\":\"%s\"}", filler);
                check_frame(buf, n, false, "long key");
            }
}

/* Whitespace between tokens, runs of 1 to 130 bytes at every offset, in
 * frames long enough for the full level's four-block groups: its rules
 * carry "what came before" over each run (jx_after, loop_grammar.inc),
 * also across block edges and through blocks of whitespace only; half of
 * the frames have a fault right after the run. */
static void check_whitespace_runs(void)
{
    static const int runs[] = {1, 2, 5, 63, 64, 65, 127, 130};
    static const char *const spots[][3] = {
        /* before the run, after it: a good frame, then one with a single
         * fault (which only one or two of the grammar's rules catch: a
         * key where a value stands, a missing colon, value or comma, a
         * colon in an array, a trailing comma, a colon after a value); a
         * random bad byte follows. */
        {"{", "\"k\":1,", "1,"},
        {"{\"k\"", ":1,", "1,"},
        {"{\"k\":", "1,", ","},
        {"{\"k\":1", ",\"j\":2,", "\"j\":2,"},
        {"{\"k\":[1", ",2],", "2],"},
        {"{\"k\":[", "\"s\"],", "\"s\":1],"},
        {"{\"k\":{\"a\":1", "},", ",},"},
        {"{\"k\":true", ",", "true,"},
        {"{\"k\":\"v\"", ",", ":1,"}};
    static const char *const bad[] = {",", ":", "]", "1", "{"};
    char buf[2048], filler[400], ws[200];
    memset(filler, 'f', 300);
    filler[300] = 0;
    unsigned seed = 5;
    for (int pad = 0; pad < 68; pad++)
        for (size_t ri = 0; ri < sizeof runs / sizeof runs[0]; ri++)
            for (size_t si = 0; si < sizeof spots / sizeof spots[0]; si++)
                for (int fault = 0; fault < 3; fault++) {
                    for (int i = 0; i < runs[ri]; i++)
                        ws[i] = " \t\n\r"[rnd(&seed) % 4];
                    ws[runs[ri]] = 0;
                    const char *after = fault < 2 ? spots[si][1 + fault] : bad[rnd(&seed) % 5];
                    size_t n = (size_t)snprintf(buf, sizeof buf,
                                                "{\"p\":\"%.*s\",\"o\":%s%s%s\"x\":0},"
                                                "\"uid\":\"u\",\"ts\":1,\"z\":\"%s\"}",
                                                pad, filler, spots[si][0], ws, after, filler);
                    check_frame(buf, n, false, "whitespace run");
                }
}

/* Short random strings over JSON's alphabet: mostly invalid, some valid. */
static void check_soup(void)
{
    static const char *const atoms[] = {
        "{", "}", "[", "]", ":", ",", "\"", "\\", " ", "\"uid\"", "\"ts\"", "\"u\"", "1",
        "-", "0", ".5", "e9", "true", "null", "f", "\\u", "00e9", "d83d", "\\ude00", "\xd0\x90",
        "\xd0", "\n", "\"uid\":\"a\"", "\"ts\":12", ",\"ts\":\"7\"", "{\"uid\":\"x\",\"ts\":3}"};
    unsigned seed = 99;
    char buf[4096];
    for (int k = 0; k < 60000; k++) {
        size_t n = 0;
        int count = 1 + (int)(rnd(&seed) % 24);
        if (rnd(&seed) % 2)
            buf[n++] = '{';
        for (int i = 0; i < count; i++) {
            const char *a = atoms[rnd(&seed) % (sizeof atoms / sizeof atoms[0])];
            size_t l = strlen(a);
            memcpy(buf + n, a, l);
            n += l;
        }
        if (rnd(&seed) % 2)
            buf[n++] = '}';
        check_frame(buf, n, false, "soup");
    }
}

/* Nesting: into and out of the deep bracket path (64 levels) and up to
 * jansson's limit, with wanted keys before, inside and after, and a
 * mismatched or missing bracket at some level. */
static size_t nest(char *buf, size_t n, int depth, unsigned *seed, bool objs, int bad_at)
{
    char kinds[2100];
    for (int i = 0; i < depth; i++) {
        kinds[i] = objs && rnd(seed) % 2 ? '{' : '[';
        n += (size_t)sprintf(buf + n, kinds[i] == '{' ? "{\"ts\":" : "[");
    }
    n += (size_t)sprintf(buf + n, "1");
    for (int i = depth - 1; i >= 0; i--) {
        char c = kinds[i] == '{' ? '}' : ']';
        if (i == bad_at)
            c = c == '}' ? ']' : '}';
        buf[n++] = c;
    }
    return n;
}

static void check_nesting(void)
{
    static char buf[16384];
    static const int depths[] = {1, 2, 3, 30, 60, 61, 62, 63, 64, 65, 66, 70, 100, 127, 128, 129,
                                 200, 2040, 2044, 2045, 2046, 2047, 2048, 2049, 2050};
    unsigned seed = 7;
    for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++)
        for (int variant = 0; variant < 6; variant++) {
            int depth = depths[d];
            bool objs = depth < 1000 && variant % 2;
            int bad_at = variant >= 4 ? (int)(rnd(&seed) % (unsigned)depth) : -1;
            size_t n = (size_t)sprintf(buf, "{\"uid\":\"u\",\"a\":");
            if (variant == 2 || variant == 3) { /* up, down, up again */
                n = nest(buf, n, depth, &seed, objs, -1);
                n += (size_t)sprintf(buf + n, ",\"b\":");
            }
            n = nest(buf, n, depth, &seed, objs, bad_at);
            n += (size_t)sprintf(buf + n, ",\"ts\":1,\"o\":");
            n = nest(buf, n, depth < 70 ? depth : 3, &seed, objs, -1);
            n += (size_t)sprintf(buf + n, "}");
            check_frame(buf, n, false, "nesting");
            check_frame(buf, n - 1, false, "nesting, truncated");
            /* A wanted key's value nested, closing in a later block. */
            n = (size_t)sprintf(buf, "{\"ts\":1,\"uid\":");
            n = nest(buf, n, depth, &seed, objs, bad_at);
            n += (size_t)sprintf(buf + n, ",\"x\":[{}]}");
            check_frame(buf, n, false, "nesting, wanted value");
        }
}

/* The reference checker of validate = structure on hand-made frames: the
 * structural faults it must find, and the grammar, number, literal and
 * UTF-8 faults it must not. Each frame goes through diff_check too. */
struct ref_case {
    const char *frame;
    size_t len; /* 0: strlen */
    bool ok;
};

#define RC_BAD(f) {f, 0, false}
#define RC_OK(f) {f, 0, true}
#define RC_BADN(f) {f, sizeof f - 1, false} /* with a NUL byte */

static const struct ref_case ref_cases[] = {
    /* Rule 1: empty, or the root is not an object. */
    RC_BAD(""),
    RC_BAD(" \t\r\n"),
    RC_BAD("[{\"uid\":\"u\",\"ts\":1}]"),
    RC_BAD("\"uid\""),
    RC_BAD("x{\"uid\":\"u\",\"ts\":1}"),
    RC_BAD("}"),
    /* Rule 2: brackets, truncation. */
    RC_BAD("{\"uid\":\"u\",\"ts\":1"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":[1,{\"b\":2}}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":{\"b\":2]}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1]"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"b"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"b\\"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"\\u00e"),
    /* Rule 3: anything but whitespace after the root. */
    RC_BAD("{\"uid\":\"u\",\"ts\":1} x"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1}{}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1}]"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1}\f"),
    RC_BADN("{\"uid\":\"u\",\"ts\":1}\0"),
    /* Rule 4: control bytes. */
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"b\x01\"}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"b\tc\"}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"b\nc\"}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\x1f\"a\":2}"),
    RC_BADN("{\"uid\":\"u\",\"ts\":1,\"a\":tr\0ue}"),
    RC_BADN("{\"uid\":\"u\",\"ts\":1,\"a\":\"\0\"}"),
    /* Rule 5: escapes. */
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"\\x\"}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"\\U0041\"}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"\\u00zz\"}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"\\u12\"}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"\\u0000\"}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"\\ud800\"}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"\\ud800x\"}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"\\ud800\\u0041\"}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"\\ud800\\ud800\"}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"\\udc00\"}"),
    RC_BAD("{\"uid\":\"u\",\"ts\":1,\"a\":\"\\ude00\\ud83d\"}"),
    /* Fine as structure (jansson refuses most): grammar, numbers, literals,
     * UTF-8, outside the wanted values... */
    RC_OK("{}"),
    RC_OK(" \r\n{\"uid\":\"u\",\"ts\":1}\t\r\n "),
    RC_OK("{\"uid\":\"u\" \"ts\":1}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1 2}"),
    RC_OK("{,\"uid\":\"u\",\"ts\":1,}"),
    RC_OK("{\"uid\":\"u\",,\"ts\":1::}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,\"a\":[,]}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,\"a\":tru}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,\"a\":01}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,\"a\":+1e}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,\"a\":1e400}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,\"a\":99999999999999999999}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,'a':'b'}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,\"a\":\"\xff\xfe\"}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,\"a\":\"\xc0\x80\xed\xa0\x80\"}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,\"a\xe2\x82\":[\"\xd0\"]}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,\"a\":{\"b\":[1 2]}}"),
    /* ... and in them: rule 6, the scanner's, not the reference's. */
    RC_OK("{\"uid\":\"\xff\",\"ts\":1}"),
    RC_OK("{\"uid\":\"u\",\"ts\":01}"),
    RC_OK("{\"uid\":\"u\",\"ts\":}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,\"sit\":{\"a\":tru}}"),
    /* Valid JSON, tricky bytes. */
    RC_OK("{\"uid\":\"\\ud83d\\ude00\\u00e9\\/\\\\\\\"\\b\\f\\n\\r\\t\\u0001\",\"ts\":1}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,\"a\":\"]}\\\"[{\",\"b\":[{},[]],\"c\":\"\x7f\"}"),
    RC_OK("{\"uid\":\"u\",\"ts\":1,\"a\":\"\\\\\"}"),
};

static void check_reference(void)
{
    for (size_t i = 0; i < sizeof ref_cases / sizeof ref_cases[0]; i++) {
        const struct ref_case *c = &ref_cases[i];
        size_t len = c->len ? c->len : strlen(c->frame);
        bool ok = ref_structure_ok(c->frame, len);
        if (ok != c->ok)
            fprintf(stderr, "reference checker: %s, want %s: %.*s\n", ok ? "fine" : "fault",
                    c->ok ? "fine" : "fault", (int)len, c->frame);
        CHECK(ok == c->ok);
        check_frame(c->frame, len, false, "reference case");
    }
    /* Every prefix of a valid frame is a truncation. */
    static const char valid[] = "{\"uid\":\"\\ud83d\\ude00\",\"a\":[{\"b\":\"}\"}],\"ts\":1}";
    CHECK(ref_structure_ok(valid, sizeof valid - 1));
    for (size_t cut = 0; cut < sizeof valid - 1; cut++)
        CHECK(!ref_structure_ok(valid, cut));
}

int main(void)
{
    check_reference();
    check_samples();
    check_generated();
    check_block_edges();
    check_long_keys();
    check_utf8_edges();
    check_token_edges();
    check_escaped_keys();
    check_whitespace_runs();
    check_soup();
    check_nesting();
    fprintf(stderr, "%ld frames compared, %ld accepted by strict, %ld bad tails accepted by "
                    "validate = fields; %ld refused by strict with a fine structure, %ld of them "
                    "accepted by validate = structure\n",
            stats.frames, stats.accepted, stats.tail_only, stats.structure_fine, stats.lenient);
    fprintf(stderr, "refused by validate = structure though its definition accepts:");
    for (size_t i = 0; jx_impl_at(i); i++)
        fprintf(stderr, " %s %ld%s", jx_impl_at(i), stats.stricter[i],
                jx_impl_has_structure(jx_impl_at(i)) ? "" : " (checks in full)");
    fprintf(stderr, "\n");
    /* The asymmetry of validate = structure is exercised: the mutations make
     * faults that leave the structure intact, and some of them lie only
     * outside the wanted values. */
    CHECK(stats.structure_fine > 1000);
    CHECK(stats.lenient > 0);
    return check_exit();
}
