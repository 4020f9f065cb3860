# json-extract: root-level JSON fields into record fields (fast SIMD scanner
# or strict jansson).
JX_SOURCES = \
	plugins/json-extract/jx.h plugins/json-extract/machine.h \
	plugins/json-extract/scanner.c plugins/json-extract/scalar.c \
	plugins/json-extract/tokens.c plugins/json-extract/decode.c \
	plugins/json-extract/strict.c \
	plugins/json-extract/record.c plugins/json-extract/record.h

pkglib_LTLIBRARIES += plugins/json-extract/json-extract.la
plugins_json_extract_json_extract_la_SOURCES = $(JX_SOURCES) plugins/json-extract/extract.c
plugins_json_extract_json_extract_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
plugins_json_extract_json_extract_la_LIBADD = $(JANSSON_LIBS)
plugins_json_extract_json_extract_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)

# Unit tests link the sources directly and drive the descriptor.
check_PROGRAMS += plugins/json-extract/tests/test_extract
plugins_json_extract_tests_test_extract_SOURCES = $(JX_SOURCES) \
	plugins/json-extract/extract.c \
	plugins/json-extract/tests/test_extract.c tests/unit/check.h
plugins_json_extract_tests_test_extract_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/json-extract -I$(top_srcdir)/host -I$(top_srcdir)/tests/unit
plugins_json_extract_tests_test_extract_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
plugins_json_extract_tests_test_extract_LDADD = host/libsluicehost.a $(INIH_LIBS) $(JANSSON_LIBS)
TESTS += plugins/json-extract/tests/test_extract
