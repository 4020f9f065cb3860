/*
 * The bytes of a checkpoint: a growable buffer, the framing of one item (a
 * source partition's or the instance's state), and the file that holds a
 * whole checkpoint (checkpoint_file.c). All integers little-endian.
 *
 * Item (the value a store keeps under the item's key):
 *    0  4  magic "SLCK"
 *    4  1  format version = 1
 *    5  1  kind: 1 partition, 2 instance
 *    6  2  reserved, 0
 *    8  8  fingerprint: FNV-1a 64 of the counting configuration's text
 *   16  8  position (partition: the next position to read; instance: -1)
 *   24  4  sections: one per transform with state
 *   28  .. per section: u16 name length, the section name ("transform.count"),
 *          u32 length, the transform's bytes
 *    .  4  CRC-32 (zlib) of every byte before it
 *
 * File (DIR/checkpoint):
 *    0  8  magic "SLCKFILE"
 *    8  4  format version = 1
 *   12  4  fingerprint text length, then the text (readable in messages)
 *    .  8  sequence number of the checkpoint
 *    .  4  items, then per item: u32 key length, key, u32 value length, value
 *    .  4  CRC-32 of every byte before it
 */
#ifndef SLUICE_HOST_CHECKPOINT_FORMAT_H
#define SLUICE_HOST_CHECKPOINT_FORMAT_H

#include <sluice/bytes.h>
#include <sluice/plugin.h>

#define CKPT_ITEM_MAGIC "SLCK"
#define CKPT_FILE_MAGIC "SLCKFILE"
#define CKPT_FORMAT_VERSION 1
#define CKPT_KIND_PARTITION 1
#define CKPT_KIND_INSTANCE 2

struct ckpt_buf {
    uint8_t *data;
    size_t len, cap;
    bool failed; /* out of memory: every later put is a no-op */
};

void ckpt_buf_put(struct ckpt_buf *b, const void *bytes, size_t n);
void ckpt_buf_u16(struct ckpt_buf *b, uint16_t v);
void ckpt_buf_u32(struct ckpt_buf *b, uint32_t v);
void ckpt_buf_u64(struct ckpt_buf *b, uint64_t v);
void ckpt_buf_crc(struct ckpt_buf *b, size_t from); /* append CRC-32 of data[from..] */
void ckpt_buf_free(struct ckpt_buf *b);

/* Does the CRC-32 in the last 4 bytes match the bytes before? */
bool ckpt_crc_ok(const uint8_t *data, size_t len);

uint64_t ckpt_fingerprint_hash(const char *text);

/* A parsed item: its sections point into the item's bytes. */
struct ckpt_section {
    const char *name;
    size_t name_len;
    const uint8_t *data;
    size_t len;
};
struct ckpt_item {
    int kind;
    uint64_t fingerprint;
    int64_t position;
    size_t nsections;
    struct ckpt_section *sections; /* malloc'd */
};

/* Parse an item; NULL if fine, else what is wrong ("truncated", ...). */
const char *ckpt_item_parse(const uint8_t *data, size_t len, struct ckpt_item *out);
void ckpt_item_free(struct ckpt_item *it);

#endif
