/*
 * libsluice-support's time functions. Expected dates and times were
 * computed with Python's datetime, independently of this code; the civil
 * round trip is also checked against a naive day-by-day calendar walk
 * (its own leap-year rule), and durations round-trip through the
 * formatter.
 */
#include "check.h"
#include "sluice_time.h"

#include <stdlib.h>

static void test_civil_known(void)
{
    static const struct {
        int64_t y;
        unsigned m, d;
        int64_t days;
    } known[] = {
        {1970, 1, 1, 0},       {1969, 12, 31, -1},     {2000, 1, 1, 10957},
        {2000, 2, 29, 11016},  {2000, 3, 1, 11017},    {2100, 1, 1, 47482},
        {2100, 2, 28, 47540},  {2100, 3, 1, 47541},    {1900, 3, 1, -25508},
        {1, 1, 1, -719162},    {9999, 12, 31, 2932896}, {2024, 2, 29, 19782},
        {1600, 2, 29, -135081},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        CHECK_INT_EQ(sluice_days_from_civil(known[i].y, known[i].m, known[i].d), known[i].days);
        int64_t y;
        unsigned m, d;
        sluice_civil_from_days(known[i].days, &y, &m, &d);
        CHECK_INT_EQ(y, known[i].y);
        CHECK_INT_EQ(m, known[i].m);
        CHECK_INT_EQ(d, known[i].d);
    }
    /* 2000 is a leap year (divisible by 400), 2100 and 1900 are not. */
    CHECK(sluice_is_leap_year(2000) && sluice_is_leap_year(2024) && sluice_is_leap_year(-4));
    CHECK(!sluice_is_leap_year(2100) && !sluice_is_leap_year(1900) && !sluice_is_leap_year(2023));
    CHECK_INT_EQ(sluice_days_in_month(2000, 2), 29);
    CHECK_INT_EQ(sluice_days_in_month(2100, 2), 28);
    CHECK_INT_EQ(sluice_days_in_month(2023, 4), 30);
    CHECK_INT_EQ(sluice_days_in_month(2023, 13), 0);
}

/* Walk from 1600-01-01 to 2400-12-31 one day at a time with a naive
 * calendar: every day must be the next number, both ways. */
