/*
 * The line reader behind the stdin source.
 *
 * One buffer holds raw (decompressed) bytes; frames are handed out as
 * pointers into it, so a frame is never copied. The buffer is compacted —
 * the unfinished last line moved to the front — only in line_reader_fill,
 * which the source calls only after the host acknowledged every frame it
 * handed out, so no record ever points at moved bytes.
 *
 * Reads use poll(2) with a timeout rather than a blocking read, so the
 * pipeline sees a stop request and ticks on time even when a pipe is quiet.
 * Gzip (RFC 1952, also several concatenated members, as `cat a.gz b.gz`
 * makes) is detected by its magic bytes and inflated with zlib.
 *
 * A line longer than max_frame is not an error of the reader: its first
 * bytes are returned once as LINE_TOO_LONG and the rest is skipped up to the
 * next newline, so one bad frame never stops a stream.
 */
#include "line_reader.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define RAW_CHUNK (256 * 1024)

struct line_reader {
    int fd;
    char *buf;
    size_t cap, start, end; /* unread frames are buf[start..end) */
    size_t scan;            /* bytes from start already known to hold no '\n' */
    size_t max_frame;
    bool eof;               /* no more bytes will come */
    bool skipping;          /* inside an over-long line: drop to the next '\n' */
    bool sniffed, gzip;
    z_stream z;
    unsigned char *raw;     /* compressed input */
    size_t raw_len;
    bool raw_eof;
    char error[256];
};

struct line_reader *line_reader_new(int fd, size_t buffer_size, size_t max_frame)
{
    struct line_reader *lr = calloc(1, sizeof *lr);
    if (!lr)
        return NULL;
    lr->fd = fd;
    lr->max_frame = max_frame;
    /* Room for one whole maximal frame plus a read's worth of the next. */
    lr->cap = buffer_size > 2 * max_frame + RAW_CHUNK ? buffer_size : 2 * max_frame + RAW_CHUNK;
    lr->buf = malloc(lr->cap);
    if (!lr->buf) {
        free(lr);
        return NULL;
    }
    return lr;
}

void line_reader_free(struct line_reader *lr)
{
    if (!lr)
        return;
    if (lr->gzip)
        inflateEnd(&lr->z);
    free(lr->raw);
    free(lr->buf);
    free(lr);
}

const char *line_reader_error(const struct line_reader *lr)
{
    return lr->error;
}

enum line_status line_reader_next(struct line_reader *lr, const char **line, size_t *len)
{
    for (;;) {
        char *from = lr->buf + lr->start;
        size_t avail = lr->end - lr->start;
        char *nl = avail > lr->scan ? memchr(from + lr->scan, '\n', avail - lr->scan) : NULL;
        if (lr->skipping) {
            if (!nl) {
                lr->start = lr->end; /* drop what we have of the long line */
                lr->scan = 0;
                if (lr->eof)
                    lr->skipping = false;
                return lr->eof ? LINE_EOF : LINE_NONE;
            }
            lr->start += (size_t)(nl - from) + 1;
            lr->scan = 0;
            lr->skipping = false;
            continue;
        }
        size_t n;
        if (nl) {
            n = (size_t)(nl - from);
            lr->start += n + 1;
            lr->scan = 0;
        } else if (avail > lr->max_frame) {
            *line = from;
            *len = lr->max_frame;
            lr->start = lr->end;
            lr->scan = 0;
            lr->skipping = !lr->eof;
            return LINE_TOO_LONG;
        } else if (lr->eof && avail > 0) {
            n = avail; /* a final line without newline */
            lr->start = lr->end;
            lr->scan = 0;
        } else {
            lr->scan = avail;
            return lr->eof ? LINE_EOF : LINE_NONE;
        }
        if (n > 0 && from[n - 1] == '\r')
            n--;
        if (n > lr->max_frame) {
            *line = from;
            *len = lr->max_frame;
            return LINE_TOO_LONG;
        }
        *line = from;
        *len = n;
        return LINE_OK;
    }
}

