/* Checkpoints (see checkpoint.h). */
#include "checkpoint.h"

#include "pipeline.h"

static struct sluice_pipeline *attached;

void sluice_ckpt_attach(struct sluice_pipeline *p)
{
    attached = p;
}

static int tell_transforms(const struct sluice_partition *parts, size_t n, bool held)
{
    if (!attached)
        return SLUICE_OK;
    for (size_t i = 0; i < attached->n_transforms; i++) {
        struct sluice_instance *t = attached->transforms[i];
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
    return tell_transforms(parts, n, true);
}

int sluice_ckpt_revoked(struct sluice_instance *src, const struct sluice_partition *parts,
                        size_t n)
{
    (void)src;
    return tell_transforms(parts, n, false);
}

bool sluice_ckpt_enabled(void)
{
    return false;
}
