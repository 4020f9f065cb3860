/*
 * The line reader behind the stdin source.
 *
 * Input is read into chunks (line_reader.h) that end on a line boundary:
 * the bytes after a chunk's last newline, an unfinished line, are left out of
 * it (`carry`) and moved to the front of the next chunk by line_reader_begin.
 * That move, less than one frame per chunk, is the only copy: frames are
 * handed out as pointers into their chunk.
 *
 * A chunk is ready once it holds whole lines and no more input can be had
 * without waiting, or once it is full: large chunks from a file, prompt ones
 * from a quiet pipe. Waits use poll(2) with a timeout and an optional wake-up
 * descriptor, so the caller can tick or stop on time. Gzip (RFC 1952, also
 * several concatenated members, as `cat a.gz b.gz` makes) is detected by its
 * magic bytes and inflated with zlib.
 *
 * A chunk is filled to `fill` bytes (`buffer`, 2 MB by default), not to its
 * capacity (which must hold two maximal frames). Its size weighs the caches
 * against the hand-overs: the chunks in use, two with read-ahead, are what
 * the caches must hold while the pipeline's threads work on them, and each
 * chunk is at least one batch, a wake-up of the reader thread and of
 * json-extract's helpers. Measured on 1M challenge frames (~2 KB), six
 * windows, runs taken alternately: on an AVX2-only Zen 3 VM (session 6), 1
 * MB filled took 3-12% less CPU than 4 MB filled (then about two batches a
 * chunk) and 4-6% less than 256 or 512 KB; on a 2-core Zen 5 VM (session 15)
 * 2 MB took 3-9% less CPU than 1 MB in the default pipeline (one batch of ~960
 * frames a chunk instead of ~480: half the wake-ups), the same on one thread
 * without read-ahead, and 4 MB with 4096-frame batches the same as 2 MB. Past
 * `fill`, to finish a line, a chunk grows by `fill` at a time.
 *
 * A line longer than max_frame is not an error of the reader: its first
 * bytes end a chunk, the consumer reports them as LINE_TOO_LONG, and the rest
 * is skipped up to the next newline, so one bad frame never stops a stream.
 */
#include "line_reader.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define RAW_CHUNK (256 * 1024)

struct line_reader {
    int fd, wake_fd;
    size_t max_frame;
    size_t fill;              /* a chunk is ready from this many bytes on */
    const struct chunk *prev; /* the chunk filled last: its carry starts the next */
    size_t cut;               /* in the chunk being filled: bytes up to its last '\n' */
    bool eof;                 /* no more bytes will come */
    bool skipping;            /* inside an over-long line: drop to the next '\n' */
    bool sniffed, gzip;
    bool member_done;         /* gzip: the last member ended; another may follow */
    uint64_t next_base;       /* input offset of the next chunk's first byte */
    uint64_t drop;            /* bytes still to drop to reach a start position */
    z_stream z;
    unsigned char *raw;       /* compressed input */
    bool raw_eof;
    char error[256];
    /* fd's offset (its offset at the start, or where start_at seeked it,
     * plus every byte read since), for position gauges on another thread:
     * lseek(fd, 0, SEEK_CUR) there would wait for the read in progress
     * (the file position's lock) on the pipeline's thread. */
    _Atomic uint64_t fd_pos;
};

size_t line_reader_chunk_size(size_t fill, size_t max_frame)
{
    size_t need = 2 * max_frame + RAW_CHUNK;
    return fill > need ? fill : need;
}

struct line_reader *line_reader_new(int fd, int wake_fd, size_t max_frame, size_t fill)
{
    struct line_reader *lr = calloc(1, sizeof *lr);
    if (!lr)
        return NULL;
    lr->fd = fd;
    lr->wake_fd = wake_fd;
    lr->max_frame = max_frame;
    off_t at = lseek(fd, 0, SEEK_CUR); /* (fails on a pipe: 0) */
    atomic_init(&lr->fd_pos, at > 0 ? (uint64_t)at : 0);
    lr->fill = fill;
    return lr;
}

/* How many bytes the next read may add to c: up to `fill`, then (to finish
 * a line) `fill` more at a time, within the capacity. */
static size_t room_of(const struct line_reader *lr, const struct chunk *c)
{
    size_t room = c->cap - c->len;
    size_t step = c->len < lr->fill ? lr->fill - c->len : lr->fill;
    return step < room ? step : room;
}

void line_reader_free(struct line_reader *lr)
{
    if (!lr)
        return;
    if (lr->gzip)
        inflateEnd(&lr->z);
    free(lr->raw);
    free(lr);
}

const char *line_reader_error(const struct line_reader *lr)
{
    return lr->error;
}

__attribute__((format(printf, 2, 3))) static int fail(struct line_reader *lr, const char *fmt,
                                                       ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lr->error, sizeof lr->error, fmt, ap);
    va_end(ap);
    return -1;
}

bool line_reader_gzip(const struct line_reader *lr)
{
    return lr->gzip;
}

