/* A pipeline: the file read and checked, the plugins bound, the loop run. */
#ifndef SLUICE_HOST_PIPELINE_H
#define SLUICE_HOST_PIPELINE_H

#include "config.h"
#include "host_api.h"
#include "loader.h"

struct pipeline_settings {
    char *name;
    char *plugin_path;
    int64_t tick_ms;
    int log_level; /* SLUICE_LOG_*: the choices are in their order; -1 = not set */
    char *checkpoint;
    int64_t checkpoint_interval_ms;
    char *instance; /* the instance part's key suffix, or NULL */
    char *metrics; /* host:port of /metrics, /healthz, /readyz, or NULL */
};

struct sluice_pipeline {
    struct cfg_file cfg;
    struct pipeline_settings settings;
    struct sluice_search_path search;
    struct sluice_instance *source;
    struct sluice_instance **transforms;
    size_t n_transforms;
    struct sluice_instance **sinks;
    size_t n_sinks;
    /* One output batch per transform for records, one for tick/flush. */
    struct sluice_batch source_batch;
    struct sluice_batch *out;
    struct sluice_batch *side_out;
    uint64_t frames_in, records_out;
};

extern const struct sluice_option sluice_pipeline_options[];

/* Read and check `path`; load every plugin and fill every config. Returns the
 * number of problems (each in `diag`); 0 means ready to run. */
int sluice_pipeline_build(struct sluice_pipeline *p, const char *path, const char *cli_plugin_path,
                          struct sluice_diag *diag);

/* Start the plugins and run until the source ends or a stop is requested.
 * Returns 0 on a clean end, 1 on a runtime error, 2 when a checkpoint
 * cannot be used (nothing was read). */
int sluice_pipeline_run(struct sluice_pipeline *p);

void sluice_pipeline_free(struct sluice_pipeline *p);

/* Make everything the sinks were given durable (before a checkpoint). */
int sluice_pipeline_flush_sinks(struct sluice_pipeline *p);

#endif
