#!/bin/sh
# start = <ISO time> reads from the first message at or after that time
# (CreateTime, set explicitly by the producer) in every partition; a
# partition with nothing that late starts at its end. start = latest reads
# nothing old, start = earliest everything — whatever the group committed.
# (Without checkpoints: with them, a checkpointed partition resumes where
# its checkpoint says, whatever `start` is.)
. "$top_srcdir/tests/kafka/lib.sh"

T=$(topic stamped)
G="stamped-$RUN_ID"
OLD=1577836800000   # 2020-01-01T00:00:00Z
START=1590969600000 # 2020-06-01T00:00:00Z
NEW=1609459200000   # 2021-01-01T00:00:00Z
# Kept forever: with the default retention (7 days, by the records' own
# timestamps) the broker's retention check, every 5 minutes, would delete
# these 2020 records in the middle of the test (seen in CI: later runs read
# nothing).
"$KAFKA_TOOL" create "$BROKERS" "$T" 3 retention.ms=-1
for p in 0 1 2; do
    printf '%s\told-%s-1\n%s\told-%s-2\n' "$OLD" "$p" $((START - 1)) "$p" |
        "$KAFKA_TOOL" produce "$BROKERS" "$T" -p "$p" -T
done
printf '%s\tedge-0\n%s\tnew-0-1\n%s\tnew-0-2\n' "$START" "$NEW" "$NEW" |
    "$KAFKA_TOOL" produce "$BROKERS" "$T" -p 0 -T
printf '%s\tnew-1-1\n' "$NEW" | "$KAFKA_TOOL" produce "$BROKERS" "$T" -p 1 -T
# partition 2: nothing at or after START

conf() {
    cat > "$TMP/in.ini" <<INI
[pipeline]
checkpoint = none
[source]
plugin = kafka-in
brokers = $BROKERS
topic = $T
group = $G
start = $1
stop_at_end = true
[sink.out]
plugin = stdout
INI
}

conf 2020-06-01T00:00:00Z
run_sluice "$TMP/in.ini"
expect_eq "time: exit code" "$rc" 0
expect_eq "time: frames at or after 2020-06-01" "$(sort "$TMP/out" | tr '\n' ' ')" \
    "edge-0 new-0-1 new-0-2 new-1-1 "

# The same instant written with an offset, one millisecond later: no edge-0.
conf 2020-06-01T02:00:00.001+02:00
run_sluice "$TMP/in.ini"
expect_eq "time with offset: frames" "$(sort "$TMP/out" | tr '\n' ' ')" "new-0-1 new-0-2 new-1-1 "

conf latest
run_sluice "$TMP/in.ini"
expect_eq "latest: exit code" "$rc" 0
expect_eq "latest: nothing" "$(wc -c < "$TMP/out")" 0

conf earliest
run_sluice "$TMP/in.ini"
expect_eq "earliest: everything, despite the commits" "$(wc -l < "$TMP/out")" 10

conf 2020-13-01
run_sluice "$TMP/in.ini"
expect_eq "bad time: exit code (config error)" "$rc" 2
expect_grep "bad time: message" "$TMP/err" \
    "in.ini:8: [source] start: month out of range: use 01 to 12"
finish
