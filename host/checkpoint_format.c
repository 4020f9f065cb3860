/* Checkpoint bytes (see checkpoint_format.h for the layouts). */
#include "checkpoint_format.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void ckpt_buf_put(struct ckpt_buf *b, const void *bytes, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            b->failed = true;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, bytes, n);
    b->len += n;
}

static void put_le(struct ckpt_buf *b, uint64_t v, unsigned bytes)
{
    uint8_t t[8];
    sluice_le_store(t, v, bytes);
    ckpt_buf_put(b, t, bytes);
}

void ckpt_buf_u16(struct ckpt_buf *b, uint16_t v)
{
    put_le(b, v, 2);
}

void ckpt_buf_u32(struct ckpt_buf *b, uint32_t v)
{
    put_le(b, v, 4);
}

void ckpt_buf_u64(struct ckpt_buf *b, uint64_t v)
{
    put_le(b, v, 8);
}

static uint32_t crc_of(const uint8_t *data, size_t len)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (len > 0) { /* zlib takes uInt lengths */
        uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
        crc = crc32(crc, data, n);
        data += n;
        len -= n;
    }
    return (uint32_t)crc;
}

void ckpt_buf_crc(struct ckpt_buf *b, size_t from)
{
    if (!b->failed)
        ckpt_buf_u32(b, crc_of(b->data + from, b->len - from));
}

void ckpt_buf_free(struct ckpt_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

bool ckpt_crc_ok(const uint8_t *data, size_t len)
{
    if (len < 4)
        return false;
    return sluice_le_load(data + len - 4, 4) == crc_of(data, len - 4);
}

uint64_t ckpt_fingerprint_hash(const char *text)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * UINT64_C(1099511628211);
    return h;
}

const char *ckpt_item_parse(const uint8_t *data, size_t len, struct ckpt_item *out)
{
    memset(out, 0, sizeof *out);
    if (len < 32)
        return "truncated";
    if (memcmp(data, CKPT_ITEM_MAGIC, 4) != 0)
        return "not a sluice checkpoint item (bad magic)";
    if (data[4] != CKPT_FORMAT_VERSION)
        return "written by another checkpoint format version";
    if (!ckpt_crc_ok(data, len))
        return "checksum mismatch (corrupt or truncated)";
    struct sluice_reader r = sluice_reader_of(data + 5, len - 9);
    out->kind = (int)sluice_read_le(&r, 1);
    sluice_read_le(&r, 2);
    out->fingerprint = sluice_read_le(&r, 8);
    out->position = (int64_t)sluice_read_le(&r, 8);
    uint32_t n = (uint32_t)sluice_read_le(&r, 4);
    if (r.bad || n > r.left / 6)
        return "truncated";
    out->sections = calloc(n ? n : 1, sizeof *out->sections);
    if (!out->sections)
        return "out of memory";
    for (uint32_t i = 0; i < n; i++) {
        struct ckpt_section *s = &out->sections[i];
        s->name_len = (size_t)sluice_read_le(&r, 2);
        s->name = (const char *)sluice_read_bytes(&r, s->name_len);
        s->len = (size_t)sluice_read_le(&r, 4);
        s->data = sluice_read_bytes(&r, s->len);
        if (r.bad) {
            ckpt_item_free(out);
            return "truncated";
        }
    }
    out->nsections = n;
    if (r.left != 0) {
        ckpt_item_free(out);
        return "trailing bytes";
    }
    return NULL;
}

void ckpt_item_free(struct ckpt_item *it)
{
    free(it->sections);
    it->sections = NULL;
    it->nsections = 0;
}
