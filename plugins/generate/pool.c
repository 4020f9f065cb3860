/*
 * Frame bodies with the properties of the challenge generator's frames
 * (../shared/data/README.md): lorem-ipsum keys, repeated keys at every level
 * (but never "uid" or "ts" at the root: the frame adds those), string values
 * whose spaces became escapes (\n \t \\ \" \r \b \f \/) or plain '/', Cyrillic
 * lines, numbers, literals, empty and nested objects and arrays, nested
 * objects with decoy "uid" and "ts" keys (also repeated). Bodies are about
 * 1.8-2.0 KB so that a frame is about 2 KB. Built once at start, from the
 * seed; nothing here runs per frame.
 */
#include "pool.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const keys[] = {
    "Lorem", "ipsum", "dolor", "sit", "amet,", "consectetur", "adipiscing", "elit,",
    "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore",
    "magna", "aliqua.", "Ut", "enim", "ad", "minim", "veniam,", "quis", "nostrud",
    "exercitation", "ullamco", "laboris", "nisi", "aliquip", "ex", "ea", "commodo",
    "consequat.", "Duis", "aute", "irure", "in", "reprehenderit", "voluptate", "velit",
    "esse", "cillum", "fugiat", "nulla", "pariatur.", "Excepteur", "sint", "occaecat",
    "cupidatat", "non", "proident,", "sunt", "culpa", "qui", "officia", "deserunt",
    "mollit", "anim", "id", "est", "laborum."};
#define NKEYS (sizeof keys / sizeof keys[0])

static const char *const phrases[] = {
    "memory management makes for safe, simple, and robust",
    "other hand, static inference deduces types and other",
    "pleasant for tasks, both small and large. Show",
    "read. Show example Built-in linear and associative arrays,",
    "code. D also supports scoped resource management (aka",
    "specifying types, like dynamic languages do. On the",
    "the RAII idiom) and scope statements for deterministic",
    "transactional code that is easy to write and",
    "static and the dynamic worlds. Show example Automatic",
    "slices, and ranges make daily programming simple and",
    "D allows writing large code fragments without redundantly",
    "code properties, giving the best of both the",
    "example"};
#define NPHRASES (sizeof phrases / sizeof phrases[0])

/* What replaces the spaces of a phrase, as JSON text. */
static const char *const seps[] = {" ", "\\n", "\\t", "\\\\", "\\\"", "\\r", "\\b", "\\f",
                                   "/", "\\/"};
#define NSEPS (sizeof seps / sizeof seps[0])

static const char *const cyrillic[] = {
    "Свобода, слава и любовь", "Его язвительные речи", "Он провиденье искушал;",
    "Он вдохновенье презирал;", "И вдохновенные искусства", "Тоской внезапной осеня,",
    "Не мыслю гордый свет забавить"};
#define NCYR (sizeof cyrillic / sizeof cyrillic[0])

/* \u escapes: BMP letters, and an astral character as a surrogate pair. */
static const char *const uescapes[] = {"caf\\u00e9", "\\ud83d\\ude00 smile",
                                       "\\u0416\\u0443\\u043a", "tab\\u0009bed", "\\u00fcber"};
#define NUESC (sizeof uescapes / sizeof uescapes[0])

struct buf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1 << 20;
        while (cap < b->len + n)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

struct ctx {
    struct gen_rng rng;
    struct buf out;
    bool unicode;
};

static uint64_t below(struct ctx *c, uint64_t n)
{
    return gen_rng_below(&c->rng, n);
}

static void put_string(struct ctx *c)
{
    struct buf *b = &c->out;
    puts_(b, "\"");
    uint64_t k = below(c, 100);
    if (k < 18) {
        puts_(b, cyrillic[below(c, NCYR)]);
    } else if (c->unicode && k < 24) {
        puts_(b, uescapes[below(c, NUESC)]);
    } else {
        const char *ph = phrases[below(c, NPHRASES)];
        const char *sep = seps[below(c, NSEPS)];
        for (const char *s = ph; *s; s++) {
            if (*s == ' ')
                puts_(b, sep);
            else
                put(b, s, 1);
        }
    }
    puts_(b, "\"");
}

