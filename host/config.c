/*
 * Reading the pipeline file with inih.
 *
 * Debian's libinih is built with INI_HANDLER_LINENO 0 and INI_MAX_LINE 200,
 * fixed inside the shared library: its handler gets no line number and it
 * would silently split a longer line. So we feed it through our own line
 * reader (ini_parse_stream): the reader counts lines, notices section
 * headers (inih does not report an empty section), refuses an over-long line
 * with a clear message, and remembers whether the current line is indented,
 * which is how inih's multi-line values arrive: an indented line continues
 * the previous key, and we join the parts with ", " so long lists (brokers,
 * windows) can be written one item per line.
 */
#include "config.h"
#include "sluice_array.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sluice_diag_add(struct sluice_diag *d, const char *file, int line, const char *section,
                     const char *key, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    char where[512];
    int n = line > 0 ? snprintf(where, sizeof where, "%s:%d: ", file, line)
                     : snprintf(where, sizeof where, "%s: ", file);
    if (section && n >= 0 && (size_t)n < sizeof where)
        n += snprintf(where + n, sizeof where - (size_t)n, "[%s] ", section);
    if (key && n >= 0 && (size_t)n < sizeof where)
        snprintf(where + n, sizeof where - (size_t)n, "%s: ", key);

    char **l = sluice_array_room(d->lines, d->n, &d->cap, sizeof *l, 8);
    if (!l)
        return;
    d->lines = l;
    size_t len = strlen(where) + strlen(msg) + 1;
    char *s = malloc(len);
    if (!s)
        return;
    snprintf(s, len, "%s%s", where, msg);
    d->lines[d->n++] = s;
}

void sluice_diag_print(const struct sluice_diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "%s\n", d->lines[i]);
}

void sluice_diag_free(struct sluice_diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->lines[i]);
    free(d->lines);
    memset(d, 0, sizeof *d);
}

/* ------------------------------------------------------------------ */

struct reader {
    struct cfg_file *cfg;
    struct sluice_diag *diag;
    FILE *fp;          /* file input, or */
    const char *text;  /* string input */
    int line;          /* the line inih is working on */
    bool indented;     /* current line starts with blanks */
    struct cfg_section *current;
    char *last_key;    /* for continuation lines */
};

static char *dup_or_die(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        perror("sluice");
        exit(1);
    }
    return d;
}

static struct cfg_section *add_section(struct reader *r, const char *name)
{
    struct cfg_file *cfg = r->cfg;
    struct cfg_section *prev = cfg_find_section(cfg, name);
    if (prev) {
        sluice_diag_add(r->diag, cfg->path, r->line, name, NULL,
                        "duplicate section (first at line %d): merge the two or rename one",
                        prev->line);
    }
    struct cfg_section *s = sluice_array_room(cfg->sections, cfg->n, &cfg->cap, sizeof *s, 8);
    if (!s) {
        perror("sluice");
        exit(1);
    }
    cfg->sections = s;
    struct cfg_section *sec = &cfg->sections[cfg->n++];
    memset(sec, 0, sizeof *sec);
    sec->name = dup_or_die(name);
    sec->line = r->line;
    return sec;
}

/* Notice "[name]" lines ourselves: inih only reports sections with keys. */
static void note_section_header(struct reader *r, const char *line)
{
    while (isspace((unsigned char)*line))
        line++;
    if (*line != '[')
        return;
    const char *end = strchr(line, ']');
    if (!end)
        return; /* inih reports the syntax error */
    char name[SLUICE_INI_MAX_LINE];
    const char *s = line + 1;
    while (s < end && isspace((unsigned char)*s))
        s++;
    const char *e = end;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    size_t n = (size_t)(e - s);
    memcpy(name, s, n);
    name[n] = '\0';
    r->current = add_section(r, name);
    free(r->last_key);
    r->last_key = NULL;
}

