# The host: reads the pipeline file, loads plugins, runs the loop.
# Everything but main() lives in a static library so tests can link it.
noinst_LIBRARIES += host/libsluicehost.a
# What links the host library needs too (tests and benchmarks link it).
SLUICE_HOST_LIBS = host/libsluicehost.a lib/libsluice-support.la $(INIH_LIBS) $(ZLIB_LIBS) \
	$(MICROHTTPD_LIBS)
host_libsluicehost_a_SOURCES = \
	host/cli.c host/cli.h \
	host/log.c host/log.h \
	host/batch.c host/batch.h \
	host/fields.c host/fields.h \
	host/values.c host/values.h \
	host/config.c host/config.h \
	host/options.c host/options.h \
	host/loader.c host/loader.h \
	host/pipeline.c host/pipeline.h \
	host/host_api.c host/host_api.h \
	host/checkpoint.c host/checkpoint.h \
	host/checkpoint_file.c host/checkpoint_file.h \
	host/checkpoint_format.c host/checkpoint_format.h \
	host/metrics.c host/metrics.h \
	host/metrics_http.c \
	host/progress.c host/progress.h
host_libsluicehost_a_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(ZLIB_CFLAGS) $(MICROHTTPD_CFLAGS)

bin_PROGRAMS += host/sluice
host_sluice_SOURCES = host/main.c
host_sluice_LDADD = $(SLUICE_HOST_LIBS)
host_sluice_LDFLAGS = $(AM_LDFLAGS) -rdynamic

sluiceinclude_HEADERS += include/sluice/plugin.h include/sluice/bytes.h
