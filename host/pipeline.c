/*
 * The pipeline: building it from the file, then the loop.
 *
 * Building checks everything before anything starts: every section against
 * its plugin's option table, every plugin's ABI and kind, the shape (one
 * source, at least one sink). All problems are collected and reported at
 * once.
 *
 * The loop is single-threaded and owns the batches: poll the source, pass
 * the batch through the transforms in file order, hand the result to every
 * sink, then acknowledge the batch to the source (which may now release the
 * bytes and commit offsets). A tick every `tick` of processing time lets
 * transforms emit results when no records arrive; at the end each
 * transform's end_of_input output flows through the rest of the chain, and
 * the sinks are flushed.
 */
#include "pipeline.h"

#include "batch.h"
#include "checkpoint.h"
#include "log.h"
#include "metrics.h"
#include "options.h"
#include "sluice_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An instance name goes into a checkpoint key: short, printable. */
static const char *check_instance_name(const void *value)
{
    const char *text = *(const char *const *)value;
    if (strlen(text) > 200)
        return "at most 200 characters";
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if (*c < 0x21 || *c == 0x7f)
            return "no spaces or control characters (it names this instance's checkpoint key)";
    return NULL;
}

const struct sluice_option sluice_pipeline_options[] = {
    SLUICE_STRING_OPTION("name", struct pipeline_settings, name, .default_value = "sluice",
                         .doc = "a name for log lines"),
    SLUICE_STRING_OPTION("plugin_path", struct pipeline_settings, plugin_path,
                         .doc = "directories searched first for plugins, ':'-separated"),
    SLUICE_DURATION_OPTION("tick", struct pipeline_settings, tick_ms, .default_value = "100ms",
                           .min = 1, .max = 60000,
                           .doc = "how often transforms are ticked when no records arrive"),
    SLUICE_ENUM_OPTION("log_level", struct pipeline_settings, log_level,
                       "error|warn|info|debug|trace", .doc = "log level (--log-level overrides)"),
    SLUICE_STRING_OPTION("checkpoint", struct pipeline_settings, checkpoint,
                         .doc = "where state and positions are checkpointed: file:DIR, kafka (the "
                                "kafka-in source's cluster) or none; default kafka with a "
                                "kafka-in source, else none"),
    SLUICE_DURATION_OPTION("checkpoint_interval", struct pipeline_settings,
                           checkpoint_interval_ms, .default_value = "5s", .min = 100,
                           .max = 86400000.0,
                           .doc = "how often a checkpoint is taken (also at end of input, on stop "
                                  "and on rebalance)"),
    SLUICE_STRING_OPTION("instance", struct pipeline_settings, instance,
                         .flags = SLUICE_OPT_NONEMPTY, .validate = check_instance_name,
                         .doc = "this instance's name among the instances of one group that share "
                                "checkpoint = kafka: its instance-wide state (what it emitted of "
                                "each window) is kept under its own key; give each its own, the "
                                "same across restarts (default: one key for the pipeline)"),
    SLUICE_STRING_OPTION("metrics", struct pipeline_settings, metrics,
                         .flags = SLUICE_OPT_NONEMPTY, .validate = sluice_metrics_check_address,
                         .doc = "serve /metrics (Prometheus), /healthz and /readyz on host:port, "
                                "e.g. 127.0.0.1:9464 (default: off)"),
    SLUICE_OPTIONS_END,
};

/* ------------------------------------------------------------------ */
/* Building                                                            */
/* ------------------------------------------------------------------ */

static bool section_kind(const char *name, enum sluice_kind *kind)
{
    if (strcmp(name, "source") == 0 || strncmp(name, "source.", 7) == 0) {
        *kind = SLUICE_KIND_SOURCE;
        return name[6] == '\0' || name[7] != '\0';
    }
    if (strncmp(name, "transform.", 10) == 0 && name[10]) {
        *kind = SLUICE_KIND_TRANSFORM;
        return true;
    }
    if (strcmp(name, "sink") == 0 || (strncmp(name, "sink.", 5) == 0 && name[5])) {
        *kind = SLUICE_KIND_SINK;
        return true;
    }
    return false;
}

