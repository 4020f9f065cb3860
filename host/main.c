/* sluice: the entry point. Parse the command line, build the pipeline (every
 * problem reported at once), run it, and turn the outcome into an exit code. */
#include "cli.h"
#include "fields.h"
#include "host_api.h"
#include "loader.h"
#include "log.h"
#include "options.h"
#include "pipeline.h"
#include "progress.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_signal(int sig)
{
    (void)sig;
    sluice_request_stop();
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocking read returns EINTR so the source sees the stop. */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void print_plugin_line(const struct sluice_loaded *l, void *arg)
{
    (void)arg;
    printf("%-16s %-9s %-8s %s\n", l->plugin->name, sluice_kind_name(l->plugin->kind),
           l->plugin->version ? l->plugin->version : "", l->plugin->description ? l->plugin->description : "");
}

static int list_plugins(const char *cli_path)
{
    struct sluice_search_path sp;
    sluice_search_path_init(&sp, NULL, cli_path);
    printf("%-16s %-9s %-8s %s\n", "NAME", "KIND", "VERSION", "DESCRIPTION");
    sluice_plugin_each(&sp, print_plugin_line, NULL);
    char dirs[2048];
    sluice_search_path_text(&sp, dirs, sizeof dirs);
    printf("\nsearched: %s\n", dirs);
    sluice_search_path_free(&sp);
    return SLUICE_EXIT_OK;
}

static int describe_plugin(const char *name, const char *cli_path)
{
    if (strcmp(name, "pipeline") == 0) { /* the host's own section */
        printf("[pipeline]: the host's settings (metrics, checkpoints, ...)\n\noptions:\n");
        sluice_options_describe_keys(sluice_pipeline_options, false, stdout);
        return SLUICE_EXIT_OK;
    }
    struct sluice_search_path sp;
    sluice_search_path_init(&sp, NULL, cli_path);
    struct sluice_loaded l;
    char err[4096];
    if (!sluice_plugin_load(&sp, name, &l, err, sizeof err)) {
        fprintf(stderr, "sluice: %s\n", err);
        sluice_search_path_free(&sp);
        return SLUICE_EXIT_USAGE;
    }
    printf("%s (%s plugin, version %s)\n  %s\n  file: %s\n\noptions:\n", l.plugin->name,
           sluice_kind_name(l.plugin->kind), l.plugin->version ? l.plugin->version : "?",
           l.plugin->description ? l.plugin->description : "", l.path);
    sluice_options_describe(l.plugin->options, stdout);
    sluice_plugin_unload(&l);
    sluice_search_path_free(&sp);
    return SLUICE_EXIT_OK;
}

int main(int argc, char **argv)
{
    struct sluice_cli cli;
    if (!sluice_cli_parse(&cli, argc, argv))
        return SLUICE_EXIT_USAGE;
    if (cli.help) {
        sluice_cli_usage(stdout);
        return SLUICE_EXIT_OK;
    }
    if (cli.version) {
        printf("sluice %s (plugin ABI %d)\n", PACKAGE_VERSION, SLUICE_ABI_VERSION);
        return SLUICE_EXIT_OK;
    }
    if (cli.log_level) {
        int lvl = sluice_log_level_parse(cli.log_level);
        if (lvl < 0) {
            fprintf(stderr, "sluice: --log-level '%s': use error, warn, info, debug or trace\n",
                    cli.log_level);
            return SLUICE_EXIT_USAGE;
        }
        sluice_log_level = lvl;
    }
    if (cli.list_plugins)
        return list_plugins(cli.plugin_path);
    if (cli.describe)
        return describe_plugin(cli.describe, cli.plugin_path);

    struct sluice_pipeline p;
    struct sluice_diag diag = {0};
    int problems = sluice_pipeline_build(&p, cli.pipeline, cli.plugin_path, &diag);
    if (problems > 0) {
        sluice_diag_print(&diag);
        fprintf(stderr, "sluice: %d problem%s in %s; nothing was started\n", problems,
                problems == 1 ? "" : "s", cli.pipeline);
        sluice_diag_free(&diag);
        sluice_pipeline_free(&p);
        sluice_fields_free();
        return SLUICE_EXIT_USAGE;
    }
    sluice_diag_free(&diag);
    if (!cli.log_level && p.settings.log_level >= 0)
        sluice_log_level = p.settings.log_level;

    if (cli.validate) {
        printf("%s: ok (%zu transform%s, %zu sink%s)\n", cli.pipeline, p.n_transforms,
               p.n_transforms == 1 ? "" : "s", p.n_sinks, p.n_sinks == 1 ? "" : "s");
        sluice_pipeline_free(&p);
        sluice_fields_free();
        return SLUICE_EXIT_OK;
    }

    install_signals();
    sluice_progress_configure((enum sluice_progress_mode)cli.progress);
    int status = sluice_pipeline_run(&p);
    sluice_pipeline_free(&p);
    sluice_fields_free();
    return status == 0 ? SLUICE_EXIT_OK : status == 2 ? SLUICE_EXIT_USAGE : SLUICE_EXIT_RUNTIME;
}
