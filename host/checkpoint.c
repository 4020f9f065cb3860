/*
 * Checkpoints: a crash or a restart loses nothing.
 *
 * What a checkpoint is. Per source partition: the next position to read and
 * every transform's state of that partition (for distinct-count: the
 * partition's watermark and its partial sketch of every window it touched);
 * plus every transform's instance-wide part (distinct-count: what it
 * emitted of each window, so a replay emits the same revisions). Items are
 * framed by checkpoint_format.h, each with a checksum and the fingerprint of
 * the counting configuration.
 *
 * Consistency without barriers. The loop is one thread: poll, transforms,
 * sinks, ack. Between two batches nothing is in flight, so the positions the
 * source reports (as far as acknowledged batches reach) and the transforms'
 * state describe exactly the same frames. The host flushes the sinks (the
 * results emitted so far are durable), writes the checkpoint durably, and
 * only then tells the transforms (what they emitted is covered) and the
 * source, which may commit those positions: an offset is never committed
 * before a checkpoint covers it. State ahead of a committed
 * offset cannot happen; state behind it (the old bug: windows low after a
 * kill -9) neither.
 *
 * When. Every checkpoint_interval (checked between batches), at the end of
 * the input (just before the transforms' end_of_input, so that what they
 * held for a checkpoint goes out, and after it), on SIGINT/SIGTERM (then
 * open windows stay open: the restart continues them, instead of emitting
 * them as final too early), and when
 * the source is about to give partitions back (a rebalance).
 *
 * Restoring. The instance parts before the first frame; a partition's state
 * when the source is assigned it (at init for stdin/generate, in a
 * rebalance for kafka-in), whose position then wins over any other start.
 *
 * Stores. `file:DIR` (checkpoint_file.c) keeps the whole checkpoint in one
 * file, for one instance. `kafka` is the source's own store (kafka-in: a
 * compacted topic, one record per partition), so the state of a partition
 * follows it to whichever instance of the group is assigned it.
 */
#include "checkpoint.h"

#include "checkpoint_file.h"
#include "checkpoint_format.h"
#include "log.h"
#include "metrics.h"
#include "pipeline.h"
#include "sluice_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ckpt_store { STORE_NONE, STORE_FILE, STORE_SOURCE };


static struct {
    struct sluice_pipeline *p;
    enum ckpt_store store;
    const char *dir; /* STORE_FILE's, in the pipeline's settings */
    struct ckpt_file file;
    char *fingerprint; /* text */
    uint64_t fp_hash;
    int64_t interval_ms, next_due_ms;
    /* The key of the instance part: "instance", or "instance/NAME" with
     * [pipeline] instance = NAME, so that instances sharing a store (kafka)
     * do not overwrite each other's. */
    char instance_key[512];
    struct sluice_partition *parts; /* positions buffer */
    size_t parts_cap;
    struct sluice_ckpt_stats stats;
} ck;

/* The store the setting names: "", "none", "kafka", "file:DIR". */
static enum ckpt_store store_of(const struct sluice_pipeline *p, const char **dir)
{
    const char *v = p->settings.checkpoint;
    *dir = NULL;
    if (!v || !*v) /* the default: the source's own store if it has one */
        return p->source && p->source->plugin->store_write ? STORE_SOURCE : STORE_NONE;
    if (strcmp(v, "none") == 0)
        return STORE_NONE;
    if (strncmp(v, "file:", 5) == 0) {
        *dir = v + 5;
        return STORE_FILE;
    }
    return STORE_SOURCE; /* "kafka" (validated) */
}

