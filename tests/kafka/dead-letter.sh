#!/bin/sh
# kafka-out with errors = true is a dead-letter sink: only error records,
# their original bytes as the value, and the reason and source position in
# sluice.* headers; the live records go to the other sinks only.
. "$top_srcdir/tests/kafka/lib.sh"

# 1. Error records from the stdin source (a line over max_frame): no
#    source topic header, partition 0, offset = the line number.
D1=$(topic dlq-stdin)
long=$(printf '%0100d' 7)
printf 'a\n%s\nb\n' "$long" > "$TMP/lines"
cat > "$TMP/stdin.ini" <<INI
[source]
plugin = stdin
path = $TMP/lines
max_frame = 64
[sink.out]
plugin = stdout
[sink.dlq]
plugin = kafka-out
brokers = $BROKERS
topic = $D1
errors = true
INI
run_sluice "$TMP/stdin.ini"
expect_eq "stdin: exit code" "$rc" 0
expect_eq "stdin: live lines on stdout" "$(cat "$TMP/out" | tr '\n' ' ')" "a b "
consume "$D1" '%k|%s\n' > "$TMP/dlq"
expect_eq "stdin: one dead letter, no key, the kept bytes" "$(cat "$TMP/dlq")" "|$(echo "$long" | head -c 64)"
kcat -C -b "$BROKERS" -t "$D1" -o beginning -e -q -J |
    jq -r '.headers | [range(0; length; 2) as $i | "\(.[$i])=\(.[$i + 1])"] | .[]' > "$TMP/headers"
printf '%s\n' \
    "sluice.error=frame longer than max_frame (its first bytes are kept; raise max_frame in the source section if such frames are valid)" \
    "sluice.stage=source" "sluice.source.partition=0" "sluice.source.offset=2" > "$TMP/want"
expect_file_eq "stdin: headers" "$TMP/headers" "$TMP/want"

# 2. Malformed frames from Kafka through json-extract: each lands in the
#    dead-letter topic with its source topic, partition and offset.
if ! has_plugin json-extract; then
    echo "note: json-extract is not built; skipping the Kafka -> json-extract part" >&2
    finish
fi
T=$(topic frames)
D2=$(topic dlq)
gzip -dc "$DATA/challenge-sample-a.jsonl.gz" | head -n 40 > "$TMP/good"
printf '%s\n' '{"uid":"u1","ts":14682' '{"uid":"u2","ts":"soon"}' 'not json at all' > "$TMP/bad"
{ head -n 20 "$TMP/good"; cat "$TMP/bad"; tail -n 20 "$TMP/good"; } > "$TMP/frames"
produce "$T" < "$TMP/frames"
cat > "$TMP/kafka.ini" <<INI
[source]
plugin = kafka-in
brokers = $BROKERS
topic = $T
group = dlq-$RUN_ID
start = earliest
stop_at_end = true
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
on_error = dead-letter
[sink.out]
plugin = stdout
[sink.dlq]
plugin = kafka-out
brokers = $BROKERS
topic = $D2
errors = true
INI
run_sluice "$TMP/kafka.ini"
expect_eq "kafka: exit code" "$rc" 0
sort "$TMP/good" > "$TMP/want"
sort "$TMP/out" > "$TMP/got"
expect_file_eq "kafka: the 40 good frames on stdout" "$TMP/got" "$TMP/want"

# Where each frame lives in the source topic: "partition offset value".
consume "$T" '%p %o %s\n' | sort > "$TMP/positions"
kcat -C -b "$BROKERS" -t "$D2" -o beginning -e -q -J | jq -r '
    (.headers | [range(0; length; 2) as $i | {(.[$i]): .[$i + 1]}] | add) as $h
    | "\($h["sluice.source.partition"]) \($h["sluice.source.offset"]) \(.payload)\t\($h["sluice.source.topic"])\t\($h["sluice.stage"])\t\($h["sluice.error"] | length > 0)"' |
    sort > "$TMP/dead"
expect_eq "kafka: three dead letters" "$(wc -l < "$TMP/dead")" 3
cut -f1 "$TMP/dead" > "$TMP/dead-pos"
awk 'NR == FNR { bad[$0] = 1; next }
     { v = $0; sub(/^[0-9]+ [0-9]+ /, "", v); if (v in bad) print }' "$TMP/bad" "$TMP/positions" |
    sort > "$TMP/want"
expect_file_eq "kafka: original bytes at their source partition and offset" "$TMP/dead-pos" "$TMP/want"
expect_eq "kafka: source topic, stage, reason" "$(cut -f2- "$TMP/dead" | sort -u)" \
    "$(printf '%s\ttransform.extract\ttrue' "$T")"
finish
