# json-extract: root-level JSON fields into record fields (fast SIMD scanner
# or strict jansson).
JX_SCAN_FILES = \
	plugins/json-extract/scanner.c plugins/json-extract/scan_keys.c \
	plugins/json-extract/scan_sse2.c plugins/json-extract/scan_sse42.c \
	plugins/json-extract/scan_avx2.c \
	plugins/json-extract/scan_avx512.c plugins/json-extract/scalar.c \
	plugins/json-extract/tokens.c plugins/json-extract/decode.c \
	plugins/json-extract/strict.c plugins/json-extract/record.c
JX_SOURCES = $(JX_SCAN_FILES) \
	plugins/json-extract/jx.h plugins/json-extract/machine.h \
	plugins/json-extract/scan.h plugins/json-extract/utf8_lookup.h \
	plugins/json-extract/record.h

# The plugin proper: options, records, and the scanning threads (-pthread).
JX_PLUGIN_FILES = plugins/json-extract/extract.c plugins/json-extract/pool.c \
	plugins/json-extract/pool.h

pkglib_LTLIBRARIES += plugins/json-extract/json-extract.la
plugins_json_extract_json_extract_la_SOURCES = $(JX_SOURCES) $(JX_PLUGIN_FILES)
plugins_json_extract_json_extract_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) -pthread
plugins_json_extract_json_extract_la_LIBADD = $(JANSSON_LIBS)
plugins_json_extract_json_extract_la_LDFLAGS = $(PLUGIN_LINK_FLAGS) -pthread

# Unit tests link the sources directly and drive the descriptor.
check_PROGRAMS += plugins/json-extract/tests/test_extract
plugins_json_extract_tests_test_extract_SOURCES = $(JX_SOURCES) $(JX_PLUGIN_FILES) \
	plugins/json-extract/tests/test_extract.c
plugins_json_extract_tests_test_extract_CPPFLAGS = $(PLUGIN_TEST_CPPFLAGS) \
	-I$(top_srcdir)/plugins/json-extract
plugins_json_extract_tests_test_extract_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) -pthread
plugins_json_extract_tests_test_extract_LDADD = $(PLUGIN_TEST_LDADD) $(JANSSON_LIBS)
plugins_json_extract_tests_test_extract_LDFLAGS = $(AM_LDFLAGS) -pthread
TESTS += plugins/json-extract/tests/test_extract

# The AVX-512 levels' code on AVX-512 intrinsics defined on AVX2, for the differential and
# fuzz tests on CPUs without AVX-512 (tests/emu512.h says why).
JX_EMU_FILES = plugins/json-extract/tests/emu512.h plugins/json-extract/tests/scan_avx512_emu.c

# The differential test: fast (each SIMD level) and scalar against strict.
check_PROGRAMS += plugins/json-extract/tests/test_differential
plugins_json_extract_tests_test_differential_SOURCES = $(JX_SOURCES) $(GEN_SOURCES) \
	plugins/json-extract/tests/diffcheck.c plugins/json-extract/tests/diffcheck.h \
	plugins/json-extract/tests/test_differential.c tests/unit/check.h \
	$(JX_EMU_FILES)
# (With the AVX-512 levels on emulated intrinsics: tests/emu512.h.)
plugins_json_extract_tests_test_differential_CPPFLAGS = \
	$(plugins_json_extract_tests_test_extract_CPPFLAGS) -I$(top_srcdir)/plugins/generate \
	-DJX_EMULATED_LEVELS
plugins_json_extract_tests_test_differential_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(ZLIB_CFLAGS)
plugins_json_extract_tests_test_differential_LDADD = $(JANSSON_LIBS) $(ZLIB_LIBS)
TESTS += plugins/json-extract/tests/test_differential

# Scanner throughput (run by hand: not in TESTS).
check_PROGRAMS += plugins/json-extract/tests/bench_scan
plugins_json_extract_tests_bench_scan_SOURCES = $(JX_SOURCES) $(GEN_SOURCES) \
	plugins/json-extract/tests/bench_scan.c
plugins_json_extract_tests_bench_scan_CPPFLAGS = \
	$(plugins_json_extract_tests_test_extract_CPPFLAGS) -I$(top_srcdir)/plugins/generate
plugins_json_extract_tests_bench_scan_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(ZLIB_CFLAGS)
plugins_json_extract_tests_bench_scan_LDADD = $(JANSSON_LIBS) $(ZLIB_LIBS)

# `make fuzz`: the libFuzzer target for the fast scanner (clang only; not
# built by default). Seeds: a few frames of the challenge samples.
FUZZ_CC = clang
FUZZ_TIME = 30
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
JX_FUZZ_FILES = $(JX_SCAN_FILES:%=$(srcdir)/%) \
	$(srcdir)/plugins/json-extract/tests/diffcheck.c \
	$(srcdir)/plugins/json-extract/tests/fuzz_scan.c \
	$(srcdir)/plugins/json-extract/tests/scan_avx512_emu.c
# The loop templates, included by scan_*.c (not compiled on their own).
EXTRA_DIST += plugins/json-extract/loop_events.inc plugins/json-extract/loop_grammar.inc \
	plugins/json-extract/loop_structure.inc
EXTRA_DIST += plugins/json-extract/tests/fuzz_scan.c plugins/json-extract/README.md
CLEANFILES += plugins/json-extract/fuzz_scan

plugins/json-extract/fuzz_scan: $(JX_FUZZ_FILES)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -std=c11 -DJX_EMULATED_LEVELS -include $(top_builddir)/config.h \
		-I$(top_srcdir)/include -I$(top_srcdir)/plugins/json-extract $(JANSSON_CFLAGS) \
		$(JX_FUZZ_FILES) -o $@ $(JANSSON_LIBS)

fuzz: plugins/json-extract/fuzz_scan
	mkdir -p fuzz-corpus
	zcat $(top_srcdir)/tests/data/challenge-sample-a.jsonl.gz | head -n 20 | \
		split -l 1 - fuzz-corpus/sample-
	plugins/json-extract/fuzz_scan -max_total_time=$(FUZZ_TIME) -max_len=4096 fuzz-corpus
.PHONY: fuzz
