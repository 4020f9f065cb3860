/* The clocks sluice reads, in the units everything else uses (ms; us for
 * the durations of short operations such as a checkpoint). */
#include "sluice_time.h"

#include <time.h>

static int64_t clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t sluice_clock_realtime_ms(void)
{
    return clock_us(CLOCK_REALTIME) / 1000;
}

int64_t sluice_clock_monotonic_ms(void)
{
    return clock_us(CLOCK_MONOTONIC) / 1000;
}

int64_t sluice_clock_monotonic_us(void)
{
    return clock_us(CLOCK_MONOTONIC);
}
