/*
 * Plugins for the host's tests, one source built in several variants:
 *   TEST_VARIANT 1  a well-formed sink with a required key, a range, enums
 *                   and a counter count, to test option checking and the
 *                   host API: at init it writes what the host filled in to
 *                   `target` (and whether the pipeline checkpoints), and each write adds to `counters` counters;
 *                   with `leave_thread`, exit leaves a thread spinning in
 *                   this plugin's code (as kafka-in leaves a consumer
 *                   librdkafka cannot close), which the host must outlive;
 *   TEST_VARIANT 2  a descriptor claiming a newer ABI version;
 *   TEST_VARIANT 3  a descriptor shorter than any of this ABI version;
 *   TEST_VARIANT 4  a shared object with no descriptor at all;
 *   TEST_VARIANT 5  a descriptor from a newer SDK of the same ABI version
 *                   (a member appended that this host does not know).
 */
#include <sluice/plugin.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#if TEST_VARIANT != 4

struct test_config {
    char *target;
    int64_t level;
    int mode;    /* TEST_FAST, TEST_SLOW */
    int flavour; /* no default: -1 when not set */
    int64_t timeout_ms;
    int64_t counters;
    bool leave_thread;
};

enum { TEST_FAST, TEST_SLOW };

#define TEST_MODES "fast|slow"

struct test_state {
    struct sluice_instance *self;
    const struct sluice_host_api *host;
    const struct test_config *cfg;
};

static int test_init(struct sluice_instance *self, const struct sluice_host_api *host,
                     const void *config, void **state)
{
    const struct test_config *cfg = config;
    struct test_state *st = calloc(1, sizeof *st);
    if (!st)
        return SLUICE_ERROR;
    *st = (struct test_state){self, host, cfg};
    *state = st;
    FILE *f = fopen(cfg->target, "w");
    if (!f) {
        host->log(self, SLUICE_LOG_ERROR, "cannot write target = %s", cfg->target);
        free(st);
        return SLUICE_ERROR;
    }
    char name[16];
    fprintf(f,
            "mode=%d (%s) slow=%d flavour=%d level=%lld timeout_ms=%lld host_has_checkpointing=%d "
            "checkpointing=%d\n",
            cfg->mode, sluice_choice_name(TEST_MODES, cfg->mode, name, sizeof name),
            cfg->mode == TEST_SLOW, cfg->flavour, (long long)cfg->level,
            (long long)cfg->timeout_ms, SLUICE_HOST_HAS(host, checkpointing),
            SLUICE_HOST_HAS(host, checkpointing) && host->checkpointing());
    fclose(f);
    return SLUICE_OK;
}

static int test_write(void *state, const struct sluice_batch *batch)
{
    struct test_state *st = state;
    /* Names must outlive the pipeline: literals. */
    static const char *const names[] = {
        "c00", "c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08", "c09",
        "c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18", "c19",
        "c20", "c21", "c22", "c23", "c24", "c25", "c26", "c27", "c28", "c29",
        "c30", "c31", "c32", "c33", "c34", "c35", "c36", "c37", "c38", "c39"};
    for (int64_t i = 0; i < st->cfg->counters; i++)
        st->host->counter_add(st->self, names[i], (int64_t)batch->count);
    return SLUICE_OK;
}

static atomic_int spinning;

/* Runs this plugin's code until the process exits. */
static void *spin(void *arg)
{
    (void)arg;
    atomic_store(&spinning, 1);
    for (volatile unsigned long n = 0;; n++)
        ;
    return NULL;
}

__attribute__((unused)) static void test_exit(void *state)
{
    struct test_state *st = state;
    pthread_t t;
    if (st->cfg->leave_thread && pthread_create(&t, NULL, spin, NULL) == 0) {
        pthread_detach(t);
        while (!atomic_load(&spinning))
            ;
    }
    free(state);
}

static const struct sluice_option test_options[] = {
    SLUICE_STRING_OPTION("target", struct test_config, target, .flags = SLUICE_OPT_REQUIRED,
                         .doc = "where test output goes"),
    SLUICE_INT_OPTION("level", struct test_config, level, .default_value = "3", .min = 1,
                      .max = 9, .doc = "a number from 1 to 9"),
    SLUICE_ENUM_OPTION("mode", struct test_config, mode, TEST_MODES, .default_value = "fast",
                       .doc = "how to go"),
    SLUICE_ENUM_OPTION("flavour", struct test_config, flavour, "sweet|sour|salty",
                       .doc = "a taste, if any"),
    SLUICE_DURATION_OPTION("timeout", struct test_config, timeout_ms, .default_value = "5s",
                           .doc = "how long to wait"),
    SLUICE_INT_OPTION("counters", struct test_config, counters, .default_value = "0",
                      .min = 0, .max = 40, .doc = "distinct counters each write adds to"),
    SLUICE_BOOL_OPTION("leave_thread", struct test_config, leave_thread,
                       .default_value = "false",
                       .doc = "exit leaves a thread running this plugin's code"),
    SLUICE_OPTIONS_END,
};

#endif

#if TEST_VARIANT == 1
SLUICE_PLUGIN(.name = "test-sink", .description = "a sink for the host's tests",
              .version = "0", .kind = SLUICE_KIND_SINK, .options = test_options,
              .config_size = sizeof(struct test_config), .init = test_init, .write = test_write,
              .exit = test_exit);
#elif TEST_VARIANT == 2
__attribute__((visibility("default"))) const struct sluice_plugin sluice_plugin = {
    .abi_version = SLUICE_ABI_VERSION + 1, .struct_size = sizeof(struct sluice_plugin),
    .name = "test-abi-other", .kind = SLUICE_KIND_SINK, .options = test_options,
    .config_size = sizeof(struct test_config), .init = test_init, .write = test_write};
#elif TEST_VARIANT == 3
__attribute__((visibility("default"))) const struct sluice_plugin sluice_plugin = {
    .abi_version = SLUICE_ABI_VERSION, .struct_size = SLUICE_PLUGIN_MIN_SIZE - 8,
    .name = "test-size-other", .kind = SLUICE_KIND_SINK, .options = test_options,
    .config_size = sizeof(struct test_config), .init = test_init, .write = test_write};
#elif TEST_VARIANT == 5
/* What SLUICE_PLUGIN(...) makes with a header that has one more member. */
struct newer_plugin {
    struct sluice_plugin known;
    int (*appended)(void *state);
};
__attribute__((visibility("default"))) const struct newer_plugin sluice_plugin = {
    .known = {.abi_version = SLUICE_ABI_VERSION, .struct_size = sizeof(struct newer_plugin),
              .name = "test-size-newer", .kind = SLUICE_KIND_SINK, .options = test_options,
              .config_size = sizeof(struct test_config), .init = test_init,
              .write = test_write}};
#else
__attribute__((visibility("default"))) int sluice_not_a_plugin = 1;
#endif
