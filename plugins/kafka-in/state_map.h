/*
 * The checkpoint store's view of its topic: the latest value of every key,
 * as read from the compacted state topic and as written since. A checkpoint
 * has one item per source partition plus one per instance: tens to a few
 * thousand keys, so an open-addressing table of owned copies is plenty.
 */
#ifndef SLUICE_KAFKA_IN_STATE_MAP_H
#define SLUICE_KAFKA_IN_STATE_MAP_H

#include <stdbool.h>
#include <stddef.h>

struct kin_map_entry {
    char *key;   /* NULL: an empty slot */
    void *value; /* malloc'd copy; NULL with len 0 for an empty value */
    size_t len;
};

struct kin_map {
    struct kin_map_entry *slots;
    size_t n, cap; /* cap is 0 or a power of two */
};

/* Set `key` (key_len bytes, need not end in NUL) to a copy of the value,
 * replacing an older one. False only when out of memory (the map is then
 * unchanged). */
bool kin_map_put(struct kin_map *m, const char *key, size_t key_len, const void *value,
                 size_t len);

/* Forget `key` (a tombstone in the topic). */
void kin_map_remove(struct kin_map *m, const char *key, size_t key_len);

/* The entry of `key` (NUL-terminated), or NULL. */
const struct kin_map_entry *kin_map_get(const struct kin_map *m, const char *key);

void kin_map_free(struct kin_map *m);

#endif
