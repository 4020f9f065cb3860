/*
 * stdin: a source of newline-delimited frames from standard input or a file
 * (`path`), plain or gzip, "\n" or "\r\n" line ends, the last line with or
 * without a newline. Frames are views into the reader's chunks, valid until
 * the host acknowledges the batch. A frame longer than max_frame becomes an
 * error record (its first bytes kept for the dead-letter output), never a
 * crash and never a silent loss.
 *
 * Read-ahead (read_ahead = true, the default): copying input from the page
 * cache and inflating gzip take time the pipeline could use, so a reader
 * thread does them while the host's thread processes the frames read before.
 * That costs CPU (on a 2-core AMD Zen 5 VM, 1M challenge frames with
 * json-extract's threads = 1: 10-24% more frames a second for 16-21% more
 * CPU a frame in two runs, bench/run.sh rows 1t and S-<level>; 0-4% in
 * two round-robins of session 16: it moves with the host's load). Not for
 * the bytes crossing cores: two threads each reading and scanning their own
 * chunks cost as much (bench/SCANNER.md, session 15); it is the price of
 * keeping both cores busy. Where CPU counts more than wall time:
 * read_ahead = false.
 *
 * Buffers: a ring of READ_AHEAD_CHUNKS chunks (line_reader.h), each ending on
 * a line boundary, and three counters under one mutex. The reader fills chunk
 * `produced % N` while fewer than N chunks are unreleased (produced -
 * released < N), then bumps `produced`. Poll takes chunk `consumed % N` once
 * consumed < produced and hands out its frames as views, each batch from a
 * single chunk, named in the batch's `source_token`. A chunk is released
 * (released++) once all its frames are handed out and every batch holding
 * them is acknowledged; only then may the reader write into it again, so no
 * record ever points at bytes being overwritten. The host acks in poll
 * order, so chunks are released in ring order. The only bytes copied are a
 * chunk's unfinished last line, moved to the front of the next one. Apart
 * from the counters each side keeps to its own: the reader thread to the line
 * reader (fd, gzip state) and the chunk it fills, poll and ack to the chunks
 * handed out.
 *
 * Stopping: the thread blocks all signals, so SIGINT and SIGTERM reach the
 * host's thread as before, and it waits for input with poll(2) on the input
 * and a wake-up pipe, so exit stops it at once, even on a quiet pipe.
 *
 * The reader thread also finds the newlines of a plain (not gzip) chunk
 * while its bytes are still in that core's cache (chunk_index): otherwise
 * the host's thread is the first to touch every byte, and its search for
 * line ends waits on each cache line the other core wrote (measured: the
 * main thread's memchr went from ~8% to ~15% of its samples with read-ahead;
 * indexing on the reader took the 2 GB six-window run from ~0.56 to ~0.52 s).
 *
 * With read_ahead = false the same reader runs inside poll, on one chunk.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sluice/plugin.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "line_reader.h"

#define READ_AHEAD_CHUNKS 2

struct stdin_config {
    char *path;
    int64_t max_frame;
    int64_t buffer;
    int64_t batch;
    bool read_ahead;
};

struct stdin_state {
    struct sluice_instance *self;
    const struct sluice_host_api *host;
    const struct stdin_config *cfg;
    struct line_reader *reader;
    int fd;
    int64_t line_no;
    bool regular; /* a file of known size: position gauges for the progress line */

    struct chunk ring[READ_AHEAD_CHUNKS];
    unsigned n; /* chunks in the ring: READ_AHEAD_CHUNKS, or 1 without read-ahead */
    unsigned long produced, consumed, released;
    struct chunk *cur; /* the chunk poll hands out frames from */
    bool ended;        /* the last chunk was handed out */
    /* Checkpoints: input offsets just past the last frame of the batch
     * handed out (pending) and of the last one acknowledged. */
    uint64_t pending_pos, acked_pos;
    bool filling;      /* without read-ahead: ring[0] is begun but not ready */

    bool threaded;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a chunk was produced or released, or stop */
    bool stop;
    int wake[2]; /* written by exit: wakes the reader from poll(2) */
};

static bool stopping(struct stdin_state *st)
{
    pthread_mutex_lock(&st->lock);
    bool stop = st->stop;
    pthread_mutex_unlock(&st->lock);
    return stop;
}

