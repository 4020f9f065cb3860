/* The table of host services every plugin gets at init. */
#include "host_api.h"

#include "batch.h"
#include "checkpoint.h"
#include "fields.h"
#include "log.h"
#include "metrics.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_flag;

void sluice_request_stop(void)
{
    stop_flag = 1;
}

static bool api_stop_requested(void)
{
    return stop_flag != 0;
}

static void api_log(struct sluice_instance *self, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sluice_vlog(self ? self->prefix : NULL, level, fmt, ap);
    va_end(ap);
}

static bool api_log_enabled(struct sluice_instance *self, int level)
{
    (void)self;
    return level <= sluice_log_level;
}

static void api_counter_add(struct sluice_instance *self, const char *name, int64_t delta)
{
    if (!self)
        return;
    /* One writer (the instance's thread): a relaxed load and store, not a
     * locked add; the metrics thread reads whole values. */
    int n = atomic_load_explicit(&self->n_counters, memory_order_relaxed);
    for (int i = 0; i < n; i++) {
        struct sluice_counter *c = &self->counters[i];
        /* Names are literals: pointer equality is the fast path. */
        if (c->name == name || strcmp(c->name, name) == 0) {
            atomic_store_explicit(&c->value,
                                  atomic_load_explicit(&c->value, memory_order_relaxed) + delta,
                                  memory_order_relaxed);
            return;
        }
    }
    if (n < SLUICE_MAX_COUNTERS) {
        self->counters[n].name = name;
        atomic_store_explicit(&self->counters[n].value, delta, memory_order_relaxed);
        atomic_store_explicit(&self->n_counters, n + 1, memory_order_release);
    } else if (!self->counters_full) {
        /* The plugin's bug, not the user's: say it once, keep running. */
        self->counters_full = true;
        sluice_log(self->prefix, SLUICE_LOG_WARN,
                   "counter '%s' not kept: an instance has at most %d counters (a bug in "
                   "the plugin; report it to its author)",
                   name, SLUICE_MAX_COUNTERS);
    }
}

static const char *api_instance_name(struct sluice_instance *self)
{
    return self ? self->section : "host";
}

static const char *pipeline_file_path = "(no pipeline file)";

void sluice_set_pipeline_file(const char *path)
{
    pipeline_file_path = path;
}

static const char *api_pipeline_file(void)
{
    return pipeline_file_path;
}

static const struct sluice_host_api host_api = {
    .abi_version = SLUICE_ABI_VERSION,
    .struct_size = sizeof(struct sluice_host_api),
    .log = api_log,
    .log_enabled = api_log_enabled,
    .counter_add = api_counter_add,
    .field_id = sluice_field_id,
    .batch_append = sluice_batch_append,
    .batch_alloc = sluice_batch_alloc,
    .stop_requested = api_stop_requested,
    .instance_name = api_instance_name,
    .pipeline_file = api_pipeline_file,
    .partitions_assigned = sluice_ckpt_assigned,
    .partitions_revoked = sluice_ckpt_revoked,
    .checkpointing = sluice_ckpt_enabled,
    .gauge_set = sluice_gauge_set,
    .set_ready = sluice_set_ready,
};

const struct sluice_host_api *sluice_host_api(void)
{
    return &host_api;
}

struct sluice_instance *sluice_instance_standalone(const char *prefix)
{
    struct sluice_instance *inst = calloc(1, sizeof *inst);
    if (!inst)
        return NULL;
    inst->prefix = strdup(prefix);
    inst->section = strdup(prefix);
    return inst;
}

void sluice_instance_free(struct sluice_instance *inst)
{
    if (!inst)
        return;
    sluice_metrics_instance_free(inst);
    free(inst->so_path);
    free(inst->section);
    free(inst->prefix);
    free(inst);
}
