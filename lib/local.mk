# libsluice-support: code the host and the plugins share (time: civil
# dates, ISO-8601, durations, clocks; a growing array). A libtool
# convenience library: each plugin links its own private copy, the host
# links it statically.
noinst_LTLIBRARIES += lib/libsluice-support.la
lib_libsluice_support_la_SOURCES = \
	lib/sluice_time.h \
	lib/civil.c \
	lib/iso8601.c \
	lib/duration.c \
	lib/clock.c \
	lib/sluice_array.h \
	lib/array.c

check_PROGRAMS += lib/tests/test_time
lib_tests_test_time_SOURCES = lib/tests/test_time.c tests/unit/check.h
lib_tests_test_time_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
lib_tests_test_time_LDADD = lib/libsluice-support.la
TESTS += lib/tests/test_time

check_PROGRAMS += lib/tests/test_array
lib_tests_test_array_SOURCES = lib/tests/test_array.c tests/unit/check.h
lib_tests_test_array_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
lib_tests_test_array_LDADD = lib/libsluice-support.la
TESTS += lib/tests/test_array
