# kafka-common: what kafka-in and kafka-out share about librdkafka (client
# configuration with rdkafka.* pass-through, logging, start-up checks). A
# libtool convenience library linked into both plugins; defined here because
# plugins/local.mk includes kafka-in before kafka-out.
noinst_LTLIBRARIES += plugins/kafka-common/libkafkacommon.la
plugins_kafka_common_libkafkacommon_la_SOURCES = \
	plugins/kafka-common/kafka_client.h \
	plugins/kafka-common/kafka_conf.c \
	plugins/kafka-common/kafka_errors.c \
	plugins/kafka-common/kafka_probe.c
plugins_kafka_common_libkafkacommon_la_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)

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
plugins_kafka_in_kafka_in_la_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS) $(JANSSON_CFLAGS)
plugins_kafka_in_kafka_in_la_LIBADD = plugins/kafka-common/libkafkacommon.la $(RDKAFKA_LIBS) \
	$(JANSSON_LIBS)
plugins_kafka_in_kafka_in_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)

# Unit tests: start positions (ISO-8601 parsing), the partition table and
# the checkpoint store's key map; no broker needed.
check_PROGRAMS += plugins/kafka-in/tests/test_kafka_in
plugins_kafka_in_tests_test_kafka_in_SOURCES = \
	plugins/kafka-in/start_position.c plugins/kafka-in/start_position.h \
	plugins/kafka-in/partitions.c plugins/kafka-in/partitions.h \
	plugins/kafka-in/state_map.c plugins/kafka-in/state_map.h \
	plugins/kafka-in/tests/test_kafka_in.c tests/unit/check.h
plugins_kafka_in_tests_test_kafka_in_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/kafka-in -I$(top_srcdir)/tests/unit
plugins_kafka_in_tests_test_kafka_in_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
plugins_kafka_in_tests_test_kafka_in_LDADD = $(RDKAFKA_LIBS)
TESTS += plugins/kafka-in/tests/test_kafka_in