static void put_key(struct ctx *c, const char *k)
{
    puts_(&c->out, "\"");
    puts_(&c->out, k);
    puts_(&c->out, "\":");
}

static void put_value(struct ctx *c, int depth);

static void put_object(struct ctx *c, int depth)
{
    struct buf *b = &c->out;
    unsigned n = 2 + (unsigned)below(c, 12);
    puts_(b, "{");
    for (unsigned i = 0; i < n; i++) {
        if (i)
            puts_(b, ",");
        uint64_t k = below(c, 100);
        /* Decoys: uid and ts keys inside nested objects, often repeated. */
        put_key(c, k < 12 ? "uid" : k < 24 ? "ts" : keys[below(c, NKEYS)]);
        if (k < 24 && below(c, 3) == 0) {
            /* a decoy that looks like the real thing */
            char v[32];
            snprintf(v, sizeof v, k < 12 ? "\"%016llx\"" : "%llu",
                     (unsigned long long)(k < 12 ? gen_rng_next(&c->rng)
                                                 : 1468244384 + below(c, 100000)));
            puts_(b, v);
        } else {
            put_value(c, depth + 1);
        }
    }
    puts_(b, "}");
}

static void put_array(struct ctx *c, int depth)
{
    struct buf *b = &c->out;
    unsigned n = 1 + (unsigned)below(c, 10);
    puts_(b, "[");
    for (unsigned i = 0; i < n; i++) {
        if (i)
            puts_(b, ",");
        put_value(c, depth + 1);
    }
    puts_(b, "]");
}

static void put_value(struct ctx *c, int depth)
{
    struct buf *b = &c->out;
    char num[32];
    uint64_t k = below(c, 100);
    if (k < 56)
        put_string(c);
    else if (k < 64) {
        snprintf(num, sizeof num, "%llu", (unsigned long long)below(c, 300));
        puts_(b, num);
    } else if (k < 67) {
        snprintf(num, sizeof num, "%s%u.%06u", below(c, 4) ? "" : "-", (unsigned)below(c, 10),
                 (unsigned)below(c, 1000000));
        puts_(b, num);
    } else if (k < 71)
        puts_(b, below(c, 2) ? "true" : "false");
    else if (k < 73)
        puts_(b, "null");
    else if (k < 77)
        puts_(b, "{}");
    else if (k < 81)
        puts_(b, "[]");
    else if (k < 91 && depth < 4)
        put_object(c, depth);
    else if (depth < 4)
        put_array(c, depth);
    else
        put_string(c);
}

/* Root members until the body reaches its target length. */
static void build_body(struct ctx *c, struct gen_body *body)
{
    struct buf *b = &c->out;
    size_t start = b->len;
    size_t target = 1400 + below(c, 250);
    body->off = start;
    body->nmem = 0;
    while (body->nmem < GEN_MAX_MEMBERS && b->len - start < target) {
        if (body->nmem)
            puts_(b, ",");
        body->bound[body->nmem++] = (uint32_t)(b->len - start);
        put_key(c, keys[below(c, NKEYS)]);
        /* Root values are flatter than nested ones: keep frames near 2 KB. */
        put_value(c, below(c, 3) ? 2 : 1);
    }
    body->bound[body->nmem] = (uint32_t)(b->len - start);
}

bool gen_pool_build(struct gen_pool *p, uint64_t seed, bool unicode_escapes)
{
    struct ctx c = {.unicode = unicode_escapes};
    gen_rng_seed(&c.rng, seed ^ 0x706f6f6cull); /* "pool" */
    memset(p, 0, sizeof *p);
    for (unsigned i = 0; i < GEN_POOL_BODIES; i++) {
        build_body(&c, &p->bodies[i]);
        if (p->bodies[i].bound[p->bodies[i].nmem] > p->max_len)
            p->max_len = p->bodies[i].bound[p->bodies[i].nmem];
    }
    if (c.out.oom) {
        free(c.out.p);
        return false;
    }
    p->text = c.out.p;
    p->size = c.out.len;
    return true;
}

void gen_pool_free(struct gen_pool *p)
{
    free(p->text);
    p->text = NULL;
}
