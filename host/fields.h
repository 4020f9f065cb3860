/* Field-name interning: stages agree on small integer ids for names. */
#ifndef SLUICE_HOST_FIELDS_H
#define SLUICE_HOST_FIELDS_H

#include <stdint.h>

/* The id of `name`, the same for every caller; 0 is never returned. */
uint16_t sluice_field_id(const char *name);
void sluice_fields_free(void);

#endif
