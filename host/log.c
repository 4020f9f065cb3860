/* Logging: one line per message, to stderr, never buffered behind data. */
#include "log.h"

#include "progress.h"

#include <sluice/plugin.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    int lvl = level < 0 ? 0 : level > 4 ? 4 : level;
    flockfile(stderr); /* a progress line on the terminal goes first */
    sluice_progress_erase();
    fprintf(stderr, "%s.%03ldZ %-5s [%s] %s\n", stamp, now.tv_nsec / 1000000,
            level_names[lvl], prefix ? prefix : "host", msg);
    funlockfile(stderr);
}

void sluice_log(const char *prefix, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sluice_vlog(prefix, level, fmt, ap);
    va_end(ap);
}