static struct sluice_instance *bind_section(struct sluice_pipeline *p, struct cfg_section *sec,
                                            enum sluice_kind kind, struct sluice_diag *diag)
{
    const char *file = p->cfg.path;
    struct cfg_entry *pe = cfg_find_entry(sec, "plugin");
    if (!pe) {
        sluice_diag_add(diag, file, sec->line, sec->name, "plugin",
                        "missing required key (which %s plugin to run; see "
                        "`sluice --list-plugins`)",
                        sluice_kind_name(kind));
        return NULL;
    }
    struct sluice_loaded l;
    char err[4096];
    if (!sluice_plugin_load(&p->search, pe->value, &l, err, sizeof err)) {
        sluice_diag_add(diag, file, pe->line, sec->name, "plugin", "%s", err);
        return NULL;
    }
    if (l.plugin->kind != kind) {
        sluice_diag_add(diag, file, pe->line, sec->name, "plugin",
                        "'%s' is a %s plugin, but [%s] needs a %s", pe->value,
                        sluice_kind_name(l.plugin->kind), sec->name, sluice_kind_name(kind));
        sluice_plugin_unload(&l);
        return NULL;
    }
    struct sluice_instance *inst = calloc(1, sizeof *inst);
    void *config = calloc(1, l.plugin->config_size ? l.plugin->config_size : 1);
    if (!inst || !config) {
        perror("sluice");
        exit(1);
    }
    inst->plugin = l.plugin;
    inst->dl_handle = l.handle;
    inst->so_path = l.path;
    inst->section = strdup(sec->name);
    const char *alias = strchr(sec->name, '.') ? strchr(sec->name, '.') + 1 : sec->name;
    size_t plen = strlen(alias) + strlen(l.plugin->name) + 16;
    inst->prefix = malloc(plen);
    snprintf(inst->prefix, plen, "%s:%s:%s", sluice_kind_name(kind), l.plugin->name, alias);
    inst->config = config;
    static const struct sluice_option none[] = {SLUICE_OPTIONS_END};
    sluice_options_fill(l.plugin->options ? l.plugin->options : none, sluice_host_keys, config,
                        sec, file, diag);
    return inst;
}

static void push_instance(struct sluice_instance ***arr, size_t *n, struct sluice_instance *inst)
{
    struct sluice_instance **a = realloc(*arr, (*n + 1) * sizeof *a);
    if (!a) {
        perror("sluice");
        exit(1);
    }
    *arr = a;
    a[(*n)++] = inst;
}

int sluice_pipeline_build(struct sluice_pipeline *p, const char *path, const char *cli_plugin_path,
                          struct sluice_diag *diag)
{
    memset(p, 0, sizeof *p);
    if (!cfg_read(&p->cfg, path, NULL, diag))
        return (int)diag->n;
    const char *file = p->cfg.path;
    sluice_set_pipeline_file(file);

    struct cfg_section *ps = cfg_find_section(&p->cfg, "pipeline");
    struct cfg_section empty = {.name = "pipeline", .line = 0};
    sluice_options_fill(sluice_pipeline_options, NULL, &p->settings, ps ? ps : &empty, file,
                        diag);

    sluice_search_path_init(&p->search, p->settings.plugin_path, cli_plugin_path);

    int n_sources = 0, n_sink_sections = 0;
    for (size_t i = 0; i < p->cfg.n; i++) {
        struct cfg_section *sec = &p->cfg.sections[i];
        if (strcmp(sec->name, "pipeline") == 0)
            continue;
        enum sluice_kind kind;
        if (!section_kind(sec->name, &kind)) {
            sluice_diag_add(diag, file, sec->line, sec->name, NULL,
                            "unknown section: use [pipeline], [source], [transform.NAME] or "
                            "[sink.NAME]");
            continue;
        }
        if (kind == SLUICE_KIND_SINK)
            n_sink_sections++;
        if (kind == SLUICE_KIND_SOURCE && ++n_sources > 1) {
            sluice_diag_add(diag, file, sec->line, sec->name, NULL,
                            "a second source: a pipeline reads from exactly one source");
            continue;
        }
        struct sluice_instance *inst = bind_section(p, sec, kind, diag);
        if (!inst)
            continue;
        if (kind == SLUICE_KIND_SOURCE)
            p->source = inst;
        else if (kind == SLUICE_KIND_TRANSFORM)
            push_instance(&p->transforms, &p->n_transforms, inst);
        else
            push_instance(&p->sinks, &p->n_sinks, inst);
    }
    if (n_sources == 0)
        sluice_diag_add(diag, file, 0, NULL, NULL,
                        "no [source] section: a pipeline reads from one source "
                        "(e.g. [source] plugin = stdin)");
    if (n_sink_sections == 0)
        sluice_diag_add(diag, file, 0, NULL, NULL,
                        "no [sink.NAME] section: a pipeline writes to at least one sink "
                        "(e.g. [sink.out] plugin = stdout)");
    sluice_ckpt_check(p, diag);
    return (int)diag->n;
}

