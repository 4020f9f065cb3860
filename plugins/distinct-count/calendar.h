/*
 * Calendar arithmetic for window boundaries: UTC by civil-date arithmetic,
 * any IANA time zone through the C library's tz database (DST-correct).
 */
#ifndef DC_CALENDAR_H
#define DC_CALENDAR_H

#include "sluice_time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dc_unit {
    DC_UNIT_FIXED = 0, /* `size` seconds, aligned to the Unix epoch */
    DC_UNIT_HOUR,
    DC_UNIT_DAY,
    DC_UNIT_WEEK,      /* ISO week, Monday 00:00 to Monday 00:00 */
    DC_UNIT_MONTH,
    DC_UNIT_YEAR
};

/* Unix seconds of 2000-01-01 and 2100-01-01 (UTC): the plausible range. */
#define DC_TS_MIN INT64_C(946684800)
#define DC_TS_END INT64_C(4102444800)

/* Room for "2016-07-11T13:39:00+05:45". */
#define DC_ISO_MAX SLUICE_ISO8601_MAX

struct dc_calendar {
    char *tz; /* IANA name; NULL for UTC */
};

/* True for names meaning UTC ("UTC", "Etc/UTC", "Z", ...). */
bool dc_tz_is_utc(const char *name);
/* NULL if `name` is a time zone in the tz database, else a message. */
const char *dc_tz_check(const char *name);

/* Returns 0, or -1 with *err set (unknown zone, out of memory). */
int dc_calendar_init(struct dc_calendar *c, const char *tz, const char **err);
void dc_calendar_free(struct dc_calendar *c);

/* The window [*start, *end) of `unit` (or of `size` seconds for
 * DC_UNIT_FIXED) that holds `ts`, and both ends as ISO-8601 text: "Z" in
 * UTC, else local time with its offset. The ISO buffers may be NULL.
 * Calendar units outside UTC switch TZ for the call: call once per new
 * window, not per record. */
void dc_calendar_window(const struct dc_calendar *c, enum dc_unit unit, int64_t size,
                        int64_t ts, int64_t *start, int64_t *end, char *start_iso,
                        char *end_iso);

#endif
