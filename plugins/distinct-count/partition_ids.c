/* Source partitions to the engine's numbers (partition_ids.h says why). */
#include "partition_ids.h"
#include "sluice_array.h"

#include <stdlib.h>
#include <string.h>

#define NO_TOPIC "-"

/* The topic's entry, added if new; SIZE_MAX when out of memory. */
static size_t topic_index(struct dc_partition_ids *m, const char *topic)
{
    /* (Called once per run of records from one partition: dc_process
     * keeps the run's number, so a plain search over the few topics.) */
    size_t i = 0;
    while (i < m->n && strcmp(m->topics[i].name, topic) != 0)
        i++;
    if (i == m->n) {
        struct dc_topic_ids *t = sluice_array_room(m->topics, m->n, &m->cap, sizeof *t, 2);
        if (!t)
            return SIZE_MAX;
        m->topics = t;
        char *name = strdup(topic);
        if (!name)
            return SIZE_MAX;
        m->topics[m->n++] = (struct dc_topic_ids){.name = name};
    }
    return i;
}

int32_t dc_partition_id(struct dc_partition_ids *m, const char *topic, int32_t partition,
                        const char **first)
{
    if (!topic)
        topic = NO_TOPIC;
    if (partition < 0)
        partition = 0;
    size_t ti = topic_index(m, topic);
    if (ti == SIZE_MAX)
        return -1;
    if (m->identity) {
        if (ti != 0) {
            *first = m->topics[0].name;
            return -2;
        }
        return partition;
    }
    struct dc_topic_ids *t = &m->topics[ti];
    if (partition >= t->cap) {
        int32_t cap = t->cap ? t->cap : 8;
        while (cap <= partition)
            cap *= 2;
        int32_t *ids = realloc(t->ids, (size_t)cap * sizeof *ids);
        if (!ids)
            return -1;
        for (int32_t p = t->cap; p < cap; p++)
            ids[p] = -1;
        t->ids = ids;
        t->cap = cap;
    }
    if (t->ids[partition] < 0)
        t->ids[partition] = m->next++;
    return t->ids[partition];
}

void dc_partition_ids_free(struct dc_partition_ids *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->topics[i].name);
        free(m->topics[i].ids);
    }
    free(m->topics);
    memset(m, 0, sizeof *m);
}
