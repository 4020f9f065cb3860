/* Logging: one line per message, to stderr, never buffered behind data. */
#include "log.h"

#include "progress.h"
#include "sluice_time.h"

#include <sluice/plugin.h>
#include <stdio.h>
#include <string.h>

int sluice_log_level = SLUICE_LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

int sluice_log_level_parse(const char *name)
{
    for (int i = 0; i < (int)(sizeof level_names / sizeof *level_names); i++)
        if (strcmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

void sluice_vlog(const char *prefix, int level, const char *fmt, va_list ap)
{
    if (level > sluice_log_level)
        return;
    /* One fprintf per line so lines from signal-time paths do not interleave. */
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    char stamp[SLUICE_ISO8601_MAX];
    sluice_iso8601_format(sluice_clock_realtime_ms(), 0, true, stamp, sizeof stamp);
    int lvl = level < 0 ? 0 : level > 4 ? 4 : level;
    flockfile(stderr); /* a progress line on the terminal goes first */
    sluice_progress_erase();
    fprintf(stderr, "%s %-5s [%s] %s\n", stamp, level_names[lvl], prefix ? prefix : "host", msg);
    funlockfile(stderr);
}

void sluice_log(const char *prefix, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sluice_vlog(prefix, level, fmt, ap);
    va_end(ap);
}
