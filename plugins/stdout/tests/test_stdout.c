/*
 * The stdout sink through its descriptor (tests/unit/plugin_harness.h):
 * values as lines, dropped and error records left to the other sink, error
 * records as JSON (read back with jansson) with a lossy but valid value,
 * appending to `path`, and the refusals (empty path, a path that cannot be
 * opened).
 */
#include "check.h"
#include "plugin_harness.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const struct sluice_plugin sluice_plugin;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return strdup("(missing)");
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strdup(buf);
}

/* A batch of five: a line, a dropped one, an error, an empty line, a line. */
static void fill(struct sluice_batch *b)
{
    static const char *const values[] = {"a", "b", "c\xff", "", "d"};
    for (int i = 0; i < 5; i++) {
        struct sluice_record *r = sluice_batch_append(b);
        r->value = values[i];
        r->value_len = strlen(values[i]);
        r->partition = 2;
        r->offset = 5 + i;
    }
    b->records[1].flags |= SLUICE_REC_DROPPED;
    b->records[2].flags |= SLUICE_REC_ERROR;
    b->records[2].error = "bad \"frame\"";
    b->records[2].error_stage = "transform:json-extract:extract";
    b->records[2].topic = "frames";
}

/* Write the batch with `options`; return the file's content. */
static char *write_with(const char *options, const char *path, int64_t *written)
{
    struct harness h;
    CHECK_INT_EQ(harness_start(&h, &sluice_plugin, options), SLUICE_OK);
    struct sluice_batch b;
    sluice_batch_init(&b);
    fill(&b);
    if (h.state) {
        CHECK_INT_EQ(sluice_plugin.write(h.state, &b), SLUICE_OK);
        CHECK_INT_EQ(sluice_plugin.flush(h.state), SLUICE_OK);
    }
    *written = harness_counter(&h, "written") + harness_counter(&h, "errors_written");
    harness_stop(&h);
    sluice_batch_free(&b);
    return slurp(path);
}

int main(void)
{
    char dir[] = "/tmp/sluice-test-stdout.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char lines[256], dead[256], options[512];
    snprintf(lines, sizeof lines, "%s/lines", dir);
    snprintf(dead, sizeof dead, "%s/dead.jsonl", dir);

    int64_t n = 0;
    snprintf(options, sizeof options, "path = %s", lines);
    char *got = write_with(options, lines, &n);
    CHECK_STR_EQ(got, "a\n\nd\n");
    CHECK_INT_EQ(n, 3);
    free(got);
    /* path is opened for appending: a second run adds to it. */
    got = write_with(options, lines, &n);
    CHECK_STR_EQ(got, "a\n\nd\na\n\nd\n");
    free(got);

    snprintf(options, sizeof options, "errors = true\npath = %s\nflush = false", dead);
    got = write_with(options, dead, &n);
    CHECK_INT_EQ(n, 1);
    json_error_t jerr;
    json_t *o = json_loads(got, 0, &jerr);
    CHECK(o != NULL);
    if (o) {
        CHECK_STR_EQ(json_string_value(json_object_get(o, "error")), "bad \"frame\"");
        CHECK_STR_EQ(json_string_value(json_object_get(o, "stage")),
                     "transform:json-extract:extract");
        CHECK_STR_EQ(json_string_value(json_object_get(o, "topic")), "frames");
        CHECK_INT_EQ(json_integer_value(json_object_get(o, "partition")), 2);
        CHECK_INT_EQ(json_integer_value(json_object_get(o, "offset")), 7);
        /* The invalid byte becomes U+FFFD; the text stays valid JSON. */
        CHECK_STR_EQ(json_string_value(json_object_get(o, "value")), "c\xEF\xBF\xBD");
        json_decref(o);
    }
    free(got);

    CHECK_STR_EQ(harness_refusal(&sluice_plugin, "path ="),
                 "test.ini:2: [x] path: must not be empty");
    struct harness h;
    snprintf(options, sizeof options, "path = %s/no/such/dir/out", dir);
    CHECK_INT_EQ(harness_start(&h, &sluice_plugin, options), SLUICE_ERROR);
    harness_stop(&h);

    unlink(lines);
    unlink(dead);
    rmdir(dir);
    return check_exit();
}
