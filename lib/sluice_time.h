/*
 * libsluice-support: time, written once for the host and every plugin.
 *
 *   civil dates   days since 1970-01-01 <-> proleptic Gregorian y-m-d
 *   ISO-8601      parse a date or date-time into Unix ms; format Unix ms
 *   durations     parse "250ms", "1h30m", "7d", "1y"; format back in the
 *                 largest units that fit ("1h30m", "1w", "1y")
 *   clocks        wall-clock and monotonic milliseconds (and monotonic
 *                 microseconds, for short operations)
 *
 * Durations are fixed lengths: ms, s, m (minute), h, d (86400 s), w (7 d)
 * and y, which is 365 d (a fixed year without leap days, as Prometheus
 * reads `1y`; the calendar year is distinct-count's `year` window). Months
 * have no fixed length, so "1mo" is refused with a message pointing at
 * calendar windows. Parts add up in any order ("1h30m" = "30m1h" = 90
 * minutes); the whole text must be consumed, so "5 s" and "10x" are errors
 * rather than silent defaults.
 *
 * Why not in the SDK (include/sluice/): a plugin never parses a duration
 * itself (the host hands it SLUICE_OPT_DURATION values in ms, already
 * checked), so only in-tree code needs these, and keeping them out of the
 * SDK keeps an installed, versioned library off the plugin ABI. It is a
 * libtool convenience library (lib/local.mk) linked into the host and each
 * plugin; a plugin's copy stays private (plugins export only their
 * descriptor).
 */
#ifndef SLUICE_SUPPORT_TIME_H
#define SLUICE_SUPPORT_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- civil dates (civil.c) ------------------------------------------ */

/* a / b rounded toward minus infinity (b > 0): the day of a negative time. */
int64_t sluice_floor_div(int64_t a, int64_t b);

bool sluice_is_leap_year(int64_t y);
/* Days in month m (1-12) of year y. */
unsigned sluice_days_in_month(int64_t y, unsigned m);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's days_from_civil / civil_from_days): exact for every year in
 * +-10^12, far beyond any time an int64 of ms can hold. */
int64_t sluice_days_from_civil(int64_t y, unsigned m, unsigned d);
void sluice_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* ---- ISO-8601 (iso8601.c) ------------------------------------------- */

/* Room for any formatted time, offset and milliseconds included. */
#define SLUICE_ISO8601_MAX 80

/* Parse `2024-11-01` (midnight UTC), `2024-11-01T13:05`,
 * `2024-11-01T13:05:09`, `...09.250` (digits past ms are ignored), each
 * optionally followed by `Z` or an offset `+02:00`, `+0200` or `+02` (no
 * offset means UTC); `t`/`z` and a space for `T` are accepted. Second 60
 * (a leap second) is the next second's first instant. Into Unix ms.
 * Returns NULL, or a static message saying what is wrong. */
const char *sluice_iso8601_parse(const char *text, int64_t *ms);

/* Format the instant `ms` (Unix ms) as it reads at UTC offset `offset_s`
 * (seconds east; 0 gives `Z`, else `+05:45`), with `.mmm` when
 * `millis`: "2016-07-11T13:39:07Z", "2016-07-11T15:39:07.250+02:00".
 * Years outside 0000-9999 print as many digits as they need. Returns
 * snprintf's value (the length). */
int sluice_iso8601_format(int64_t ms, long offset_s, bool millis, char *buf, size_t cap);

/* ---- durations (duration.c) ----------------------------------------- */

#define SLUICE_MS_PER_SECOND INT64_C(1000)
#define SLUICE_MS_PER_MINUTE INT64_C(60000)
#define SLUICE_MS_PER_HOUR INT64_C(3600000)
#define SLUICE_MS_PER_DAY INT64_C(86400000)
#define SLUICE_MS_PER_WEEK (7 * SLUICE_MS_PER_DAY)
#define SLUICE_MS_PER_YEAR (365 * SLUICE_MS_PER_DAY)

/* Room for any formatted duration ("-106751991167d23h47m16s854ms"). */
#define SLUICE_DURATION_MAX 48

/* Parse a duration into ms: one or more <digits><unit> parts, units ms s m
 * h d w y; "0" alone is zero. Returns NULL, or a static message (not a
 * duration, months, out of range). Never negative. */
const char *sluice_duration_parse(const char *text, int64_t *ms);

/* Format `ms` in its natural units: y or w when they divide it exactly
 * ("1y", "2w"), else days, hours, minutes, seconds and ms, largest first,
 * zero parts left out ("1h30m", "366d", "1s500ms", "0s"); negative values
 * get a "-". parse(format(x)) == x for every x >= 0. Returns the length. */
int sluice_duration_format(int64_t ms, char *buf, size_t cap);

/* ---- clocks (clock.c) ----------------------------------------------- */

/* Unix time in ms (CLOCK_REALTIME): for event-time-like decisions. */
int64_t sluice_clock_realtime_ms(void);
/* ms since an arbitrary point (CLOCK_MONOTONIC): for timeouts and
 * intervals, immune to the wall clock being set. */
int64_t sluice_clock_monotonic_ms(void);
/* The same clock in microseconds, for timing short operations. */
int64_t sluice_clock_monotonic_us(void);

#endif
