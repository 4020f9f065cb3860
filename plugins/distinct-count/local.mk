# distinct-count: distinct keys per event-time window (exact or UltraLogLog).
DC_SOURCES = \
	plugins/distinct-count/exactset.c plugins/distinct-count/exactset.h \
	plugins/distinct-count/sketch.c plugins/distinct-count/sketch.h \
	plugins/distinct-count/calendar.c plugins/distinct-count/calendar.h \
	plugins/distinct-count/window.c plugins/distinct-count/window.h \
	plugins/distinct-count/watermark.c plugins/distinct-count/watermark.h \
	plugins/distinct-count/engine.c plugins/distinct-count/engine.h \
	plugins/distinct-count/engine_impl.h plugins/distinct-count/engine_state.c \
	plugins/distinct-count/engine_partials.c plugins/distinct-count/partial.c \
	plugins/distinct-count/partial.h \
	plugins/distinct-count/partition_ids.c plugins/distinct-count/partition_ids.h \
	plugins/distinct-count/result.c plugins/distinct-count/result.h

pkglib_LTLIBRARIES += plugins/distinct-count/distinct-count.la
plugins_distinct_count_distinct_count_la_SOURCES = $(DC_SOURCES) \
	plugins/distinct-count/distinct_count.c plugins/distinct-count/distinct_count.h
plugins_distinct_count_distinct_count_la_CFLAGS = $(AM_CFLAGS) $(XXHASH_CFLAGS)
plugins_distinct_count_distinct_count_la_LIBADD = lib/libsluice-support.la $(XXHASH_LIBS) -lm
plugins_distinct_count_distinct_count_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)

# Unit tests link the sources directly and drive the engine or the descriptor.
DC_TEST_CPPFLAGS = $(PLUGIN_TEST_CPPFLAGS) -I$(top_srcdir)/plugins/distinct-count
DC_TEST_LDADD = $(PLUGIN_TEST_LDADD) $(XXHASH_LIBS) -lm

check_PROGRAMS += plugins/distinct-count/tests/test_dc_sketch
plugins_distinct_count_tests_test_dc_sketch_SOURCES = $(DC_SOURCES) \
	plugins/distinct-count/tests/test_dc_sketch.c
plugins_distinct_count_tests_test_dc_sketch_CPPFLAGS = $(DC_TEST_CPPFLAGS)
plugins_distinct_count_tests_test_dc_sketch_LDADD = $(DC_TEST_LDADD)
TESTS += plugins/distinct-count/tests/test_dc_sketch

check_PROGRAMS += plugins/distinct-count/tests/test_dc_calendar
plugins_distinct_count_tests_test_dc_calendar_SOURCES = $(DC_SOURCES) \
	plugins/distinct-count/tests/test_dc_calendar.c
plugins_distinct_count_tests_test_dc_calendar_CPPFLAGS = $(DC_TEST_CPPFLAGS)
plugins_distinct_count_tests_test_dc_calendar_LDADD = $(DC_TEST_LDADD)
TESTS += plugins/distinct-count/tests/test_dc_calendar

check_PROGRAMS += plugins/distinct-count/tests/test_dc_engine
plugins_distinct_count_tests_test_dc_engine_SOURCES = $(DC_SOURCES) \
	plugins/distinct-count/tests/test_dc_engine.c
plugins_distinct_count_tests_test_dc_engine_CPPFLAGS = $(DC_TEST_CPPFLAGS)
plugins_distinct_count_tests_test_dc_engine_LDADD = $(DC_TEST_LDADD)
TESTS += plugins/distinct-count/tests/test_dc_engine

check_PROGRAMS += plugins/distinct-count/tests/test_dc_samples
plugins_distinct_count_tests_test_dc_samples_SOURCES = $(DC_SOURCES) \
	plugins/distinct-count/distinct_count.c plugins/distinct-count/distinct_count.h \
	plugins/distinct-count/tests/test_dc_samples.c
plugins_distinct_count_tests_test_dc_samples_CPPFLAGS = $(DC_TEST_CPPFLAGS) \
	-DDC_TEST_DATA_DIR='"$(abs_top_srcdir)/tests/data"'
plugins_distinct_count_tests_test_dc_samples_CFLAGS = $(AM_CFLAGS) $(XXHASH_CFLAGS) \
	$(JANSSON_CFLAGS) $(ZLIB_CFLAGS)
plugins_distinct_count_tests_test_dc_samples_LDADD = $(DC_TEST_LDADD) $(JANSSON_LIBS) $(ZLIB_LIBS)
TESTS += plugins/distinct-count/tests/test_dc_samples

check_PROGRAMS += plugins/distinct-count/tests/test_dc_accuracy
plugins_distinct_count_tests_test_dc_accuracy_SOURCES = $(DC_SOURCES) \
	plugins/distinct-count/tests/accuracy.h \
	plugins/distinct-count/tests/test_dc_accuracy.c
plugins_distinct_count_tests_test_dc_accuracy_CPPFLAGS = $(DC_TEST_CPPFLAGS)
plugins_distinct_count_tests_test_dc_accuracy_LDADD = $(DC_TEST_LDADD)
TESTS += plugins/distinct-count/tests/test_dc_accuracy

# Through the sluice binary.
TESTS += plugins/distinct-count/tests/dc-e2e.sh plugins/distinct-count/tests/dc-durations.sh
dist_check_SCRIPTS += plugins/distinct-count/tests/dc-e2e.sh plugins/distinct-count/tests/dc-durations.sh \
	plugins/distinct-count/tests/pipeline.sh

EXTRA_DIST += plugins/distinct-count/README.md
