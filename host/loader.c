/*
 * Plugin loading. A plugin is NAME.so in one of the search directories (or,
 * in a build tree, NAME/.libs/NAME.so under plugins/), exporting one
 * descriptor. We check the ABI version and the struct size before reading
 * anything else in it — a plugin built against another SDK must be refused
 * with both versions named, never half-trusted. Within a version the
 * descriptor may have grown at its end: we copy the plugin's bytes into a
 * zeroed descriptor of our own size and use only the copy, so a callback an
 * older plugin lacks reads as NULL and nothing past its struct_size is read.
 */
#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SLUICE_PLUGIN_DIR
#define SLUICE_PLUGIN_DIR "/usr/local/lib/sluice"
#endif

const char *sluice_kind_name(enum sluice_kind kind)
{
    switch (kind) {
    case SLUICE_KIND_SOURCE:
        return "source";
    case SLUICE_KIND_TRANSFORM:
        return "transform";
    case SLUICE_KIND_SINK:
        return "sink";
    }
    return "unknown kind";
}

static void push_dir(struct sluice_search_path *sp, const char *dir, size_t len)
{
    if (len == 0)
        return;
    char *d = strndup(dir, len);
    if (!d)
        return;
    for (size_t i = 0; i < sp->n; i++) {
        if (strcmp(sp->dirs[i], d) == 0) {
            free(d);
            return;
        }
    }
    char **dirs = realloc(sp->dirs, (sp->n + 1) * sizeof *dirs);
    if (!dirs) {
        free(d);
        return;
    }
    sp->dirs = dirs;
    sp->dirs[sp->n++] = d;
}

static void push_list(struct sluice_search_path *sp, const char *list)
{
    if (!list)
        return;
    while (*list) {
        const char *colon = strchr(list, ':');
        size_t len = colon ? (size_t)(colon - list) : strlen(list);
        push_dir(sp, list, len);
        if (!colon)
            break;
        list = colon + 1;
    }
}

/* When this binary is host/sluice inside a configured build tree, its
 * plugins are in ../plugins: use them before anything installed. */
static void push_build_tree(struct sluice_search_path *sp)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = '\0';
    char probe[PATH_MAX + 32];
    snprintf(probe, sizeof probe, "%s/../config.status", exe);
    struct stat st;
    if (stat(probe, &st) != 0)
        return;
    snprintf(probe, sizeof probe, "%s/../plugins", exe);
    char real[PATH_MAX];
    if (realpath(probe, real))
        push_dir(sp, real, strlen(real));
}

void sluice_search_path_init(struct sluice_search_path *sp, const char *config_path,
                             const char *cli_path)
{
    sp->dirs = NULL;
    sp->n = 0;
    push_list(sp, config_path);
    push_list(sp, cli_path);
    push_list(sp, getenv("SLUICE_PLUGIN_PATH"));
    push_build_tree(sp);
    push_dir(sp, SLUICE_PLUGIN_DIR, strlen(SLUICE_PLUGIN_DIR));
}

void sluice_search_path_free(struct sluice_search_path *sp)
{
    for (size_t i = 0; i < sp->n; i++)
        free(sp->dirs[i]);
    free(sp->dirs);
    sp->dirs = NULL;
    sp->n = 0;
}

void sluice_search_path_text(const struct sluice_search_path *sp, char *buf, size_t size)
{
    size_t j = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sp->n && j < size; i++) {
        int n = snprintf(buf + j, size - j, "%s%s", i ? ", " : "", sp->dirs[i]);
        if (n < 0)
            break;
        j += (size_t)n;
    }
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool find_file(const struct sluice_search_path *sp, const char *name, char *out,
                      size_t size)
{
    for (size_t i = 0; i < sp->n; i++) {
        snprintf(out, size, "%s/%s.so", sp->dirs[i], name);
        if (file_exists(out))
            return true;
        snprintf(out, size, "%s/%s/.libs/%s.so", sp->dirs[i], name, name);
        if (file_exists(out))
            return true;
    }
    return false;
}

