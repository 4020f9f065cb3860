# Kafka tests: end to end against a real Apache Kafka broker (KRaft, 3.9),
# started by tests/kafka/broker.sh unless SLUICE_KAFKA_BOOTSTRAP names one.
# They skip (77) without Java/Maven or kcat, fail instead when CI=true, and
# skip when SLUICE_KAFKA_SKIP=1. Each test uses its own topics and groups,
# so they run in parallel against one broker.

# A small producer/offset tool for what kcat cannot do (explicit
# timestamps, committed offsets of a group).
check_PROGRAMS += tests/kafka/kafka-tool
tests_kafka_kafka_tool_SOURCES = tests/kafka/kafka_tool.c
tests_kafka_kafka_tool_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
tests_kafka_kafka_tool_LDADD = $(RDKAFKA_LIBS)

# kafka-in's checkpoint store against the broker, without a pipeline.
check_PROGRAMS += tests/kafka/state-store-check
tests_kafka_state_store_check_SOURCES = tests/kafka/state_store_check.c \
	plugins/kafka-in/state_store.c plugins/kafka-in/state_store.h \
	plugins/kafka-in/state_map.c plugins/kafka-in/state_map.h tests/unit/check.h
tests_kafka_state_store_check_CPPFLAGS = $(KC_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_kafka_state_store_check_CFLAGS = $(AM_CFLAGS) $(RDKAFKA_CFLAGS)
tests_kafka_state_store_check_LDADD = $(KC_LIBS)

KAFKA_TESTS = \
	tests/kafka/print-frames.sh \
	tests/kafka/start-time.sh \
	tests/kafka/committed.sh \
	tests/kafka/dead-letter.sh \
	tests/kafka/config-errors.sh \
	tests/kafka/delivery-failure.sh \
	tests/kafka/fetch-restart.sh \
	tests/kafka/unique-users.sh \
	tests/kafka/state-store.sh \
	tests/kafka/checkpoint-kafka.sh \
	tests/kafka/checkpoint-group.sh \
	tests/kafka/broker-restart.sh \
	tests/kafka/readiness.sh
TESTS += $(KAFKA_TESTS)
dist_check_SCRIPTS += $(KAFKA_TESTS) tests/kafka/lib.sh tests/kafka/broker.sh
EXTRA_DIST += tests/kafka/pom.xml
