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
    /* The host's copy of the plugin's descriptor, full size (members the
     * plugin's struct_size does not reach are zero); freed by unload. */
    const struct sluice_plugin *plugin;
};

/* Check `exported` (a plugin's descriptor) for this host's ABI version and a
 * struct_size from `min_size` (SLUICE_PLUGIN_MIN_SIZE) to the host's own
 * size, reading nothing else before that; then copy its struct_size bytes
 * into `copy` and zero the rest. On failure returns false and writes a full
 * message naming `path` to `err`. */
bool sluice_plugin_descriptor_copy(const struct sluice_plugin *exported, size_t min_size,
                                   const char *path, struct sluice_plugin *copy, char *err,
                                   size_t errsize);

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
