/*
 * Options as data. A plugin declares its keys as rows (type, default or
 * required, validator, doc); this file turns a section of the pipeline file
 * into the plugin's config struct, and reports every problem with the
 * section's file and line, the way Kafka Connect's ConfigDef refuses a bad
 * config before anything runs.
 */
#include "options.h"

#include "sluice_time.h"
#include "values.h"

#include <stdlib.h>
#include <string.h>

const char *const sluice_host_keys[] = {"plugin", NULL};

const char *sluice_option_type_name(enum sluice_option_type type)
{
    switch (type) {
    case SLUICE_OPT_STRING:
        return "string";
    case SLUICE_OPT_INT:
        return "int";
    case SLUICE_OPT_BOOL:
        return "bool";
    case SLUICE_OPT_DOUBLE:
        return "double";
    case SLUICE_OPT_SIZE:
        return "size";
    case SLUICE_OPT_DURATION:
        return "duration";
    case SLUICE_OPT_LIST:
        return "list";
    case SLUICE_OPT_PREFIX:
        return "prefix";
    case SLUICE_OPT_ENUM:
        return "enum";
    }
    return "?";
}

static char *one_of_text(const char *one_of, char *buf, size_t size)
{
    size_t j = 0;
    for (const char *p = one_of; *p && j + 3 < size; p++) {
        if (*p == '|') {
            buf[j++] = ',';
            buf[j++] = ' ';
        } else {
            buf[j++] = *p;
        }
    }
    buf[j] = '\0';
    return buf;
}

static bool matches_prefix_row(const struct sluice_option *options, const char *key)
{
    for (const struct sluice_option *o = options; o->name; o++)
        if (o->type == SLUICE_OPT_PREFIX && strncmp(key, o->name, strlen(o->name)) == 0 &&
            key[strlen(o->name)] != '\0')
            return true;
    return false;
}

static const struct sluice_option *find_row(const struct sluice_option *options, const char *key)
{
    for (const struct sluice_option *o = options; o->name; o++)
        if (o->type != SLUICE_OPT_PREFIX && strcmp(o->name, key) == 0)
            return o;
    return NULL;
}

static bool is_host_key(const char *const *host_keys, const char *key)
{
    for (const char *const *k = host_keys; k && *k; k++)
        if (strcmp(*k, key) == 0)
            return true;
    return false;
}

static void allowed_keys(const struct sluice_option *options, char *buf, size_t size)
{
    size_t j = 0;
    buf[0] = '\0';
    for (const struct sluice_option *o = options; o->name; o++) {
        int n = snprintf(buf + j, size - j, "%s%s%s", j ? ", " : "", o->name,
                         o->type == SLUICE_OPT_PREFIX ? "*" : "");
        if (n < 0 || (size_t)n >= size - j)
            break;
        j += (size_t)n;
    }
    if (j == 0)
        snprintf(buf, size, "(this plugin takes no options)");
}

