# libsluice-support: code the host and the plugins share (time: civil
# dates, ISO-8601, durations, clocks). A libtool convenience library: each
# plugin links its own private copy, the host links it statically.
noinst_LTLIBRARIES += lib/libsluice-support.la
lib_libsluice_support_la_SOURCES = \
	lib/sluice_time.h \
	lib/civil.c \
	lib/iso8601.c \
	lib/duration.c \
	lib/clock.c

check_PROGRAMS += lib/tests/test_time
lib_tests_test_time_SOURCES = lib/tests/test_time.c tests/unit/check.h
lib_tests_test_time_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
lib_tests_test_time_LDADD = lib/libsluice-support.la
TESTS += lib/tests/test_time
