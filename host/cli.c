/* The command line: options, help text, exit codes. */
#include "cli.h"

#include "progress.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

void sluice_cli_usage(FILE *out)
{
    fputs("Usage: sluice [OPTIONS] PIPELINE.ini\n"
          "Count unique things in streams of JSON frames, as a pipeline of plugins:\n"
          "a source, transforms in file order, and one or more sinks.\n"
          "\n"
          "Options:\n"
          "  -c, --validate          check the pipeline file and every plugin option, then exit\n"
          "      --list-plugins      list the plugins found on the plugin path\n"
          "      --describe PLUGIN   print a plugin's options: type, default, doc\n"
          "                          (--describe pipeline: the [pipeline] section's)\n"
          "  -p, --plugin-path DIR   search DIR for plugins (':'-separated; before\n"
          "                          SLUICE_PLUGIN_PATH and the install dir)\n"
          "  -l, --log-level LEVEL   error, warn, info (default), debug or trace\n"
          "  -q, --quiet             same as --log-level warn\n"
          "      --progress          a status line on standard error, redrawn every second:\n"
          "                          frames/s, MB/s, position and time left, watermark,\n"
          "                          windows open (the default when stderr is a terminal)\n"
          "      --no-progress       no status line\n"
          "  -V, --version           print the version and the plugin ABI version\n"
          "  -h, --help              this text\n"
          "\n"
          "Exit status: 0 ok; 1 runtime error (a plugin failed); 2 usage or pipeline file error.\n"
          "Logs go to standard error; SIGINT/SIGTERM stop the source, flush every open window\n"
          "as final, flush the sinks and exit 0.\n"
          "\n"
          "Example: sluice conf/demo.ini\n",
          out);
}

bool sluice_cli_parse(struct sluice_cli *cli, int argc, char **argv)
{
    enum { OPT_LIST = 256, OPT_DESCRIBE, OPT_PROGRESS, OPT_NO_PROGRESS };
    static const struct option longopts[] = {
        {"validate", no_argument, NULL, 'c'},
        {"list-plugins", no_argument, NULL, OPT_LIST},
        {"describe", required_argument, NULL, OPT_DESCRIBE},
        {"plugin-path", required_argument, NULL, 'p'},
        {"log-level", required_argument, NULL, 'l'},
        {"quiet", no_argument, NULL, 'q'},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(cli, 0, sizeof *cli);
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":cp:l:qVh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cli->validate = true;
            break;
        case OPT_LIST:
            cli->list_plugins = true;
            break;
        case OPT_DESCRIBE:
            cli->describe = optarg;
            break;
        case 'p':
            cli->plugin_path = optarg;
            break;
        case 'l':
            cli->log_level = optarg;
            break;
        case 'q':
            cli->log_level = "warn";
            break;
        case OPT_PROGRESS:
            cli->progress = SLUICE_PROGRESS_ON;
            break;
        case OPT_NO_PROGRESS:
            cli->progress = SLUICE_PROGRESS_OFF;
            break;
        case 'V':
            cli->version = true;
            break;
        case 'h':
            cli->help = true;
            break;
        case ':':
            fprintf(stderr, "sluice: option %s needs an argument (see sluice --help)\n",
                    argv[optind - 1]);
            return false;
        default:
            fprintf(stderr, "sluice: unknown option %s (see sluice --help)\n", argv[optind - 1]);
            return false;
        }
    }
    if (cli->help || cli->version || cli->list_plugins || cli->describe)
        return true;
    if (optind == argc) {
        fprintf(stderr, "sluice: no pipeline file given\n\n");
        sluice_cli_usage(stderr);
        return false;
    }
    if (argc - optind > 1) {
        fprintf(stderr, "sluice: one pipeline file at a time (got '%s' and '%s')\n",
                argv[optind], argv[optind + 1]);
        return false;
    }
    cli->pipeline = argv[optind];
    return true;
}
