# stdin: newline-delimited frames from standard input or a file (gzip too),
# read ahead on a thread (-pthread).
pkglib_LTLIBRARIES += plugins/stdin/stdin.la
plugins_stdin_stdin_la_SOURCES = \
	plugins/stdin/stdin.c \
	plugins/stdin/line_reader.c plugins/stdin/line_reader.h
plugins_stdin_stdin_la_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) -pthread
plugins_stdin_stdin_la_LIBADD = $(ZLIB_LIBS)
plugins_stdin_stdin_la_LDFLAGS = $(PLUGIN_LINK_FLAGS) -pthread

check_PROGRAMS += plugins/stdin/tests/test_stdin
plugins_stdin_tests_test_stdin_SOURCES = plugins/stdin/stdin.c \
	plugins/stdin/line_reader.c plugins/stdin/line_reader.h plugins/stdin/tests/test_stdin.c
plugins_stdin_tests_test_stdin_CPPFLAGS = $(PLUGIN_TEST_CPPFLAGS) -I$(top_srcdir)/plugins/stdin
plugins_stdin_tests_test_stdin_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) -pthread
plugins_stdin_tests_test_stdin_LDADD = $(PLUGIN_TEST_LDADD) $(ZLIB_LIBS)
plugins_stdin_tests_test_stdin_LDFLAGS = $(AM_LDFLAGS) -pthread
TESTS += plugins/stdin/tests/test_stdin