void sluice_ckpt_check(struct sluice_pipeline *p, struct sluice_diag *diag)
{
    struct cfg_section *ps = cfg_find_section(&p->cfg, "pipeline");
    struct cfg_entry *e = ps ? cfg_find_entry(ps, "checkpoint") : NULL;
    const char *v = p->settings.checkpoint;
    if (!p->source || !e || !v)
        return;
    const char *file = p->cfg.path;
    const char *name = p->source->plugin->name;
    if (strcmp(v, "none") == 0)
        return;
    if (strncmp(v, "file:", 5) == 0 && v[5] == '\0') {
        sluice_diag_add(diag, file, e->line, "pipeline", "checkpoint",
                        "'file:' needs a directory, e.g. file:/var/lib/sluice/unique-users");
        return;
    }
    if (strncmp(v, "file:", 5) != 0 && strcmp(v, "kafka") != 0) {
        sluice_diag_add(diag, file, e->line, "pipeline", "checkpoint",
                        "'%s': use file:DIR, kafka or none", v);
        return;
    }
    if (strcmp(v, "kafka") == 0 && !p->source->plugin->store_write) {
        sluice_diag_add(diag, file, e->line, "pipeline", "checkpoint",
                        "'kafka' keeps checkpoints in the source's Kafka cluster, but the "
                        "source is '%s': use file:DIR (or a kafka-in source)",
                        name);
        return;
    }
    if (!p->source->plugin->positions)
        sluice_diag_add(diag, file, e->line, "pipeline", "checkpoint",
                        "the source '%s' cannot resume from a position, so a checkpoint could "
                        "not be used: set checkpoint = none",
                        name);
}

/* "[transform.count] distinct-count: key=uid ...; ..." over the stateful
 * transforms. */
static char *fingerprint_text(struct sluice_pipeline *p)
{
    struct ckpt_buf b = {0};
    for (size_t i = 0; i < p->n_transforms; i++) {
        struct sluice_instance *t = p->transforms[i];
        if (!t->plugin->state_save)
            continue;
        char part[2048];
        int n = snprintf(part, sizeof part, "%s[%s] %s", b.len ? "; " : "", t->section,
                         t->plugin->name);
        ckpt_buf_put(&b, part, (size_t)n < sizeof part ? (size_t)n : sizeof part - 1);
        if (t->plugin->state_fingerprint) {
            size_t len = t->plugin->state_fingerprint(t->state, part, sizeof part);
            if (len > 0 && len < sizeof part) {
                ckpt_buf_put(&b, ": ", 2);
                ckpt_buf_put(&b, part, len);
            }
        }
    }
    ckpt_buf_put(&b, "", 1);
    if (b.failed)
        return NULL;
    return (char *)b.data;
}

/* Restore every transform's section of an item for `part` (NULL: instance). */
static int restore_item(const char *where, const uint8_t *data, size_t len,
                        const struct sluice_partition *part, int64_t *position)
{
    struct ckpt_item it;
    const char *bad = ckpt_item_parse(data, len, &it);
    if (bad) {
        host_error("checkpoint %s is unusable: %s. Remove it (the partition is then read from "
                   "the source's start position) or restore a good copy",
                   where, bad);
        return -1;
    }
    if (it.fingerprint != ck.fp_hash) {
        host_error("checkpoint %s was written by another counting configuration; this "
                   "pipeline's is (%s). Use another checkpoint location to count from scratch, "
                   "or restore the configuration that wrote it",
                   where, ck.fingerprint);
        ckpt_item_free(&it);
        return -1;
    }
    int rc = 0;
    for (size_t s = 0; s < it.nsections && rc == 0; s++) {
        const struct ckpt_section *sec = &it.sections[s];
        struct sluice_instance *t = NULL;
        for (size_t i = 0; i < ck.p->n_transforms && !t; i++)
            if (strlen(ck.p->transforms[i]->section) == sec->name_len &&
                memcmp(ck.p->transforms[i]->section, sec->name, sec->name_len) == 0)
                t = ck.p->transforms[i];
        if (!t || !t->plugin->state_load)
            continue; /* the fingerprint matched: a stateless stage */
        if (t->plugin->state_load(t->state, part, sec->data, sec->len) != SLUICE_OK) {
            host_error("checkpoint %s: [%s] could not read its state (see above)", where,
                       t->section);
            rc = -1;
        }
    }
    if (position)
        *position = it.position;
    ckpt_item_free(&it);
    return rc;
}

