/*
 * Checkpoints: the host side of ABI 2's partitions, positions and state
 * (include/sluice/plugin.h, "Checkpoints"). The essay is in checkpoint.c.
 */
#ifndef SLUICE_HOST_CHECKPOINT_H
#define SLUICE_HOST_CHECKPOINT_H

#include "config.h"
#include "host_api.h"

struct sluice_pipeline;

/* While building: check `[pipeline] checkpoint` against the source (its
 * plugin must be able to resume; `kafka` needs a source with a store).
 * Problems go to diag. */
void sluice_ckpt_check(struct sluice_pipeline *p, struct sluice_diag *diag);

/* Before any plugin starts: choose the store, so that a plugin's init
 * already gets the right answer from host->checkpointing() (distinct-count
 * decides there whether a window waits for a checkpoint between two
 * emissions). */
void sluice_ckpt_select(struct sluice_pipeline *p);
/* Once the transforms are started and before the source is: read the file
 * store's checkpoint, restore the instance parts. 0, or -1 after logging
 * why (nothing usable: exit 2). */
int sluice_ckpt_open(struct sluice_pipeline *p);
/* Right after the source started: a source store's instance parts. 0 or -1. */
int sluice_ckpt_source_started(struct sluice_pipeline *p);

/* Is a checkpoint due now (monotonic ms)? */
bool sluice_ckpt_due(int64_t mono_ms);
/* Flush the sinks (what was emitted becomes durable), then, with
 * checkpoints, take one: positions, every transform's state, written
 * durably, then the transforms and the source are told (the source commits
 * the positions). 0, or -1 if a sink's flush failed or memory ran short. */
int sluice_ckpt_take(struct sluice_pipeline *p, const char *why);
void sluice_ckpt_close(void);

/* The host API entries (see plugin.h). */
int sluice_ckpt_assigned(struct sluice_instance *src, struct sluice_partition *parts, size_t n);
int sluice_ckpt_revoked(struct sluice_instance *src, const struct sluice_partition *parts,
                        size_t n);
bool sluice_ckpt_enabled(void);

/* What the last checkpoint took (for its debug line). */
struct sluice_ckpt_stats {
    uint64_t taken;
    int64_t last_mono_ms;    /* when the last one was written; 0: none yet */
    int64_t last_duration_us;
    size_t last_bytes;
};

#endif
