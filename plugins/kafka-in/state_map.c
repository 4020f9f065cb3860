/* The checkpoint store's key -> latest value table (see state_map.h):
 * open addressing with linear probing, FNV-1a, at most half full; removal
 * re-inserts the rest of the probe run so lookups never stop early. */
#include "state_map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *key, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ull;
    }
    return h;
}

static bool same(const struct kin_map_entry *e, const char *key, size_t len)
{
    return strlen(e->key) == len && memcmp(e->key, key, len) == 0;
}

/* The slot holding `key`, or the empty slot where it would go. */
static size_t find(const struct kin_map *m, const char *key, size_t len)
{
    size_t mask = m->cap - 1, i = (size_t)hash(key, len) & mask;
    while (m->slots[i].key && !same(&m->slots[i], key, len))
        i = (i + 1) & mask;
    return i;
}

static bool grow(struct kin_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    struct kin_map_entry *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    struct kin_map old = *m;
    m->slots = slots;
    m->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key)
            m->slots[find(m, old.slots[i].key, strlen(old.slots[i].key))] = old.slots[i];
    free(old.slots);
    return true;
}

bool kin_map_put(struct kin_map *m, const char *key, size_t key_len, const void *value,
                 size_t len)
{
    if ((m->n + 1) * 2 > m->cap && !grow(m))
        return false;
    void *copy = NULL;
    if (len > 0) {
        copy = malloc(len);
        if (!copy)
            return false;
        memcpy(copy, value, len);
    }
    struct kin_map_entry *e = &m->slots[find(m, key, key_len)];
    if (!e->key) {
        char *k = malloc(key_len + 1);
        if (!k) {
            free(copy);
            return false;
        }
        memcpy(k, key, key_len);
        k[key_len] = '\0';
        e->key = k;
        m->n++;
    } else {
        free(e->value);
    }
    e->value = copy;
    e->len = len;
    return true;
}

void kin_map_remove(struct kin_map *m, const char *key, size_t key_len)
{
    if (m->cap == 0)
        return;
    size_t mask = m->cap - 1, i = find(m, key, key_len);
    if (!m->slots[i].key)
        return;
    free(m->slots[i].key);
    free(m->slots[i].value);
    m->slots[i] = (struct kin_map_entry){0};
    m->n--;
    /* Entries after the hole in the same run may have probed past it. */
    for (size_t j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
        struct kin_map_entry e = m->slots[j];
        m->slots[j] = (struct kin_map_entry){0};
        m->slots[find(m, e.key, strlen(e.key))] = e;
    }
}

const struct kin_map_entry *kin_map_get(const struct kin_map *m, const char *key)
{
    if (m->cap == 0)
        return NULL;
    const struct kin_map_entry *e = &m->slots[find(m, key, strlen(key))];
    return e->key ? e : NULL;
}

void kin_map_free(struct kin_map *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
        free(m->slots[i].value);
    }
    free(m->slots);
    memset(m, 0, sizeof *m);
}
