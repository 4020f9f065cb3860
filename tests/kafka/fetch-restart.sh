#!/bin/sh
# librdkafka stops fetching once its queue passes queued.min.messages (or
# queued.max.messages.kbytes) and, left alone, looks again only a second
# later. kafka-in wakes its fetchers as soon as the queue fell below those
# limits. With a tiny limit and small fetches (some 15 fetch rounds per
# partition) a replay takes well under a second (13 s without the wake-up,
# measured), reads every frame exactly once and commits the partition ends.
. "$top_srcdir/tests/kafka/lib.sh"

T=$(topic restart)
G="restart-$RUN_ID"
gzip -dc "$DATA/challenge-sample-a.jsonl.gz" "$DATA/challenge-sample-late.jsonl.gz" > "$TMP/frames"
produce "$T" < "$TMP/frames"

cat > "$TMP/restart.ini" <<INI
[source]
plugin = kafka-in
brokers = $BROKERS
topic = $T
group = $G
start = earliest
stop_at_end = true
rdkafka.queued.min.messages = 20
rdkafka.max.partition.fetch.bytes = 65536
rdkafka.fetch.max.bytes = 65536
rdkafka.message.max.bytes = 65536

[sink.out]
plugin = stdout
INI

started=$(date +%s)
run_sluice --log-level trace "$TMP/restart.ini"
took=$(($(date +%s) - started))
expect_eq "exit code" "$rc" 0
sort "$TMP/frames" > "$TMP/want"
sort "$TMP/out" > "$TMP/got"
expect_file_eq "every frame exactly once" "$TMP/got" "$TMP/want"
expect_grep "fetchers woken" "$TMP/err" "fetch queue fell below librdkafka's limits: woke the fetchers"
if [ "$took" -gt 8 ]; then
    fail "the replay took ${took}s (without waking the fetchers: about a second per fetch round)"
fi

"$KAFKA_TOOL" committed "$BROKERS" "$G" "$T" > "$TMP/committed"
partition_ends "$T" > "$TMP/ends"
expect_file_eq "committed offsets at the partition ends" "$TMP/committed" "$TMP/ends"
finish