/* ------------------------------------------------------------------ */
/* Running                                                             */
/* ------------------------------------------------------------------ */

static int write_sinks(struct sluice_pipeline *p, struct sluice_batch *b)
{
    if (b->count == 0)
        return SLUICE_OK;
    for (size_t i = 0; i < p->n_sinks; i++) {
        struct sluice_instance *s = p->sinks[i];
        int64_t started = sluice_clock_monotonic_ms(), last_warn = started;
        int rc;
        /* RETRY means the sink took nothing (a full queue): wait and offer
         * the same batch again. Nothing is dropped; on a stop request we
         * give up after a bounded time and say how much was not written. */
        while ((rc = s->plugin->write(s->state, b)) == SLUICE_RETRY) {
            int64_t t = sluice_clock_monotonic_ms();
            sluice_metrics_heartbeat(t); /* waiting for a sink is not being stuck */
            if (t - last_warn >= 5000) {
                sluice_log(s->prefix, SLUICE_LOG_WARN, "sink is full for %.0f s; still waiting",
                           (double)(t - started) / 1000);
                last_warn = t;
                sluice_set_ready(s, "the sink keeps refusing records (full)");
            }
            if (sluice_host_api()->stop_requested() && t - started > 10000) {
                sluice_log(s->prefix, SLUICE_LOG_ERROR,
                           "stop requested and the sink stayed full: %zu records not written",
                           b->count);
                return SLUICE_ERROR;
            }
            if (s->plugin->tick)
                s->plugin->tick(s->state, sluice_clock_realtime_ms(), NULL);
            struct timespec nap = {0, 10 * 1000000};
            nanosleep(&nap, NULL);
        }
        if (rc != SLUICE_OK) {
            sluice_log(s->prefix, SLUICE_LOG_ERROR, "write failed; stopping the pipeline");
            sluice_set_ready(s, "the sink failed");
            return SLUICE_ERROR;
        }
        if (last_warn != started)
            sluice_set_ready(s, NULL); /* it took the batch after all */
    }
    p->records_out += b->count;
    sluice_metrics_records_out(b->count);
    return SLUICE_OK;
}

/* Pass `in` through transforms first.. and on to the sinks. */
static int run_chain(struct sluice_pipeline *p, size_t first, struct sluice_batch *in)
{
    struct sluice_batch *cur = in;
    for (size_t i = first; i < p->n_transforms && cur->count > 0; i++) {
        struct sluice_instance *t = p->transforms[i];
        int rc;
        if (t->plugin->flags & SLUICE_PLUGIN_INPLACE) {
            rc = t->plugin->process(t->state, cur, NULL);
        } else {
            sluice_batch_reset(&p->out[i]);
            rc = t->plugin->process(t->state, cur, &p->out[i]);
            cur = &p->out[i];
        }
        if (rc == SLUICE_ERROR) {
            sluice_log(t->prefix, SLUICE_LOG_ERROR, "processing failed; stopping the pipeline");
            return SLUICE_ERROR;
        }
    }
    return write_sinks(p, cur);
}

static int tick_all(struct sluice_pipeline *p, int64_t now)
{
    for (size_t i = 0; i < p->n_transforms; i++) {
        struct sluice_instance *t = p->transforms[i];
        if (!t->plugin->tick)
            continue;
        sluice_batch_reset(&p->side_out[i]);
        if (t->plugin->tick(t->state, now, &p->side_out[i]) == SLUICE_ERROR)
            return SLUICE_ERROR;
        if (run_chain(p, i + 1, &p->side_out[i]) == SLUICE_ERROR)
            return SLUICE_ERROR;
    }
    for (size_t i = 0; i < p->n_sinks; i++)
        if (p->sinks[i]->plugin->tick &&
            p->sinks[i]->plugin->tick(p->sinks[i]->state, now, NULL) == SLUICE_ERROR)
            return SLUICE_ERROR;
    if (p->source->plugin->tick &&
        p->source->plugin->tick(p->source->state, now, NULL) == SLUICE_ERROR)
        return SLUICE_ERROR;
    return SLUICE_OK;
}

