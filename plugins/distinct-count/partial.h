/*
 * A partial on the wire (output = partials, read by sketch-merge): one
 * source partition's part of one window. The record key is
 * "<window>/<start ISO-8601>/<topic>/<partition>", so a compacted topic
 * keeps the latest partial of every (window, partition). The value, all
 * integers little-endian:
 *
 *    0  4  magic "DCPT"
 *    4  1  version = 1
 *    5  1  window name length W (1..15)
 *    6  2  topic name length T
 *    8  8  window start, unix seconds
 *   16  8  window end, unix seconds
 *   24  4  source partition
 *   28  4  the source topic's partition count (0: unknown)
 *   32  8  the partition's watermark, ms (INT64_MIN: none yet; INT64_MAX: its input ended)
 *   40  8  frames of the partition in the window
 *   48  4  sketch length S
 *   52  W  window name ("minute", "10s")
 *    .  T  topic name
 *    .  S  the sketch or exact set, in sketch.h's serialized form (DCSK)
 */
#ifndef DC_PARTIAL_H
#define DC_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#define DC_PARTIAL_MAGIC "DCPT"
#define DC_PARTIAL_VERSION 1
#define DC_PARTIAL_HEADER 52

struct dc_partial_msg {
    const char *window;
    size_t window_len;
    const char *topic;
    size_t topic_len;
    int64_t start, end;
    int32_t partition, topic_partitions;
    int64_t watermark_ms;
    uint64_t frames;
    const uint8_t *sketch;
    size_t sketch_len;
};

/* Bytes the encoding of m takes. */
size_t dc_partial_size(const struct dc_partial_msg *m);
/* Encode all of m but the sketch's bytes into buf (dc_partial_size bytes):
 * returns where the m->sketch_len sketch bytes go, for the caller to
 * serialize the sketch there directly. */
uint8_t *dc_partial_encode_head(const struct dc_partial_msg *m, uint8_t *buf);
/* Decode; pointers point into buf. NULL if fine, else what is wrong. */
const char *dc_partial_decode(const uint8_t *buf, size_t len, struct dc_partial_msg *m);

#endif
