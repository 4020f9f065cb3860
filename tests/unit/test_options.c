/*
 * Option rows written with the SDK's row macros, filled from pipeline text:
 * every type lands in its field, an enum hands over the index of the
 * choice (-1 when absent without a default), and bad values are refused
 * with the messages users see.
 */
#include "../../host/config.h"
#include "../../host/options.h"
#include "check.h"

#include <stdlib.h>

struct all_config {
    char *text;
    int64_t count;
    bool on;
    double share;
    int64_t bytes;
    int64_t wait_ms;
    struct sluice_list names;
    struct sluice_kv_list extra;
    int mode;    /* enum: fast|slow|steady */
    int flavour; /* enum without a default */
};

enum { MODE_FAST, MODE_SLOW, MODE_STEADY };

static const struct sluice_option all_options[] = {
    SLUICE_STRING_OPTION("text", struct all_config, text, .default_value = "hi", .doc = "t"),
    SLUICE_INT_OPTION("count", struct all_config, count, .default_value = "7", .min = 1,
                      .max = 9, .doc = "c"),
    SLUICE_BOOL_OPTION("on", struct all_config, on, .default_value = "true", .doc = "o"),
    SLUICE_DOUBLE_OPTION("share", struct all_config, share, .default_value = "0.5", .doc = "s"),
    SLUICE_SIZE_OPTION("bytes", struct all_config, bytes, .default_value = "4K", .doc = "b"),
    SLUICE_DURATION_OPTION("wait", struct all_config, wait_ms, .default_value = "2s",
                           .doc = "w"),
    SLUICE_LIST_OPTION("names", struct all_config, names, .default_value = "a, b",
                       .one_of = "a|b|c", .doc = "n"),
    SLUICE_PREFIX_OPTION("x.", struct all_config, extra, .doc = "x"),
    SLUICE_ENUM_OPTION("mode", struct all_config, mode, "fast|slow|steady",
                       .default_value = "slow", .doc = "m"),
    SLUICE_ENUM_OPTION("flavour", struct all_config, flavour, "sweet|sour", .doc = "f"),
    SLUICE_OPTIONS_END,
};

/* Fill a config from the [s] section of `text`; returns the problem count
 * and leaves the messages in `diag`. */
static int fill(const char *text, struct all_config *c, struct sluice_diag *diag)
{
    struct cfg_file cfg = {0};
    memset(c, 0, sizeof *c);
    cfg_read(&cfg, "t.ini", text, diag);
    int problems = sluice_options_fill(all_options, NULL, c, cfg_find_section(&cfg, "s"),
                                       "t.ini", diag);
    cfg_free(&cfg);
    return problems;
}

static void test_rows(void)
{
    CHECK_INT_EQ(all_options[0].type, SLUICE_OPT_STRING);
    CHECK_INT_EQ(all_options[0].offset, offsetof(struct all_config, text));
    CHECK_INT_EQ(all_options[6].type, SLUICE_OPT_LIST);
    CHECK_INT_EQ(all_options[6].offset, offsetof(struct all_config, names));
    CHECK_INT_EQ(all_options[8].type, SLUICE_OPT_ENUM);
    CHECK_INT_EQ(all_options[8].offset, offsetof(struct all_config, mode));
    CHECK_STR_EQ(all_options[8].one_of, "fast|slow|steady");
    CHECK(all_options[1].min == 1 && all_options[1].max == 9);
    CHECK(all_options[10].name == NULL);
}

static void test_defaults(void)
{
    struct sluice_diag diag = {0};
    struct all_config c;
    CHECK_INT_EQ(fill("[s]\n", &c, &diag), 0);
    CHECK_STR_EQ(c.text, "hi");
    CHECK_INT_EQ(c.count, 7);
    CHECK(c.on);
    CHECK(c.share == 0.5);
    CHECK_INT_EQ(c.bytes, 4096);
    CHECK_INT_EQ(c.wait_ms, 2000);
    CHECK_INT_EQ(c.names.n, 2);
    CHECK_INT_EQ(c.mode, MODE_SLOW);
    CHECK_INT_EQ(c.flavour, -1); /* absent, no default */
    sluice_options_free(all_options, &c);
    sluice_diag_free(&diag);
}

static void test_values(void)
{
    struct sluice_diag diag = {0};
    struct all_config c;
    CHECK_INT_EQ(fill("[s]\nmode = steady\nflavour = sweet\nx.y = 1\nnames = c\n", &c, &diag), 0);
    CHECK_INT_EQ(c.mode, MODE_STEADY);
    CHECK_INT_EQ(c.flavour, 0);
    CHECK_INT_EQ(c.extra.n, 1);
    CHECK_STR_EQ(c.extra.items[0].key, "x.y");
    CHECK_STR_EQ(c.names.items[0], "c");
    sluice_options_free(all_options, &c);
    sluice_diag_free(&diag);
}

static void test_refused(void)
{
    struct sluice_diag diag = {0};
    struct all_config c;
    /* A prefix of a choice, a choice in another case, a list item outside one_of. */
    CHECK_INT_EQ(fill("[s]\nmode = fas\nflavour = Sour\nnames = a, d\n", &c, &diag), 3);
    CHECK_INT_EQ(diag.n, 3);
    if (diag.n == 3) {
        /* In the table's order. */
        CHECK_STR_EQ(diag.lines[0], "t.ini:4: [s] names: 'd' is not one of: a, b, c");
        CHECK_STR_EQ(diag.lines[1], "t.ini:2: [s] mode: 'fas' is not one of: fast, slow, steady");
        CHECK_STR_EQ(diag.lines[2], "t.ini:3: [s] flavour: 'Sour' is not one of: sweet, sour");
    }
    sluice_options_free(all_options, &c);
    sluice_diag_free(&diag);
}

static void test_choice_helpers(void)
{
    CHECK_INT_EQ(sluice_choice_index("fast|slow|steady", "fast"), 0);
    CHECK_INT_EQ(sluice_choice_index("fast|slow|steady", "steady"), 2);
    CHECK_INT_EQ(sluice_choice_index("fast|slow|steady", "slo"), -1);
    CHECK_INT_EQ(sluice_choice_index("fast|slow|steady", "slower"), -1);
    CHECK_INT_EQ(sluice_choice_index("fast|slow|steady", ""), -1);
    CHECK_INT_EQ(sluice_choice_index("a||b", ""), 1);
    char b[8];
    CHECK_STR_EQ(sluice_choice_name("fast|slow|steady", 0, b, sizeof b), "fast");
    CHECK_STR_EQ(sluice_choice_name("fast|slow|steady", 2, b, sizeof b), "steady");
    CHECK_STR_EQ(sluice_choice_name("fast|slow|steady", 3, b, sizeof b), "?");
    CHECK_STR_EQ(sluice_choice_name("fast|slow|steady", -1, b, sizeof b), "?");
    CHECK_STR_EQ(sluice_choice_name("fast|slow|steady", 2, b, 4), "ste");
}

static void test_describe(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sluice_options_describe(all_options, f);
    fclose(f);
    CHECK(strstr(text, "\n  mode                     enum      slow                   m [one of: "
                       "fast, slow, steady]\n") != NULL);
    CHECK(strstr(text, "\n  flavour                  enum      (none)                 f [one of: "
                       "sweet, sour]\n") != NULL);
    free(text);
}

int main(void)
{
    test_rows();
    test_defaults();
    test_values();
    test_refused();
    test_choice_helpers();
    test_describe();
    return check_exit();
}
