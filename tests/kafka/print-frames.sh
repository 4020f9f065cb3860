#!/bin/sh
# conf/print-frames-kafka.ini prints every frame of a 3-partition topic
# exactly once, byte for byte; its offsets are committed, so a second run
# (start = committed) prints nothing.
. "$top_srcdir/tests/kafka/lib.sh"

T=$(topic frames)
G="print-$RUN_ID"
gzip -dc "$DATA/challenge-sample-a.jsonl.gz" "$DATA/challenge-sample-late.jsonl.gz" > "$TMP/frames"
produce "$T" < "$TMP/frames"

# The shipped example, pointed at this run's broker, topic and group.
sed -e "s|^brokers = .*|brokers = $BROKERS|" -e "s|^topic = .*|topic = $T|" \
    -e "s|^group = .*|group = $G|" -e 's|^\[source\]$|[source]\nstop_at_end = true|' \
    "$top_srcdir/conf/print-frames-kafka.ini" > "$TMP/print.ini"

run_sluice "$TMP/print.ini"
expect_eq "exit code" "$rc" 0
# Lines of the \r\n file keep their \r: kcat split on \n only.
sort "$TMP/frames" > "$TMP/want"
sort "$TMP/out" > "$TMP/got"
expect_file_eq "every frame exactly once" "$TMP/got" "$TMP/want"
expect_eq "frame count" "$(wc -l < "$TMP/out")" 6000
expect_grep "three partitions" "$TMP/err" "assigned 3 partition(s): $T [0, 1, 2]"
expect_grep "stop_at_end" "$TMP/err" "stop_at_end: all 3 partition(s) read to their end"

# Committed offsets = the end of every partition.
"$KAFKA_TOOL" committed "$BROKERS" "$G" "$T" > "$TMP/committed"
partition_ends "$T" > "$TMP/ends"
expect_file_eq "committed offsets at the partition ends" "$TMP/committed" "$TMP/ends"

run_sluice "$TMP/print.ini"
expect_eq "second run: exit code" "$rc" 0
expect_eq "second run (committed): nothing new" "$(wc -c < "$TMP/out")" 0
finish
