/* Checking a section against an options table and filling a config struct. */
#ifndef SLUICE_HOST_OPTIONS_H
#define SLUICE_HOST_OPTIONS_H

#include "config.h"

#include <sluice/plugin.h>
#include <stdio.h>

/* Keys every plugin section has, handled by the host itself. */
extern const char *const sluice_host_keys[];

/* Fill `config` (config_size bytes, zeroed by the caller) from `sec`
 * according to `options`; keys in `host_keys` (NULL-terminated, or NULL for
 * none) belong to the host and are passed over. Every problem goes to `diag`;
 * returns the number of problems found. */
int sluice_options_fill(const struct sluice_option *options, const char *const *host_keys,
                        void *config, struct cfg_section *sec, const char *file,
                        struct sluice_diag *diag);

/* Free what sluice_options_fill allocated inside `config`. */
void sluice_options_free(const struct sluice_option *options, void *config);

/* Print the table for --describe (a plugin's section: the `plugin` key first). */
void sluice_options_describe(const struct sluice_option *options, FILE *out);
/* The same, with the `plugin` key or without (the [pipeline] section). */
void sluice_options_describe_keys(const struct sluice_option *options, bool plugin_key,
                                  FILE *out);

const char *sluice_option_type_name(enum sluice_option_type type);

#endif
