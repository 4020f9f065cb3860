/*
 * The one harness for plugin unit tests (every plugin's tests/ use it, no
 * plugin's tests reach into another's folder): drive a plugin's descriptor
 * the way the host does. Options come from INI text through the host's own
 * parser and option table filler (so defaults, ranges and validators apply
 * as in a pipeline file), the instance is a standalone one named
 * "<kind>:<plugin>:test", and batches are host batches (batch.h).
 *
 * Build: link tests/unit/libpluginharness.a before host/libsluicehost.a
 * (PLUGIN_TEST_LDADD in tests/local.mk), with -I host -I tests/unit
 * (PLUGIN_TEST_CPPFLAGS). Assertions: check.h.
 */
#ifndef SLUICE_PLUGIN_HARNESS_H
#define SLUICE_PLUGIN_HARNESS_H

#include "batch.h"
#include "fields.h"

#include <sluice/plugin.h>
#include <stdint.h>

/* harness_start's value when the options were refused (printed to stderr
 * as the host would print them); distinct from every SLUICE_* status. */
#define HARNESS_REFUSED (-100)

struct harness {
    const struct sluice_plugin *plugin;
    struct sluice_instance *inst;
    void *config;
    void *state;
    /* After HARNESS_REFUSED: the first problem as the host reports it,
     * "test.ini:LINE: [x] KEY: MESSAGE" (the options start at line 2). */
    char refused[512];
};

/* Start `p` with the options in `ini_body` ("key = value" lines, NULL for
 * none). Returns init's status, or HARNESS_REFUSED. Call harness_stop
 * either way. */
int harness_start(struct harness *h, const struct sluice_plugin *p, const char *ini_body);

/* The options alone, for checks of an option table: the first problem as
 * in `refused` when `ini_body` is refused, else "(accepted)"; init is not
 * called. The text stays valid until the next call. */
const char *harness_refusal(const struct sluice_plugin *p, const char *ini_body);

/* Exit the plugin (if it started) and free the options and the instance. */
void harness_stop(struct harness *h);

/* The instance's counter `name`, 0 if never added. */
int64_t harness_counter(const struct harness *h, const char *name);

#endif
