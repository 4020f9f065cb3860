/*
 * ISO-8601 times as sluice reads them (kafka-in's `start`) and writes them
 * (log lines, window results): the calendar date and 24-hour time of RFC
 * 3339, with the relaxations people type (no seconds, no offset, a space
 * for the T, +0200). Week dates, ordinal dates and durations of ISO-8601
 * are not times anyone configures here, so they are refused.
 */
#include "sluice_time.h"

#include <ctype.h>
#include <stdio.h>

static const char *const not_a_time =
    "not an ISO-8601 time: use a date like 2024-11-01 or a date-time like "
    "2024-11-01T13:05:09Z (an offset like +02:00 instead of Z; none means UTC)";

/* Read exactly `n` digits at *p into *v. */
static bool digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        x = x * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *v = x;
    return true;
}

/* The time of day after the T: hh:mm[:ss[.fff]] into seconds and ms. */
static const char *time_of_day(const char **pp, int64_t *secs, int *frac_ms)
{
    const char *p = *pp;
    int h, mi, s = 0;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
        return not_a_time;
    if (*p == ':') {
        p++;
        if (!digits(&p, 2, &s))
            return not_a_time;
        if (*p == '.' || *p == ',') {
            p++;
            if (!isdigit((unsigned char)*p))
                return "a decimal point needs digits after it, e.g. 13:05:09.250";
            for (int scale = 100; isdigit((unsigned char)*p); p++, scale /= 10)
                *frac_ms += (*p - '0') * scale;
        }
    }
    if (h > 23 || mi > 59 || s > 60)
        return "time of day out of range: hours 00-23, minutes 00-59, seconds 00-60";
    *secs = h * 3600 + mi * 60 + s;
    *pp = p;
    return NULL;
}

/* Z, +hh:mm, +hhmm, +hh or nothing, into seconds east of UTC. */
static const char *utc_offset(const char **pp, int64_t *offset_s)
{
    const char *p = *pp;
    *offset_s = 0;
    if (*p == 'Z' || *p == 'z') {
        *pp = p + 1;
        return NULL;
    }
    if (*p != '+' && *p != '-')
        return NULL;
    int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
    if (!digits(&p, 2, &oh))
        return not_a_time;
    if (*p == ':')
        p++;
    if (isdigit((unsigned char)*p) && !digits(&p, 2, &om))
        return not_a_time;
    if (oh > 23 || om > 59)
        return "UTC offset out of range: use -23:59 to +23:59";
    *offset_s = sign * (oh * 3600 + om * 60);
    *pp = p;
    return NULL;
}

const char *sluice_iso8601_parse(const char *text, int64_t *ms)
{
    const char *p = text, *err;
    int y, mo, d, frac_ms = 0;
    int64_t secs = 0, offset_s = 0;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return not_a_time;
    if (mo < 1 || mo > 12)
        return "month out of range: use 01 to 12";
    if (d < 1 || (unsigned)d > sluice_days_in_month(y, (unsigned)mo))
        return "no such day in that month (29 February needs a leap year)";
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if ((err = time_of_day(&p, &secs, &frac_ms)) || (err = utc_offset(&p, &offset_s)))
            return err;
    }
    if (*p != '\0')
        return not_a_time;
    secs += sluice_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 - offset_s;
    *ms = secs * 1000 + frac_ms;
    return NULL;
}

int sluice_iso8601_format(int64_t ms, long offset_s, bool millis, char *buf, size_t cap)
{
    int64_t secs = sluice_floor_div(ms, 1000) + offset_s;
    int frac = (int)(ms % 1000); /* not ms - secs * 1000: that overflows at INT64_MIN */
    if (frac < 0)
        frac += 1000;
    int64_t days = sluice_floor_div(secs, 86400), sod = secs - days * 86400;
    int64_t y;
    unsigned m, d;
    sluice_civil_from_days(days, &y, &m, &d);
    char fraction[8] = "", zone[16] = "Z";
    if (millis)
        snprintf(fraction, sizeof fraction, ".%03d", frac);
    if (offset_s != 0) {
        long a = offset_s < 0 ? -offset_s : offset_s;
        snprintf(zone, sizeof zone, "%c%02ld:%02ld", offset_s < 0 ? '-' : '+', a / 3600 % 100,
                 a / 60 % 60);
    }
    return snprintf(buf, cap, "%04lld-%02u-%02uT%02u:%02u:%02u%s%s", (long long)y, m, d,
                    (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60),
                    fraction, zone);
}
