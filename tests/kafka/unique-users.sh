#!/bin/sh
# The main pipeline end to end against the broker: each sample file is
# produced to its own 3-partition topic, conf/unique-users-kafka.ini (with
# stop_at_end) reads it, counts unique users per window and writes one JSON
# result per window to a results topic, keyed "<window>/<start>". The latest
# revision of every minute equals the exact counts in tests/data/*.minutes.
# Then the results on stdout, and one count over two topics (the late sample
# split between them): each topic's partitions are streams of their own.
. "$top_srcdir/tests/kafka/lib.sh"

for p in json-extract distinct-count; do
    has_plugin "$p" || kafka_skip "the $p plugin is not built"
done

# A shipped example, pointed at this run's broker, topics and group.
conf_for() { # IN RESULTS DLQ GROUP [EXAMPLE]
    awk -v b="$BROKERS" -v tin="$1" -v tout="$2" -v tdlq="$3" -v g="$4" '
        /^\[/ { sec = $0; print; if (sec == "[source]") print "stop_at_end = true"; next }
        /^brokers *=/ { print "brokers = " b; next }
        /^group *=/ { print "group = " g; next }
        /^topic *=/ {
            if (sec == "[source]") print "topic = " tin
            else if (sec == "[sink.results]") print "topic = " tout
            else if (sec == "[sink.dead-letters]") print "topic = " tdlq
            else print
            next
        }
        { print }' "$top_srcdir/conf/${5:-unique-users-kafka}.ini"
}

for sample in challenge-sample-a challenge-sample-late; do
    T=$(topic "$sample")
    R=$(topic "$sample-results")
    D=$(topic "$sample-dlq")
    gzip -dc "$DATA/$sample.jsonl.gz" | produce "$T"
    conf_for "$T" "$R" "$D" "uu-$sample-$RUN_ID" > "$TMP/uu.ini"
    run_sluice "$TMP/uu.ini"
    expect_eq "$sample: exit code" "$rc" 0
    if [ "$rc" -ne 0 ]; then
        sed 's/^/  | /' "$TMP/err" | tail -20 >&2
        continue
    fi
    expect_grep "$sample: all 3000 frames read" "$TMP/err" "frames=3000"
    if grep -q 'dead_letters=' "$TMP/err"; then fail "$sample: dead letters from a clean sample"; fi

    consume "$R" '%k\t%s\n' > "$TMP/results"
    # Every key is "<window>/<start>" of its own value.
    bad=$(awk -F '\t' '{ print $1 "\t" $2 }' "$TMP/results" |
        jq -R -r 'split("\t") as $f | ($f[1] | fromjson) as $v |
            select($f[0] != "\($v.window)/\($v.start)") | $f[0]' | head -3)
    expect_eq "$sample: keys are <window>/<start>" "$bad" ""
    cut -f2 "$TMP/results" > "$TMP/values"
    latest_counts "$TMP/values" minute > "$TMP/got"
    expect_file_eq "$sample: latest revision per minute = exact counts" "$TMP/got" \
        "$DATA/$sample.minutes"
done

# The same pipeline with results on stdout: one section swapped, same counts.
T=$(topic challenge-sample-a)
conf_for "$T" - "$(topic stdout-dlq)" "uu-stdout-$RUN_ID" unique-users-kafka-stdout > "$TMP/uu.ini"
run_sluice "$TMP/uu.ini"
expect_eq "stdout variant: exit code" "$rc" 0
latest_counts "$TMP/out" minute > "$TMP/got"
expect_file_eq "stdout variant: latest revision per minute = exact counts" "$TMP/got" \
    "$DATA/challenge-sample-a.minutes"

# Two topics into one count (topic = A, B): the late sample's odd frames in
# one, its even frames in the other; partition N of each is a stream of its
# own (a watermark, a partial), and the counts are the whole sample's.
TA=$(topic late-odd)
TB=$(topic late-even)
gzip -dc "$DATA/challenge-sample-late.jsonl.gz" | sed -n '1~2p' | produce "$TA"
gzip -dc "$DATA/challenge-sample-late.jsonl.gz" | sed -n '2~2p' | produce "$TB"
conf_for "$TA, $TB" - "$(topic two-dlq)" "uu-two-$RUN_ID" unique-users-kafka-stdout > "$TMP/two.ini"
run_sluice "$TMP/two.ini"
expect_eq "two topics: exit code" "$rc" 0
expect_grep "two topics: all 3000 frames read" "$TMP/err" "frames=3000"
expect_grep "two topics: six partitions" "$TMP/err" "assigned 6 partition(s)"
latest_counts "$TMP/out" minute > "$TMP/got"
expect_file_eq "two topics: latest revision per minute = the whole sample's exact counts" \
    "$TMP/got" "$DATA/challenge-sample-late.minutes"
finish
