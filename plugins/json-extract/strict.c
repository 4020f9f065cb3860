/*
 * mode = strict: jansson parses the whole frame into a tree (json_loadb),
 * and the wanted root keys are read from it. The reference the fast mode is
 * measured and tested against; slower, and it allocates per frame (inside
 * jansson). Strings are copied to the batch arena because the tree is freed
 * before the record moves on.
 *
 * One check comes before jansson: a raw NUL byte is never valid JSON, but
 * jansson 2.14 drops one that directly follows a number or a literal (its
 * stream_unget cannot push back a 0 byte: `{"a":1<NUL>}` parses), so such
 * frames are refused here, as the fast scanner refuses them. Found by the
 * fuzz target.
 */
#include "jx.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum jx_err classify(const json_error_t *je, struct jx_verdict *v)
{
    size_t pos = je->position > 0 ? (size_t)je->position : 0;
    switch (json_error_code(je)) {
    case json_error_premature_end_of_input:
        return jx_fail(v, JX_TRUNCATED, pos, "truncated JSON (jansson: premature end of input)");
    case json_error_end_of_input_expected:
        return jx_fail(v, JX_TRAILING, pos, "trailing garbage after the JSON value");
    case json_error_out_of_memory:
        return jx_fail(v, JX_NOMEM, pos, "out of memory");
    case json_error_invalid_utf8:
        return jx_fail(v, JX_MALFORMED, pos, "invalid UTF-8");
    case json_error_stack_overflow:
        return jx_fail(v, JX_MALFORMED, pos, "nested too deeply (limit 2048)");
    case json_error_numeric_overflow:
        return jx_fail(v, JX_MALFORMED, pos, "number out of range");
    default:
        return jx_fail(v, JX_MALFORMED, pos, "malformed JSON");
    }
}

static char *dup_to(jx_alloc_fn alloc, void *ctx, const char *s, size_t n)
{
    char *p = alloc(ctx, n ? n : 1);
    if (p && n)
        memcpy(p, s, n);
    return p;
}

enum jx_err jx_scan_strict(const char *buf, size_t len, const struct jx_spec *spec,
                           struct jx_slot *slots, struct jx_verdict *v,
                           jx_alloc_fn alloc, void *alloc_ctx)
{
    jx_verdict_start(v);
    v->stop = len;
    if (jx_skip_ws(buf, len, 0) == len)
        return jx_fail(v, JX_EMPTY, 0, "empty line");

    const char *nul = memchr(buf, '\0', len);
    if (nul)
        return jx_fail(v, JX_MALFORMED, (size_t)(nul - buf), "NUL byte");

    json_error_t je;
    json_t *root = json_loadb(buf, len, JSON_DECODE_ANY, &je);
    if (!root)
        return classify(&je, v);
    if (!json_is_object(root)) {
        json_decref(root);
        return jx_fail(v, JX_NOT_OBJECT, 0, "not a JSON object");
    }
    enum jx_err err = JX_OK;
    for (unsigned k = 0; k < spec->n && !err; k++) {
        json_t *val = json_object_getn(root, spec->name[k], spec->len[k]);
        struct jx_slot *s = &slots[k];
        if (!val)
            continue;
        const char *text = NULL;
        size_t n = 0;
        char num[32];
        char *dumped = NULL;
        switch (json_typeof(val)) {
        case JSON_STRING:
            s->kind = JX_STRING;
            text = json_string_value(val);
            n = json_string_length(val);
            break;
        case JSON_INTEGER:
            s->kind = JX_INT;
            s->ival = json_integer_value(val);
            n = (size_t)snprintf(num, sizeof num, "%lld", (long long)s->ival);
            text = num;
            break;
        default:
            switch (json_typeof(val)) {
            case JSON_REAL: s->kind = JX_REAL; break;
            case JSON_TRUE: s->kind = JX_TRUE; break;
            case JSON_FALSE: s->kind = JX_FALSE; break;
            case JSON_NULL: s->kind = JX_NULL; break;
            case JSON_OBJECT: s->kind = JX_OBJECT; break;
            default: s->kind = JX_ARRAY; break;
            }
            dumped = json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER);
            if (!dumped) {
                err = jx_fail(v, JX_NOMEM, 0, "out of memory");
                break;
            }
            text = dumped;
            n = strlen(dumped);
            break;
        }
        if (err)
            break;
        s->ptr = dup_to(alloc, alloc_ctx, text, n);
        s->len = (uint32_t)n;
        s->escaped = 0;
        free(dumped);
        if (!s->ptr)
            err = jx_fail(v, JX_NOMEM, 0, "out of memory");
    }
    json_decref(root);
    return err;
}
