/*
 * Batches. The record array grows by doubling and is reused from batch to
 * batch, so a running pipeline allocates nothing per record once warm. The
 * arena is a list of blocks: an allocation never moves earlier ones (records
 * point into it), and a reset keeps the first block for the next batch.
 */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_MIN (64 * 1024)
#define RECORDS_MIN 256

struct sluice_arena_block {
    struct sluice_arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

void sluice_batch_init(struct sluice_batch *b)
{
    memset(b, 0, sizeof *b);
}

void sluice_batch_reset(struct sluice_batch *b)
{
    b->count = 0;
    b->source_token = NULL;
    b->source_token_n = 0;
    struct sluice_arena_block *blk = b->arena;
    if (!blk)
        return;
    /* Keep only the largest (head) block: the newest is the biggest. */
    struct sluice_arena_block *rest = blk->next;
    while (rest) {
        struct sluice_arena_block *n = rest->next;
        free(rest);
        rest = n;
    }
    blk->next = NULL;
    blk->used = 0;
}

void sluice_batch_free(struct sluice_batch *b)
{
    sluice_batch_reset(b);
    free(b->arena);
    free(b->records);
    memset(b, 0, sizeof *b);
}

struct sluice_record *sluice_batch_append(struct sluice_batch *b)
{
    if (b->count == b->capacity) {
        size_t cap = b->capacity ? b->capacity * 2 : RECORDS_MIN;
        struct sluice_record *r = realloc(b->records, cap * sizeof *r);
        if (!r)
            return NULL;
        b->records = r;
        b->capacity = cap;
    }
    struct sluice_record *r = &b->records[b->count++];
    memset(r, 0, offsetof(struct sluice_record, fields));
    r->partition = 0;
    r->offset = SLUICE_NO_OFFSET;
    r->source_ts_ms = -1;
    return r;
}

void *sluice_batch_alloc(struct sluice_batch *b, size_t n)
{
    size_t need = (n + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
    struct sluice_arena_block *blk = b->arena;
    if (!blk || blk->cap - blk->used < need) {
        size_t cap = blk ? blk->cap * 2 : ARENA_BLOCK_MIN;
        while (cap < need)
            cap *= 2;
        struct sluice_arena_block *nb = malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->cap = cap;
        nb->used = 0;
        nb->next = blk;
        b->arena = nb;
        blk = nb;
    }
    void *p = (char *)blk->data + blk->used;
    blk->used += need;
    return p;
}
