/*
 * Window boundaries in calendar units.
 *
 * UTC (the default) needs no time zone database: dates come from the civil
 * date arithmetic of libsluice-support (lib/civil.c), exact for the
 * proleptic Gregorian calendar, and weeks are ISO weeks (Monday first; the
 * week holding 1 January belongs to the previous ISO year when it starts
 * before Thursday, which is why some years have 53 weeks: the boundaries
 * are the same Monday-to-Monday spans either way).
 *
 * In another zone a day is from local midnight to local midnight, so it can
 * last 23 or 25 hours across a DST change; likewise weeks, months and
 * years. The C library knows the zone's rules (tzdata), but only through
 * the process-wide TZ variable: we set it, call tzset, use localtime_r and
 * mktime, and restore it, once per new window (the host is single-threaded
 * and a window is created once). Hours are local hours: for whole-hour
 * offsets they are UTC hours; for +05:30 they start at half past.
 * Minutes and fixed sizes ("10s") are aligned to the epoch in every zone.
 */
#include "calendar.h"

#include "sluice_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

bool dc_tz_is_utc(const char *name)
{
    static const char *const utc[] = {"UTC", "Etc/UTC", "Z", "GMT", "Etc/GMT", "UCT",
                                      "Etc/UCT", "Zulu", "Etc/Zulu", "Universal",
                                      "Etc/Universal"};
    if (!name || !*name)
        return true;
    for (size_t i = 0; i < sizeof utc / sizeof *utc; i++)
        if (strcmp(name, utc[i]) == 0)
            return true;
    return false;
}

