/* Reading newline-delimited frames from a file descriptor, plain or gzip,
 * into chunks: buffers that end on a line boundary, so a frame is a view into
 * one chunk and is never copied. */
#ifndef SLUICE_STDIN_LINE_READER_H
#define SLUICE_STDIN_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct chunk {
    char *buf;
    size_t cap;
    size_t len;   /* frames are buf[0..len): whole lines, but for the last one
                   * when `last` (no newline at the end of the input) or when it
                   * is over-long (its first bytes; the rest is skipped) */
    size_t carry; /* buf[len..len+carry): an unfinished line the next chunk continues */
    uint64_t base; /* offset of buf[0] in the input (decompressed, for gzip) */
    bool last;    /* no chunk follows: the input ended, or failed (line_reader_error) */
    /* Where its newlines are, found by the reader thread (chunk_index): the
     * first `nl_count` newlines in buf[0..len), all of those before
     * `nl_upto`; the consumer finds the rest itself. */
    uint32_t *nl;
    size_t nl_count, nl_upto;
    /* The consumer's, reset when it takes the chunk: */
    size_t pos;   /* the next frame starts at buf[pos] */
    size_t nl_next; /* the next entry of nl to use */
    int pending;  /* handed-out batches holding its frames, not yet acknowledged */
};

/* Entries of a chunk's newline index (chunk.nl): enough for ~2 KB frames in
 * chunks of a few MB; a chunk of shorter lines is indexed in part. */
#define CHUNK_NL_MAX 16384

/* The capacity every chunk needs: room for one whole maximal frame plus a
 * read's worth of the next, and at least `fill`. */
size_t line_reader_chunk_size(size_t fill, size_t max_frame);

/* `fd` is read until EOF; gzip input is detected by its magic bytes. While
 * waiting for input the reader also watches `wake_fd` (-1: none) and returns
 * when it becomes readable. A chunk is filled to about `fill` bytes (more
 * only to finish a line), whatever its capacity: see line_reader.c. */
struct line_reader *line_reader_new(int fd, int wake_fd, size_t max_frame, size_t fill);
void line_reader_free(struct line_reader *lr);

/* Begin at offset `at` of the input (a checkpoint's position): the caller
 * has put a plain file's descriptor there already (`seeked`); otherwise the
 * first `at` bytes read (inflated, for gzip) are dropped. Call before the
 * first fill. */
void line_reader_start_at(struct line_reader *lr, uint64_t at, bool seeked);

/* Start filling `c` (any chunk but one whose frames are still in use; it may
 * be the previous chunk itself): the unfinished line of the previous chunk
 * moves to its front. */
void line_reader_begin(struct line_reader *lr, struct chunk *c);

/* Read into `c` until it holds whole lines and no more input is ready now, or
 * is full, or the input ended or failed (then c->last is set). Waits at most
 * `timeout_ms` (-1: no limit) for input. Returns 1 when `c` is ready, 0 on
 * timeout or wake (call again with the same `c`). */
int line_reader_fill(struct line_reader *lr, struct chunk *c, int timeout_ms);

/* Is the input gzip (known once the first bytes were read)? */
bool line_reader_gzip(const struct line_reader *lr);

/* Find the newlines of a ready chunk (c->nl, which holds CHUNK_NL_MAX), so
 * that chunk_next_line need not: the reader thread does this while the
 * chunk's bytes are in its cache, and the host's thread is spared the
 * first touch of every byte. Without it (nl_upto 0) chunk_next_line
 * searches. */
void chunk_index(struct chunk *c);

/* The descriptor's offset: where it was when the reader was made (or was
 * seeked to, line_reader_start_at) plus the bytes read since (compressed
 * ones, for gzip); safe to call from any thread. */
uint64_t line_reader_fd_position(const struct line_reader *lr);

/* Why the input failed; "" if it did not. */
const char *line_reader_error(const struct line_reader *lr);

enum line_status {
    LINE_OK,       /* line and len hold one frame (no line end) */
    LINE_TOO_LONG, /* a frame over max_frame: line and len hold its first bytes */
    LINE_NONE      /* the chunk is used up */
};

/* The next frame of a ready chunk, from c->pos on. */
enum line_status chunk_next_line(struct chunk *c, size_t max_frame, const char **line,
                                 size_t *len);

#endif
