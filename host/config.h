/*
 * The pipeline file as read: sections and keys with their line numbers, and
 * every problem found, to be reported all at once.
 */
#ifndef SLUICE_HOST_CONFIG_H
#define SLUICE_HOST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* Collected diagnostics: "file:line: [section] key: message" lines. */
struct sluice_diag {
    char **lines;
    size_t n, cap;
};

void sluice_diag_add(struct sluice_diag *d, const char *file, int line, const char *section,
                     const char *key, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void sluice_diag_print(const struct sluice_diag *d);
void sluice_diag_free(struct sluice_diag *d);

struct cfg_entry {
    char *key;
    char *value;
    int line;
};

struct cfg_section {
    char *name;
    int line;
    struct cfg_entry *entries;
    size_t n, cap;
};

struct cfg_file {
    char *path;
    struct cfg_section *sections;
    size_t n, cap;
};

/* Read `path` (or a string with `text` non-NULL and `path` used for
 * messages). Problems go to `diag`; returns false only when nothing could
 * be read at all. */
bool cfg_read(struct cfg_file *cfg, const char *path, const char *text, struct sluice_diag *diag);
void cfg_free(struct cfg_file *cfg);

struct cfg_section *cfg_find_section(struct cfg_file *cfg, const char *name);
struct cfg_entry *cfg_find_entry(struct cfg_section *sec, const char *key);

/* The longest line the INI library reads whole (Debian builds inih with
 * INI_MAX_LINE 200, fixed in the shared library). */
#define SLUICE_INI_MAX_LINE 200

#endif