static void partition_key(const struct sluice_partition *part, char *buf, size_t cap)
{
    snprintf(buf, cap, "p/%s/%d", part->topic ? part->topic : "-", (int)part->partition);
}

/* The stored value of `key`: from the file read at start, or the source's
 * store. 1 found (free *owned after use), 0 none, -1 error. */
static int lookup(const char *key, const uint8_t **data, size_t *len, void **owned,
                  char *where, size_t wsize)
{
    *owned = NULL;
    if (ck.store == STORE_FILE) {
        snprintf(where, wsize, "%s (item %s)", ck.file.path, key);
        const struct ckpt_file_item *it = ckpt_file_find(&ck.file, key);
        if (!it)
            return 0;
        *data = it->value;
        *len = it->len;
        return 1;
    }
    struct sluice_instance *src = ck.p->source;
    snprintf(where, wsize, "'%s' in the %s source's store", key, src->plugin->name);
    void *v = NULL;
    size_t n = 0;
    int rc = src->plugin->store_read(src->state, key, &v, &n);
    if (rc == SLUICE_END)
        return 0;
    if (rc != SLUICE_OK) {
        host_error("reading checkpoint %s failed (see above)", where);
        return -1;
    }
    *owned = v;
    *data = v;
    *len = n;
    return 1;
}

static int restore_instance(void)
{
    const uint8_t *data;
    size_t len;
    void *owned;
    char where[4200];
    int found = lookup(ck.instance_key, &data, &len, &owned, where, sizeof where);
    if (found <= 0)
        return found;
    int rc = restore_item(where, data, len, NULL, NULL);
    free(owned);
    return rc;
}

void sluice_ckpt_select(struct sluice_pipeline *p)
{
    ck.p = p;
    ck.store = store_of(p, &ck.dir);
    if (p->settings.instance)
        snprintf(ck.instance_key, sizeof ck.instance_key, "instance/%s", p->settings.instance);
    else
        snprintf(ck.instance_key, sizeof ck.instance_key, "instance");
    ck.interval_ms = p->settings.checkpoint_interval_ms;
}

int sluice_ckpt_open(struct sluice_pipeline *p)
{
    if (ck.store == STORE_NONE)
        return 0;
    ck.fingerprint = fingerprint_text(p);
    if (!ck.fingerprint) {
        host_error("out of memory");
        return -1;
    }
    ck.fp_hash = ckpt_fingerprint_hash(ck.fingerprint);
    ck.next_due_ms = sluice_clock_monotonic_ms() + ck.interval_ms;
    if (ck.store != STORE_FILE)
        return 0; /* read once the source runs */
    char err[8192];
    if (ckpt_file_open(&ck.file, ck.dir, err, sizeof err)) {
        host_error("%s (checkpoint = %s in [pipeline])", err, p->settings.checkpoint);
        return -1;
    }
    if (ckpt_file_load(&ck.file, ck.fingerprint, err, sizeof err) != 0) {
        host_error("%s", err);
        return -1;
    }
    if (err[0])
        host_warn("%s", err);
    if (ck.file.n > 0)
        host_info("resuming from checkpoint %s (number %llu, %zu item(s))", ck.file.path,
                  (unsigned long long)ck.file.seq, ck.file.n);
    return restore_instance();
}

int sluice_ckpt_source_started(struct sluice_pipeline *p)
{
    (void)p;
    return ck.store == STORE_SOURCE ? restore_instance() : 0;
}

bool sluice_ckpt_enabled(void)
{
    return ck.store != STORE_NONE;
}

bool sluice_ckpt_due(int64_t now)
{
    return ck.store != STORE_NONE && now >= ck.next_due_ms;
}

static int tell_transforms(const struct sluice_partition *parts, size_t n, bool held)
{
    if (!ck.p)
        return SLUICE_OK;
    for (size_t i = 0; i < ck.p->n_transforms; i++) {
        struct sluice_instance *t = ck.p->transforms[i];
        if (t->started && t->plugin->partitions_changed &&
            t->plugin->partitions_changed(t->state, parts, n, held) != SLUICE_OK)
            return SLUICE_ERROR;
    }
    return SLUICE_OK;
}

