/*
 * Slots to record fields. Every mode ends here, so the field rules (required
 * keys, strings, the timestamp as an integer or a numeric string) are one
 * piece of code whatever scanner ran. Strings without escapes point into the
 * frame; escaped ones are decoded into the batch arena.
 */
#include "record.h"

enum jx_err jx_fill_record(const struct jx_rules *r, const struct jx_slot *slots,
                           struct sluice_record *rec, struct jx_verdict *v,
                           jx_alloc_fn alloc, void *ctx)
{
    uint16_t nf = 0;
    rec->nfields = 0;
    for (unsigned i = 0; i < r->spec.n; i++) {
        const struct jx_slot *s = &slots[i];
        if (s->kind == JX_NONE) {
            if (r->required[i]) {
                v->field = (int)i;
                return jx_fail(v, JX_MISSING, 0, r->why_missing[i]);
            }
            continue;
        }
        struct sluice_field *f = &rec->fields[nf];
        f->id = r->id[i];
        f->flags = 0;
        f->ival = 0;
        f->ptr = s->ptr;
        f->len = s->len;
        if (s->kind == JX_STRING && s->escaped) {
            char *out = alloc(ctx, s->len ? s->len : 1);
            if (!out)
                return jx_fail(v, JX_NOMEM, 0, "out of memory");
            f->ptr = out;
            f->len = (uint32_t)jx_decode(s->ptr, s->len, out);
        }
        if ((int)i == r->ts) {
            int64_t t;
            if (s->kind == JX_INT)
                t = s->ival;
            else if (s->kind != JX_STRING || !jx_parse_int(f->ptr, f->len, &t)) {
                v->field = (int)i;
                return jx_fail(v, JX_BAD_TS, 0, r->why_type[i]);
            }
            f->type = SLUICE_FIELD_INT;
            f->ival = t;
            rec->ts = t;
            rec->flags |= SLUICE_REC_HAS_TS;
        } else if (s->kind == JX_STRING) {
            f->type = SLUICE_FIELD_STRING;
        } else if (!r->any_type[i]) {
            v->field = (int)i;
            return jx_fail(v, JX_NOT_STRING, 0, r->why_type[i]);
        } else if (s->kind == JX_INT) {
            f->type = SLUICE_FIELD_INT;
            f->ival = s->ival;
        } else {
            f->type = SLUICE_FIELD_OTHER;
        }
        nf++;
    }
    rec->nfields = nf;
    return JX_OK;
}
