# benchmarks (not part of make check; build with `make bench/count_bench`
# or `make all`, run by hand).
noinst_PROGRAMS += bench/count_bench bench/sketch_accuracy bench/sketch_windows

bench_count_bench_SOURCES = bench/count_bench.c $(DC_SOURCES) \
	plugins/distinct-count/distinct_count.c plugins/distinct-count/distinct_count.h
bench_count_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/distinct-count \
	-I$(top_srcdir)/host
bench_count_bench_CFLAGS = $(AM_CFLAGS) $(XXHASH_CFLAGS)
bench_count_bench_LDADD = $(SLUICE_HOST_LIBS) $(XXHASH_LIBS) -lm

bench_sketch_accuracy_SOURCES = bench/sketch_accuracy.c $(DC_SOURCES) \
	plugins/distinct-count/tests/accuracy.h
bench_sketch_accuracy_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/distinct-count \
	-I$(top_srcdir)/plugins/distinct-count/tests
bench_sketch_accuracy_LDADD = lib/libsluice-support.la -lm

# REPORT.md's error figures (bench/plots.sh; tests/plots.sh runs a small case).
bench_sketch_windows_SOURCES = bench/sketch_windows.c $(DC_SOURCES) $(GEN_SOURCES)
bench_sketch_windows_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/distinct-count \
	-I$(top_srcdir)/plugins/generate
bench_sketch_windows_CFLAGS = $(AM_CFLAGS) $(XXHASH_CFLAGS)
bench_sketch_windows_LDADD = lib/libsluice-support.la $(XXHASH_LIBS) -lm

# What MessagePack instead of JSON would save (REPORT.md): only with msgpack-c.
if HAVE_MSGPACK
noinst_PROGRAMS += bench/msgpack_uid
bench_msgpack_uid_SOURCES = bench/msgpack_uid.c $(JX_SOURCES) $(GEN_SOURCES)
bench_msgpack_uid_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/json-extract \
	-I$(top_srcdir)/plugins/generate
bench_msgpack_uid_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(MSGPACK_CFLAGS)
bench_msgpack_uid_LDADD = $(JANSSON_LIBS) $(MSGPACK_LIBS)
endif

# The benchmark scripts (run by hand: bench/run.sh, bench/profile.sh).
EXTRA_DIST += bench/run.sh bench/profile.sh bench/report.py bench/simdjson_uid.cpp \
	bench/faust_app.py bench/RESULTS.md bench/PROFILE.md \
	bench/metrics_cost.sh bench/RESULTS-metrics.md bench/SCANNER.md
# REPORT.md's figures: drawn by bench/plots.sh from bench/data, checked in as bench/figures
# (not bench/plots: make's built-in rule `%: %.sh` would make that name from bench/plots.sh).
EXTRA_DIST += bench/plots.sh bench/data bench/figures bench/exact_vs_sketch.sh \
	bench/checkpoint_cost.sh

# Scale-out on one machine (bench/scale.sh -> bench/RESULTS-scale.md).
EXTRA_DIST += bench/scale.sh bench/scale_report.py