static char *reader_next(char *str, int num, void *stream)
{
    struct reader *r = stream;
    /* Read a whole line into a local buffer whatever its length. */
    static char big[64 * 1024];
    size_t len = 0;
    int c = EOF;
    bool got = false;
    for (;;) {
        if (r->fp) {
            c = fgetc(r->fp);
        } else {
            c = *r->text ? (unsigned char)*r->text++ : EOF;
        }
        if (c == EOF)
            break;
        got = true;
        if (c == '\n')
            break;
        if (len + 1 < sizeof big)
            big[len++] = (char)c;
    }
    if (!got)
        return NULL;
    big[len] = '\0';
    if (len && big[len - 1] == '\r')
        big[--len] = '\0';
    r->line++;
    r->indented = len > 0 && (big[0] == ' ' || big[0] == '\t');

    if ((int)len + 2 > num) {
        sluice_diag_add(r->diag, r->cfg->path, r->line, r->current ? r->current->name : NULL,
                        NULL,
                        "line too long (%zu characters, at most %d): write a long list "
                        "one item per indented continuation line",
                        len, num - 2);
        str[0] = '\n';
        str[1] = '\0';
        return str;
    }
    note_section_header(r, big);
    memcpy(str, big, len);
    str[len] = '\n';
    str[len + 1] = '\0';
    return str;
}

static void add_entry(struct cfg_section *sec, const char *key, const char *value, int line)
{
    struct cfg_entry *e = sluice_array_room(sec->entries, sec->n, &sec->cap, sizeof *e, 8);
    if (!e) {
        perror("sluice");
        exit(1);
    }
    sec->entries = e;
    sec->entries[sec->n++] = (struct cfg_entry){dup_or_die(key), dup_or_die(value), line};
}

static int on_key(void *user, const char *section, const char *key, const char *value)
{
    struct reader *r = user;
    struct cfg_file *cfg = r->cfg;
    if (!r->current || strcmp(r->current->name, section) != 0) {
        /* A key before any [section]. */
        sluice_diag_add(r->diag, cfg->path, r->line, NULL, key,
                        "key outside any section: put it under [pipeline], [source], "
                        "[transform.NAME] or [sink.NAME]");
        return 1;
    }
    struct cfg_section *sec = r->current;
    struct cfg_entry *prev = cfg_find_entry(sec, key);
    if (prev && r->indented && r->last_key && strcmp(r->last_key, key) == 0) {
        /* A continuation line: join list items. */
        size_t len = strlen(prev->value) + strlen(value) + 3;
        char *joined = malloc(len);
        if (!joined) {
            perror("sluice");
            exit(1);
        }
        snprintf(joined, len, "%s%s%s", prev->value, *prev->value ? ", " : "", value);
        free(prev->value);
        prev->value = joined;
        return 1;
    }
    if (prev) {
        sluice_diag_add(r->diag, cfg->path, r->line, sec->name, key,
                        "duplicate key (first at line %d): keep one", prev->line);
        return 1;
    }
    add_entry(sec, key, value, r->line);
    free(r->last_key);
    r->last_key = dup_or_die(key);
    return 1;
}

bool cfg_read(struct cfg_file *cfg, const char *path, const char *text, struct sluice_diag *diag)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->path = dup_or_die(path);
    struct reader r = {.cfg = cfg, .diag = diag, .text = text};
    if (!text) {
        r.fp = fopen(path, "r");
        if (!r.fp) {
            sluice_diag_add(diag, path, 0, NULL, NULL, "cannot open pipeline file: %s",
                            strerror(errno));
            return false;
        }
    }
    int rc = ini_parse_stream(reader_next, &r, on_key, &r);
    if (r.fp)
        fclose(r.fp);
    free(r.last_key);
    if (rc > 0) {
        sluice_diag_add(diag, path, rc, NULL, NULL,
                        "syntax error: expected [section], key = value, or a ; comment");
    } else if (rc < 0) {
        sluice_diag_add(diag, path, 0, NULL, NULL, "cannot read pipeline file");
        return false;
    }
    return true;
}

void cfg_free(struct cfg_file *cfg)
{
    for (size_t i = 0; i < cfg->n; i++) {
        struct cfg_section *s = &cfg->sections[i];
        for (size_t j = 0; j < s->n; j++) {
            free(s->entries[j].key);
            free(s->entries[j].value);
        }
        free(s->entries);
        free(s->name);
    }
    free(cfg->sections);
    free(cfg->path);
    memset(cfg, 0, sizeof *cfg);
}

struct cfg_section *cfg_find_section(struct cfg_file *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n; i++)
        if (strcmp(cfg->sections[i].name, name) == 0)
            return &cfg->sections[i];
    return NULL;
}

struct cfg_entry *cfg_find_entry(struct cfg_section *sec, const char *key)
{
    for (size_t i = 0; i < sec->n; i++)
        if (strcmp(sec->entries[i].key, key) == 0)
            return &sec->entries[i];
    return NULL;
}
