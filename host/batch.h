/* Batches: a reusable record array plus a block arena for bytes. */
#ifndef SLUICE_HOST_BATCH_H
#define SLUICE_HOST_BATCH_H

#include <sluice/plugin.h>

void sluice_batch_init(struct sluice_batch *b);
/* Forget the records and arena contents; keep the memory for reuse. */
void sluice_batch_reset(struct sluice_batch *b);
void sluice_batch_free(struct sluice_batch *b);

struct sluice_record *sluice_batch_append(struct sluice_batch *b);
void *sluice_batch_alloc(struct sluice_batch *b, size_t n);

#endif
