/*
 * stdin: a source of newline-delimited frames from standard input or a file
 * (`path`), plain or gzip, "\n" or "\r\n" line ends, the last line with or
 * without a newline. Frames are views into the reader's buffer, valid until
 * the host acknowledges the batch. A frame longer than max_frame becomes an
 * error record (its first bytes kept for the dead-letter output), never a
 * crash and never a silent loss.
 */
#include <errno.h>
#include <fcntl.h>
#include <sluice/plugin.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "line_reader.h"

struct stdin_config {
    char *path;
    int64_t max_frame;
    int64_t buffer;
    int64_t batch;
};

struct stdin_state {
    struct sluice_instance *self;
    const struct sluice_host_api *host;
    const struct stdin_config *cfg;
    struct line_reader *reader;
    int fd;
    int64_t line_no;
    bool done;
};

static int stdin_init(struct sluice_instance *self, const struct sluice_host_api *host,
                      const void *config, void **state)
{
    const struct stdin_config *cfg = config;
    struct stdin_state *st = calloc(1, sizeof *st);
    if (!st)
        return SLUICE_ERROR;
    st->self = self;
    st->host = host;
    st->cfg = cfg;
    if (strcmp(cfg->path, "-") == 0) {
        st->fd = STDIN_FILENO;
    } else {
        st->fd = open(cfg->path, O_RDONLY | O_CLOEXEC);
        if (st->fd < 0) {
            host->log(self, SLUICE_LOG_ERROR, "cannot open path = %s: %s (check the path in [%s])",
                      cfg->path, strerror(errno), host->instance_name(self));
            free(st);
            return SLUICE_ERROR;
        }
    }
    st->reader = line_reader_new(st->fd, (size_t)cfg->buffer, (size_t)cfg->max_frame);
    if (!st->reader) {
        host->log(self, SLUICE_LOG_ERROR, "out of memory for a %lld-byte buffer",
                  (long long)cfg->buffer);
        if (st->fd != STDIN_FILENO)
            close(st->fd);
        free(st);
        return SLUICE_ERROR;
    }
    *state = st;
    return SLUICE_OK;
}

static void add_frame(struct stdin_state *st, struct sluice_batch *out, const char *line,
                      size_t len, bool too_long)
{
    struct sluice_record *r = st->host->batch_append(out);
    if (!r)
        return;
    r->value = line;
    r->value_len = len;
    r->partition = 0;
    r->offset = ++st->line_no;
    r->nfields = 0;
    if (too_long) {
        /* The reader reuses those bytes at its next fill: keep a copy. */
        size_t keep = len < 4096 ? len : 4096;
        char *copy = st->host->batch_alloc(out, keep);
        if (copy)
            memcpy(copy, line, keep);
        r->value = copy;
        r->value_len = copy ? keep : 0;
        r->flags |= SLUICE_REC_ERROR;
        r->error = "frame longer than max_frame (its first bytes are kept; raise max_frame "
                   "in the source section if such frames are valid)";
        r->error_stage = st->host->instance_name(st->self);
        st->host->counter_add(st->self, "too_long", 1);
    }
}

static int stdin_poll(void *state, struct sluice_batch *out, int timeout_ms)
{
    struct stdin_state *st = state;
    if (st->done)
        return SLUICE_END;
    for (int round = 0; round < 2; round++) {
        const char *line;
        size_t len;
        enum line_status s = LINE_NONE;
        while ((size_t)out->count < (size_t)st->cfg->batch &&
               ((s = line_reader_next(st->reader, &line, &len)) == LINE_OK ||
                s == LINE_TOO_LONG)) {
            add_frame(st, out, line, len, s == LINE_TOO_LONG);
            if (s == LINE_TOO_LONG)
                break; /* its tail is skipped by the next fill */
        }
        if (out->count > 0)
            return SLUICE_OK;
        if (s == LINE_EOF) {
            st->done = true;
            return SLUICE_END;
        }
        int rc = line_reader_fill(st->reader, timeout_ms);
        if (rc < 0) {
            st->host->log(st->self, SLUICE_LOG_ERROR, "%s: %s after line %lld",
                          strcmp(st->cfg->path, "-") == 0 ? "standard input" : st->cfg->path,
                          line_reader_error(st->reader), (long long)st->line_no);
            return SLUICE_ERROR;
        }
        if (rc == 0)
            return SLUICE_RETRY;
    }
    return SLUICE_OK;
}

static void stdin_exit(void *state)
{
    struct stdin_state *st = state;
    if (!st)
        return;
    line_reader_free(st->reader);
    if (st->fd != STDIN_FILENO)
        close(st->fd);
    free(st);
}

static const struct sluice_option stdin_options[] = {
    {"path", SLUICE_OPT_STRING, "-", SLUICE_OPT_NONEMPTY, offsetof(struct stdin_config, path), 0,
     0, NULL, NULL, "file to read ('-' = standard input); gzip is detected"},
    {"max_frame", SLUICE_OPT_SIZE, "1M", 0, offsetof(struct stdin_config, max_frame), 16,
     1024.0 * 1024 * 1024, NULL, NULL, "longest frame; a longer line becomes an error record"},
    {"buffer", SLUICE_OPT_SIZE, "4M", 0, offsetof(struct stdin_config, buffer), 4096,
     4096.0 * 1024 * 1024, NULL, NULL, "read buffer size"},
    {"batch", SLUICE_OPT_INT, "1024", 0, offsetof(struct stdin_config, batch), 1, 1000000, NULL,
     NULL, "frames per batch"},
    SLUICE_OPTIONS_END,
};

SLUICE_PLUGIN(.name = "stdin", .description = "newline-delimited frames from stdin or a file (.gz too)",
              .version = PACKAGE_VERSION, .kind = SLUICE_KIND_SOURCE, .options = stdin_options,
              .config_size = sizeof(struct stdin_config), .init = stdin_init, .exit = stdin_exit,
              .poll = stdin_poll);
