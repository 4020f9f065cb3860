/*
 * Window boundaries: ISO weeks (a year starting on Thursday,
 * week 53), months, years, a leap day, DST days in Europe/Zurich, a
 * half-hour zone, window names. Expected values were computed with
 * Python's datetime/zoneinfo, independently of this code.
 */
#include "calendar.h"
#include "check.h"
#include "window.h"

#include <stdlib.h>

static struct dc_calendar utc, zurich, kolkata;

static void check_window(const struct dc_calendar *c, enum dc_unit unit, int64_t ts,
                         int64_t want_start, int64_t want_end, const char *want_siso,
                         const char *want_eiso, int line)
{
    int64_t s = 0, e = 0;
    char siso[DC_ISO_MAX], eiso[DC_ISO_MAX];
    dc_calendar_window(c, unit, 0, ts, &s, &e, siso, eiso);
    if (s != want_start || e != want_end)
        fprintf(stderr, "line %d: window of %lld: [%lld, %lld), want [%lld, %lld)\n", line,
                (long long)ts, (long long)s, (long long)e, (long long)want_start,
                (long long)want_end);
    CHECK_INT_EQ(s, want_start);
    CHECK_INT_EQ(e, want_end);
    if (want_siso)
        CHECK_STR_EQ(siso, want_siso);
    if (want_eiso)
        CHECK_STR_EQ(eiso, want_eiso);
}

#define WINDOW(c, u, ts, s, e, si, ei) check_window(c, u, ts, s, e, si, ei, __LINE__)

static void test_utc(void)
{
    /* Fixed sizes align to the epoch. */
    int64_t s, e;
    dc_calendar_window(&utc, DC_UNIT_FIXED, 60, 1468244384, &s, &e, NULL, NULL);
    CHECK_INT_EQ(s, 1468244340);
    CHECK_INT_EQ(e, 1468244400);
    dc_calendar_window(&utc, DC_UNIT_FIXED, 10, 1468244384, &s, &e, NULL, NULL);
    CHECK_INT_EQ(s, 1468244380);
    CHECK_INT_EQ(e, 1468244390);

    WINDOW(&utc, DC_UNIT_HOUR, 1468244384, 1468242000, 1468245600, "2016-07-11T13:00:00Z",
           "2016-07-11T14:00:00Z");
    /* Leap day: a day window of 2024-02-29, and February 2024 has 29 days. */
    WINDOW(&utc, DC_UNIT_DAY, 1709164800 + 43200, 1709164800, 1709251200,
           "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z");
    WINDOW(&utc, DC_UNIT_DAY, 1709251199, 1709164800, 1709251200, NULL, NULL);
    WINDOW(&utc, DC_UNIT_MONTH, 1709164800, 1706745600, 1709251200, "2024-02-01T00:00:00Z",
           "2024-03-01T00:00:00Z");
    WINDOW(&utc, DC_UNIT_MONTH, 1677628799, 1675209600, 1677628800, NULL, NULL); /* Feb 2023 */
    WINDOW(&utc, DC_UNIT_MONTH, 1703980800, 1701388800, 1704067200, "2023-12-01T00:00:00Z",
           "2024-01-01T00:00:00Z"); /* December ends in the next year */
    WINDOW(&utc, DC_UNIT_YEAR, 1709164800, 1704067200, 1735689600, "2024-01-01T00:00:00Z",
           "2025-01-01T00:00:00Z"); /* 366 days */
    WINDOW(&utc, DC_UNIT_YEAR, 1704067199, 1672531200, 1704067200, NULL, NULL);

    /* ISO weeks. 2026 starts on a Thursday: 1 January is in week 1, which
     * starts on Monday 2025-12-29; 2026 has 53 weeks, the last one running
     * to Monday 2027-01-04 (it holds Sunday 2027-01-03). */
    WINDOW(&utc, DC_UNIT_WEEK, 1767225600 /* 2026-01-01 */, 1766966400, 1767571200,
           "2025-12-29T00:00:00Z", "2026-01-05T00:00:00Z");
    WINDOW(&utc, DC_UNIT_WEEK, 1798934400 /* 2027-01-03 */, 1798416000, 1799020800,
           "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z");
    /* 2020 (a leap year starting on Wednesday) also has week 53. */
    WINDOW(&utc, DC_UNIT_WEEK, 1609372800 /* 2020-12-31 */, 1609113600, 1609718400,
           "2020-12-28T00:00:00Z", "2021-01-04T00:00:00Z");
    WINDOW(&utc, DC_UNIT_WEEK, 1609718399, 1609113600, 1609718400, NULL, NULL);
    WINDOW(&utc, DC_UNIT_WEEK, 1609718400, 1609718400, 1610323200, NULL, NULL);
}