/* Parse and check one value, storing it at the row's offset. NULL if fine. */
static const char *store_value(const struct sluice_option *o, const char *text, void *config,
                               char *msgbuf, size_t msgsize)
{
    char *field = (char *)config + o->offset;
    const char *err = NULL;
    bool ranged = o->min < o->max;
    double number = 0;

    switch (o->type) {
    case SLUICE_OPT_STRING: {
        if ((o->flags & SLUICE_OPT_NONEMPTY) && !*text)
            return "must not be empty";
        if (o->one_of && sluice_choice_index(o->one_of, text) < 0) {
            char b[256];
            snprintf(msgbuf, msgsize, "'%s' is not one of: %s", text,
                     one_of_text(o->one_of, b, sizeof b));
            return msgbuf;
        }
        if (o->validate && (err = o->validate(&text)) != NULL)
            return err;
        char *copy = strdup(text);
        if (!copy)
            return "out of memory";
        free(*(char **)field);
        *(char **)field = copy;
        return NULL;
    }
    case SLUICE_OPT_INT: {
        int64_t v;
        if ((err = sluice_parse_int(text, &v)))
            return err;
        number = (double)v;
        if (ranged && (number < o->min || number > o->max)) {
            snprintf(msgbuf, msgsize, "%s is out of range: use %.0f to %.0f", text, o->min, o->max);
            return msgbuf;
        }
        if (o->validate && (err = o->validate(&v)))
            return err;
        *(int64_t *)field = v;
        return NULL;
    }
    case SLUICE_OPT_SIZE:
    case SLUICE_OPT_DURATION: {
        int64_t v;
        err = o->type == SLUICE_OPT_SIZE ? sluice_parse_size(text, &v)
                                          : sluice_duration_parse(text, &v);
        if (err)
            return err;
        if (ranged && ((double)v < o->min || (double)v > o->max)) {
            if (o->type == SLUICE_OPT_DURATION) {
                char lo[SLUICE_DURATION_MAX], hi[SLUICE_DURATION_MAX];
                sluice_duration_format((int64_t)o->min, lo, sizeof lo);
                sluice_duration_format((int64_t)o->max, hi, sizeof hi);
                snprintf(msgbuf, msgsize, "%s is out of range: use %s to %s", text, lo, hi);
            } else
                snprintf(msgbuf, msgsize, "%s is out of range: use %.0f to %.0f bytes", text,
                         o->min, o->max);
            return msgbuf;
        }
        if (o->validate && (err = o->validate(&v)))
            return err;
        *(int64_t *)field = v;
        return NULL;
    }
    case SLUICE_OPT_BOOL: {
        bool v;
        if ((err = sluice_parse_bool(text, &v)))
            return err;
        *(bool *)field = v;
        return NULL;
    }
    case SLUICE_OPT_DOUBLE: {
        double v;
        if ((err = sluice_parse_double(text, &v)))
            return err;
        if (ranged && (v < o->min || v > o->max)) {
            snprintf(msgbuf, msgsize, "%s is out of range: use %g to %g", text, o->min, o->max);
            return msgbuf;
        }
        if (o->validate && (err = o->validate(&v)))
            return err;
        *(double *)field = v;
        return NULL;
    }
    case SLUICE_OPT_LIST: {
        struct sluice_list v;
        if ((err = sluice_parse_list(text, &v)))
            return err;
        if ((o->flags & SLUICE_OPT_NONEMPTY) && v.n == 0) {
            sluice_list_free(&v);
            return "must list at least one item";
        }
        if (o->one_of) {
            for (size_t i = 0; i < v.n; i++) {
                if (sluice_choice_index(o->one_of, v.items[i]) < 0) {
                    char b[256];
                    snprintf(msgbuf, msgsize, "'%s' is not one of: %s", v.items[i],
                             one_of_text(o->one_of, b, sizeof b));
                    sluice_list_free(&v);
                    return msgbuf;
                }
            }
        }
        if (o->validate && (err = o->validate(&v))) {
            sluice_list_free(&v);
            return err;
        }
        sluice_list_free((struct sluice_list *)field);
        *(struct sluice_list *)field = v;
        return NULL;
    }
    case SLUICE_OPT_ENUM: {
        if (!o->one_of)
            return "the plugin's option table gives this enum no choices (a bug in the plugin)";
        int v = sluice_choice_index(o->one_of, text);
        if (v < 0) {
            char b[256];
            snprintf(msgbuf, msgsize, "'%s' is not one of: %s", text,
                     one_of_text(o->one_of, b, sizeof b));
            return msgbuf;
        }
        if (o->validate && (err = o->validate(&v)))
            return err;
        *(int *)field = v;
        return NULL;
    }
    case SLUICE_OPT_PREFIX:
        return NULL;
    }
    return "unknown option type";
}

static void add_kv(struct sluice_kv_list *list, const struct cfg_entry *e)
{
    struct sluice_kv *items = realloc(list->items, (list->n + 1) * sizeof *items);
    if (!items)
        return;
    list->items = items;
    items[list->n++] = (struct sluice_kv){strdup(e->key), strdup(e->value), e->line};
}

int sluice_options_fill(const struct sluice_option *options, const char *const *host_keys,
                        void *config, struct cfg_section *sec, const char *file,
                        struct sluice_diag *diag)
{
    int problems = 0;
    char msgbuf[512];

