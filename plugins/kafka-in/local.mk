# kafka-in: frames from Kafka topics, high-level consumer in a group.
KIN_SOURCES = \
	plugins/kafka-in/kafka_in.h \
	plugins/kafka-in/start_position.c plugins/kafka-in/start_position.h \
	plugins/kafka-in/partitions.c plugins/kafka-in/partitions.h \
	plugins/kafka-in/state_map.c plugins/kafka-in/state_map.h \
	plugins/kafka-in/state_store.c plugins/kafka-in/state_store.h \
	plugins/kafka-in/positions.c \
	plugins/kafka-in/topics.c \
	plugins/kafka-in/consume.c \
	plugins/kafka-in/rebalance.c \
	plugins/kafka-in/stats.c \
	plugins/kafka-in/close.c

pkglib_LTLIBRARIES += plugins/kafka-in/kafka-in.la
plugins_kafka_in_kafka_in_la_SOURCES = $(KIN_SOURCES) plugins/kafka-in/kafka_in.c
plugins_kafka_in_kafka_in_la_CPPFLAGS = $(KC_CPPFLAGS)
plugins_kafka_in_kafka_in_la_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS) $(JANSSON_CFLAGS)
plugins_kafka_in_kafka_in_la_LIBADD = $(KC_LIBS) $(JANSSON_LIBS)
plugins_kafka_in_kafka_in_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)

# Unit tests: start positions, the partition table, the checkpoint store's
# key map and the options table (through the plugin harness); no broker
# needed.
check_PROGRAMS += plugins/kafka-in/tests/test_kafka_in
plugins_kafka_in_tests_test_kafka_in_SOURCES = $(KIN_SOURCES) plugins/kafka-in/kafka_in.c \
	plugins/kafka-in/tests/test_kafka_in.c
plugins_kafka_in_tests_test_kafka_in_CPPFLAGS = $(PLUGIN_TEST_CPPFLAGS) \
	-I$(top_srcdir)/plugins/kafka-common -I$(top_srcdir)/plugins/kafka-in
plugins_kafka_in_tests_test_kafka_in_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS) $(JANSSON_CFLAGS)
plugins_kafka_in_tests_test_kafka_in_LDADD = plugins/kafka-common/libkafkacommon.la \
	$(PLUGIN_TEST_LDADD) $(RDKAFKA_LIBS) $(JANSSON_LIBS)
TESTS += plugins/kafka-in/tests/test_kafka_in