static void *reader_main(void *arg)
{
    struct stdin_state *st = arg;
    pthread_mutex_lock(&st->lock);
    for (;;) {
        while (!st->stop && st->produced - st->released == st->n)
            pthread_cond_wait(&st->changed, &st->lock);
        if (st->stop)
            break;
        struct chunk *c = &st->ring[st->produced % st->n];
        pthread_mutex_unlock(&st->lock);
        line_reader_begin(st->reader, c);
        int rc;
        while ((rc = line_reader_fill(st->reader, c, -1)) == 0 && !stopping(st))
            ; /* 0: woken by the wake-up pipe */
        if (rc != 0 && c->nl && !line_reader_gzip(st->reader))
            chunk_index(c); /* (gzip: inflating already keeps this thread busier) */
        pthread_mutex_lock(&st->lock);
        if (rc == 0)
            break;
        st->produced++;
        pthread_cond_broadcast(&st->changed);
        if (c->last)
            break;
    }
    pthread_mutex_unlock(&st->lock);
    return NULL;
}

/* The next ready chunk, or NULL if none came within timeout_ms. */
static struct chunk *next_chunk(struct stdin_state *st, int timeout_ms)
{
    struct chunk *c = NULL;
    if (!st->threaded) {
        if (st->produced - st->released == st->n)
            return NULL; /* the host holds the chunk still */
        c = &st->ring[st->produced % st->n];
        if (!st->filling)
            line_reader_begin(st->reader, c);
        st->filling = true;
        if (line_reader_fill(st->reader, c, timeout_ms) == 0)
            return NULL;
        st->filling = false;
        st->produced++;
        st->consumed++;
        return c;
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&st->lock);
    while (st->consumed == st->produced &&
           pthread_cond_timedwait(&st->changed, &st->lock, &until) == 0)
        ;
    if (st->consumed < st->produced)
        c = &st->ring[st->consumed++ % st->n];
    pthread_mutex_unlock(&st->lock);
    return c;
}

/* All frames of the oldest unreleased chunk are handed out and acknowledged. */
static void release_chunk(struct stdin_state *st)
{
    if (!st->threaded) {
        st->released++;
        return;
    }
    pthread_mutex_lock(&st->lock);
    st->released++;
    pthread_cond_broadcast(&st->changed);
    pthread_mutex_unlock(&st->lock);
}

static void stop_reader(struct stdin_state *st)
{
    pthread_mutex_lock(&st->lock);
    st->stop = true;
    pthread_cond_broadcast(&st->changed);
    pthread_mutex_unlock(&st->lock);
    ssize_t w;
    do {
        w = write(st->wake[1], "", 1);
    } while (w < 0 && errno == EINTR);
    pthread_join(st->thread, NULL);
}

static void stdin_exit(void *state)
{
    struct stdin_state *st = state;
    if (!st)
        return;
    if (st->threaded) {
        stop_reader(st);
        pthread_cond_destroy(&st->changed);
        pthread_mutex_destroy(&st->lock);
    }
    if (st->wake[0] >= 0) {
        close(st->wake[0]);
        close(st->wake[1]);
    }
    line_reader_free(st->reader);
    for (unsigned i = 0; i < READ_AHEAD_CHUNKS; i++) {
        free(st->ring[i].buf);
        free(st->ring[i].nl);
    }
    if (st->fd >= 0 && st->fd != STDIN_FILENO)
        close(st->fd);
    free(st);
}

