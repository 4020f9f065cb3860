/* Logging to stderr with levels and a [kind:plugin:section] prefix. */
#ifndef SLUICE_HOST_LOG_H
#define SLUICE_HOST_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/* The global level: messages above it are not printed. */
extern int sluice_log_level;

/* Parse "error|warn|info|debug|trace"; -1 if unknown. */
int sluice_log_level_parse(const char *name);

/* `prefix` is NULL for the host's own messages ("[host]"). */
void sluice_vlog(const char *prefix, int level, const char *fmt, va_list ap);
void sluice_log(const char *prefix, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define host_error(...) sluice_log(NULL, SLUICE_LOG_ERROR, __VA_ARGS__)
#define host_warn(...) sluice_log(NULL, SLUICE_LOG_WARN, __VA_ARGS__)
#define host_info(...) sluice_log(NULL, SLUICE_LOG_INFO, __VA_ARGS__)
#define host_debug(...) sluice_log(NULL, SLUICE_LOG_DEBUG, __VA_ARGS__)

#endif
