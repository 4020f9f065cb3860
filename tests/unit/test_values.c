/* Option value parsing: what users write in pipeline files (durations are
 * tested with libsluice-support, lib/tests/test_time.c). */
#include "../../host/values.h"
#include "check.h"

#include <stdlib.h>

static int64_t size(const char *s)
{
    int64_t v = -1;
    return sluice_parse_size(s, &v) ? -999 : v;
}

int main(void)
{
    CHECK_INT_EQ(size("512"), 512);
    CHECK_INT_EQ(size("64K"), 65536);
    CHECK_INT_EQ(size("64M"), 67108864);
    CHECK_INT_EQ(size("1G"), 1073741824);
    CHECK_INT_EQ(size("1MiB"), 1048576);
    CHECK_INT_EQ(size("1mb"), 1048576);
    CHECK_INT_EQ(size("1T"), -999);
    CHECK_INT_EQ(size("M"), -999);

    bool b = false;
    CHECK(sluice_parse_bool("true", &b) == NULL && b);
    CHECK(sluice_parse_bool("off", &b) == NULL && !b);
    CHECK(sluice_parse_bool("maybe", &b) != NULL);

    int64_t i = 0;
    CHECK(sluice_parse_int("42", &i) == NULL && i == 42);
    CHECK(sluice_parse_int("42x", &i) != NULL);
    CHECK(sluice_parse_int("", &i) != NULL);

    double d = 0;
    CHECK(sluice_parse_double("0.5", &d) == NULL && d == 0.5);
    CHECK(sluice_parse_double("nan", &d) != NULL);

    struct sluice_list l;
    CHECK(sluice_parse_list(" minute, hour ,,day ", &l) == NULL);
    CHECK_INT_EQ(l.n, 3);
    if (l.n == 3) {
        CHECK_STR_EQ(l.items[0], "minute");
        CHECK_STR_EQ(l.items[1], "hour");
        CHECK_STR_EQ(l.items[2], "day");
    }
    sluice_list_free(&l);
    CHECK(sluice_parse_list("", &l) == NULL && l.n == 0);
    sluice_list_free(&l);
    return check_exit();
}
