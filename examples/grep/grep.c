/*
 * An example sluice plugin, built out of tree against the installed SDK:
 * a transform that keeps only records whose value contains `pattern`
 * (or, with invert = true, those that do not). See README.md beside it.
 */
#include <sluice/plugin.h>
#include <stdlib.h>
#include <string.h>

struct grep_config {
    char *pattern; /* filled by the host from the [transform.NAME] section */
    bool invert;
};

struct grep_state {
    struct sluice_instance *self;
    const struct sluice_host_api *host;
    const struct grep_config *cfg;
    size_t pattern_len;
};

static int grep_init(struct sluice_instance *self, const struct sluice_host_api *host,
                     const void *config, void **state)
{
    struct grep_state *st = calloc(1, sizeof *st);
    if (!st)
        return SLUICE_ERROR;
    st->self = self;
    st->host = host;
    st->cfg = config;
    st->pattern_len = strlen(st->cfg->pattern);
    *state = st;
    return SLUICE_OK;
}

/* In place: mark the records we do not keep as dropped. */
static int grep_process(void *state, struct sluice_batch *in, struct sluice_batch *out)
{
    struct grep_state *st = state;
    (void)out;
    for (size_t i = 0; i < in->count; i++) {
        struct sluice_record *r = &in->records[i];
        if (!sluice_record_live(r))
            continue;
        bool found = memmem(r->value, r->value_len, st->cfg->pattern, st->pattern_len) != NULL;
        if (found == st->cfg->invert) {
            r->flags |= SLUICE_REC_DROPPED;
            st->host->counter_add(st->self, "dropped", 1);
        }
    }
    return SLUICE_OK;
}

static void grep_exit(void *state)
{
    free(state);
}

static const struct sluice_option grep_options[] = {
    SLUICE_STRING_OPTION("pattern", struct grep_config, pattern,
                         .flags = SLUICE_OPT_REQUIRED | SLUICE_OPT_NONEMPTY,
                         .doc = "text a record must contain"),
    SLUICE_BOOL_OPTION("invert", struct grep_config, invert, .default_value = "false",
                       .doc = "keep the records that do NOT contain it"),
    SLUICE_OPTIONS_END,
};

SLUICE_PLUGIN(.name = "grep", .description = "keep records whose value contains a pattern",
              .version = "1.0", .kind = SLUICE_KIND_TRANSFORM, .flags = SLUICE_PLUGIN_INPLACE,
              .options = grep_options, .config_size = sizeof(struct grep_config),
              .init = grep_init, .exit = grep_exit, .process = grep_process);
