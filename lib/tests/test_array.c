/*
 * libsluice-support's growing array: appends keep every element, the
 * capacity doubles from `first`, and a size that would overflow is refused
 * with the array and its capacity left as they were.
 */
#include "check.h"
#include "sluice_array.h"

#include <stdint.h>
#include <stdlib.h>

static void test_appends(void)
{
    int *v = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 1000; i++) {
        int *room = sluice_array_room(v, n, &cap, sizeof *v, 4);
        CHECK(room != NULL);
        if (!room)
            break;
        v = room;
        v[n++] = i * 7;
        /* 4, 8, 16, ...: the smallest such capacity that holds n */
        size_t want = 4;
        while (want < n)
            want *= 2;
        CHECK_INT_EQ(cap, want);
    }
    for (size_t i = 0; i < n; i++)
        CHECK_INT_EQ(v[i], (int)i * 7);
    /* Room left: the same array, capacity unchanged. */
    size_t before = cap;
    CHECK(sluice_array_room(v, n - 1, &cap, sizeof *v, 4) == v);
    CHECK_INT_EQ(cap, before);
    free(v);
}

static void test_first_zero_means_one(void)
{
    char *v = NULL;
    size_t cap = 0;
    v = sluice_array_room(v, 0, &cap, 1, 0);
    CHECK(v != NULL);
    CHECK_INT_EQ(cap, 1);
    free(v);
}

static void test_overflow_refused(void)
{
    size_t cap = 2;
    char *v = malloc(2 * 64);
    CHECK(v != NULL);
    /* Twice 2 elements of SIZE_MAX / 3 bytes does not fit a size_t. */
    CHECK(sluice_array_room(v, 2, &cap, SIZE_MAX / 3, 8) == NULL);
    CHECK_INT_EQ(cap, 2);
    free(v);
}

int main(void)
{
    test_appends();
    test_first_zero_means_one();
    test_overflow_refused();
    return check_exit();
}
