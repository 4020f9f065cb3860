/*
 * The growing array of sluice_array.h: one copy of the doubling append
 * every list in the host and the plugins used to write out by hand.
 */
#include "sluice_array.h"

#include <stdint.h>
#include <stdlib.h>

void *sluice_array_room(void *v, size_t n, size_t *cap, size_t size, size_t first)
{
    if (n < *cap)
        return v;
    size_t want = *cap ? *cap * 2 : (first ? first : 1);
    if (want < *cap || want > SIZE_MAX / size)
        return NULL;
    void *grown = realloc(v, want * size);
    if (!grown)
        return NULL;
    *cap = want;
    return grown;
}
