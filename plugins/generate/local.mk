# generate: synthetic challenge-like frames (tests, demo, benchmark).
GEN_SOURCES = \
	plugins/generate/gen.c plugins/generate/gen.h \
	plugins/generate/pool.c plugins/generate/pool.h plugins/generate/rng.h

pkglib_LTLIBRARIES += plugins/generate/generate.la
plugins_generate_generate_la_SOURCES = $(GEN_SOURCES) plugins/generate/generate.c
plugins_generate_generate_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)

check_PROGRAMS += plugins/generate/tests/test_generate
plugins_generate_tests_test_generate_SOURCES = $(GEN_SOURCES) plugins/generate/generate.c \
	plugins/generate/tests/test_generate.c
plugins_generate_tests_test_generate_CPPFLAGS = $(PLUGIN_TEST_CPPFLAGS) \
	-I$(top_srcdir)/plugins/generate
plugins_generate_tests_test_generate_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
plugins_generate_tests_test_generate_LDADD = $(PLUGIN_TEST_LDADD) $(JANSSON_LIBS)
TESTS += plugins/generate/tests/test_generate
