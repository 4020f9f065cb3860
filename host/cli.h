/* Command-line parsing for the sluice binary. */
#ifndef SLUICE_HOST_CLI_H
#define SLUICE_HOST_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes, documented in --help and the README. */
enum {
    SLUICE_EXIT_OK = 0,
    SLUICE_EXIT_RUNTIME = 1, /* a plugin failed while running */
    SLUICE_EXIT_USAGE = 2    /* bad command line or pipeline file */
};

struct sluice_cli {
    const char *pipeline;
    const char *plugin_path;
    const char *log_level;
    const char *describe;
    bool validate;
    bool list_plugins;
    bool version;
    bool help;
    int progress; /* enum sluice_progress_mode: auto, --progress, --no-progress */
};

/* Returns false (after printing why) on a usage error. */
bool sluice_cli_parse(struct sluice_cli *cli, int argc, char **argv);
void sluice_cli_usage(FILE *out);

#endif
