/* Reading newline-delimited frames from a file descriptor, plain or gzip,
 * into one reusable buffer, without copying a frame once it is read. */
#ifndef SLUICE_STDIN_LINE_READER_H
#define SLUICE_STDIN_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct line_reader;

/* `fd` is read until EOF; gzip input is detected by its magic bytes. */
struct line_reader *line_reader_new(int fd, size_t buffer_size, size_t max_frame);
void line_reader_free(struct line_reader *lr);

enum line_status {
    LINE_OK,      /* line and len hold one frame (no line end) */
    LINE_TOO_LONG,/* a frame over max_frame: line and len hold its first bytes */
    LINE_NONE,    /* nothing buffered: call line_reader_fill */
    LINE_EOF      /* input exhausted */
};

/* The next buffered frame. Pointers stay valid until line_reader_fill. */
enum line_status line_reader_next(struct line_reader *lr, const char **line, size_t *len);

/* Read more input, waiting at most `timeout_ms`. Returns 1 if data came,
 * 0 on timeout, -1 on error (errno set, message in line_reader_error). */
int line_reader_fill(struct line_reader *lr, int timeout_ms);
const char *line_reader_error(const struct line_reader *lr);

#endif
