/* distinct-count's config struct, filled by the host from the options
 * table in distinct_count.c (durations in ms). Tests fill it by hand. */
#ifndef DC_DISTINCT_COUNT_H
#define DC_DISTINCT_COUNT_H

#include <sluice/plugin.h>

/* Enum options, in the order of their choices. */
enum { DC_ALGORITHM_EXACT, DC_ALGORITHM_SKETCH };
enum { DC_EMIT_FINAL, DC_EMIT_EARLY };
enum { DC_OUTPUT_RESULTS, DC_OUTPUT_PARTIALS };

struct dc_config {
    char *key;
    struct sluice_list windows;
    int algorithm;        /* DC_ALGORITHM_EXACT | DC_ALGORITHM_SKETCH */
    int64_t precision;
    int64_t lateness;     /* ms */
    int64_t retention;    /* ms */
    int64_t max_future;   /* ms */
    int64_t jump_confirm;
    int64_t idle_timeout; /* ms */
    int emit;             /* DC_EMIT_FINAL | DC_EMIT_EARLY */
    int64_t early_interval; /* ms */
    char *timezone;
    int output;             /* DC_OUTPUT_RESULTS | DC_OUTPUT_PARTIALS */
    int64_t partial_interval; /* ms */
};

#endif
