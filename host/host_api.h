/* The host API table handed to plugins, and the per-section instance. */
#ifndef SLUICE_HOST_API_H
#define SLUICE_HOST_API_H

#include <sluice/plugin.h>
#include <stdatomic.h>

/* Written by the instance's thread only, read by the metrics thread: so
 * plain relaxed loads and stores, no locked instructions (metrics.h). */
struct sluice_counter {
    const char *name;
    _Atomic int64_t value;
};

struct sluice_gauge_block; /* metrics.c */

/* One configured section of the pipeline file, bound to its plugin. */
struct sluice_instance {
    const struct sluice_plugin *plugin;
    void *dl_handle;
    char *so_path;
    char *section; /* "source", "transform.count", "sink.results" */
    char *prefix;  /* "transform:distinct-count:count", for log lines */
    void *config;  /* filled from the options table */
    void *state;   /* the plugin's */
    bool started;
    struct sluice_counter counters[SLUICE_MAX_COUNTERS];
    _Atomic int n_counters; /* published after the new entry is written */
    bool counters_full;     /* a name was dropped (warned once) */
    /* Gauges and readiness (metrics.c). */
    struct sluice_gauge_block *_Atomic gauges;
    char *not_ready; /* NULL: ready; guarded by metrics.c's lock for readers */
};

const struct sluice_host_api *sluice_host_api(void);

/* An instance with no plugin behind it, for tests that drive a plugin's
 * callbacks directly. Free with sluice_instance_free. */
struct sluice_instance *sluice_instance_standalone(const char *prefix);
void sluice_instance_free(struct sluice_instance *inst);

/* The path plugins see through host->pipeline_file(); must outlive the run. */
void sluice_set_pipeline_file(const char *path);

/* Set by the signal handler. */
void sluice_request_stop(void);

#endif
