/* Field-name interning: stages agree on small integer ids for names. */
#ifndef SLUICE_HOST_FIELDS_H
#define SLUICE_HOST_FIELDS_H

#include <stdint.h>

/* The id of `name`, the same for every caller; 0 is never returned. */
uint16_t sluice_field_id(const char *name);
/* The name of an id, or NULL. */
const char *sluice_field_name(uint16_t id);
void sluice_fields_free(void);

#endif
