/*
 * Civil dates without a time zone database: Howard Hinnant's
 * days_from_civil and civil_from_days ("chrono-Compatible Low-Level Date
 * Algorithms"). The proleptic Gregorian calendar repeats every 400 years
 * (an era of 146097 days), so a date is an era plus a year of era (0-399)
 * plus a day of year counted from 1 March (which puts the leap day last
 * and makes month lengths a linear formula: (153 * mp + 2) / 5).
 */
#include "sluice_time.h"

int64_t sluice_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool sluice_is_leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned sluice_days_in_month(int64_t y, unsigned m)
{
    static const unsigned char days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return days[m - 1] + (m == 2 && sluice_is_leap_year(y));
}

int64_t sluice_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = sluice_floor_div(y, 400);
    unsigned yoe = (unsigned)(y - era * 400);                           /* [0, 399] */
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;     /* [0, 365] */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;               /* [0, 146096] */
    return era * 146097 + (int64_t)doe - 719468;
}

void sluice_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    days += 719468; /* days since 0000-03-01 */
    int64_t era = sluice_floor_div(days, 146097);
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}