int sluice_ckpt_assigned(struct sluice_instance *src, struct sluice_partition *parts, size_t n)
{
    (void)src;
    for (size_t i = 0; i < n; i++)
        parts[i].position = SLUICE_NO_OFFSET;
    if (tell_transforms(parts, n, true) != SLUICE_OK)
        return SLUICE_ERROR;
    if (ck.store == STORE_NONE)
        return SLUICE_OK;
    for (size_t i = 0; i < n; i++) {
        char key[512], where[4200];
        partition_key(&parts[i], key, sizeof key);
        const uint8_t *data;
        size_t len;
        void *owned;
        int found = lookup(key, &data, &len, &owned, where, sizeof where);
        if (found < 0)
            return SLUICE_ERROR;
        if (found == 0)
            continue;
        int64_t pos = SLUICE_NO_OFFSET;
        int rc = restore_item(where, data, len, &parts[i], &pos);
        free(owned);
        if (rc != 0)
            return SLUICE_ERROR;
        parts[i].position = pos;
        host_debug("restored %s: resuming at position %lld", key, (long long)pos);
    }
    return SLUICE_OK;
}

/* `write` of the state stream: append to the item being built. */
static int out_write(struct sluice_state_out *out, const void *bytes, size_t n)
{
    struct ckpt_buf *b = out->host_private;
    ckpt_buf_put(b, bytes, n);
    return b->failed ? SLUICE_ERROR : SLUICE_OK;
}

/* Frame one item: every stateful transform's state of `part` (NULL:
 * instance part). */
static int build_item(struct ckpt_buf *b, const struct sluice_partition *part)
{
    b->len = 0;
    ckpt_buf_put(b, CKPT_ITEM_MAGIC, 4);
    uint8_t head[4] = {CKPT_FORMAT_VERSION, part ? CKPT_KIND_PARTITION : CKPT_KIND_INSTANCE, 0,
                       0};
    ckpt_buf_put(b, head, 4);
    ckpt_buf_u64(b, ck.fp_hash);
    ckpt_buf_u64(b, (uint64_t)(part ? part->position : SLUICE_NO_OFFSET));
    size_t count_at = b->len;
    ckpt_buf_u32(b, 0);
    uint32_t sections = 0;
    for (size_t i = 0; i < ck.p->n_transforms; i++) {
        struct sluice_instance *t = ck.p->transforms[i];
        if (!t->plugin->state_save)
            continue;
        ckpt_buf_u16(b, (uint16_t)strlen(t->section));
        ckpt_buf_put(b, t->section, strlen(t->section));
        size_t len_at = b->len;
        ckpt_buf_u32(b, 0);
        struct sluice_state_out out = {.write = out_write, .host_private = b};
        if (t->plugin->state_save(t->state, part, &out) != SLUICE_OK || b->failed) {
            host_error("[%s] could not save its state%s", t->section,
                       b->failed ? ": out of memory" : " (see above)");
            return -1;
        }
        uint32_t len = (uint32_t)(b->len - len_at - 4);
        for (int k = 0; k < 4; k++)
            b->data[len_at + (size_t)k] = (uint8_t)(len >> (8 * k));
        sections++;
    }
    for (int k = 0; k < 4; k++)
        b->data[count_at + (size_t)k] = (uint8_t)(sections >> (8 * k));
    ckpt_buf_crc(b, 0);
    return b->failed ? -1 : 0;
}

/* The source's positions, into ck.parts; how many. */
static size_t source_positions(void)
{
    struct sluice_instance *src = ck.p->source;
    for (;;) {
        size_t n = src->plugin->positions(src->state, ck.parts, ck.parts_cap);
        if (n <= ck.parts_cap)
            return n;
        struct sluice_partition *a = realloc(ck.parts, n * sizeof *a);
        if (!a)
            return (size_t)-1;
        ck.parts = a;
        ck.parts_cap = n;
    }
}

