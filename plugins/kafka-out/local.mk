# kafka-out: records to a Kafka topic (idempotent producer), or error
# records to a dead-letter topic with `errors = true`. Links kafka-common.
pkglib_LTLIBRARIES += plugins/kafka-out/kafka-out.la
plugins_kafka_out_kafka_out_la_SOURCES = \
	plugins/kafka-out/kafka_out.c plugins/kafka-out/kafka_out.h \
	plugins/kafka-out/delivery.c \
	plugins/kafka-out/dead_letter.c
plugins_kafka_out_kafka_out_la_CPPFLAGS = $(KC_CPPFLAGS)
plugins_kafka_out_kafka_out_la_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
plugins_kafka_out_kafka_out_la_LIBADD = $(KC_LIBS)
plugins_kafka_out_kafka_out_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)

# Unit test: the options table through the plugin harness; no broker needed.
check_PROGRAMS += plugins/kafka-out/tests/test_kafka_out
plugins_kafka_out_tests_test_kafka_out_SOURCES = $(plugins_kafka_out_kafka_out_la_SOURCES) \
	plugins/kafka-out/tests/test_kafka_out.c
plugins_kafka_out_tests_test_kafka_out_CPPFLAGS = $(PLUGIN_TEST_CPPFLAGS) \
	-I$(top_srcdir)/plugins/kafka-common
plugins_kafka_out_tests_test_kafka_out_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
plugins_kafka_out_tests_test_kafka_out_LDADD = plugins/kafka-common/libkafkacommon.la \
	$(PLUGIN_TEST_LDADD) $(RDKAFKA_LIBS)
TESTS += plugins/kafka-out/tests/test_kafka_out
