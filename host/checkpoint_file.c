/* The file:DIR checkpoint store (see checkpoint_file.h). */
#include "checkpoint_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *ckpt_file_open(struct ckpt_file *f, const char *dir, char *err, size_t errsize)
{
    memset(f, 0, sizeof *f);
    f->dir = strdup(dir);
    if (!f->dir)
        return "out of memory";
    snprintf(f->path, sizeof f->path, "%s/checkpoint", dir);
    snprintf(f->prev, sizeof f->prev, "%s/checkpoint.prev", dir);
    snprintf(f->tmp, sizeof f->tmp, "%s/checkpoint.tmp", dir);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errsize, "cannot make the checkpoint directory %s: %s", dir,
                 strerror(errno));
        return err;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errsize, "cannot write to the checkpoint directory %s: %s", dir,
                 strerror(errno));
        return err;
    }
    return NULL;
}

static void free_items(struct ckpt_file *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->items[i].key);
        free(f->items[i].value);
    }
    free(f->items);
    f->items = NULL;
    f->n = 0;
}

void ckpt_file_close(struct ckpt_file *f)
{
    free_items(f);
    free(f->dir);
    f->dir = NULL;
}

/* The whole file in memory; -1 with errno (ENOENT: missing). */
static int slurp(const char *path, uint8_t **data, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (n < cap)
            break;
        uint8_t *b = realloc(buf, cap * 2);
        if (!b) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = b;
        cap *= 2;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (!buf || bad) {
        free(buf);
        errno = buf ? EIO : ENOMEM;
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

enum parse_result { PARSE_OK, PARSE_CORRUPT, PARSE_FOREIGN };

/* Parse a checkpoint file into f->items. */
static enum parse_result parse(struct ckpt_file *f, const uint8_t *data, size_t len,
                               const char *fingerprint, char *why, size_t whysize)
{
    if (len < 8 || memcmp(data, CKPT_FILE_MAGIC, 8) != 0) {
        snprintf(why, whysize, "not a sluice checkpoint (bad magic)");
        return PARSE_CORRUPT;
    }
    if (!ckpt_crc_ok(data, len)) {
        snprintf(why, whysize, "checksum mismatch: the file is truncated or corrupt");
        return PARSE_CORRUPT;
    }
    struct sluice_reader r = sluice_reader_of(data + 8, len - 12);
    uint32_t version = (uint32_t)sluice_read_le(&r, 4);
    if (version != CKPT_FORMAT_VERSION) {
        snprintf(why, whysize, "written in checkpoint format %u; this sluice reads %u",
                 (unsigned)version, CKPT_FORMAT_VERSION);
        return PARSE_CORRUPT;
    }
    uint32_t flen = (uint32_t)sluice_read_le(&r, 4);
    const char *ftext = (const char *)sluice_read_bytes(&r, flen);
    if (r.bad) {
        snprintf(why, whysize, "truncated header");
        return PARSE_CORRUPT;
    }
    if (flen != strlen(fingerprint) || memcmp(ftext, fingerprint, flen) != 0) {
        snprintf(why, whysize,
                 "it was written by another counting configuration (%.*s); this pipeline's "
                 "is (%s)",
                 (int)(flen > 600 ? 600 : flen), ftext, fingerprint);
        return PARSE_FOREIGN;
    }
    f->seq = sluice_read_le(&r, 8);
    uint32_t n = (uint32_t)sluice_read_le(&r, 4);
    if (r.bad || n > r.left / 8) {
        snprintf(why, whysize, "truncated item table");
        return PARSE_CORRUPT;
    }
    f->items = calloc(n ? n : 1, sizeof *f->items);
    if (!f->items) {
        snprintf(why, whysize, "out of memory");
        return PARSE_CORRUPT;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t klen = (uint32_t)sluice_read_le(&r, 4);
        const char *key = (const char *)sluice_read_bytes(&r, klen);
        uint32_t vlen = (uint32_t)sluice_read_le(&r, 4);
        const uint8_t *val = sluice_read_bytes(&r, vlen);
        if (r.bad) {
            free_items(f);
            snprintf(why, whysize, "truncated item %u", (unsigned)i);
            return PARSE_CORRUPT;
        }
        struct ckpt_file_item *it = &f->items[f->n++];
        it->key = strndup(key, klen);
        it->value = malloc(vlen ? vlen : 1);
        it->len = vlen;
        if (!it->key || !it->value) {
            free_items(f);
            snprintf(why, whysize, "out of memory");
            return PARSE_CORRUPT;
        }
        memcpy(it->value, val, vlen);
    }
    return PARSE_OK;
}

int ckpt_file_load(struct ckpt_file *f, const char *fingerprint, char *err, size_t errsize)
{
    free_items(f);
    const char *paths[2] = {f->path, f->prev};
    char why[2][1024] = {"", ""};
    bool present[2] = {false, false};
    for (int i = 0; i < 2; i++) {
        uint8_t *data;
        size_t len;
        if (slurp(paths[i], &data, &len) != 0) {
            if (errno != ENOENT) {
                present[i] = true;
                snprintf(why[i], sizeof why[i], "cannot read it: %s", strerror(errno));
            }
            continue;
        }
        present[i] = true;
        enum parse_result pr = parse(f, data, len, fingerprint, why[i], sizeof why[i]);
        free(data);
        if (pr == PARSE_FOREIGN) {
            snprintf(err, errsize,
                     "checkpoint %s cannot be used: %s. To count with this configuration from "
                     "scratch, point `checkpoint` in [pipeline] to another directory (or remove "
                     "%s); to resume that run, restore its configuration",
                     paths[i], why[i], f->dir);
            return -1;
        }
        if (pr == PARSE_OK) {
            if (i == 1 && present[0])
                snprintf(err, errsize,
                         "checkpoint %s is unusable (%s): resuming from the previous one, %s "
                         "(frames after it are read again)",
                         paths[0], why[0], paths[1]);
            else if (i == 1)
                snprintf(err, errsize,
                         "checkpoint %s is missing (a crash between two renames): resuming from "
                         "the previous one, %s",
                         paths[0], paths[1]);
            else
                err[0] = '\0';
            return 0;
        }
    }
    if (!present[0] && !present[1]) {
        err[0] = '\0';
        return 0; /* a first run */
    }
    snprintf(err, errsize,
             "no usable checkpoint in %s: %s%s%s%s%s. Nothing was started, so nothing is lost "
             "yet: move the directory away to count from the start (or from the source's "
             "configured start position), or restore a good copy",
             f->dir, present[0] ? paths[0] : "", present[0] ? ": " : "", why[0],
             present[1] ? "; " : "", present[1] ? paths[1] : "");
    if (present[1]) {
        size_t l = strlen(err);
        snprintf(err + l, errsize - l, " (%s)", why[1]);
    }
    return -1;
}

const struct ckpt_file_item *ckpt_file_find(const struct ckpt_file *f, const char *key)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->items[i].key, key) == 0)
            return &f->items[i];
    return NULL;
}

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int ckpt_file_save(struct ckpt_file *f, const char *fingerprint,
                   const struct sluice_state_item *items, size_t n, char *err, size_t errsize)
{
    struct ckpt_buf b = {0};
    ckpt_buf_put(&b, CKPT_FILE_MAGIC, 8);
    ckpt_buf_u32(&b, CKPT_FORMAT_VERSION);
    ckpt_buf_u32(&b, (uint32_t)strlen(fingerprint));
    ckpt_buf_put(&b, fingerprint, strlen(fingerprint));
    ckpt_buf_u64(&b, f->seq + 1);
    ckpt_buf_u32(&b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        ckpt_buf_u32(&b, (uint32_t)strlen(items[i].key));
        ckpt_buf_put(&b, items[i].key, strlen(items[i].key));
        ckpt_buf_u32(&b, (uint32_t)items[i].len);
        ckpt_buf_put(&b, items[i].value, items[i].len);
    }
    ckpt_buf_crc(&b, 0);
    if (b.failed) {
        ckpt_buf_free(&b);
        snprintf(err, errsize, "out of memory for a checkpoint");
        return -1;
    }
    const char *step = "writing";
    int fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        goto fail;
    for (size_t off = 0; off < b.len;) {
        ssize_t w = write(fd, b.data + off, b.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            close(fd);
            goto fail;
        }
        off += (size_t)w;
    }
    step = "syncing";
    if (fsync(fd) != 0) {
        close(fd);
        goto fail;
    }
    close(fd);
    step = "keeping the previous checkpoint as";
    if (rename(f->path, f->prev) != 0 && errno != ENOENT)
        goto fail;
    step = "renaming";
    if (rename(f->tmp, f->path) != 0)
        goto fail;
    step = "syncing the directory of";
    if (fsync_path(f->dir, O_RDONLY | O_DIRECTORY) != 0)
        goto fail;
    f->seq++;
    ckpt_buf_free(&b);
    return 0;
fail:
    snprintf(err, errsize, "%s checkpoint %s failed: %s", step, f->tmp, strerror(errno));
    ckpt_buf_free(&b);
    return -1;
}
