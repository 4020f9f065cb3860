/* The progress line: one status line on standard error, redrawn about once
 * a second by its own thread from what metrics.c publishes. */
#ifndef SLUICE_HOST_PROGRESS_H
#define SLUICE_HOST_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sluice_pipeline;

enum sluice_progress_mode {
    SLUICE_PROGRESS_AUTO = 0, /* when standard error is a terminal */
    SLUICE_PROGRESS_ON,       /* --progress */
    SLUICE_PROGRESS_OFF       /* --no-progress */
};

void sluice_progress_configure(enum sluice_progress_mode mode);

/* Start the line's thread if the mode says so; stop it and erase the line. */
void sluice_progress_start(const struct sluice_pipeline *p);
void sluice_progress_stop(void);

/* Erase the line if one is shown; the logger calls this (with standard
 * error locked) before every log line, and the next redraw brings it back. */
void sluice_progress_erase(void);

/* What one redraw knows. */
struct sluice_progress_sample {
    double t; /* seconds, monotonic clock */
    uint64_t frames, bytes;
    bool has_file; /* the source reads a file of known size */
    double file_size, file_pos;
    bool has_lag; /* a Kafka source: messages behind */
    double lag;
    bool has_watermark;
    double watermark; /* unix seconds */
    bool has_windows;
    double windows; /* open */
};

/* The line for `now`, rates measured since `prev` (an earlier sample), at
 * most size - 1 characters. */
void sluice_progress_format(const struct sluice_progress_sample *prev,
                            const struct sluice_progress_sample *now, char *buf, size_t size);

#endif
