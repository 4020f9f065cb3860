/* Partials on the wire (see partial.h for the layout). */
#include "partial.h"

#include <sluice/bytes.h>

#include <string.h>


size_t dc_partial_size(const struct dc_partial_msg *m)
{
    return DC_PARTIAL_HEADER + m->window_len + m->topic_len + m->sketch_len;
}

uint8_t *dc_partial_encode_head(const struct dc_partial_msg *m, uint8_t *buf)
{
    memcpy(buf, DC_PARTIAL_MAGIC, 4);
    buf[4] = DC_PARTIAL_VERSION;
    buf[5] = (uint8_t)m->window_len;
    sluice_le_store(buf + 6, m->topic_len, 2);
    sluice_le_store(buf + 8, (uint64_t)m->start, 8);
    sluice_le_store(buf + 16, (uint64_t)m->end, 8);
    sluice_le_store(buf + 24, (uint32_t)m->partition, 4);
    sluice_le_store(buf + 28, (uint32_t)m->topic_partitions, 4);
    sluice_le_store(buf + 32, (uint64_t)m->watermark_ms, 8);
    sluice_le_store(buf + 40, m->frames, 8);
    sluice_le_store(buf + 48, m->sketch_len, 4);
    uint8_t *p = buf + DC_PARTIAL_HEADER;
    memcpy(p, m->window, m->window_len);
    p += m->window_len;
    memcpy(p, m->topic, m->topic_len);
    return p + m->topic_len;
}

const char *dc_partial_decode(const uint8_t *buf, size_t len, struct dc_partial_msg *m)
{
    if (len < DC_PARTIAL_HEADER || memcmp(buf, DC_PARTIAL_MAGIC, 4) != 0)
        return "not a distinct-count partial (is the input topic the count stage's output = "
               "partials topic?)";
    if (buf[4] != DC_PARTIAL_VERSION)
        return "a partial of another format version";
    m->window_len = buf[5];
    m->topic_len = (size_t)sluice_le_load(buf + 6, 2);
    m->start = (int64_t)sluice_le_load(buf + 8, 8);
    m->end = (int64_t)sluice_le_load(buf + 16, 8);
    m->partition = (int32_t)(uint32_t)sluice_le_load(buf + 24, 4);
    m->topic_partitions = (int32_t)(uint32_t)sluice_le_load(buf + 28, 4);
    m->watermark_ms = (int64_t)sluice_le_load(buf + 32, 8);
    m->frames = sluice_le_load(buf + 40, 8);
    m->sketch_len = (size_t)sluice_le_load(buf + 48, 4);
    if (m->window_len == 0 || m->window_len > 15 || len != dc_partial_size(m))
        return "a truncated partial (its lengths do not add up)";
    m->window = (const char *)buf + DC_PARTIAL_HEADER;
    m->topic = m->window + m->window_len;
    m->sketch = (const uint8_t *)m->topic + m->topic_len;
    return NULL;
}
