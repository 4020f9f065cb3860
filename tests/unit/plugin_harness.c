/* The plugin test harness: see plugin_harness.h. */
#include "plugin_harness.h"

#include "config.h"
#include "host_api.h"
#include "loader.h"
#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fill h's config from `ini_body` as the host would. False if refused. */
static bool fill_options(struct harness *h, const struct sluice_plugin *p, const char *ini_body)
{
    char text[4096];
    snprintf(text, sizeof text, "[x]\n%s\n", ini_body ? ini_body : "");
    struct cfg_file cfg = {0};
    struct sluice_diag diag = {0};
    cfg_read(&cfg, "test.ini", text, &diag);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s:%s:test", sluice_kind_name(p->kind), p->name);
    h->plugin = p;
    h->config = calloc(1, p->config_size ? p->config_size : 1);
    h->state = NULL;
    h->refused[0] = '\0';
    h->inst = sluice_instance_standalone(prefix);
    int problems = sluice_options_fill(p->options, sluice_host_keys, h->config,
                                       cfg_find_section(&cfg, "x"), "test.ini", &diag);
    if (problems) {
        sluice_diag_print(&diag);
        if (diag.n)
            snprintf(h->refused, sizeof h->refused, "%s", diag.lines[0]);
    }
    sluice_diag_free(&diag);
    cfg_free(&cfg);
    return problems == 0;
}

int harness_start(struct harness *h, const struct sluice_plugin *p, const char *ini_body)
{
    if (!fill_options(h, p, ini_body))
        return HARNESS_REFUSED;
    return p->init(h->inst, sluice_host_api(), h->config, &h->state);
}

const char *harness_refusal(const struct sluice_plugin *p, const char *ini_body)
{
    static char message[sizeof ((struct harness *)0)->refused];
    struct harness h;
    snprintf(message, sizeof message, "%s",
             fill_options(&h, p, ini_body) ? "(accepted)" : h.refused);
    harness_stop(&h);
    return message;
}

void harness_stop(struct harness *h)
{
    if (h->state && h->plugin->exit)
        h->plugin->exit(h->state);
    sluice_options_free(h->plugin->options, h->config);
    free(h->config);
    sluice_instance_free(h->inst);
    h->state = NULL;
    h->config = NULL;
    h->inst = NULL;
}

int64_t harness_counter(const struct harness *h, const char *name)
{
    for (int i = 0; i < h->inst->n_counters; i++)
        if (strcmp(h->inst->counters[i].name, name) == 0)
            return h->inst->counters[i].value;
    return 0;
}
