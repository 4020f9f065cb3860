# Tests: C unit tests (tests/unit) and end-to-end shell tests (tests/*.sh).
# Plugin folders add their own tests in their local.mk.

# Plugins that exist only for the host's tests.
TEST_PLUGIN_FLAGS = -module -avoid-version -shared -rpath /nowhere $(SAN_LDFLAGS)
check_LTLIBRARIES += tests/plugins/test-sink.la tests/plugins/test-abi-other.la \
	tests/plugins/test-size-other.la tests/plugins/test-no-symbol.la \
	tests/plugins/test-size-newer.la
tests_plugins_test_sink_la_SOURCES = tests/plugins/test_plugin.c
tests_plugins_test_sink_la_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_VARIANT=1
tests_plugins_test_sink_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_test_abi_other_la_SOURCES = tests/plugins/test_plugin.c
tests_plugins_test_abi_other_la_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_VARIANT=2
tests_plugins_test_abi_other_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_test_size_other_la_SOURCES = tests/plugins/test_plugin.c
tests_plugins_test_size_other_la_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_VARIANT=3
tests_plugins_test_size_other_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_test_no_symbol_la_SOURCES = tests/plugins/test_plugin.c
tests_plugins_test_no_symbol_la_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_VARIANT=4
tests_plugins_test_no_symbol_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
tests_plugins_test_size_newer_la_SOURCES = tests/plugins/test_plugin.c
tests_plugins_test_size_newer_la_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_VARIANT=5
tests_plugins_test_size_newer_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)

# The harness every plugin's unit tests use (tests/unit/plugin_harness.h):
# a plugin test adds its sources to PLUGIN_TEST_* and links PLUGIN_TEST_LDADD.
check_LIBRARIES += tests/unit/libpluginharness.a
tests_unit_libpluginharness_a_SOURCES = tests/unit/plugin_harness.c tests/unit/plugin_harness.h \
	tests/unit/check.h
tests_unit_libpluginharness_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/host
PLUGIN_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/host -I$(top_srcdir)/tests/unit
PLUGIN_TEST_LDADD = tests/unit/libpluginharness.a $(SLUICE_HOST_LIBS)

check_PROGRAMS += tests/unit/test_values tests/unit/test_batch tests/unit/test_options \
	tests/unit/test_descriptor
tests_unit_test_values_SOURCES = tests/unit/test_values.c tests/unit/check.h
tests_unit_test_values_LDADD = $(SLUICE_HOST_LIBS)
tests_unit_test_batch_SOURCES = tests/unit/test_batch.c tests/unit/check.h
tests_unit_test_batch_LDADD = $(SLUICE_HOST_LIBS)
tests_unit_test_options_SOURCES = tests/unit/test_options.c tests/unit/check.h
tests_unit_test_options_LDADD = $(SLUICE_HOST_LIBS)
tests_unit_test_descriptor_SOURCES = tests/unit/test_descriptor.c tests/unit/check.h
tests_unit_test_descriptor_LDADD = $(SLUICE_HOST_LIBS)
check_PROGRAMS += tests/unit/test_metrics
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c tests/unit/check.h
tests_unit_test_metrics_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/host
tests_unit_test_metrics_LDADD = $(SLUICE_HOST_LIBS)
TESTS += tests/unit/test_values tests/unit/test_batch tests/unit/test_options \
	tests/unit/test_descriptor tests/unit/test_metrics

dist_check_SCRIPTS += tests/lib.sh
HOST_TESTS = tests/cli.sh tests/config-errors.sh tests/plugin-sdk.sh tests/stdin-source.sh \
	tests/example-plugin.sh tests/e2e-samples.sh tests/generate-determinism.sh \
	tests/malformed-frames.sh tests/valgrind.sh tests/checkpoint-file.sh tests/scale-merge.sh \
	tests/metrics.sh tests/progress.sh
TESTS += $(HOST_TESTS)
dist_check_SCRIPTS += $(HOST_TESTS)

# REPORT.md's figures: bench/plots.sh on the quick benchmark's data.
TESTS += tests/plots.sh
dist_check_SCRIPTS += tests/plots.sh

EXTRA_DIST += tests/data tests/exact_windows.py
include $(srcdir)/tests/kafka/local.mk
