/* Window results as records: one JSON object per emission. */
#ifndef DC_RESULT_H
#define DC_RESULT_H

#include "engine.h"

#include <sluice/plugin.h>

/* The JSON text of `r` (no newline) into buf; returns its length, or a
 * length >= cap if it did not fit. */
size_t dc_result_json(const struct dc_result *r, char *buf, size_t cap);

/* The record key "<window>/<start ISO-8601>" into buf; returns its length. */
size_t dc_result_key(const struct dc_result *r, char *buf, size_t cap);

/* Append `r` to `out` as a result record (bytes in the batch's arena).
 * Returns 0, or -1 when out of memory. */
int dc_result_append(const struct sluice_host_api *host, struct sluice_batch *out,
                     const struct dc_result *r);

/* Append partial `p` of topic `topic` to `out` as a record: key
 * "<window>/<start>/<topic>/<partition>", value partial.h's encoding.
 * Returns 0, or -1 when out of memory. */
int dc_partial_append(const struct sluice_host_api *host, struct sluice_batch *out,
                      const struct dc_partial_out *p, const char *topic);

#endif
