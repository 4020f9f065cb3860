/*
 * Plugins for the host's tests, one source built in several variants:
 *   TEST_VARIANT 1  a well-formed sink with a required key, a range and a
 *                   one-of, to test option checking;
 *   TEST_VARIANT 2  a descriptor claiming an older ABI version;
 *   TEST_VARIANT 3  a descriptor of the wrong size (a different SDK header);
 *   TEST_VARIANT 4  a shared object with no descriptor at all.
 */
#include <sluice/plugin.h>
#include <stdlib.h>

#if TEST_VARIANT != 4

struct test_config {
    char *target;
    int64_t level;
    char *mode;
    int64_t timeout_ms;
};

static int test_init(struct sluice_instance *self, const struct sluice_host_api *host,
                     const void *config, void **state)
{
    (void)self;
    (void)host;
    *state = (void *)config;
    return SLUICE_OK;
}

static int test_write(void *state, const struct sluice_batch *batch)
{
    (void)state;
    (void)batch;
    return SLUICE_OK;
}

static const struct sluice_option test_options[] = {
    {"target", SLUICE_OPT_STRING, NULL, SLUICE_OPT_REQUIRED, offsetof(struct test_config, target),
     0, 0, NULL, NULL, "where test output goes"},
    {"level", SLUICE_OPT_INT, "3", 0, offsetof(struct test_config, level), 1, 9, NULL, NULL,
     "a number from 1 to 9"},
    {"mode", SLUICE_OPT_STRING, "fast", 0, offsetof(struct test_config, mode), 0, 0,
     "fast|slow", NULL, "how to go"},
    {"timeout", SLUICE_OPT_DURATION, "5s", 0, offsetof(struct test_config, timeout_ms), 0, 0,
     NULL, NULL, "how long to wait"},
    SLUICE_OPTIONS_END,
};

#endif

#if TEST_VARIANT == 1
SLUICE_PLUGIN(.name = "test-sink", .description = "a sink for the host's tests",
              .version = "0", .kind = SLUICE_KIND_SINK, .options = test_options,
              .config_size = sizeof(struct test_config), .init = test_init, .write = test_write);
#elif TEST_VARIANT == 2
__attribute__((visibility("default"))) const struct sluice_plugin sluice_plugin = {
    .abi_version = SLUICE_ABI_VERSION + 1, .struct_size = sizeof(struct sluice_plugin),
    .name = "test-abi-other", .kind = SLUICE_KIND_SINK, .options = test_options,
    .config_size = sizeof(struct test_config), .init = test_init, .write = test_write};
#elif TEST_VARIANT == 3
__attribute__((visibility("default"))) const struct sluice_plugin sluice_plugin = {
    .abi_version = SLUICE_ABI_VERSION, .struct_size = sizeof(struct sluice_plugin) - 8,
    .name = "test-size-other", .kind = SLUICE_KIND_SINK, .options = test_options,
    .config_size = sizeof(struct test_config), .init = test_init, .write = test_write};
#else
__attribute__((visibility("default"))) int sluice_not_a_plugin = 1;
#endif