int sluice_ckpt_take(struct sluice_pipeline *p, const char *why)
{
    if (sluice_pipeline_flush_sinks(p) != SLUICE_OK)
        return -1;
    if (ck.store == STORE_NONE)
        return 0;
    int64_t t0 = sluice_clock_monotonic_us();
    ck.next_due_ms = sluice_clock_monotonic_ms() + ck.interval_ms;
    size_t n = source_positions();
    if (n == (size_t)-1) {
        host_error("out of memory for a checkpoint");
        return -1;
    }
    struct ckpt_buf *bufs = calloc(n + 1, sizeof *bufs);
    struct sluice_state_item *items = calloc(n + 1, sizeof *items);
    char (*keys)[512] = calloc(n + 1, sizeof *keys);
    int rc = -1;
    size_t bytes = 0;
    if (!bufs || !items || !keys) {
        host_error("out of memory for a checkpoint");
        goto out;
    }
    for (size_t i = 0; i <= n; i++) {
        const struct sluice_partition *part = i < n ? &ck.parts[i] : NULL;
        if (part)
            partition_key(part, keys[i], sizeof keys[i]);
        else
            snprintf(keys[i], sizeof keys[i], "%s", ck.instance_key);
        if (build_item(&bufs[i], part) != 0)
            goto out;
        items[i] = (struct sluice_state_item){keys[i], bufs[i].data, bufs[i].len};
        bytes += bufs[i].len;
    }
    if (ck.store == STORE_FILE) {
        char err[8192];
        if (ckpt_file_save(&ck.file, ck.fingerprint, items, n + 1, err, sizeof err) != 0) {
            host_error("%s: positions are not committed; the checkpoint is retried at the next "
                       "interval (check the disk)", err);
            rc = 0; /* nothing is lost: the previous checkpoint and offsets stay */
            goto out;
        }
    } else if (p->source->plugin->store_write(p->source->state, items, n + 1) != SLUICE_OK) {
        host_error("writing the checkpoint to the source's store failed (see above): "
                   "positions are not committed; retried at the next interval");
        rc = 0;
        goto out;
    }
    for (size_t i = 0; i < p->n_transforms; i++) {
        const struct sluice_instance *t = p->transforms[i];
        if (t->plugin->state_save && t->plugin->checkpointed)
            t->plugin->checkpointed(t->state, ck.parts, n);
    }
    if (p->source->plugin->checkpointed &&
        p->source->plugin->checkpointed(p->source->state, ck.parts, n) != SLUICE_OK) {
        host_warn("the source could not commit the checkpoint's positions (see above); the "
                  "checkpoint itself is durable");
    }
    ck.stats.taken++;
    ck.stats.last_mono_ms = sluice_clock_monotonic_ms();
    ck.stats.last_duration_us = sluice_clock_monotonic_us() - t0;
    ck.stats.last_bytes = bytes;
    sluice_metrics_checkpoint((double)ck.stats.last_duration_us / 1e6);
    host_debug("checkpoint (%s): %zu partition(s), %zu bytes in %.1f ms", why, n, bytes,
               (double)ck.stats.last_duration_us / 1000);
    rc = 0;
out:
    for (size_t i = 0; bufs && i <= n; i++)
        ckpt_buf_free(&bufs[i]);
    free(bufs);
    free(items);
    free(keys);
    return rc;
}

int sluice_ckpt_revoked(struct sluice_instance *src, const struct sluice_partition *parts,
                        size_t n)
{
    (void)src;
    if (ck.store != STORE_NONE && sluice_ckpt_take(ck.p, "partitions revoked") != 0)
        return SLUICE_ERROR;
    return tell_transforms(parts, n, false);
}

void sluice_ckpt_close(void)
{
    ckpt_file_close(&ck.file);
    free(ck.fingerprint);
    free(ck.parts);
    memset(&ck, 0, sizeof ck);
}
