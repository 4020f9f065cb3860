/*
 * libsluice-support: a growing array, written once for the host and every
 * plugin (lib/sluice_time.h says why this library is not in the SDK).
 */
#ifndef SLUICE_SUPPORT_ARRAY_H
#define SLUICE_SUPPORT_ARRAY_H

#include <stddef.h>

/* Room for the element v[n] of an array of *cap elements of `size` bytes:
 * v as it is while n < *cap; else the array reallocated to twice *cap (to
 * `first` elements the first time) and *cap updated. NULL if memory ran out
 * (or the size would overflow): v and *cap are then as they were, for the
 * caller to keep or free. Doubling keeps appends amortised O(1). */
void *sluice_array_room(void *v, size_t n, size_t *cap, size_t size, size_t first);

#endif