static int end_all(struct sluice_pipeline *p)
{
    for (size_t i = 0; i < p->n_transforms; i++) {
        struct sluice_instance *t = p->transforms[i];
        if (!t->plugin->end_of_input)
            continue;
        sluice_batch_reset(&p->side_out[i]);
        if (t->plugin->end_of_input(t->state, &p->side_out[i]) == SLUICE_ERROR)
            return SLUICE_ERROR;
        if (run_chain(p, i + 1, &p->side_out[i]) == SLUICE_ERROR)
            return SLUICE_ERROR;
    }
    return SLUICE_OK;
}

int sluice_pipeline_flush_sinks(struct sluice_pipeline *p)
{
    int result = SLUICE_OK;
    for (size_t i = 0; i < p->n_sinks; i++) {
        struct sluice_instance *s = p->sinks[i];
        if (!s->started)
            continue;
        if (s->plugin->flush && s->plugin->flush(s->state) != SLUICE_OK) {
            sluice_log(s->prefix, SLUICE_LOG_ERROR, "flush failed: some output may be missing");
            result = SLUICE_ERROR;
        }
    }
    return result;
}

static bool start_instance(struct sluice_instance *inst)
{
    if (inst->plugin->init(inst, sluice_host_api(), inst->config, &inst->state) != SLUICE_OK) {
        sluice_log(inst->prefix, SLUICE_LOG_ERROR, "failed to start (see the message above)");
        return false;
    }
    inst->started = true;
    return true;
}

static void stop_instance(struct sluice_instance *inst)
{
    if (inst && inst->started && inst->plugin->exit)
        inst->plugin->exit(inst->state);
    if (inst)
        inst->started = false;
}

static void report_counters(struct sluice_instance *inst)
{
    if (!inst || inst->n_counters == 0)
        return;
    char line[1024];
    size_t j = 0;
    line[0] = '\0';
    for (int i = 0; i < inst->n_counters && j < sizeof line; i++) {
        int n = snprintf(line + j, sizeof line - j, "%s%s=%lld", i ? ", " : "",
                         inst->counters[i].name, (long long)inst->counters[i].value);
        if (n < 0)
            break;
        j += (size_t)n;
    }
    sluice_log(inst->prefix, SLUICE_LOG_INFO, "%s", line);
}

