/*
 * What a running pipeline publishes about itself, for /metrics, /readyz and
 * the progress line: the plugins' counters (host_api.c) and gauges, each
 * instance's readiness, and the loop's own counts.
 *
 * Threads: the loop's thread (and the plugins it calls) writes, the metrics
 * and progress threads read. Every value a reader needs is one atomic word
 * written with a relaxed store (a plain store on x86: nothing on the hot path
 * waits or locks), and new entries (a counter or gauge seen for the first
 * time) are published with a release store of the entry count, so a reader
 * never sees a half-written entry. Readiness reasons are strings: a writer
 * that changes one takes a lock (rare: at state changes), and a reader copies
 * it under that lock.
 */
#ifndef SLUICE_HOST_METRICS_H
#define SLUICE_HOST_METRICS_H

#include "host_api.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sluice_pipeline;

#define SLUICE_GAUGE_BLOCK 32

struct sluice_gauge {
    const char *name;       /* the plugin's literal */
    char *labels;           /* a copy, or NULL */
    bool bad;               /* refused (logged once): kept so later sets are ignored */
    _Atomic uint64_t bits;  /* the value, a double's bits */
};

/* An instance's gauges: blocks appended by its thread only. */
struct sluice_gauge_block {
    struct sluice_gauge g[SLUICE_GAUGE_BLOCK];
    _Atomic int n;
    struct sluice_gauge_block *_Atomic next;
};

/* The host API's gauge_set and set_ready (see include/sluice/plugin.h). */
void sluice_gauge_set(struct sluice_instance *self, const char *name, const char *labels,
                      double value);
void sluice_set_ready(struct sluice_instance *self, const char *not_ready_reason);
void sluice_metrics_instance_free(struct sluice_instance *inst);

/* Gauge `name` of `inst` over all its label sets: how many are shown (not
 * NAN), their sum, and their least value. */
struct sluice_gauge_view {
    int n;
    double sum, min;
};
void sluice_gauge_view(const struct sluice_instance *inst, const char *name,
                       struct sluice_gauge_view *out);

/* The loop's own counts and state, written by the loop's thread. */
enum sluice_run_state {
    SLUICE_RUN_STARTING = 0, /* plugins being initialised */
    SLUICE_RUN_RUNNING,
    SLUICE_RUN_STOPPING, /* draining, flushing */
    SLUICE_RUN_STOPPED
};
void sluice_metrics_set_state(enum sluice_run_state state);
enum sluice_run_state sluice_metrics_state(void);
/* The loop turned at `mono_ms` (CLOCK_MONOTONIC, ms). */
void sluice_metrics_heartbeat(int64_t mono_ms);

/* A loop that has not turned for this long (plus two ticks: a source's
 * poll may wait one) is stuck, a plugin call that does not return:
 * /healthz says so. */
#define SLUICE_STUCK_MS 60000
void sluice_metrics_set_tick(int64_t tick_ms);

/* NULL while the loop is alive (starting, or running and turning), else
 * a one-line reason in `buf`: for /healthz. */
const char *sluice_health_reason(char *buf, size_t size);
/* A source batch entered the chain / `n` records went to the sinks. */
void sluice_metrics_source_batch(const struct sluice_batch *b);
void sluice_metrics_records_out(uint64_t n);
uint64_t sluice_metrics_frames_in(void);
uint64_t sluice_metrics_bytes_in(void);

/* For the host's own reasons not to be ready, e.g. "restoring state from a
 * checkpoint" while a checkpoint is read back; NULL when that is over. */
void sluice_metrics_host_not_ready(const char *reason);

/* A checkpoint finished just now and took `duration_s`: /metrics then
 * shows sluice_checkpoints_total, sluice_checkpoint_duration_seconds and
 * sluice_checkpoint_age_seconds (the age counted at each scrape). Call from
 * the loop's thread. */
void sluice_metrics_checkpoint(double duration_s);

/* NULL if the pipeline is ready, else a one-line reason in `buf`:
 * starting, a host reason, or the first instance (source, transforms,
 * sinks) that is not ready, by section. */
const char *sluice_ready_reason(const struct sluice_pipeline *p, char *buf, size_t size);

/* The Prometheus text exposition (version 0.0.4) of everything above:
 * a malloc'd string (its length in *len), or NULL when out of memory. */
char *sluice_metrics_render(const struct sluice_pipeline *p, size_t *len);

/* Check a `[pipeline] metrics` value, host:port ("127.0.0.1:9464",
 * "[::1]:9464", "localhost:9464"): NULL if fine, else why (an option
 * validator). */
const char *sluice_metrics_check_address(const void *value);

/* Start serving /metrics, /healthz and /readyz on `p->settings.metrics`
 * (if set) and the progress line (if enabled); false after logging why.
 * Stop both; the progress line is erased. */
bool sluice_observe_start(const struct sluice_pipeline *p);
void sluice_observe_stop(void);

#endif