static int start_reader(struct stdin_state *st)
{
    pthread_condattr_t attr;
    pthread_mutex_init(&st->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&st->changed, &attr);
    pthread_condattr_destroy(&attr);
    /* Signals stay with the host's thread: it is the one that must see them. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&st->thread, NULL, reader_main, st);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&st->changed);
        pthread_mutex_destroy(&st->lock);
        return rc;
    }
    st->threaded = true;
    return 0;
}

static const char *input_name(const struct stdin_state *st)
{
    return strcmp(st->cfg->path, "-") == 0 ? "standard input" : st->cfg->path;
}

/* Tell the host this source's one partition, and go to where a checkpoint
 * says reading resumes: a plain file by seeking, gzip by inflating and
 * dropping what comes before. SLUICE_OK or SLUICE_ERROR (logged). */
static int resume(struct stdin_state *st)
{
    const struct sluice_host_api *host = st->host;
    struct stat sb;
    bool regular = fstat(st->fd, &sb) == 0 && S_ISREG(sb.st_mode);
    if (host->checkpointing() && !regular) {
        host->log(st->self, SLUICE_LOG_ERROR,
                  "checkpoint is set in [pipeline], but %s is not a regular file (a pipe cannot "
                  "be read again from a position): set path = FILE in [%s], or checkpoint = none",
                  input_name(st), host->instance_name(st->self));
        return SLUICE_ERROR;
    }
    struct sluice_partition part = {.position = SLUICE_NO_OFFSET, .topic_partitions = 1};
    if (host->partitions_assigned(st->self, &part, 1) != SLUICE_OK)
        return SLUICE_ERROR;
    if (part.position <= 0)
        return SLUICE_OK;
    uint64_t at = (uint64_t)part.position;
    unsigned char magic[2] = {0, 0};
    bool gzip = pread(st->fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (!gzip && at > (uint64_t)sb.st_size) {
        host->log(st->self, SLUICE_LOG_ERROR,
                  "the checkpoint resumes %s at byte %llu, but it has %lld bytes: it is not the "
                  "file the checkpoint was taken from (move the checkpoint away to read it from "
                  "the start)",
                  input_name(st), (unsigned long long)at, (long long)sb.st_size);
        return SLUICE_ERROR;
    }
    if (!gzip && lseek(st->fd, (off_t)at, SEEK_SET) < 0) {
        host->log(st->self, SLUICE_LOG_ERROR, "cannot seek %s to byte %llu: %s", input_name(st),
                  (unsigned long long)at, strerror(errno));
        return SLUICE_ERROR;
    }
    line_reader_start_at(st->reader, at, !gzip);
    st->pending_pos = st->acked_pos = at;
    host->log(st->self, SLUICE_LOG_INFO, "resuming %s at byte %llu%s", input_name(st),
              (unsigned long long)at, gzip ? " (of the inflated input)" : "");
    return SLUICE_OK;
}

static int stdin_tick(void *state, int64_t now_ms, struct sluice_batch *out);

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
    st->wake[0] = st->wake[1] = -1;
    st->n = cfg->read_ahead ? READ_AHEAD_CHUNKS : 1;
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
    struct stat sb;
    if (fstat(st->fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        st->regular = true;
        host->gauge_set(self, "input_size_bytes", NULL, (double)sb.st_size);
    }
    size_t size = line_reader_chunk_size((size_t)cfg->buffer, (size_t)cfg->max_frame);
    bool ok = true;
    for (unsigned i = 0; i < st->n; i++) {
        st->ring[i].cap = size;
        ok = ok && (st->ring[i].buf = malloc(size)) != NULL;
        if (cfg->read_ahead) /* the reader thread indexes the newlines */
            ok = ok && (st->ring[i].nl = malloc(CHUNK_NL_MAX * sizeof(uint32_t))) != NULL;
    }
    if (!ok) {
        host->log(self, SLUICE_LOG_ERROR, "out of memory for %u buffers of %zu bytes", st->n,
                  size);
        stdin_exit(st);
        return SLUICE_ERROR;
    }
    if (cfg->read_ahead && pipe2(st->wake, O_CLOEXEC) != 0) {
        host->log(self, SLUICE_LOG_ERROR, "cannot make a pipe: %s", strerror(errno));
        st->wake[0] = st->wake[1] = -1;
        stdin_exit(st);
        return SLUICE_ERROR;
    }
    st->reader = line_reader_new(st->fd, st->wake[0], (size_t)cfg->max_frame, (size_t)cfg->buffer);
    if (!st->reader) {
        host->log(self, SLUICE_LOG_ERROR, "out of memory");
        stdin_exit(st);
        return SLUICE_ERROR;
    }
    if (resume(st) != SLUICE_OK) {
        stdin_exit(st);
        return SLUICE_ERROR;
    }
    stdin_tick(st, 0, NULL); /* the position before the first read */
    int rc = cfg->read_ahead ? start_reader(st) : 0;
    if (rc != 0) {
        host->log(self, SLUICE_LOG_ERROR,
                  "cannot start the read-ahead thread: %s (or set read_ahead = false in [%s])",
                  strerror(rc), host->instance_name(self));
        stdin_exit(st);
        return SLUICE_ERROR;
    }
    *state = st;
    return SLUICE_OK;
}

/* Where in the file the reader is (read-ahead: up to two chunks ahead of the
 * frames handed out; gzip: compressed bytes), for the progress line. Counted,
 * not asked of the kernel: lseek(2) on the pipeline's thread waited for the
 * reader thread's read in progress, on every chunk (perf: ~1% of the file
 * pipeline's samples spinning on the file position's lock). */
static int stdin_tick(void *state, int64_t now_ms, struct sluice_batch *out)
{
    (void)now_ms;
    (void)out;
    struct stdin_state *st = state;
    if (st->regular)
        st->host->gauge_set(st->self, "input_position_bytes", NULL,
                            (double)line_reader_fd_position(st->reader));
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
        /* Keep a bounded copy: dead-letter output needs no more. */
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
        st->host->counter_add(st->self, "error.too_long", 1);
    }
}

static int stdin_poll(void *state, struct sluice_batch *out, int timeout_ms)
{
    struct stdin_state *st = state;
    for (;;) {
        if (!st->cur) {
            if (st->ended) {
                const char *err = line_reader_error(st->reader);
                if (!*err) {
                    stdin_tick(st, 0, NULL); /* the position at the end */
                    return SLUICE_END;
                }
                st->host->log(st->self, SLUICE_LOG_ERROR, "%s: %s after line %lld",
                              input_name(st), err, (long long)st->line_no);
                return SLUICE_ERROR;
            }
            if (!(st->cur = next_chunk(st, timeout_ms)))
                return SLUICE_RETRY;
            stdin_tick(st, 0, NULL); /* the position moved by a chunk */
            st->cur->pos = 0;
            st->cur->nl_next = 0;
            st->cur->pending = 0;
        }
        struct chunk *c = st->cur;
        const char *line;
        size_t len;
        enum line_status s;
        while ((size_t)out->count < (size_t)st->cfg->batch &&
               (s = chunk_next_line(c, (size_t)st->cfg->max_frame, &line, &len)) != LINE_NONE)
            add_frame(st, out, line, len, s == LINE_TOO_LONG);
        if (out->count > 0) {
            out->source_token = c;
            c->pending++;
            st->pending_pos = c->base + c->pos;
        }
        if (c->pos >= c->len) { /* all handed out */
            st->cur = NULL;
            st->ended = c->last;
            if (c->pending == 0)
                release_chunk(st);
        }
        if (out->count > 0)
            return SLUICE_OK;
    }
}

static int stdin_ack(void *state, struct sluice_batch *batch)
{
    struct stdin_state *st = state;
    struct chunk *c = batch->source_token;
    if (c && --c->pending == 0 && c != st->cur)
        release_chunk(st);
    st->acked_pos = st->pending_pos; /* the host acks each batch before the next poll */
    return SLUICE_OK;
}

static size_t stdin_positions(void *state, struct sluice_partition *out, size_t cap)
{
    struct stdin_state *st = state;
    if (cap >= 1)
        out[0] = (struct sluice_partition){.position = (int64_t)st->acked_pos, .topic_partitions = 1};
    return 1;
}

static const struct sluice_option stdin_options[] = {
    SLUICE_STRING_OPTION("path", struct stdin_config, path, .default_value = "-",
                         .flags = SLUICE_OPT_NONEMPTY,
                         .doc = "file to read ('-' = standard input); gzip is detected"),
    SLUICE_SIZE_OPTION("max_frame", struct stdin_config, max_frame, .default_value = "1M",
                       .min = 16, .max = 1024.0 * 1024 * 1024,
                       .doc = "longest frame; a longer line becomes an error record"),
    SLUICE_SIZE_OPTION("buffer", struct stdin_config, buffer, .default_value = "2M", .min = 4096,
                       .max = 4096.0 * 1024 * 1024,
                       .doc = "bytes read into a buffer before its frames go on (read_ahead "
                              "uses 2 buffers; each holds at least 2 x max_frame)"),
    SLUICE_INT_OPTION("batch", struct stdin_config, batch, .default_value = "1024", .min = 1,
                      .max = 1000000, .doc = "frames per batch"),
    SLUICE_BOOL_OPTION("read_ahead", struct stdin_config, read_ahead, .default_value = "true",
                       .doc = "read and inflate on a background thread while the pipeline works: more "
                              "frames a second where a core is free, more CPU a frame (both "
                              "cores busy at once)"),
    SLUICE_OPTIONS_END,
};

SLUICE_PLUGIN(.name = "stdin", .description = "newline-delimited frames from stdin or a file (.gz too)",
              .version = PACKAGE_VERSION, .kind = SLUICE_KIND_SOURCE, .options = stdin_options,
              .config_size = sizeof(struct stdin_config), .init = stdin_init, .exit = stdin_exit,
              .poll = stdin_poll, .ack = stdin_ack, .positions = stdin_positions,
              .tick = stdin_tick);