int sluice_pipeline_run(struct sluice_pipeline *p)
{
    const struct sluice_host_api *host = sluice_host_api();
    int status = 0;

    p->out = calloc(p->n_transforms + 1, sizeof *p->out);
    p->side_out = calloc(p->n_transforms + 1, sizeof *p->side_out);
    if (!p->out || !p->side_out) {
        perror("sluice");
        return 1;
    }
    sluice_batch_init(&p->source_batch);
    if (!sluice_observe_start(p)) {
        status = 1;
        goto out;
    }

    sluice_ckpt_select(p);
    /* Sinks first, so nothing is produced before there is somewhere to put it. */
    bool ok = true;
    for (size_t i = 0; ok && i < p->n_sinks; i++)
        ok = start_instance(p->sinks[i]);
    for (size_t i = 0; ok && i < p->n_transforms; i++)
        ok = start_instance(p->transforms[i]);
    if (ok && sluice_ckpt_open(p) != 0) {
        status = 2; /* nothing was started: a checkpoint problem is the user's to fix */
        goto out;
    }
    if (ok)
        ok = start_instance(p->source);
    if (ok && sluice_ckpt_source_started(p) != 0)
        ok = false;
    if (!ok) {
        status = 1;
        goto out;
    }
    host_info("pipeline '%s' started: %zu transform(s), %zu sink(s)", p->settings.name,
              p->n_transforms, p->n_sinks);
    sluice_metrics_set_state(SLUICE_RUN_RUNNING);

    int64_t started = sluice_clock_monotonic_ms();
    int64_t next_tick = sluice_clock_monotonic_ms() + p->settings.tick_ms;
    bool ended = false;
    while (!ended) {
        if (host->stop_requested()) {
            if (sluice_ckpt_enabled()) {
                host_info("stop requested: checkpointing; open windows stay open for the "
                          "restart");
                if (sluice_ckpt_take(p, "stop requested") != 0)
                    status = 1;
                goto out;
            }
            host_info("stop requested: draining and flushing");
            break;
        }
        struct sluice_batch *b = &p->source_batch;
        sluice_batch_reset(b);
        int rc = p->source->plugin->poll(p->source->state, b, (int)p->settings.tick_ms);
        if (rc == SLUICE_ERROR) {
            sluice_log(p->source->prefix, SLUICE_LOG_ERROR, "source failed; stopping");
            status = 1;
            goto out;
        }
        if (rc == SLUICE_END)
            ended = true;
        if (b->count > 0) {
            p->frames_in += b->count;
            sluice_metrics_source_batch(b);
            if (run_chain(p, 0, b) == SLUICE_ERROR) {
                status = 1;
                goto out;
            }
        }
        if ((b->count > 0 || b->source_token) && p->source->plugin->ack &&
            p->source->plugin->ack(p->source->state, b) == SLUICE_ERROR) {
            sluice_log(p->source->prefix, SLUICE_LOG_ERROR, "acknowledging a batch failed");
            status = 1;
            goto out;
        }
        int64_t t = sluice_clock_monotonic_ms();
        sluice_metrics_heartbeat(t);
        if (sluice_ckpt_due(t) && sluice_ckpt_take(p, "interval") != 0) {
            status = 1;
            goto out;
        }
        if (t >= next_tick) {
            next_tick = t + p->settings.tick_ms;
            if (tick_all(p, sluice_clock_realtime_ms()) == SLUICE_ERROR) {
                status = 1;
                goto out;
            }
        }
    }
    sluice_metrics_set_state(SLUICE_RUN_STOPPING);
    /* With checkpoints, one before the end too: a transform may hold a
     * result until a checkpoint covers what it emitted (distinct-count emits
     * a window at most once between two), and end_of_input emits all. */
    if (sluice_ckpt_enabled() && sluice_ckpt_take(p, "before the end of input") != 0) {
        status = 1;
        goto out;
    }
    if (end_all(p) == SLUICE_ERROR || sluice_ckpt_take(p, "end of input") != 0) {
        status = 1;
        goto out;
    }
    double secs = (double)(sluice_clock_monotonic_ms() - started) / 1000.0;
    host_info("done: %llu records in, %llu records out in %.3f s", (unsigned long long)p->frames_in,
              (unsigned long long)p->records_out, secs);

out:
    sluice_metrics_set_state(SLUICE_RUN_STOPPING);
    if (status != 0)
        sluice_pipeline_flush_sinks(p);
    sluice_observe_stop(); /* the progress line goes before the final counters */
    report_counters(p->source);
    for (size_t i = 0; i < p->n_transforms; i++)
        report_counters(p->transforms[i]);
    for (size_t i = 0; i < p->n_sinks; i++)
        report_counters(p->sinks[i]);
    stop_instance(p->source);
    for (size_t i = 0; i < p->n_transforms; i++)
        stop_instance(p->transforms[i]);
    sluice_ckpt_close();
    for (size_t i = 0; i < p->n_sinks; i++)
        stop_instance(p->sinks[i]);
    return status;
}

static void free_instance(struct sluice_instance *inst)
{
    if (!inst)
        return;
    if (inst->plugin && inst->plugin->options)
        sluice_options_free(inst->plugin->options, inst->config);
    free(inst->config);
    struct sluice_loaded l = {.handle = inst->dl_handle, .path = inst->so_path,
                              .plugin = inst->plugin};
    inst->so_path = NULL;
    sluice_plugin_unload(&l);
    inst->plugin = NULL;
    sluice_instance_free(inst);
}

void sluice_pipeline_free(struct sluice_pipeline *p)
{
    free_instance(p->source);
    for (size_t i = 0; i < p->n_transforms; i++) {
        free_instance(p->transforms[i]);
        if (p->out)
            sluice_batch_free(&p->out[i]);
        if (p->side_out)
            sluice_batch_free(&p->side_out[i]);
    }
    for (size_t i = 0; i < p->n_sinks; i++)
        free_instance(p->sinks[i]);
    free(p->transforms);
    free(p->sinks);
    free(p->out);
    free(p->side_out);
    sluice_batch_free(&p->source_batch);
    sluice_options_free(sluice_pipeline_options, &p->settings);
    sluice_search_path_free(&p->search);
    cfg_free(&p->cfg);
}