static bool valid_name(const char *name)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

bool sluice_plugin_descriptor_copy(const struct sluice_plugin *exported, size_t min_size,
                                   const char *path, struct sluice_plugin *copy, char *err,
                                   size_t errsize)
{
    /* Only the first two fields may be read before these checks pass. */
    if (exported->abi_version != SLUICE_ABI_VERSION) {
        snprintf(err, errsize,
                 "plugin %s was built for sluice plugin ABI version %u, but this sluice "
                 "speaks version %u: rebuild the plugin against this sluice's SDK "
                 "(pkg-config sluice-plugin)",
                 path, (unsigned)exported->abi_version, (unsigned)SLUICE_ABI_VERSION);
        return false;
    }
    size_t size = exported->struct_size;
    if (size > sizeof *copy) {
        snprintf(err, errsize,
                 "plugin %s has a descriptor of %zu bytes, but this sluice knows ABI version %u "
                 "descriptors of at most %zu: it was built against a newer sluice SDK; upgrade "
                 "sluice, or rebuild the plugin against this sluice's SDK (pkg-config "
                 "sluice-plugin)",
                 path, size, (unsigned)SLUICE_ABI_VERSION, sizeof *copy);
        return false;
    }
    if (size < min_size) {
        snprintf(err, errsize,
                 "plugin %s has a descriptor of %zu bytes, but ABI version %u descriptors have "
                 "at least %zu: it was not declared with SLUICE_PLUGIN(...) from a sluice SDK; "
                 "rebuild it against this sluice's SDK (pkg-config sluice-plugin)",
                 path, size, (unsigned)SLUICE_ABI_VERSION, min_size);
        return false;
    }
    memset(copy, 0, sizeof *copy);
    memcpy(copy, exported, size);
    return true;
}

/* Open `path` and check its descriptor. */
static bool load_path(const char *path, const char *name, struct sluice_loaded *out, char *err,
                      size_t errsize)
{
    dlerror();
    /* RTLD_NODELETE: a plugin's code stays mapped after dlclose. A plugin
     * may leave threads behind that still run it, and its libraries, when
     * it exits (kafka-in's consumer that librdkafka < 2.4 cannot close,
     * #4527, is left to the process exit); unmapping them under those
     * threads crashed the process at a SIGTERM. It also keeps stacks
     * symbolised for leak checkers. */
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!h) {
        snprintf(err, errsize,
                 "cannot load plugin '%s' from %s: %s (use ldd(1) on that file to check the "
                 "plugin's dependencies)",
                 name, path, dlerror());
        return false;
    }
    const struct sluice_plugin *exported = dlsym(h, SLUICE_PLUGIN_SYMBOL);
    if (!exported) {
        snprintf(err, errsize,
                 "%s is not a sluice plugin: it exports no '%s' symbol (declare the plugin "
                 "with SLUICE_PLUGIN(...) from <sluice/plugin.h>)",
                 path, SLUICE_PLUGIN_SYMBOL);
        dlclose(h);
        return false;
    }
    struct sluice_plugin *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errsize, "out of memory loading plugin %s", path);
        dlclose(h);
        return false;
    }
    if (!sluice_plugin_descriptor_copy(exported, SLUICE_PLUGIN_MIN_SIZE, path, p, err,
                                       errsize)) {
        free(p);
        dlclose(h);
        return false;
    }
    if (!p->name || !p->init || (p->kind != SLUICE_KIND_SOURCE &&
                                 p->kind != SLUICE_KIND_TRANSFORM && p->kind != SLUICE_KIND_SINK)) {
        snprintf(err, errsize, "plugin %s has an incomplete descriptor (name, kind and init are "
                 "required)", path);
        free(p);
        dlclose(h);
        return false;
    }
    bool callbacks_ok = (p->kind == SLUICE_KIND_SOURCE && p->poll) ||
                        (p->kind == SLUICE_KIND_TRANSFORM && p->process) ||
                        (p->kind == SLUICE_KIND_SINK && p->write);
    if (!callbacks_ok) {
        snprintf(err, errsize, "plugin %s is a %s without its %s callback", path,
                 sluice_kind_name(p->kind),
                 p->kind == SLUICE_KIND_SOURCE      ? "poll"
                 : p->kind == SLUICE_KIND_TRANSFORM ? "process"
                                                    : "write");
        free(p);
        dlclose(h);
        return false;
    }
    out->handle = h;
    out->path = strdup(path);
    out->plugin = p;
    return true;
}