void chunk_index(struct chunk *c)
{
    size_t pos = 0, n = 0;
    if (c->len > UINT32_MAX)
        return;
    while (n < CHUNK_NL_MAX) {
        char *nl = memchr(c->buf + pos, '\n', c->len - pos);
        if (!nl) {
            pos = c->len;
            break;
        }
        c->nl[n++] = (uint32_t)(nl - c->buf);
        pos = (size_t)(nl - c->buf) + 1;
    }
    c->nl_count = n;
    c->nl_upto = pos;
}

/* The first newline at or after from, or NULL: from the chunk's index while
 * it covers `from`, else by memchr. */
static char *next_newline(struct chunk *c, char *from)
{
    size_t at = (size_t)(from - c->buf);
    if (at < c->nl_upto) {
        while (c->nl_next < c->nl_count && c->nl[c->nl_next] < at)
            c->nl_next++; /* passed by an over-long line */
        if (c->nl_next < c->nl_count)
            return c->buf + c->nl[c->nl_next++];
        if (c->nl_upto >= c->len)
            return NULL;
        at = c->nl_upto; /* no newline before nl_upto: search on from there */
    }
    return memchr(c->buf + at, '\n', c->len - at);
}

enum line_status chunk_next_line(struct chunk *c, size_t max_frame, const char **line,
                                 size_t *len)
{
    if (c->pos >= c->len)
        return LINE_NONE;
    char *from = c->buf + c->pos;
    size_t avail = c->len - c->pos;
    char *nl = next_newline(c, from);
    /* No newline: the input's last line, or the first bytes of an over-long one. */
    size_t n = nl ? (size_t)(nl - from) : avail;
    c->pos += nl ? n + 1 : n;
    if (n > 0 && from[n - 1] == '\r')
        n--;
    *line = from;
    *len = n > max_frame ? max_frame : n;
    return n > max_frame ? LINE_TOO_LONG : LINE_OK;
}

/* Read raw bytes from the fd, waiting at most timeout_ms. -2: nothing yet
 * (timeout, a signal, or wake_fd is readable). */
static ssize_t read_fd(struct line_reader *lr, void *dst, size_t cap, int timeout_ms)
{
    struct pollfd pfd[2] = {{.fd = lr->fd, .events = POLLIN},
                            {.fd = lr->wake_fd, .events = POLLIN}}; /* fd -1 is ignored */
    int pr = poll(pfd, 2, timeout_ms);
    if (pr == 0 || (pr < 0 && errno == EINTR) || pfd[1].revents)
        return -2;
    if (pr < 0)
        return -1;
    ssize_t n;
    do {
        n = read(lr->fd, dst, cap);
    } while (n < 0 && errno == EINTR);
    if (n > 0)
        atomic_fetch_add_explicit(&lr->fd_pos, (uint64_t)n, memory_order_relaxed);
    return n;
}

uint64_t line_reader_fd_position(const struct line_reader *lr)
{
    return atomic_load_explicit(&lr->fd_pos, memory_order_relaxed);
}

/* Could more input be had without waiting? */
static bool more_ready(struct line_reader *lr)
{
    if (lr->gzip && lr->z.avail_in > 0)
        return true;
    struct pollfd pfd = {.fd = lr->fd, .events = POLLIN};
    return poll(&pfd, 1, 0) > 0;
}

/* Inflate into the chunk's free room, reading compressed input first if none
 * is left. 1: progress (maybe no bytes yet), 0: nothing yet, -1: failed. */
static int read_gzip(struct line_reader *lr, struct chunk *c, int timeout_ms)
{
    if (lr->z.avail_in == 0 && !lr->raw_eof) {
        ssize_t n = read_fd(lr, lr->raw, RAW_CHUNK, timeout_ms);
        if (n == -2)
            return 0;
        if (n < 0)
            return fail(lr, "read failed: %s", strerror(errno));
        lr->raw_eof = n == 0;
        lr->z.next_in = lr->raw;
        lr->z.avail_in = (uInt)n;
    }
    if (lr->z.avail_in == 0) { /* and raw_eof */
        if (!lr->member_done)
            return fail(lr, "gzip input is truncated");
        lr->eof = true;
        return 1;
    }
    if (lr->member_done) { /* another member follows (concatenated gzip files) */
        inflateReset(&lr->z);
        lr->member_done = false;
    }
    size_t room = room_of(lr, c);
    if (room > (1u << 30))
        room = 1u << 30; /* avail_out is 32 bits */
    lr->z.next_out = (Bytef *)c->buf + c->len;
    lr->z.avail_out = (uInt)room;
    int rc = inflate(&lr->z, Z_NO_FLUSH);
    c->len += room - lr->z.avail_out;
    if (rc == Z_STREAM_END)
        lr->member_done = true;
    else if (rc != Z_OK && rc != Z_BUF_ERROR)
        return fail(lr, "gzip input is corrupt: %s", lr->z.msg ? lr->z.msg : "inflate failed");
    return 1;
}