    /* Unknown keys first: the most common mistake is a typo. */
    for (size_t i = 0; i < sec->n; i++) {
        const struct cfg_entry *e = &sec->entries[i];
        if (is_host_key(host_keys, e->key) || find_row(options, e->key))
            continue;
        if (matches_prefix_row(options, e->key)) {
            for (const struct sluice_option *o = options; o->name; o++) {
                if (o->type != SLUICE_OPT_PREFIX || strncmp(e->key, o->name, strlen(o->name)) != 0)
                    continue;
                const char *err;
                struct sluice_kv kv = {e->key, e->value, e->line};
                if (o->validate && (err = o->validate(&kv)) != NULL) {
                    sluice_diag_add(diag, file, e->line, sec->name, e->key, "%s", err);
                    problems++;
                    continue;
                }
                add_kv((struct sluice_kv_list *)((char *)config + o->offset), e);
            }
            continue;
        }
        char allowed[1024];
        allowed_keys(options, allowed, sizeof allowed);
        sluice_diag_add(diag, file, e->line, sec->name, e->key, "unknown key; allowed: %s",
                        allowed);
        problems++;
    }

    for (const struct sluice_option *o = options; o->name; o++) {
        if (o->type == SLUICE_OPT_PREFIX)
            continue;
        struct cfg_entry *e = cfg_find_entry(sec, o->name);
        if (!e) {
            if (o->flags & SLUICE_OPT_REQUIRED) {
                sluice_diag_add(diag, file, sec->line, sec->name, o->name,
                                "missing required key (%s)", o->doc ? o->doc : "no doc");
                problems++;
                continue;
            }
            if (!o->default_value) {
                if (o->type == SLUICE_OPT_ENUM)
                    *(int *)((char *)config + o->offset) = -1; /* "not set" */
                continue;
            }
            const char *err = store_value(o, o->default_value, config, msgbuf, sizeof msgbuf);
            if (err) {
                /* A bad default is the plugin author's bug: say so. */
                sluice_diag_add(diag, file, sec->line, sec->name, o->name,
                                "the plugin's default '%s' is invalid: %s", o->default_value, err);
                problems++;
            }
            continue;
        }
        const char *err = store_value(o, e->value, config, msgbuf, sizeof msgbuf);
        if (err) {
            sluice_diag_add(diag, file, e->line, sec->name, o->name, "%s", err);
            problems++;
        }
    }
    return problems;
}

void sluice_options_free(const struct sluice_option *options, void *config)
{
    if (!config)
        return;
    for (const struct sluice_option *o = options; o->name; o++) {
        void *field = (char *)config + o->offset;
        if (o->type == SLUICE_OPT_STRING) {
            free(*(char **)field);
            *(char **)field = NULL;
        } else if (o->type == SLUICE_OPT_LIST) {
            sluice_list_free(field);
        } else if (o->type == SLUICE_OPT_PREFIX) {
            struct sluice_kv_list *l = field;
            for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].key);
                free(l->items[i].value);
            }
            free(l->items);
            l->items = NULL;
            l->n = 0;
        }
    }
}

void sluice_options_describe(const struct sluice_option *options, FILE *out)
{
    sluice_options_describe_keys(options, true, out);
}

void sluice_options_describe_keys(const struct sluice_option *options, bool plugin_key, FILE *out)
{
    fprintf(out, "  %-24s %-9s %-22s %s\n", "KEY", "TYPE", "DEFAULT", "DESCRIPTION");
    if (plugin_key)
        fprintf(out, "  %-24s %-9s %-22s %s\n", "plugin", "string", "(required)",
                "which plugin runs this section");
    if (!options)
        return;
    for (const struct sluice_option *o = options; o->name; o++) {
        char name[64];
        snprintf(name, sizeof name, "%s%s", o->name, o->type == SLUICE_OPT_PREFIX ? "*" : "");
        const char *def = (o->flags & SLUICE_OPT_REQUIRED) ? "(required)"
                          : o->default_value              ? o->default_value
                                                          : "(none)";
        fprintf(out, "  %-24s %-9s %-22s %s", name, sluice_option_type_name(o->type), def,
                o->doc ? o->doc : "");
        if (o->one_of) {
            char b[256];
            fprintf(out, " [one of: %s]", one_of_text(o->one_of, b, sizeof b));
        }
        if (o->min < o->max) {
            if (o->type == SLUICE_OPT_DURATION) {
                char lo[SLUICE_DURATION_MAX], hi[SLUICE_DURATION_MAX];
                sluice_duration_format((int64_t)o->min, lo, sizeof lo);
                sluice_duration_format((int64_t)o->max, hi, sizeof hi);
                fprintf(out, " [%s..%s]", lo, hi);
            } else
                fprintf(out, " [%.15g..%.15g]", o->min, o->max);
        }
        fputc('\n', out);
    }
}
