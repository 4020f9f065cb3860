# stdout: record values as lines; or, with errors = true, error records as JSON.
pkglib_LTLIBRARIES += plugins/stdout/stdout.la
plugins_stdout_stdout_la_SOURCES = plugins/stdout/stdout.c
plugins_stdout_stdout_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
plugins_stdout_stdout_la_LIBADD = $(JANSSON_LIBS)
plugins_stdout_stdout_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)
