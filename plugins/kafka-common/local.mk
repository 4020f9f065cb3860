# kafka-common: what kafka-in and kafka-out share about librdkafka: the
# client bring-up (kafka_client.c), its configuration with rdkafka.*
# pass-through (kafka_conf.c), librdkafka's errors and log lines
# (kafka_errors.c), the start-up checks (kafka_probe.c) and the option rows
# both plugins have (kafka_client.h). Not a plugin: a libtool convenience
# library linked into both; a plugin reaches its header by KC_CPPFLAGS.
KC_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/kafka-common

noinst_LTLIBRARIES += plugins/kafka-common/libkafkacommon.la
plugins_kafka_common_libkafkacommon_la_SOURCES = \
	plugins/kafka-common/kafka_client.h \
	plugins/kafka-common/kafka_client.c \
	plugins/kafka-common/kafka_conf.c \
	plugins/kafka-common/kafka_errors.c \
	plugins/kafka-common/kafka_probe.c
plugins_kafka_common_libkafkacommon_la_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
KC_LIBS = plugins/kafka-common/libkafkacommon.la lib/libsluice-support.la $(RDKAFKA_LIBS)

# Unit tests: no broker needed (the broker-backed paths run in tests/kafka).
check_PROGRAMS += plugins/kafka-common/tests/test_kafka_common
plugins_kafka_common_tests_test_kafka_common_SOURCES = \
	plugins/kafka-common/tests/test_kafka_common.c
plugins_kafka_common_tests_test_kafka_common_CPPFLAGS = $(KC_CPPFLAGS) \
	-I$(top_srcdir)/host -I$(top_srcdir)/tests/unit
plugins_kafka_common_tests_test_kafka_common_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
plugins_kafka_common_tests_test_kafka_common_LDADD = plugins/kafka-common/libkafkacommon.la \
	$(PLUGIN_TEST_LDADD) $(RDKAFKA_LIBS)
TESTS += plugins/kafka-common/tests/test_kafka_common