/* The first bytes were gzip's magic: move them to the compressed-input
 * buffer and inflate from there on. */
static int start_gzip(struct line_reader *lr, struct chunk *c, int timeout_ms)
{
    lr->gzip = true;
    lr->raw = malloc(RAW_CHUNK > c->len ? RAW_CHUNK : c->len);
    if (!lr->raw || inflateInit2(&lr->z, 16 + MAX_WBITS) != Z_OK)
        return fail(lr, "cannot start gzip decoding");
    memcpy(lr->raw, c->buf, c->len);
    lr->z.next_in = lr->raw;
    lr->z.avail_in = (uInt)c->len;
    c->len = 0;
    return read_gzip(lr, c, timeout_ms);
}

/* Append input to the chunk: 1 progress, 0 nothing yet, -1 failed. */
static int read_some(struct line_reader *lr, struct chunk *c, int timeout_ms)
{
    if (lr->gzip)
        return read_gzip(lr, c, timeout_ms);
    ssize_t n = read_fd(lr, c->buf + c->len, room_of(lr, c), timeout_ms);
    if (n == -2)
        return 0;
    if (n < 0)
        return fail(lr, "read failed: %s", strerror(errno));
    if (n == 0)
        lr->eof = true;
    c->len += (size_t)n;
    /* Decide plain or gzip on the first two bytes (a pipe may deliver one). */
    if (!lr->sniffed && (c->len >= 2 || lr->eof)) {
        lr->sniffed = true;
        if (c->len >= 2 && (unsigned char)c->buf[0] == 0x1f && (unsigned char)c->buf[1] == 0x8b)
            return start_gzip(lr, c, timeout_ms);
    }
    return 1;
}

void line_reader_start_at(struct line_reader *lr, uint64_t at, bool seeked)
{
    lr->next_base = at;
    lr->drop = seeked ? 0 : at;
    if (seeked)
        atomic_store_explicit(&lr->fd_pos, at, memory_order_relaxed);
}

void line_reader_begin(struct line_reader *lr, struct chunk *c)
{
    c->base = lr->next_base;
    size_t carry = lr->prev ? lr->prev->carry : 0;
    if (carry > 0) /* c may be prev itself: memmove */
        memmove(c->buf, lr->prev->buf + lr->prev->len, carry);
    c->len = carry;
    c->carry = 0;
    c->last = false;
    c->nl_count = c->nl_upto = 0;
    lr->cut = 0;
}

/* The chunk is ready with frames buf[0..len); what follows is carried over. */
static int ready(struct line_reader *lr, struct chunk *c, size_t len, bool last)
{
    lr->next_base = c->base + len;
    c->carry = c->len - len;
    c->len = len;
    c->last = last;
    lr->prev = c;
    return 1;
}

int line_reader_fill(struct line_reader *lr, struct chunk *c, int timeout_ms)
{
    for (;;) {
        size_t old = c->len;
        int rc = read_some(lr, c, timeout_ms);
        if (rc == 0)
            return 0;
        if (rc < 0) /* hand on the whole lines read before the failure */
            return ready(lr, c, lr->cut, true);
        if (lr->drop > 0) { /* before a start position: nothing of it is a frame */
            size_t drop = c->len - old < lr->drop ? c->len - old : (size_t)lr->drop;
            memmove(c->buf + old, c->buf + old + drop, c->len - old - drop);
            c->len -= drop;
            lr->drop -= drop;
        }
        if (lr->skipping) {
            char *nl = memchr(c->buf + old, '\n', c->len - old);
            size_t drop = nl ? (size_t)(nl + 1 - (c->buf + old)) : c->len - old;
            memmove(c->buf + old, c->buf + old + drop, c->len - old - drop);
            c->len -= drop;
            c->base += drop; /* while skipping, the chunk holds nothing before `old` */
            lr->skipping = !nl;
        }
        if (lr->eof && lr->drop > 0) {
            fail(lr, "the input ended %llu bytes before the checkpoint's position: it is not "
                     "the input the checkpoint was taken from (move the checkpoint away to "
                     "read it from the start)",
                 (unsigned long long)lr->drop);
            return ready(lr, c, 0, true);
        }
        if (lr->eof)
            return ready(lr, c, c->len, true);
        char *nl = memrchr(c->buf + old, '\n', c->len - old);
        if (nl)
            lr->cut = (size_t)(nl + 1 - c->buf);
        if (c->len - lr->cut > lr->max_frame + 1) {
            /* Over-long even without a "\r": hand on its first bytes, skip the rest. */
            lr->skipping = true;
            return ready(lr, c, c->len, false);
        }
        /* Ready with whole lines once `fill` bytes are in (a full chunk has
         * them: its capacity is at least that) or no more are ready now. A
         * chunk cannot be full with no whole line: that line is over-long. */
        if (lr->cut > 0 && lr->sniffed && (c->len >= lr->fill || !more_ready(lr)))
            return ready(lr, c, lr->cut, false);
    }
}
