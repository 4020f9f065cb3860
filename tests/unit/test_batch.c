/* Batches: growth keeps records, the arena never moves earlier bytes, a
 * reset keeps memory for reuse. */
#include "../../host/batch.h"
#include "check.h"

#include <stdint.h>
#include <string.h>

int main(void)
{
    struct sluice_batch b;
    sluice_batch_init(&b);
    char *first = sluice_batch_alloc(&b, 10);
    memcpy(first, "123456789", 10);
    for (int i = 0; i < 10000; i++) {
        struct sluice_record *r = sluice_batch_append(&b);
        CHECK(r != NULL);
        r->offset = i;
        char *p = sluice_batch_alloc(&b, 100 + (size_t)i % 7);
        CHECK(((uintptr_t)p % _Alignof(max_align_t)) == 0);
        memset(p, 'x', 100);
    }
    CHECK_STR_EQ(first, "123456789");
    CHECK_INT_EQ(b.count, 10000);
    CHECK_INT_EQ(b.records[9999].offset, 9999);
    CHECK_INT_EQ(b.records[0].partition, 0);
    /* A huge allocation gets a block of its own. */
    char *big = sluice_batch_alloc(&b, 10 << 20);
    CHECK(big != NULL);
    memset(big, 1, 10 << 20);
    CHECK_STR_EQ(first, "123456789");
    size_t cap = b.capacity;
    sluice_batch_reset(&b);
    CHECK_INT_EQ(b.count, 0);
    CHECK_INT_EQ(b.capacity, cap);
    CHECK(sluice_batch_alloc(&b, 10) != NULL);
    sluice_batch_free(&b);
    return check_exit();
}
