/* Finding and loading plugin shared objects. */
#ifndef SLUICE_HOST_LOADER_H
#define SLUICE_HOST_LOADER_H

#include <sluice/plugin.h>
#include <stddef.h>

/* The directories searched, in order. */
struct sluice_search_path {
    char **dirs;
    size_t n;
};

/* Build the search path: config plugin_path, --plugin-path, SLUICE_PLUGIN_PATH,
 * the build tree (when this sluice runs from one), the install dir. Each of
 * the first three may be a ':'-separated list; NULLs are skipped. */
void sluice_search_path_init(struct sluice_search_path *sp, const char *config_path,
                             const char *cli_path);
void sluice_search_path_free(struct sluice_search_path *sp);
/* "dir1, dir2, ..." for messages. */
void sluice_search_path_text(const struct sluice_search_path *sp, char *buf, size_t size);

struct sluice_loaded {
    void *handle;
    char *path;
    const struct sluice_plugin *plugin;
};

/* Load plugin `name` (or a path if it contains '/'). On failure returns
 * false and writes a full message (what, where, what to do) to `err`. */
bool sluice_plugin_load(const struct sluice_search_path *sp, const char *name,
                        struct sluice_loaded *out, char *err, size_t errsize);
void sluice_plugin_unload(struct sluice_loaded *l);

const char *sluice_kind_name(enum sluice_kind kind);

/* Call `fn` for every loadable plugin found on the path (first of each name). */
void sluice_plugin_each(const struct sluice_search_path *sp,
                        void (*fn)(const struct sluice_loaded *l, void *arg), void *arg);

#endif
