/*
 * Growth within an ABI version: the loader's descriptor check and copy, and
 * SLUICE_HOST_HAS for the host API table.
 *
 * Today's descriptor is the whole of version 2, so no real plugin of an
 * older 2.x shape exists yet. We act one out: pretend version 2 first
 * shipped without the checkpoint callbacks (min_size = offsetof(positions))
 * and hand the loader a descriptor of that size that ends exactly where a
 * PROT_NONE page begins. If the host read one byte past struct_size, this
 * test would die of SIGSEGV; instead the copy must have the old members and
 * NULL for the ones the old shape lacks, and its callbacks must run.
 */
#include "../../host/host_api.h"
#include "../../host/loader.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int init_calls, write_calls;

static int old_init(struct sluice_instance *self, const struct sluice_host_api *host,
                    const void *config, void **state)
{
    init_calls++;
    *state = &init_calls;
    return SLUICE_OK;
}

static int old_write(void *state, const struct sluice_batch *batch)
{
    write_calls++;
    return state == &init_calls ? SLUICE_OK : SLUICE_ERROR;
}

static size_t never_positions(void *state, struct sluice_partition *out, size_t cap)
{
    return 0;
}

/* `size` bytes of `d` placed so they end at a page the process may not read. */
static struct sluice_plugin *at_page_end(const struct sluice_plugin *d, size_t size, void **map,
                                         size_t *map_len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    *map_len = 2 * page;
    char *m = mmap(NULL, *map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    if (mprotect(m + page, page, PROT_NONE) != 0)
        return NULL;
    *map = m;
    char *start = m + page - size;
    memcpy(start, d, size);
    return (struct sluice_plugin *)start;
}

static void test_older_shape_is_accepted_and_runs(void)
{
    size_t old_size = offsetof(struct sluice_plugin, positions);
    struct sluice_plugin full = {.abi_version = SLUICE_ABI_VERSION,
                                 .struct_size = (uint32_t)old_size,
                                 .name = "old",
                                 .kind = SLUICE_KIND_SINK,
                                 .init = old_init,
                                 .write = old_write,
                                 /* beyond old_size: must not be seen */
                                 .positions = never_positions};
    void *map = NULL;
    size_t map_len = 0;
    struct sluice_plugin *old = at_page_end(&full, old_size, &map, &map_len);
    CHECK(old != NULL);
    if (!old)
        return;

    struct sluice_plugin copy;
    memset(&copy, 0xab, sizeof copy);
    char err[512] = "";
    CHECK(sluice_plugin_descriptor_copy(old, old_size, "old.so", &copy, err, sizeof err));
    CHECK_STR_EQ(err, "");
    CHECK_INT_EQ(copy.struct_size, old_size);
    CHECK_STR_EQ(copy.name, "old");
    CHECK(copy.init == old_init && copy.write == old_write);
    /* Every member the old shape lacks is absent, not garbage. */
    CHECK(copy.positions == NULL && copy.checkpointed == NULL && copy.store_write == NULL &&
          copy.store_read == NULL && copy.state_fingerprint == NULL && copy.state_save == NULL &&
          copy.state_load == NULL && copy.partitions_changed == NULL);
    const unsigned char *tail = (const unsigned char *)&copy + old_size;
    size_t nonzero = 0;
    for (size_t i = 0; i < sizeof copy - old_size; i++)
        nonzero += tail[i] != 0;
    CHECK_INT_EQ(nonzero, 0);

    /* And it runs through the copy. */
    void *state = NULL;
    CHECK_INT_EQ(copy.init(NULL, NULL, NULL, &state), SLUICE_OK);
    struct sluice_batch b = {0};
    CHECK_INT_EQ(copy.write(state, &b), SLUICE_OK);
    CHECK_INT_EQ(init_calls, 1);
    CHECK_INT_EQ(write_calls, 1);

    /* The real minimum of this version is the whole of 2.0: refused there. */
    CHECK(!sluice_plugin_descriptor_copy(old, SLUICE_PLUGIN_MIN_SIZE, "old.so", &copy, err,
                                         sizeof err));
    CHECK(strstr(err, "plugin old.so has a descriptor of ") == err);
    CHECK(strstr(err, "rebuild it against this sluice's SDK") != NULL);
    munmap(map, map_len);
}

static void test_current_shape_is_copied_whole(void)
{
    struct sluice_plugin d = {.abi_version = SLUICE_ABI_VERSION,
                              .struct_size = sizeof d,
                              .name = "now",
                              .kind = SLUICE_KIND_SINK,
                              .init = old_init,
                              .write = old_write,
                              .positions = never_positions};
    struct sluice_plugin copy;
    char err[512] = "";
    CHECK(sluice_plugin_descriptor_copy(&d, SLUICE_PLUGIN_MIN_SIZE, "now.so", &copy, err,
                                        sizeof err));
    CHECK(memcmp(&copy, &d, sizeof d) == 0);
}

static void test_newer_and_other_versions_are_refused(void)
{
    /* A newer SDK of the same version: one member more than we know. */
    struct {
        struct sluice_plugin known;
        void *appended;
    } newer = {.known = {.abi_version = SLUICE_ABI_VERSION, .struct_size = sizeof newer}};
    struct sluice_plugin copy;
    char err[512] = "";
    CHECK(!sluice_plugin_descriptor_copy(&newer.known, SLUICE_PLUGIN_MIN_SIZE, "new.so", &copy,
                                         err, sizeof err));
    char want[512];
    snprintf(want, sizeof want,
             "plugin new.so has a descriptor of %zu bytes, but this sluice knows ABI version "
             "%d descriptors of at most %zu: it was built against a newer sluice SDK; upgrade "
             "sluice, or rebuild the plugin against this sluice's SDK (pkg-config "
             "sluice-plugin)",
             sizeof newer, SLUICE_ABI_VERSION, sizeof(struct sluice_plugin));
    CHECK_STR_EQ(err, want);

    struct sluice_plugin other = {.abi_version = SLUICE_ABI_VERSION + 1,
                                  .struct_size = sizeof other};
    CHECK(!sluice_plugin_descriptor_copy(&other, SLUICE_PLUGIN_MIN_SIZE, "other.so", &copy, err,
                                         sizeof err));
    snprintf(want, sizeof want,
             "plugin other.so was built for sluice plugin ABI version %d, but this sluice "
             "speaks version %d: rebuild the plugin against this sluice's SDK (pkg-config "
             "sluice-plugin)",
             SLUICE_ABI_VERSION + 1, SLUICE_ABI_VERSION);
    CHECK_STR_EQ(err, want);
}

/* A plugin built with this header running in a host whose table is older
 * (shorter): what it may use. */
static void test_host_has(void)
{
    struct sluice_host_api older = {.abi_version = SLUICE_ABI_VERSION,
                                    .struct_size = (uint32_t)offsetof(struct sluice_host_api,
                                                                      checkpointing)};
    CHECK(SLUICE_HOST_HAS(&older, log));
    CHECK(SLUICE_HOST_HAS(&older, partitions_revoked));
    CHECK(!SLUICE_HOST_HAS(&older, checkpointing));

    struct sluice_host_api now = {.struct_size = sizeof now};
    CHECK(SLUICE_HOST_HAS(&now, checkpointing));
    CHECK(SLUICE_HOST_API_MIN_SIZE <= sizeof now);
    /* The table this host hands out says how large it is. */
    CHECK_INT_EQ(sluice_host_api()->struct_size, sizeof(struct sluice_host_api));
    CHECK_INT_EQ(sluice_host_api()->abi_version, SLUICE_ABI_VERSION);
}

int main(void)
{
    test_older_shape_is_accepted_and_runs();
    test_current_shape_is_copied_whole();
    test_newer_and_other_versions_are_refused();
    test_host_has();
    return check_exit();
}
