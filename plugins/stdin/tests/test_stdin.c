/*
 * The stdin source through its descriptor (tests/unit/plugin_harness.h),
 * reading `path`: every line of a generated file comes back byte for byte,
 * in order, numbered 1, 2, ... (the record offset), whatever the batch size,
 * with read-ahead on and off, plain and gzip, "\r\n" or "\n", with the
 * smallest buffer (4 KB filled a chunk) so lines straddle many chunks; a
 * line over max_frame is an error record in its place and counted, and a
 * line longer than the buffer but within max_frame comes whole. The expectation is the list of
 * lines the test wrote, kept apart from what the plugin read.
 */
#include "check.h"
#include "plugin_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

extern const struct sluice_plugin sluice_plugin;

#define LINES 3000
#define MAX_FRAME 200
#define LONG_LINE 5000 /* over max_frame, and over the 4 KB buffer */

static char *want[LINES];

/* Line i: a deterministic length from 0 to 150, or LONG_LINE for every
 * 997th line. */
static void make_lines(void)
{
    uint32_t x = 12345;
    for (int i = 0; i < LINES; i++) {
        x = x * 1103515245u + 12345u;
        size_t len = i % 997 == 500 ? LONG_LINE : (x >> 16) % 151;
        want[i] = malloc(len + 1);
        for (size_t j = 0; j < len; j++)
            want[i][j] = (char)('a' + (i + j) % 26);
        want[i][len] = '\0';
    }
}

static void write_file(const char *path, bool gzip, bool crlf)
{
    const char *end = crlf ? "\r\n" : "\n";
    if (gzip) {
        gzFile g = gzopen(path, "wb");
        for (int i = 0; i < LINES; i++)
            gzprintf(g, "%s%s", want[i], i == LINES - 1 ? "" : end);
        gzclose(g);
        return;
    }
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < LINES; i++)
        fprintf(f, "%s%s", want[i], i == LINES - 1 ? "" : end);
    fclose(f);
}

/* Read `path` to its end with max_frame = `max_frame`; count records that
 * differ from `want`. */
static void read_all(const char *path, bool read_ahead, int batch, int max_frame)
{
    char options[512];
    snprintf(options, sizeof options,
             "path = %s\nbuffer = 4096\nmax_frame = %d\nbatch = %d\nread_ahead = %s", path,
             max_frame, batch, read_ahead ? "true" : "false");
    struct harness h;
    CHECK_INT_EQ(harness_start(&h, &sluice_plugin, options), SLUICE_OK);
    if (!h.state) {
        harness_stop(&h);
        return;
    }
    struct sluice_batch b;
    sluice_batch_init(&b);
    int n = 0, bad = 0, too_long = 0;
    for (;;) {
        sluice_batch_reset(&b);
        int rc = sluice_plugin.poll(h.state, &b, 1000);
        if (rc == SLUICE_END || rc == SLUICE_ERROR) {
            CHECK_INT_EQ(rc, SLUICE_END);
            break;
        }
        CHECK((int)b.count <= batch);
        /* One chunk's frames, and a chunk is filled to the 4 KB buffer (more
         * only to finish a line), not to its capacity (two max_frame). */
        size_t bytes = 0;
        for (size_t i = 0; i < b.count; i++)
            bytes += b.records[i].value_len + 2;
        CHECK(bytes <= 4096 + (size_t)(max_frame < LONG_LINE ? max_frame : LONG_LINE) + 2);
        for (size_t i = 0; i < b.count; i++, n++) {
            const struct sluice_record *r = &b.records[i];
            if (n >= LINES || r->offset != n + 1) {
                bad++;
                continue;
            }
            if (strlen(want[n]) > (size_t)max_frame) {
                too_long++;
                /* In its place, as an error record keeping its first bytes. */
                bad += !(r->flags & SLUICE_REC_ERROR) ||
                       strncmp(r->error, "frame longer than max_frame", 27) != 0 ||
                       r->value_len < (size_t)max_frame ||
                       memcmp(r->value, want[n], (size_t)max_frame) != 0;
                continue;
            }
            bad += (r->flags & SLUICE_REC_ERROR) || r->value_len != strlen(want[n]) ||
                   memcmp(r->value, want[n], r->value_len) != 0;
        }
        CHECK_INT_EQ(sluice_plugin.ack(h.state, &b), SLUICE_OK);
    }
    if (bad || n != LINES)
        fprintf(stderr, "%s, read_ahead %d, batch %d: %d lines, %d wrong\n", path, read_ahead,
                batch, n, bad);
    CHECK_INT_EQ(n, LINES);
    CHECK_INT_EQ(bad, 0);
    int want_too_long = max_frame < LONG_LINE ? 3 : 0;
    CHECK_INT_EQ(too_long, want_too_long);
    CHECK_INT_EQ(harness_counter(&h, "error.too_long"), want_too_long);
    sluice_batch_free(&b);
    harness_stop(&h);
}

int main(void)
{
    make_lines();
    char dir[] = "/tmp/sluice-test-stdin.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    static const struct {
        const char *name;
        bool gzip, crlf;
    } files[] = {{"plain", false, false}, {"crlf", false, true}, {"gz", true, false}};
    static const int batches[] = {1, 7, 1024};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[f].name);
        write_file(path, files[f].gzip, files[f].crlf);
        for (size_t k = 0; k < sizeof batches / sizeof *batches; k++) {
            read_all(path, true, batches[k], MAX_FRAME);
            read_all(path, false, batches[k], MAX_FRAME);
            read_all(path, true, batches[k], 2 * LONG_LINE);
            read_all(path, false, batches[k], 2 * LONG_LINE);
        }
        unlink(path);
    }
    CHECK_STR_EQ(harness_refusal(&sluice_plugin, "max_frame = 8"),
                 "test.ini:2: [x] max_frame: 8 is out of range: use 16 to 1073741824 bytes");
    struct harness h;
    snprintf(path, sizeof path, "path = %s/missing", dir);
    CHECK_INT_EQ(harness_start(&h, &sluice_plugin, path), SLUICE_ERROR);
    harness_stop(&h);
    rmdir(dir);
    for (int i = 0; i < LINES; i++)
        free(want[i]);
    return check_exit();
}
