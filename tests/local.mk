# Tests: C unit tests (tests/unit) and end-to-end shell tests (tests/*.sh).
# Plugin folders add their own tests in their local.mk.

# Plugins that exist only for the host's tests.
TEST_PLUGIN_FLAGS = -module -avoid-version -shared -rpath /nowhere $(SAN_LDFLAGS)
check_LTLIBRARIES += tests/plugins/test-sink.la tests/plugins/test-abi-other.la \
	tests/plugins/test-size-other.la tests/plugins/test-no-symbol.la
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

check_PROGRAMS += tests/unit/test_values tests/unit/test_batch
tests_unit_test_values_SOURCES = tests/unit/test_values.c tests/unit/check.h
tests_unit_test_values_LDADD = host/libsluicehost.a $(INIH_LIBS)
tests_unit_test_batch_SOURCES = tests/unit/test_batch.c tests/unit/check.h
tests_unit_test_batch_LDADD = host/libsluicehost.a $(INIH_LIBS)
TESTS += tests/unit/test_values tests/unit/test_batch

dist_check_SCRIPTS += tests/lib.sh
HOST_TESTS = tests/cli.sh tests/config-errors.sh tests/stdin-source.sh \
	tests/example-plugin.sh tests/e2e-samples.sh tests/generate-determinism.sh \
	tests/malformed-frames.sh tests/valgrind.sh
TESTS += $(HOST_TESTS)
dist_check_SCRIPTS += $(HOST_TESTS)

EXTRA_DIST += tests/data
include $(srcdir)/tests/kafka/local.mk