const char *dc_tz_check(const char *name)
{
    if (dc_tz_is_utc(name))
        return NULL;
    if (name[0] == '/' || name[0] == ':' || strstr(name, "..") || strchr(name, ','))
        return "not an IANA time zone name (like Europe/Zurich or UTC)";
    const char *dir = getenv("TZDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return "unknown time zone: not in the tz database (install tzdata, or use a name "
               "like Europe/Zurich or UTC)";
    return NULL;
}

int dc_calendar_init(struct dc_calendar *c, const char *tz, const char **err)
{
    c->tz = NULL;
    const char *e = tz ? dc_tz_check(tz) : NULL;
    if (e) {
        *err = e;
        return -1;
    }
    if (tz && !dc_tz_is_utc(tz)) {
        c->tz = strdup(tz);
        if (!c->tz) {
            *err = "out of memory";
            return -1;
        }
    }
    return 0;
}

void dc_calendar_free(struct dc_calendar *c)
{
    free(c->tz);
    c->tz = NULL;
}

/* ---- UTC ---------------------------------------------------------- */

static void utc_window(enum dc_unit unit, int64_t ts, int64_t *start, int64_t *end)
{
    int64_t days = sluice_floor_div(ts, 86400);
    int64_t y;
    unsigned m, d;
    switch (unit) {
    case DC_UNIT_HOUR:
        *start = sluice_floor_div(ts, 3600) * 3600;
        *end = *start + 3600;
        return;
    case DC_UNIT_DAY:
        *start = days * 86400;
        *end = *start + 86400;
        return;
    case DC_UNIT_WEEK: {
        /* 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays. */
        int64_t monday = days - (days + 3 - sluice_floor_div(days + 3, 7) * 7);
        *start = monday * 86400;
        *end = *start + 7 * 86400;
        return;
    }
    case DC_UNIT_MONTH:
        sluice_civil_from_days(days, &y, &m, &d);
        *start = sluice_days_from_civil(y, m, 1) * 86400;
        *end = (m == 12 ? sluice_days_from_civil(y + 1, 1, 1) : sluice_days_from_civil(y, m + 1, 1)) *
               86400;
        return;
    case DC_UNIT_YEAR:
        sluice_civil_from_days(days, &y, &m, &d);
        *start = sluice_days_from_civil(y, 1, 1) * 86400;
        *end = sluice_days_from_civil(y + 1, 1, 1) * 86400;
        return;
    case DC_UNIT_FIXED:
        break;
    }
}

/* ---- a named zone --------------------------------------------------- */

/* TZ as it was before we switched, to restore it. */
struct tz_saved {
    char *value;
    bool was_set;
};

static void tz_enter(const char *tz, struct tz_saved *saved)
{
    const char *old = getenv("TZ");
    saved->was_set = old != NULL;
    saved->value = old ? strdup(old) : NULL;
    setenv("TZ", tz, 1);
    tzset();
}

static void tz_leave(struct tz_saved *saved)
{
    if (saved->was_set && saved->value)
        setenv("TZ", saved->value, 1);
    else
        unsetenv("TZ");
    free(saved->value);
    tzset();
}

/* mktime of a local date at 00:00 (fields may be out of range: mktime
 * normalises them), letting the zone decide whether DST applies. */
static int64_t local_midnight(int year, int mon, int mday)
{
    struct tm tm = {0};
    tm.tm_year = year;
    tm.tm_mon = mon;
    tm.tm_mday = mday;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static void local_iso(int64_t t, char *buf)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    sluice_iso8601_format(t * 1000, tm.tm_gmtoff, false, buf, DC_ISO_MAX);
}

static void zone_window(enum dc_unit unit, int64_t ts, int64_t *start, int64_t *end)
{
    time_t tt = (time_t)ts;
    struct tm lt;
    localtime_r(&tt, &lt);
    switch (unit) {
    case DC_UNIT_HOUR: {
        int64_t off = lt.tm_gmtoff;
        *start = ts - (ts + off - sluice_floor_div(ts + off, 3600) * 3600);
        *end = *start + 3600;
        return;
    }
    case DC_UNIT_DAY:
        *start = local_midnight(lt.tm_year, lt.tm_mon, lt.tm_mday);
        *end = local_midnight(lt.tm_year, lt.tm_mon, lt.tm_mday + 1);
        return;
    case DC_UNIT_WEEK: {
        int back = (lt.tm_wday + 6) % 7; /* days since Monday */
        *start = local_midnight(lt.tm_year, lt.tm_mon, lt.tm_mday - back);
        *end = local_midnight(lt.tm_year, lt.tm_mon, lt.tm_mday - back + 7);
        return;
    }
    case DC_UNIT_MONTH:
        *start = local_midnight(lt.tm_year, lt.tm_mon, 1);
        *end = local_midnight(lt.tm_year, lt.tm_mon + 1, 1);
        return;
    case DC_UNIT_YEAR:
        *start = local_midnight(lt.tm_year, 0, 1);
        *end = local_midnight(lt.tm_year + 1, 0, 1);
        return;
    case DC_UNIT_FIXED:
        break;
    }
}

void dc_calendar_window(const struct dc_calendar *c, enum dc_unit unit, int64_t size,
                        int64_t ts, int64_t *start, int64_t *end, char *start_iso,
                        char *end_iso)
{
    if (unit == DC_UNIT_FIXED) {
        *start = sluice_floor_div(ts, size) * size;
        *end = *start + size;
    }
    if (!c->tz) {
        if (unit != DC_UNIT_FIXED)
            utc_window(unit, ts, start, end);
        if (start_iso)
            sluice_iso8601_format(*start * 1000, 0, false, start_iso, DC_ISO_MAX);
        if (end_iso)
            sluice_iso8601_format(*end * 1000, 0, false, end_iso, DC_ISO_MAX);
        return;
    }
    struct tz_saved saved;
    tz_enter(c->tz, &saved);
    if (unit != DC_UNIT_FIXED)
        zone_window(unit, ts, start, end);
    /* A zone whose midnight does not exist on some date could make mktime
     * land beside ts; never return a window that misses it. */
    if (*start > ts)
        *start = ts;
    if (*end <= ts)
        *end = ts + 1;
    if (start_iso)
        local_iso(*start, start_iso);
    if (end_iso)
        local_iso(*end, end_iso);
    tz_leave(&saved);
}
