/*
 * Window boundaries in calendar units.
 *
 * UTC (the default) needs no time zone database: dates come from Howard
 * Hinnant's days_from_civil / civil_from_days algorithms, exact for the
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int64_t dc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void dc_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static void iso_fields(char *buf, int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                       unsigned s, long off)
{
    if (off == 0) {
        snprintf(buf, DC_ISO_MAX, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, mo, d, h,
                 mi, s);
        return;
    }
    char sign = off < 0 ? '-' : '+';
    long a = off < 0 ? -off : off;
    snprintf(buf, DC_ISO_MAX, "%04lld-%02u-%02uT%02u:%02u:%02u%c%02ld:%02ld", (long long)y, mo,
             d, h, mi, s, sign, (a / 3600) % 100, (a / 60) % 60);
}

void dc_iso_utc(int64_t t, char *buf)
{
    int64_t days = floor_div(t, 86400), sod = t - days * 86400;
    int64_t y;
    unsigned m, d;
    dc_civil_from_days(days, &y, &m, &d);
    iso_fields(buf, y, m, d, (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60),
               (unsigned)(sod % 60), 0);
}

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
    int64_t days = floor_div(ts, 86400);
    int64_t y;
    unsigned m, d;
    switch (unit) {
    case DC_UNIT_HOUR:
        *start = floor_div(ts, 3600) * 3600;
        *end = *start + 3600;
        return;
    case DC_UNIT_DAY:
        *start = days * 86400;
        *end = *start + 86400;
        return;
    case DC_UNIT_WEEK: {
        /* 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays. */
        int64_t monday = days - (days + 3 - floor_div(days + 3, 7) * 7);
        *start = monday * 86400;
        *end = *start + 7 * 86400;
        return;
    }
    case DC_UNIT_MONTH:
        dc_civil_from_days(days, &y, &m, &d);
        *start = dc_days_from_civil(y, m, 1) * 86400;
        *end = (m == 12 ? dc_days_from_civil(y + 1, 1, 1) : dc_days_from_civil(y, m + 1, 1)) *
               86400;
        return;
    case DC_UNIT_YEAR:
        dc_civil_from_days(days, &y, &m, &d);
        *start = dc_days_from_civil(y, 1, 1) * 86400;
        *end = dc_days_from_civil(y + 1, 1, 1) * 86400;
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
    iso_fields(buf, (int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday,
               (unsigned)tm.tm_hour, (unsigned)tm.tm_min, (unsigned)tm.tm_sec, tm.tm_gmtoff);
}

static void zone_window(enum dc_unit unit, int64_t ts, int64_t *start, int64_t *end)
{
    time_t tt = (time_t)ts;
    struct tm lt;
    localtime_r(&tt, &lt);
    switch (unit) {
    case DC_UNIT_HOUR: {
        int64_t off = lt.tm_gmtoff;
        *start = ts - (ts + off - floor_div(ts + off, 3600) * 3600);
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
        *start = floor_div(ts, size) * size;
        *end = *start + size;
    }
    if (!c->tz) {
        if (unit != DC_UNIT_FIXED)
            utc_window(unit, ts, start, end);
        if (start_iso)
            dc_iso_utc(*start, start_iso);
        if (end_iso)
            dc_iso_utc(*end, end_iso);
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
