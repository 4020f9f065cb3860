/* The table of partitions kafka-in has been given (see partitions.h). */
#include "partitions.h"
#include "sluice_array.h"

#include <stdlib.h>
#include <string.h>

static bool same(const struct kin_part *p, const char *topic, int32_t partition)
{
    return p->partition == partition && strcmp(p->topic, topic) == 0;
}

struct kin_part *kin_parts_find(struct kin_parts *t, const char *topic, int32_t partition)
{
    if (t->last < t->n && same(&t->v[t->last], topic, partition))
        return &t->v[t->last];
    for (size_t i = 0; i < t->n; i++) {
        if (same(&t->v[i], topic, partition)) {
            t->last = i;
            return &t->v[i];
        }
    }
    return NULL;
}

struct kin_part *kin_parts_get(struct kin_parts *t, const char *topic, int32_t partition,
                               bool *is_new)
{
    struct kin_part *p = kin_parts_find(t, topic, partition);
    *is_new = p == NULL;
    if (p)
        return p;
    struct kin_part *v = sluice_array_room(t->v, t->n, &t->cap, sizeof *v, 16);
    if (!v)
        return NULL;
    t->v = v;
    char *name = strdup(topic);
    if (!name)
        return NULL;
    p = &t->v[t->n++];
    *p = (struct kin_part){.topic = name, .partition = partition, .end = -1, .acked = -1};
    return p;
}

size_t kin_parts_assigned(const struct kin_parts *t, size_t *done)
{
    size_t n = 0, d = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (!t->v[i].assigned)
            continue;
        n++;
        d += t->v[i].done;
    }
    if (done)
        *done = d;
    return n;
}

void kin_parts_free(struct kin_parts *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].topic);
    free(t->v);
    memset(t, 0, sizeof *t);
}
