/*
 * Result records. The value is one JSON object per window emission:
 *
 *   {"window":"minute","start":"2016-07-11T13:39:00Z","end":"2016-07-11T13:40:00Z",
 *    "start_ts":1468244340,"unique":40772,"frames":60012,"revision":0,"final":true,
 *    "estimator":"ull-p13","rse":0.008406}
 *
 * and the key is "minute/2016-07-11T13:39:00Z", so a compacted Kafka topic
 * keeps the latest revision of each window. Every string written comes from
 * a validated window name or our own ISO formatting, so no escaping is
 * needed and snprintf is the whole JSON writer.
 */
#include "result.h"

#include "partial.h"

#include <stdio.h>
#include <string.h>

size_t dc_result_json(const struct dc_result *r, char *buf, size_t cap)
{
    const struct dc_window *w = r->window;
    int n = snprintf(buf, cap,
                     "{\"window\":\"%s\",\"start\":\"%s\",\"end\":\"%s\",\"start_ts\":%lld,"
                     "\"unique\":%llu,\"frames\":%llu,\"revision\":%u,\"final\":%s,"
                     "\"estimator\":\"%s\",\"rse\":%.4g}",
                     r->kind->name, w->start_iso, w->end_iso, (long long)w->start,
                     (unsigned long long)r->unique, (unsigned long long)w->frames,
                     (unsigned)r->revision, r->final ? "true" : "false", r->estimator, r->rse);
    return n < 0 ? cap : (size_t)n;
}

size_t dc_result_key(const struct dc_result *r, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/%s", r->kind->name, r->window->start_iso);
    return n < 0 ? cap : (size_t)n;
}

int dc_partial_append(const struct sluice_host_api *host, struct sluice_batch *out,
                      const struct dc_partial_out *p, const char *topic)
{
    char key[512];
    int kn = snprintf(key, sizeof key, "%s/%s/%s/%d", p->kind->name, p->window->start_iso, topic,
                      (int)p->partition);
    if (kn < 0 || (size_t)kn >= sizeof key)
        return -1;
    size_t slen = dc_sketch_serialized_size(p->sketch);
    struct dc_partial_msg m = {
        .window = p->kind->name,
        .window_len = strlen(p->kind->name),
        .topic = topic,
        .topic_len = strlen(topic),
        .start = p->window->start,
        .end = p->window->end,
        .partition = p->partition,
        .topic_partitions = p->topic_partitions,
        .watermark_ms = p->watermark_ms,
        .frames = p->frames,
        .sketch_len = slen,
    };
    size_t vlen = dc_partial_size(&m);
    uint8_t *bytes = host->batch_alloc(out, vlen + (size_t)kn + 1);
    if (!bytes)
        return -1;
    uint8_t *sk = dc_partial_encode_head(&m, bytes);
    if (dc_sketch_serialize(p->sketch, sk, slen) != slen)
        return -1;
    memcpy(bytes + vlen, key, (size_t)kn + 1);
    struct sluice_record *rec = host->batch_append(out);
    if (!rec)
        return -1;
    rec->value = (const char *)bytes;
    rec->value_len = vlen;
    rec->key = (const char *)bytes + vlen;
    rec->key_len = (size_t)kn;
    rec->ts = p->window->start;
    rec->partition = SLUICE_NO_PARTITION;
    rec->offset = SLUICE_NO_OFFSET;
    rec->flags = SLUICE_REC_RESULT | SLUICE_REC_HAS_TS;
    return 0;
}

int dc_result_append(const struct sluice_host_api *host, struct sluice_batch *out,
                     const struct dc_result *r)
{
    char value[512], key[128];
    size_t vlen = dc_result_json(r, value, sizeof value);
    size_t klen = dc_result_key(r, key, sizeof key);
    if (vlen >= sizeof value || klen >= sizeof key)
        return -1;
    char *bytes = host->batch_alloc(out, vlen + 1 + klen + 1);
    if (!bytes)
        return -1;
    memcpy(bytes, value, vlen + 1);
    memcpy(bytes + vlen + 1, key, klen + 1);
    struct sluice_record *rec = host->batch_append(out);
    if (!rec)
        return -1;
    rec->value = bytes;
    rec->value_len = vlen;
    rec->key = bytes + vlen + 1;
    rec->key_len = klen;
    rec->ts = r->window->start;
    rec->partition = SLUICE_NO_PARTITION;
    rec->offset = SLUICE_NO_OFFSET;
    rec->flags = SLUICE_REC_RESULT | SLUICE_REC_HAS_TS;
    return 0;
}
