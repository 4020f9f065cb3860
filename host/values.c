/* Option value parsers: strict (the whole text must be consumed), so a typo
 * such as "5 s" or "10x" is an error rather than a silent default. */
#include "values.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *sluice_parse_int(const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end != '\0')
        return "not an integer";
    if (errno == ERANGE)
        return "integer out of range";
    *out = v;
    return NULL;
}

const char *sluice_parse_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(v))
        return "not a number";
    *out = v;
    return NULL;
}

const char *sluice_parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *out = true;
            return NULL;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *out = false;
            return NULL;
        }
    }
    return "not a boolean: use true or false";
}

const char *sluice_parse_size(const char *text, int64_t *out_bytes)
{
    static const char *const msg = "not a size: use bytes or a unit, e.g. 512, 64K, 64M, 1G";
    char *end;
    if (!isdigit((unsigned char)*text))
        return msg;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    if (errno == ERANGE)
        return "size out of range";
    int64_t unit = 1;
    switch (toupper((unsigned char)*end)) {
    case '\0':
        break;
    case 'K':
        unit = 1024;
        end++;
        break;
    case 'M':
        unit = 1024 * 1024;
        end++;
        break;
    case 'G':
        unit = 1024LL * 1024 * 1024;
        end++;
        break;
    case 'B':
        break;
    default:
        return msg;
    }
    if (strcasecmp(end, "iB") == 0 || strcasecmp(end, "B") == 0)
        end += strlen(end);
    if (*end)
        return msg;
    if (n > INT64_MAX / unit)
        return "size out of range";
    *out_bytes = n * unit;
    return NULL;
}

static char *trimmed_copy(const char *start, const char *end)
{
    while (start < end && isspace((unsigned char)*start))
        start++;
    while (end > start && isspace((unsigned char)end[-1]))
        end--;
    size_t n = (size_t)(end - start);
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, start, n);
        s[n] = '\0';
    }
    return s;
}

const char *sluice_parse_list(const char *text, struct sluice_list *out)
{
    out->n = 0;
    out->items = NULL;
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == ',';
    out->items = calloc(cap, sizeof *out->items);
    if (!out->items)
        return "out of memory";
    const char *start = text;
    for (;;) {
        const char *comma = strchr(start, ',');
        const char *end = comma ? comma : start + strlen(start);
        char *item = trimmed_copy(start, end);
        if (!item) {
            sluice_list_free(out);
            return "out of memory";
        }
        if (*item)
            out->items[out->n++] = item;
        else
            free(item);
        if (!comma)
            break;
        start = comma + 1;
    }
    return NULL;
}

void sluice_list_free(struct sluice_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->n = 0;
}
