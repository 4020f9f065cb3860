# stdout: record values as lines; or, with errors = true, error records as JSON.
pkglib_LTLIBRARIES += plugins/stdout/stdout.la
plugins_stdout_stdout_la_SOURCES = plugins/stdout/stdout.c
plugins_stdout_stdout_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
plugins_stdout_stdout_la_LIBADD = $(JANSSON_LIBS)
plugins_stdout_stdout_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)

check_PROGRAMS += plugins/stdout/tests/test_stdout
plugins_stdout_tests_test_stdout_SOURCES = plugins/stdout/stdout.c plugins/stdout/tests/test_stdout.c
plugins_stdout_tests_test_stdout_CPPFLAGS = $(PLUGIN_TEST_CPPFLAGS)
plugins_stdout_tests_test_stdout_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
plugins_stdout_tests_test_stdout_LDADD = $(PLUGIN_TEST_LDADD) $(JANSSON_LIBS)
TESTS += plugins/stdout/tests/test_stdout