bool sluice_plugin_load(const struct sluice_search_path *sp, const char *name,
                        struct sluice_loaded *out, char *err, size_t errsize)
{
    memset(out, 0, sizeof *out);
    char path[PATH_MAX + 64];
    if (strchr(name, '/')) {
        if (!file_exists(name)) {
            snprintf(err, errsize, "plugin file %s does not exist", name);
            return false;
        }
        return load_path(name, name, out, err, errsize);
    }
    if (!valid_name(name)) {
        snprintf(err, errsize,
                 "'%s' is not a plugin name: use letters, digits, '-' and '_', or a path "
                 "to a .so file", name);
        return false;
    }
    if (!find_file(sp, name, path, sizeof path)) {
        char dirs[2048];
        sluice_search_path_text(sp, dirs, sizeof dirs);
        snprintf(err, errsize,
                 "unknown plugin '%s': no %s.so in %s (see `sluice --list-plugins`; add a "
                 "directory with plugin_path, --plugin-path or SLUICE_PLUGIN_PATH)",
                 name, name, dirs);
        return false;
    }
    return load_path(path, name, out, err, errsize);
}

void sluice_plugin_unload(struct sluice_loaded *l)
{
    if (l->handle)
        dlclose(l->handle); /* drops the reference; the code stays (RTLD_NODELETE) */
    free(l->path);
    free((void *)l->plugin);
    memset(l, 0, sizeof *l);
}

static bool seen_name(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

void sluice_plugin_each(const struct sluice_search_path *sp,
                        void (*fn)(const struct sluice_loaded *l, void *arg), void *arg)
{
    char **seen = NULL;
    size_t n_seen = 0;
    for (size_t i = 0; i < sp->n; i++) {
        /* Sorted, so --list-plugins reads the same on every machine. */
        struct dirent **entries;
        int n_entries = scandir(sp->dirs[i], &entries, NULL, alphasort);
        if (n_entries < 0)
            continue;
        for (int k = 0; k < n_entries; k++) {
            const struct dirent *de = entries[k];
            char name[256];
            size_t len = strlen(de->d_name);
            if (len > 3 && strcmp(de->d_name + len - 3, ".so") == 0) {
                snprintf(name, sizeof name, "%.*s", (int)(len - 3), de->d_name);
            } else if (de->d_name[0] != '.') {
                snprintf(name, sizeof name, "%s", de->d_name); /* build tree: NAME/.libs */
            } else {
                continue;
            }
            if (!valid_name(name) || seen_name(seen, n_seen, name))
                continue;
            char path[PATH_MAX + 64];
            struct sluice_search_path one = {.dirs = &sp->dirs[i], .n = 1};
            if (!find_file(&one, name, path, sizeof path))
                continue;
            struct sluice_loaded l;
            char err[1024];
            if (!load_path(path, name, &l, err, sizeof err)) {
                fprintf(stderr, "warning: %s\n", err);
                continue;
            }
            char **s = realloc(seen, (n_seen + 1) * sizeof *s);
            if (s) {
                seen = s;
                seen[n_seen++] = strdup(name);
            }
            fn(&l, arg);
            sluice_plugin_unload(&l);
        }
        for (int k = 0; k < n_entries; k++)
            free(entries[k]);
        free(entries);
    }
    for (size_t i = 0; i < n_seen; i++)
        free(seen[i]);
    free(seen);
}
