/* From scanner slots to record fields: the type rules every mode shares. */
#ifndef SLUICE_JX_RECORD_H
#define SLUICE_JX_RECORD_H

#include "jx.h"

struct jx_rules {
    struct jx_spec spec;
    uint16_t id[JX_MAX_WANT];
    bool required[JX_MAX_WANT];
    bool any_type[JX_MAX_WANT]; /* may hold any JSON type; else must be a string */
    int ts;                     /* wanted index of the timestamp, or -1 */
    char why_missing[JX_MAX_WANT][96];
    char why_type[JX_MAX_WANT][128];
};

/* Fill rec->fields (replacing any) from slots; set rec->ts. Decoded strings
 * go to alloc(ctx, n). Returns v->err (MISSING, NOT_STRING, BAD_TS, NOMEM). */
enum jx_err jx_fill_record(const struct jx_rules *r, const struct jx_slot *slots,
                           struct sluice_record *rec, struct jx_verdict *v,
                           jx_alloc_fn alloc, void *ctx);

#endif
