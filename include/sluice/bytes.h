/*
 * Little-endian bytes: for a plugin's checkpoint state (state_save and
 * state_load in plugin.h) and for wire formats. Fixed-width integers are
 * written least significant byte first whatever the CPU, and read back
 * through a bounds-checked reader that remembers an overrun instead of
 * reading past the end: check `bad` once at the end.
 */
#ifndef SLUICE_BYTES_H
#define SLUICE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Store the low `n` bytes (1..8) of v at p. */
static inline void sluice_le_store(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Load `n` bytes (1..8) from p. */
static inline uint64_t sluice_le_load(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

struct sluice_reader {
    const uint8_t *p;
    size_t left;
    bool bad; /* a read went past the end: every later read gives 0 / NULL */
};

static inline struct sluice_reader sluice_reader_of(const void *bytes, size_t len)
{
    struct sluice_reader r = {(const uint8_t *)bytes, len, false};
    return r;
}

/* The next `n` bytes, or NULL (and `bad` set) if fewer are left. */
static inline const uint8_t *sluice_read_bytes(struct sluice_reader *r, size_t n)
{
    if (r->bad || n > r->left) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    r->left -= n;
    return p;
}

/* The next `n`-byte (1..8) little-endian integer; 0 past the end. */
static inline uint64_t sluice_read_le(struct sluice_reader *r, unsigned n)
{
    const uint8_t *p = sluice_read_bytes(r, n);
    return p ? sluice_le_load(p, n) : 0;
}

#endif
