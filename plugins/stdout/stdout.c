/*
 * stdout: a sink that writes each record's value as one line. With
 * `errors = true` it is a dead-letter sink instead: it takes only error
 * records and writes each as a JSON object with the reason, the stage that
 * failed it, its source position and the original bytes, to standard error
 * or `path`.
 */
#include <errno.h>
#include <jansson.h>
#include <sluice/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stdout_config {
    bool errors;
    char *path;
    bool flush_each_batch;
};

struct stdout_state {
    struct sluice_instance *self;
    const struct sluice_host_api *host;
    const struct stdout_config *cfg;
    FILE *out;
    bool owns_out;
};

static int stdout_init(struct sluice_instance *self, const struct sluice_host_api *host,
                       const void *config, void **state)
{
    const struct stdout_config *cfg = config;
    struct stdout_state *st = calloc(1, sizeof *st);
    if (!st)
        return SLUICE_ERROR;
    st->self = self;
    st->host = host;
    st->cfg = cfg;
    const char *path = cfg->path ? cfg->path : "-";
    if (strcmp(path, "-") == 0) {
        st->out = cfg->errors ? stderr : stdout;
    } else {
        st->out = fopen(path, "a");
        if (!st->out) {
            host->log(self, SLUICE_LOG_ERROR, "cannot open path = %s for writing: %s", path,
                      strerror(errno));
            free(st);
            return SLUICE_ERROR;
        }
        st->owns_out = true;
    }
    if (st->out == stdout || st->owns_out)
        setvbuf(st->out, NULL, _IOFBF, 1 << 20);
    *state = st;
    return SLUICE_OK;
}

/* JSON strings must be UTF-8: a frame with invalid bytes keeps its valid
 * text, each bad byte becomes U+FFFD. */
static json_t *string_lossy(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    char *fixed = malloc(n * 3 + 1);
    if (!fixed)
        return json_null();
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        /* jansson judges the sequence (continuations, overlongs, surrogates). */
        bool ok = len > 0 && i + len <= n && c != 0;
        if (ok) {
            json_t *probe = json_stringn(s + i, len);
            ok = probe != NULL;
            json_decref(probe);
        }
        if (ok) {
            memcpy(fixed + o, s + i, len);
            o += len;
            i += len;
        } else {
            memcpy(fixed + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    j = json_stringn(fixed, o);
    free(fixed);
    return j ? j : json_null();
}

static int write_error_record(struct stdout_state *st, const struct sluice_record *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(r->error ? r->error : "unknown error"));
    json_object_set_new(o, "stage", json_string(r->error_stage ? r->error_stage : ""));
    if (r->topic)
        json_object_set_new(o, "topic", json_string(r->topic));
    json_object_set_new(o, "partition", json_integer(r->partition));
    json_object_set_new(o, "offset", json_integer(r->offset));
    json_object_set_new(o, "value", string_lossy(r->value ? r->value : "", r->value_len));
    int rc = json_dumpf(o, st->out, JSON_COMPACT | JSON_ENSURE_ASCII) == 0 &&
                     fputc('\n', st->out) != EOF
                 ? 0
                 : -1;
    json_decref(o);
    return rc;
}

static int stdout_write(void *state, const struct sluice_batch *batch)
{
    struct stdout_state *st = state;
    for (size_t i = 0; i < batch->count; i++) {
        const struct sluice_record *r = &batch->records[i];
        if (r->flags & SLUICE_REC_DROPPED)
            continue;
        bool is_error = (r->flags & SLUICE_REC_ERROR) != 0;
        if (is_error != st->cfg->errors)
            continue;
        int rc;
        if (is_error) {
            rc = write_error_record(st, r);
        } else {
            rc = (r->value_len == 0 || fwrite(r->value, 1, r->value_len, st->out) == r->value_len) &&
                         fputc('\n', st->out) != EOF
                     ? 0
                     : -1;
        }
        if (rc != 0) {
            st->host->log(st->self, SLUICE_LOG_ERROR, "write failed: %s", strerror(errno));
            return SLUICE_ERROR;
        }
        st->host->counter_add(st->self, is_error ? "errors_written" : "written", 1);
    }
    /* Live streams want results as they happen, not when a buffer fills. */
    if (st->cfg->flush_each_batch && fflush(st->out) != 0) {
        st->host->log(st->self, SLUICE_LOG_ERROR, "write failed: %s", strerror(errno));
        return SLUICE_ERROR;
    }
    return SLUICE_OK;
}

static int stdout_flush(void *state)
{
    struct stdout_state *st = state;
    if (fflush(st->out) != 0) {
        st->host->log(st->self, SLUICE_LOG_ERROR, "flush failed: %s", strerror(errno));
        return SLUICE_ERROR;
    }
    return SLUICE_OK;
}

static void stdout_exit(void *state)
{
    struct stdout_state *st = state;
    if (!st)
        return;
    fflush(st->out);
    if (st->owns_out)
        fclose(st->out);
    free(st);
}

static const struct sluice_option stdout_options[] = {
    SLUICE_BOOL_OPTION("errors", struct stdout_config, errors, .default_value = "false",
                       .doc = "take only error records (dead-letter), written as JSON with the "
                              "reason"),
    SLUICE_STRING_OPTION("path", struct stdout_config, path, .default_value = "-",
                         .flags = SLUICE_OPT_NONEMPTY,
                         .doc = "file to append to; '-' = stdout (stderr when errors = true)"),
    SLUICE_BOOL_OPTION("flush", struct stdout_config, flush_each_batch, .default_value = "true",
                       .doc = "flush after every batch (false: only when the buffer fills and at "
                              "the end)"),
    SLUICE_OPTIONS_END,
};

SLUICE_PLUGIN(.name = "stdout", .description = "write record values as lines (or error records as JSON)",
              .version = PACKAGE_VERSION, .kind = SLUICE_KIND_SINK, .options = stdout_options,
              .config_size = sizeof(struct stdout_config), .init = stdout_init,
              .exit = stdout_exit, .write = stdout_write, .flush = stdout_flush);
