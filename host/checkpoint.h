/* Checkpoints: the host side of ABI 2's partitions, positions and state
 * (see include/sluice/plugin.h, "Checkpoints", and checkpoint.c). */
#ifndef SLUICE_HOST_CHECKPOINT_H
#define SLUICE_HOST_CHECKPOINT_H

#include "host_api.h"

struct sluice_pipeline;

/* The pipeline whose transforms hear of partitions (set while it runs). */
void sluice_ckpt_attach(struct sluice_pipeline *p);

/* The host API entries (see plugin.h). */
int sluice_ckpt_assigned(struct sluice_instance *src, struct sluice_partition *parts, size_t n);
int sluice_ckpt_revoked(struct sluice_instance *src, const struct sluice_partition *parts,
                        size_t n);
bool sluice_ckpt_enabled(void);

#endif