static void test_zurich(void)
{
    /* 2024-03-31: clocks jump from 02:00 to 03:00, the day lasts 23 h. */
    WINDOW(&zurich, DC_UNIT_DAY, 1711879200 /* noon local */, 1711839600, 1711922400,
           "2024-03-31T00:00:00+01:00", "2024-04-01T00:00:00+02:00");
    CHECK_INT_EQ(1711922400 - 1711839600, 23 * 3600);
    /* 2024-10-27: back from 03:00 to 02:00, 25 h. */
    WINDOW(&zurich, DC_UNIT_DAY, 1729980000 + 3600 * 12, 1729980000, 1730070000,
           "2024-10-27T00:00:00+02:00", "2024-10-28T00:00:00+01:00");
    CHECK_INT_EQ(1730070000 - 1729980000, 25 * 3600);
    /* The week and month holding the change are an hour short. */
    WINDOW(&zurich, DC_UNIT_WEEK, 1711879200, 1711321200, 1711922400,
           "2024-03-25T00:00:00+01:00", "2024-04-01T00:00:00+02:00");
    WINDOW(&zurich, DC_UNIT_MONTH, 1711879200, 1709247600, 1711922400,
           "2024-03-01T00:00:00+01:00", "2024-04-01T00:00:00+02:00");
    WINDOW(&zurich, DC_UNIT_YEAR, 1711879200, 1704063600, 1735686000,
           "2024-01-01T00:00:00+01:00", "2025-01-01T00:00:00+01:00");
    /* Local midnight is 23:00 UTC the day before: 23:30 UTC on 2024-02-28
     * is already the leap day in Zurich. */
    WINDOW(&zurich, DC_UNIT_DAY, 1709163000, 1709161200, 1709247600,
           "2024-02-29T00:00:00+01:00", "2024-03-01T00:00:00+01:00");
    /* Hours stay whole UTC hours across the change: 03:30 CEST. */
    WINDOW(&zurich, DC_UNIT_HOUR, 1711848600, 1711846800, 1711850400,
           "2024-03-31T03:00:00+02:00", "2024-03-31T04:00:00+02:00");
}

static void test_half_hour_zone(void)
{
    /* Asia/Kolkata is UTC+05:30: local hours start at half past UTC. */
    WINDOW(&kolkata, DC_UNIT_HOUR, 1704863700, 1704861000, 1704864600,
           "2024-01-10T10:00:00+05:30", "2024-01-10T11:00:00+05:30");
}

static void test_tz_restored(void)
{
    setenv("TZ", "America/New_York", 1);
    int64_t s, e;
    dc_calendar_window(&zurich, DC_UNIT_DAY, 0, 1711879200, &s, &e, NULL, NULL);
    CHECK_STR_EQ(getenv("TZ"), "America/New_York");
    unsetenv("TZ");
    dc_calendar_window(&zurich, DC_UNIT_DAY, 0, 1711879200, &s, &e, NULL, NULL);
    CHECK(getenv("TZ") == NULL);
}