static void test_civil_walk(void)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t y = 1600, want = sluice_days_from_civil(1600, 1, 1);
    unsigned m = 1, d = 1;
    int bad = 0;
    CHECK_INT_EQ(want, -135140); /* Python: date(1600,1,1) - date(1970,1,1) */
    for (; y <= 2400; want++) {
        if (sluice_days_from_civil(y, m, d) != want)
            bad++;
        int64_t yy;
        unsigned mm, dd;
        sluice_civil_from_days(want, &yy, &mm, &dd);
        if (yy != y || mm != m || dd != d)
            bad++;
        bool leap = y % 400 == 0 || (y % 4 == 0 && y % 100 != 0);
        if (++d > mdays[m - 1] + (m == 2 && leap)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    CHECK_INT_EQ(bad, 0);
    /* Far from the epoch both ways: a round trip still holds. */
    for (int64_t z = -400000000; z <= 400000000; z += 99991) {
        int64_t yy;
        unsigned mm, dd;
        sluice_civil_from_days(z, &yy, &mm, &dd);
        if (sluice_days_from_civil(yy, mm, dd) != z)
            bad++;
    }
    CHECK_INT_EQ(bad, 0);
    CHECK_INT_EQ(sluice_floor_div(-1, 86400), -1);
    CHECK_INT_EQ(sluice_floor_div(-86400, 86400), -1);
    CHECK_INT_EQ(sluice_floor_div(-86401, 86400), -2);
    CHECK_INT_EQ(sluice_floor_div(86399, 86400), 0);
}

static int64_t iso(const char *text)
{
    int64_t ms = -1;
    return sluice_iso8601_parse(text, &ms) ? -1 : ms;
}

static void test_iso_parse(void)
{
    CHECK_INT_EQ(iso("1970-01-01"), 0);
    CHECK_INT_EQ(iso("1970-01-01T00:00:00Z"), 0);
    CHECK_INT_EQ(iso("2016-07-11T13:39:44Z"), 1468244384000LL);
    CHECK_INT_EQ(iso("2016-07-11T13:39:44"), 1468244384000LL);
    CHECK_INT_EQ(iso("2016-07-11 13:39:44z"), 1468244384000LL);
    CHECK_INT_EQ(iso("2016-07-11T15:39:44+02:00"), 1468244384000LL);
    CHECK_INT_EQ(iso("2016-07-11T08:09:44-0530"), 1468244384000LL);
    CHECK_INT_EQ(iso("2016-07-11T15:39:44+02"), 1468244384000LL);
    CHECK_INT_EQ(iso("2016-07-11T13:39:44.25Z"), 1468244384250LL);
    CHECK_INT_EQ(iso("2016-07-11T13:39:44.2509Z"), 1468244384250LL);
    CHECK_INT_EQ(iso("2016-07-11T13:39Z"), 1468244340000LL);
    CHECK_INT_EQ(iso("2024-02-29"), 1709164800000LL);
    CHECK_INT_EQ(iso("2000-02-29"), 951782400000LL);
    CHECK_INT_EQ(iso("2000-03-01T00:00:00Z"), 951868800000LL);
    CHECK_INT_EQ(iso("2100-01-01T00:00:00Z"), 4102444800000LL);
    CHECK_INT_EQ(iso("2100-02-28T23:59:59Z"), 4107542399000LL);
    CHECK_INT_EQ(iso("1969-12-31T23:59:59Z"), -1000);
    CHECK_INT_EQ(iso("1969-12-31T23:59:58.5Z"), -1500);
    CHECK_INT_EQ(iso("2016-12-31T23:59:60Z"), 1483228800000LL); /* leap second */
    int64_t ms = 0;
    CHECK_STR_EQ(sluice_iso8601_parse("2100-02-29", &ms),
                 "no such day in that month (29 February needs a leap year)");
    CHECK_STR_EQ(sluice_iso8601_parse("2023-02-29", &ms),
                 "no such day in that month (29 February needs a leap year)");
    CHECK_STR_EQ(sluice_iso8601_parse("2024-13-01", &ms), "month out of range: use 01 to 12");
    CHECK_STR_EQ(sluice_iso8601_parse("2024-11-01T24:00:00Z", &ms),
                 "time of day out of range: hours 00-23, minutes 00-59, seconds 00-60");
    CHECK_STR_EQ(sluice_iso8601_parse("2024-11-01T10:00:00.Z", &ms),
                 "a decimal point needs digits after it, e.g. 13:05:09.250");
    CHECK_STR_EQ(sluice_iso8601_parse("2024-11-01T10:00:00+24:00", &ms),
                 "UTC offset out of range: use -23:59 to +23:59");
    const char *syntax = "not an ISO-8601 time: use a date like 2024-11-01 or a date-time like "
                         "2024-11-01T13:05:09Z (an offset like +02:00 instead of Z; none means "
                         "UTC)";
    static const char *const bad[] = {"2024-11-01T10", "2024-11-01T10:00:00Zjunk",
                                      "24-11-01", "", "yesterday", "2024-11-01T", "2024/11/01",
                                      "2024-11-01T10:00:00+2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_STR_EQ(sluice_iso8601_parse(bad[i], &ms), syntax);
    CHECK_INT_EQ(ms, 0); /* untouched by failures */
}

static const char *fmt(int64_t ms, long offset_s, bool millis)
{
    static char buf[SLUICE_ISO8601_MAX];
    sluice_iso8601_format(ms, offset_s, millis, buf, sizeof buf);
    return buf;
}

static void test_iso_format(void)
{
    CHECK_STR_EQ(fmt(0, 0, false), "1970-01-01T00:00:00Z");
    CHECK_STR_EQ(fmt(1468244384000LL, 0, false), "2016-07-11T13:39:44Z");
    CHECK_STR_EQ(fmt(1468244384250LL, 0, true), "2016-07-11T13:39:44.250Z");
    CHECK_STR_EQ(fmt(1468244384000LL, 7200, false), "2016-07-11T15:39:44+02:00");
    CHECK_STR_EQ(fmt(1468244384000LL, -19800, false), "2016-07-11T08:09:44-05:30");
    CHECK_STR_EQ(fmt(1468244384000LL, 20700, false), "2016-07-11T19:24:44+05:45");
    CHECK_STR_EQ(fmt(-1500, 0, true), "1969-12-31T23:59:58.500Z");
    CHECK_STR_EQ(fmt(-1, 0, true), "1969-12-31T23:59:59.999Z");
    CHECK_STR_EQ(fmt(951782400000LL, 0, false), "2000-02-29T00:00:00Z");
    CHECK_STR_EQ(fmt(4107542399000LL, 0, false), "2100-02-28T23:59:59Z");
    CHECK_STR_EQ(fmt(4107542400000LL, 0, false), "2100-03-01T00:00:00Z");
    CHECK_STR_EQ(fmt(4294967295000LL, 0, false), "2106-02-07T06:28:15Z");
    /* The extremes of int64 ms format without overflow (the text Java's
     * Instant.ofEpochMilli(Long.MAX_VALUE) prints). */
    char big[SLUICE_ISO8601_MAX];
    int n = sluice_iso8601_format(INT64_MAX, 0, true, big, sizeof big);
    CHECK_STR_EQ(big, "292278994-08-17T07:12:55.807Z");
    CHECK_INT_EQ(n, 29);
    n = sluice_iso8601_format(INT64_MIN, 0, true, big, sizeof big);
    CHECK_STR_EQ(big, "-292275055-05-16T16:47:04.192Z"); /* Java's, for Long.MIN_VALUE */
    CHECK_INT_EQ(n, 30);
    /* Round trips: every 7 hours of 1999-2101 at a few offsets, with ms. */
    int bad = 0;
    static const long offsets[] = {0, 3600, -18000, 19800, 20700};
    for (int64_t t = 915148800000LL; t < 4133980800000LL; t += 7 * 3600000LL + 1234) {
        for (size_t i = 0; i < sizeof offsets / sizeof *offsets; i++) {
            char buf[SLUICE_ISO8601_MAX];
            sluice_iso8601_format(t, offsets[i], true, buf, sizeof buf);
            int64_t back = 0;
            if (sluice_iso8601_parse(buf, &back) || back != t)
                bad++;
        }
    }
    CHECK_INT_EQ(bad, 0);
}

static int64_t dur(const char *s)
{
    int64_t v = -1;
    return sluice_duration_parse(s, &v) ? -999 : v;
}

static const char *dfmt(int64_t ms)
{
    static char buf[SLUICE_DURATION_MAX];
    sluice_duration_format(ms, buf, sizeof buf);
    return buf;
}

static void test_duration_parse(void)
{
    CHECK_INT_EQ(dur("5s"), 5000);
    CHECK_INT_EQ(dur("250ms"), 250);
    CHECK_INT_EQ(dur("1m"), 60000);
    CHECK_INT_EQ(dur("1h30m"), 5400000);
    CHECK_INT_EQ(dur("30m1h"), 5400000);
    CHECK_INT_EQ(dur("1m500ms"), 60500);
    CHECK_INT_EQ(dur("2d"), 172800000);
    CHECK_INT_EQ(dur("1w"), 604800000);
    CHECK_INT_EQ(dur("1y"), 31536000000LL);
    CHECK_INT_EQ(dur("1y1d"), 31622400000LL);
    CHECK_INT_EQ(dur("0"), 0);
    CHECK_INT_EQ(dur("0s"), 0);
    CHECK_INT_EQ(dur("007s"), 7000);
    CHECK_INT_EQ(dur("9223372036854775807ms"), INT64_MAX);
    int64_t v = 0;
    const char *usage = "not a duration: use a number with a unit (ms, s, m, h, d, w, y = 365d), "
                        "e.g. 250ms, 5s, 1h30m, 7d";
    static const char *const bad[] = {"5", "5 s", "5x", "", "1h30", "h", "1.5h", "+5s", "5S",
                                      "1h 30m", "5sec", "1hm"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_STR_EQ(sluice_duration_parse(bad[i], &v), usage);
    CHECK_STR_EQ(sluice_duration_parse("-5s", &v), "a duration cannot be negative");
    const char *months = "months have no fixed length: use days (30d), or a calendar window "
                         "(month)";
    CHECK_STR_EQ(sluice_duration_parse("1mo", &v), months);
    CHECK_STR_EQ(sluice_duration_parse("1M", &v), months);
    CHECK_STR_EQ(sluice_duration_parse("2months", &v), months);
    const char *range = "duration out of range: at most about 292 million years";
    CHECK_STR_EQ(sluice_duration_parse("9223372036854775808ms", &v), range);
    CHECK_STR_EQ(sluice_duration_parse("99999999999999999999d", &v), range);
    CHECK_STR_EQ(sluice_duration_parse("300000000y", &v), range);
    CHECK_STR_EQ(sluice_duration_parse("9223372036854775807ms1ms", &v), range);
    CHECK_INT_EQ(v, 0); /* untouched by failures */
}

static void test_duration_format(void)
{
    CHECK_STR_EQ(dfmt(0), "0s");
    CHECK_STR_EQ(dfmt(1), "1ms");
    CHECK_STR_EQ(dfmt(250), "250ms");
    CHECK_STR_EQ(dfmt(1500), "1s500ms");
    CHECK_STR_EQ(dfmt(5000), "5s");
    CHECK_STR_EQ(dfmt(60000), "1m");
    CHECK_STR_EQ(dfmt(5400000), "1h30m");
    CHECK_STR_EQ(dfmt(86400000), "1d");
    CHECK_STR_EQ(dfmt(90000000), "1d1h");
    CHECK_STR_EQ(dfmt(604800000), "1w");
    CHECK_STR_EQ(dfmt(864000000), "10d");   /* not 1w3d: weeks only when exact */
    CHECK_STR_EQ(dfmt(31536000000LL), "1y");
    CHECK_STR_EQ(dfmt(31622400000LL), "366d"); /* not 1y1d */
    CHECK_STR_EQ(dfmt(-5400000), "-1h30m");
    CHECK_STR_EQ(dfmt(INT64_MAX), "106751991167d7h12m55s807ms");
    CHECK_STR_EQ(dfmt(INT64_MIN), "-106751991167d7h12m55s808ms");
    char small[4];
    CHECK_INT_EQ(sluice_duration_format(5400000, small, sizeof small), 5);
    CHECK_STR_EQ(small, "1h3"); /* truncated like snprintf, length still told */
    /* Round trips over values spread across the range, and densely near 0. */
    int bad = 0;
    for (int64_t x = 0; x < 100000000; x += 997) {
        int64_t back = -1;
        if (sluice_duration_parse(dfmt(x), &back) || back != x)
            bad++;
    }
    for (int64_t x = 0; x < INT64_MAX / 3; x = x * 3 + 7) {
        int64_t back = -1;
        if (sluice_duration_parse(dfmt(x), &back) || back != x)
            bad++;
        if (x <= INT64_MAX / 1000 &&
            (sluice_duration_parse(dfmt(x * 1000), &back) || back != x * 1000))
            bad++;
    }
    CHECK_INT_EQ(bad, 0);
}

static void test_clocks(void)
{
    /* Only what holds on any machine: the wall clock is after this code
     * was written (2024) and before 2100, and the monotonic clock does not
     * go back. */
    int64_t wall = sluice_clock_realtime_ms();
    CHECK(wall > 1704067200000LL && wall < 4102444800000LL);
    int64_t a = sluice_clock_monotonic_ms(), b = sluice_clock_monotonic_ms();
    CHECK(b >= a);
    int64_t us = sluice_clock_monotonic_us(), ms = sluice_clock_monotonic_ms();
    CHECK(ms >= us / 1000); /* one clock in two units */
}

int main(void)
{
    test_civil_known();
    test_civil_walk();
    test_iso_parse();
    test_iso_format();
    test_duration_parse();
    test_duration_format();
    test_clocks();
    return check_exit();
}