/* Read raw bytes from the fd, waiting at most timeout_ms. */
static ssize_t read_fd(struct line_reader *lr, void *dst, size_t cap, int timeout_ms)
{
    struct pollfd pfd = {.fd = lr->fd, .events = POLLIN};
    int pr = poll(&pfd, 1, timeout_ms);
    if (pr == 0 || (pr < 0 && errno == EINTR))
        return -2; /* nothing yet */
    if (pr < 0)
        return -1;
    ssize_t n;
    do {
        n = read(lr->fd, dst, cap);
    } while (n < 0 && errno == EINTR);
    return n;
}

static int fill_gzip(struct line_reader *lr, size_t room, int timeout_ms)
{
    if (lr->raw_len == 0 && !lr->raw_eof) {
        ssize_t n = read_fd(lr, lr->raw, RAW_CHUNK, timeout_ms);
        if (n == -2)
            return 0;
        if (n < 0) {
            snprintf(lr->error, sizeof lr->error, "read failed: %s", strerror(errno));
            return -1;
        }
        if (n == 0)
            lr->raw_eof = true;
        lr->raw_len = (size_t)n;
        lr->z.next_in = lr->raw;
        lr->z.avail_in = (uInt)n;
    }
    if (lr->z.avail_in == 0 && lr->raw_eof) {
        lr->eof = true;
        return 1;
    }
    lr->z.next_out = (Bytef *)lr->buf + lr->end;
    lr->z.avail_out = (uInt)room;
    int rc = inflate(&lr->z, Z_NO_FLUSH);
    lr->end += room - lr->z.avail_out;
    if (lr->z.avail_in == 0)
        lr->raw_len = 0;
    if (rc == Z_STREAM_END) {
        /* Another member may follow (concatenated gzip files). */
        if (lr->z.avail_in > 0 || !lr->raw_eof)
            inflateReset(&lr->z);
        else
            lr->eof = true;
    } else if (rc == Z_BUF_ERROR && lr->raw_eof && lr->z.avail_in == 0) {
        snprintf(lr->error, sizeof lr->error, "gzip input is truncated");
        return -1;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        snprintf(lr->error, sizeof lr->error, "gzip input is corrupt: %s",
                 lr->z.msg ? lr->z.msg : "inflate failed");
        return -1;
    }
    return 1;
}

/* The first bytes were gzip's magic: move them to the compressed-input
 * buffer and inflate from there on. */
static int start_gzip(struct line_reader *lr, int timeout_ms)
{
    lr->gzip = true;
    lr->raw = malloc(RAW_CHUNK > lr->end ? RAW_CHUNK : lr->end);
    if (!lr->raw || inflateInit2(&lr->z, 16 + MAX_WBITS) != Z_OK) {
        snprintf(lr->error, sizeof lr->error, "cannot start gzip decoding");
        return -1;
    }
    memcpy(lr->raw, lr->buf, lr->end);
    lr->raw_len = lr->end;
    lr->z.next_in = lr->raw;
    lr->z.avail_in = (uInt)lr->end;
    lr->end = 0;
    return fill_gzip(lr, lr->cap, timeout_ms);
}

int line_reader_fill(struct line_reader *lr, int timeout_ms)
{
    if (lr->eof)
        return 1;
    /* Compact: everything before start has been acknowledged. */
    if (lr->start > 0) {
        memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
        lr->end -= lr->start;
        lr->start = 0;
    }
    size_t room = lr->cap - lr->end;
    if (room == 0)
        return 1; /* next() will report the over-long line */
    if (lr->gzip)
        return fill_gzip(lr, room, timeout_ms);
    ssize_t n = read_fd(lr, lr->buf + lr->end, room, timeout_ms);
    if (n == -2)
        return 0;
    if (n < 0) {
        snprintf(lr->error, sizeof lr->error, "read failed: %s", strerror(errno));
        return -1;
    }
    if (n == 0)
        lr->eof = true;
    lr->end += (size_t)n;
    /* Decide plain or gzip on the first two bytes (a pipe may deliver one). */
    if (!lr->sniffed && (lr->end >= 2 || lr->eof)) {
        lr->sniffed = true;
        if (lr->end >= 2 && (unsigned char)lr->buf[0] == 0x1f && (unsigned char)lr->buf[1] == 0x8b)
            return start_gzip(lr, timeout_ms);
    }
    return 1;
}
