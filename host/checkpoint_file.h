/*
 * The `file:DIR` checkpoint store: the whole checkpoint in one file,
 * DIR/checkpoint, replaced atomically; the one before it is kept as
 * DIR/checkpoint.prev.
 *
 * Writing: DIR/checkpoint.tmp is written and fsync'd, the current file
 * becomes .prev (rename), the new one takes its name (rename), and the
 * directory is fsync'd, so after a crash at any moment DIR holds a complete
 * checkpoint: the new one, or (between the renames) the previous one as
 * .prev. Reading: the current file; if it is missing, truncated or corrupt,
 * the previous one with a warning. A checkpoint whose configuration
 * fingerprint differs is never used.
 */
#ifndef SLUICE_HOST_CHECKPOINT_FILE_H
#define SLUICE_HOST_CHECKPOINT_FILE_H

#include "checkpoint_format.h"

struct ckpt_file_item {
    char *key;
    uint8_t *value;
    size_t len;
};

struct ckpt_file {
    char *dir;
    char path[4096], prev[4096], tmp[4096];
    uint64_t seq;                 /* of the last checkpoint read or written */
    struct ckpt_file_item *items; /* what was read at start */
    size_t n;
};

/* Make DIR if missing and check that it can be written. NULL if fine, else
 * a message. */
const char *ckpt_file_open(struct ckpt_file *f, const char *dir, char *err, size_t errsize);

/* Read the checkpoint in DIR, if any. Returns 0 (read, or there is none:
 * f->n == 0; a non-empty err is then a warning to log: the previous
 * checkpoint is used), or -1 with a message in err (nothing usable: a
 * corrupt file without a good previous one, or another configuration's). */
int ckpt_file_load(struct ckpt_file *f, const char *fingerprint, char *err, size_t errsize);

/* The value read for `key`, or NULL. */
const struct ckpt_file_item *ckpt_file_find(const struct ckpt_file *f, const char *key);

/* Write a checkpoint of `n` items. 0, or -1 with a message in err. */
int ckpt_file_save(struct ckpt_file *f, const char *fingerprint,
                   const struct sluice_state_item *items, size_t n, char *err, size_t errsize);

void ckpt_file_close(struct ckpt_file *f);

#endif
