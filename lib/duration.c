/*
 * Durations as pipeline files write them ("250ms", "1h30m", "7d", "1y")
 * and as sluice prints them back (--describe ranges, log lines): one
 * parser and one formatter, so every option and every window size reads
 * the same way. Units and the reasons for `y` = 365 d are in the header.
 */
#include "sluice_time.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const not_a_duration =
    "not a duration: use a number with a unit (ms, s, m, h, d, w, y = 365d), e.g. 250ms, 5s, "
    "1h30m, 7d";

static const struct unit {
    const char *name;
    int64_t ms;
} units[] = {
    {"y", SLUICE_MS_PER_YEAR},   {"w", SLUICE_MS_PER_WEEK},   {"d", SLUICE_MS_PER_DAY},
    {"h", SLUICE_MS_PER_HOUR},   {"m", SLUICE_MS_PER_MINUTE}, {"s", SLUICE_MS_PER_SECOND},
    {"ms", 1},
};

/* The unit at p, the longest name that matches ("ms", not "m"), or NULL. */
static const struct unit *unit_at(const char *p)
{
    const struct unit *best = NULL;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (strncmp(p, units[i].name, strlen(units[i].name)) == 0 &&
            (!best || strlen(units[i].name) > strlen(best->name)))
            best = &units[i];
    return best;
}

const char *sluice_duration_parse(const char *text, int64_t *ms)
{
    const char *p = text;
    if (strcmp(p, "0") == 0) {
        *ms = 0;
        return NULL;
    }
    if (!*p)
        return not_a_duration;
    int64_t total = 0;
    while (*p) {
        if (!isdigit((unsigned char)*p))
            return *p == '-' && p == text ? "a duration cannot be negative" : not_a_duration;
        int64_t n = 0;
        bool too_big = false;
        for (; isdigit((unsigned char)*p); p++) {
            too_big |= n > (INT64_MAX - (*p - '0')) / 10;
            if (!too_big)
                n = n * 10 + (*p - '0');
        }
        if (*p == 'M' || strncmp(p, "mo", 2) == 0)
            return "months have no fixed length: use days (30d), or a calendar window (month)";
        const struct unit *u = unit_at(p);
        if (!u)
            return not_a_duration;
        p += strlen(u->name);
        if (too_big || n > INT64_MAX / u->ms || total > INT64_MAX - n * u->ms)
            return "duration out of range: at most about 292 million years";
        total += n * u->ms;
    }
    *ms = total;
    return NULL;
}

int sluice_duration_format(int64_t ms, char *buf, size_t cap)
{
    if (ms == 0)
        return snprintf(buf, cap, "0s");
    char text[SLUICE_DURATION_MAX];
    size_t used = 0;
    if (ms < 0)
        text[used++] = '-';
    /* The magnitude as unsigned, so INT64_MIN has one too. */
    uint64_t left = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        uint64_t u = (uint64_t)units[i].ms;
        /* Years and weeks only when exact: "366d" reads better than "1y1d". */
        bool exact_only = u == (uint64_t)SLUICE_MS_PER_YEAR || u == (uint64_t)SLUICE_MS_PER_WEEK;
        if (left < u || (exact_only && left % u != 0))
            continue;
        /* The longest text, "-106751991167d23h47m16s854ms", fits the buffer. */
        int n = snprintf(text + used, sizeof text - used, "%llu%s",
                         (unsigned long long)(left / u), units[i].name);
        used += (size_t)n < sizeof text - used ? (size_t)n : sizeof text - used - 1;
        left %= u;
    }
    return snprintf(buf, cap, "%s", text);
}
