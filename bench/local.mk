# benchmarks (not part of make check; build with `make bench/count_bench`
# or `make all`, run by hand).
noinst_PROGRAMS += bench/count_bench bench/sketch_accuracy

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
bench_sketch_accuracy_LDADD = -lm

# The benchmark scripts (run by hand: bench/run.sh, bench/profile.sh).
EXTRA_DIST += bench/run.sh bench/profile.sh bench/report.py bench/simdjson_uid.cpp \
	bench/faust_app.py bench/RESULTS.md bench/PROFILE.md bench/SCANNER.md
