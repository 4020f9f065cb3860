/*
 * Driving a plugin's descriptor in a unit test the way the host does: the
 * options come from INI text through the host's own parser and options
 * table filler, the instance is a standalone one, and batches are host
 * batches. Shared by the json-extract and generate tests.
 */
#ifndef SLUICE_PLUGIN_HARNESS_H
#define SLUICE_PLUGIN_HARNESS_H

#include "batch.h"
#include "config.h"
#include "host_api.h"
#include "options.h"

#include <sluice/plugin.h>
#include <stdio.h>
#include <stdlib.h>

struct harness {
    const struct sluice_plugin *plugin;
    struct sluice_instance *inst;
    void *config;
    void *state;
};

/* Start `p` with the options in `ini_body` ("key = value" lines); returns
 * the init status, or -100 if the options were refused. */
static inline int harness_start(struct harness *h, const struct sluice_plugin *p,
                                const char *ini_body)
{
    char text[4096];
    snprintf(text, sizeof text, "[x]\n%s\n", ini_body ? ini_body : "");
    struct cfg_file cfg = {0};
    struct sluice_diag diag = {0};
    cfg_read(&cfg, "test.ini", text, &diag);
    h->plugin = p;
    h->config = calloc(1, p->config_size ? p->config_size : 1);
    h->state = NULL;
    h->inst = sluice_instance_standalone("test");
    int problems = sluice_options_fill(p->options, sluice_host_keys, h->config, cfg_find_section(&cfg, "x"),
                                       "test.ini", &diag);
    if (problems)
        sluice_diag_print(&diag);
    sluice_diag_free(&diag);
    cfg_free(&cfg);
    if (problems)
        return -100;
    return p->init(h->inst, sluice_host_api(), h->config, &h->state);
}

static inline void harness_stop(struct harness *h)
{
    if (h->state && h->plugin->exit)
        h->plugin->exit(h->state);
    sluice_options_free(h->plugin->options, h->config);
    free(h->config);
    sluice_instance_free(h->inst);
    h->state = NULL;
}

/* A counter's value, 0 if never added. */
static inline int64_t harness_counter(const struct harness *h, const char *name)
{
    for (int i = 0; i < h->inst->n_counters; i++)
        if (strcmp(h->inst->counters[i].name, name) == 0)
            return h->inst->counters[i].value;
    return 0;
}

#endif
