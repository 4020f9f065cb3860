/* Field names are few (a handful per pipeline): a linear table is enough,
 * and it is only consulted at init time, never per record. */
#include "fields.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FIELD_NAMES 1024

static char *names[MAX_FIELD_NAMES];
static uint16_t n_names;

uint16_t sluice_field_id(const char *name)
{
    for (uint16_t i = 0; i < n_names; i++)
        if (strcmp(names[i], name) == 0)
            return (uint16_t)(i + 1);
    if (n_names == MAX_FIELD_NAMES)
        return 0;
    names[n_names] = strdup(name);
    if (!names[n_names])
        return 0;
    return ++n_names;
}

void sluice_fields_free(void)
{
    for (uint16_t i = 0; i < n_names; i++)
        free(names[i]);
    n_names = 0;
}
