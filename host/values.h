/* Parsing option values as written in a pipeline file. Each parser returns
 * NULL on success or a static message saying what is accepted. Durations
 * are parsed by libsluice-support (lib/sluice_time.h). */
#ifndef SLUICE_HOST_VALUES_H
#define SLUICE_HOST_VALUES_H

#include <sluice/plugin.h>

const char *sluice_parse_int(const char *text, int64_t *out);
const char *sluice_parse_double(const char *text, double *out);
const char *sluice_parse_bool(const char *text, bool *out);
/* "512", "64K", "64M", "1G" (binary units; "KB"/"KiB" accepted). */
const char *sluice_parse_size(const char *text, int64_t *out_bytes);
/* "a, b ,c" → 3 trimmed items; empty items are dropped. */
const char *sluice_parse_list(const char *text, struct sluice_list *out);
void sluice_list_free(struct sluice_list *list);

#endif