static void test_names(void)
{
    CHECK(dc_tz_check("UTC") == NULL);
    CHECK(dc_tz_check("Europe/Zurich") == NULL);
    CHECK(dc_tz_check("Mars/Olympus_Mons") != NULL);
    CHECK(dc_tz_check("../../etc/passwd") != NULL);
    CHECK(dc_tz_check("/etc/localtime") != NULL);
    CHECK(dc_tz_check("CET-1CEST,M3.5.0,M10.5.0/3") != NULL);
    const char *err = NULL;
    struct dc_calendar c;
    CHECK_INT_EQ(dc_calendar_init(&c, "Nowhere/Atlantis", &err), -1);
    CHECK(err != NULL);

    struct dc_kind k;
    CHECK(dc_kind_parse("minute", &k) == NULL);
    CHECK(k.unit == DC_UNIT_FIXED && k.size == 60);
    CHECK(dc_kind_parse("week", &k) == NULL);
    CHECK(k.unit == DC_UNIT_WEEK);
    CHECK(dc_kind_parse("10s", &k) == NULL);
    CHECK(k.unit == DC_UNIT_FIXED && k.size == 10);
    CHECK_STR_EQ(k.name, "10s");
    CHECK(dc_kind_parse("5m", &k) == NULL);
    CHECK_INT_EQ(k.size, 300);
    CHECK(dc_kind_parse("2h", &k) == NULL);
    CHECK_INT_EQ(k.size, 7200);
    CHECK(dc_kind_parse("1d", &k) == NULL);
    CHECK_INT_EQ(k.size, 86400);
    /* Fixed sizes are durations like any other: compound, any unit. */
    CHECK(dc_kind_parse("1h30m", &k) == NULL);
    CHECK(k.unit == DC_UNIT_FIXED && k.size == 5400);
    CHECK_STR_EQ(k.name, "1h30m");
    CHECK(dc_kind_parse("1m30s", &k) == NULL);
    CHECK_INT_EQ(k.size, 90);
    CHECK(dc_kind_parse("2w", &k) == NULL);
    CHECK_INT_EQ(k.size, 14 * 86400);
    CHECK(dc_kind_parse("1y", &k) == NULL);
    CHECK_INT_EQ(k.size, 365 * 86400);
    CHECK(dc_kind_parse("366d", &k) == NULL);
    CHECK_STR_EQ(dc_kind_parse("367d", &k), "fixed window size must be from 1s to 366d");
    CHECK_STR_EQ(dc_kind_parse("500ms", &k), "fixed window size must be from 1s to 366d");
    CHECK_STR_EQ(dc_kind_parse("1s500ms", &k),
                 "fixed window size must be whole seconds (windows are in Unix seconds)");
    CHECK_STR_EQ(dc_kind_parse("1mo", &k),
                 "months have no fixed length: use days (30d), or a calendar window (month)");
    CHECK(dc_kind_parse("0s", &k) != NULL);
    CHECK(dc_kind_parse("minutes", &k) != NULL);
    CHECK(dc_kind_parse("10x", &k) != NULL);
    CHECK(dc_kind_parse("10", &k) != NULL);
    CHECK(dc_kind_parse("-5s", &k) != NULL);
    CHECK(dc_kind_parse("999999999999999999999s", &k) != NULL);
    CHECK(dc_kind_parse("", &k) != NULL);
}

int main(void)
{
    const char *err = NULL;
    if (dc_calendar_init(&utc, "UTC", &err) || dc_calendar_init(&zurich, "Europe/Zurich", &err) ||
        dc_calendar_init(&kolkata, "Asia/Kolkata", &err)) {
        fprintf(stderr, "calendar init: %s (is tzdata installed?)\n", err);
        return 1;
    }
    test_utc();
    test_zurich();
    test_half_hour_zone();
    test_tz_restored();
    test_names();
    dc_calendar_free(&utc);
    dc_calendar_free(&zurich);
    dc_calendar_free(&kolkata);
    return check_exit();
}
