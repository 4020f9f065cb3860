#!/bin/sh
# /readyz of a kafka-in pipeline: 503 with the reason while its topic does
# not exist (missing_topic = wait) and before the group assigns partitions,
# 200 once it holds them. /metrics then counts exactly the frames produced,
# passes promtool, and shows consumer_lag for each of the topic's
# partitions, 0 once everything went through the pipeline.
. "$top_srcdir/tests/kafka/lib.sh"
for tool in curl promtool; do
    command -v $tool > /dev/null 2>&1 || kafka_skip "$tool not found (./setup --tests installs it)"
done

T=$(topic ready)
cat > "$TMP/r.ini" <<INI
[pipeline]
metrics = 127.0.0.1:0
[source]
plugin = kafka-in
brokers = $BROKERS
topic = $T
group = ready-$RUN_ID
start = earliest
missing_topic = wait
[transform.extract]
plugin = json-extract
[transform.count]
plugin = distinct-count
windows = minute
[sink.out]
plugin = stdout
INI
"$SLUICE" --no-progress "$TMP/r.ini" > "$TMP/out" 2> "$TMP/err" &
pid=$!
trap 'rc_=$?; kill $pid 2> /dev/null || true; keep_or_remove_tmp $rc_' EXIT

WAIT_SHOW="$TMP/err"
waiting_logged() { grep -q 'does not exist yet; waiting for it' "$TMP/err"; }
wait_until "kafka-in to wait for the topic" waiting_logged
PORT=$(metrics_port "$TMP/err")
get() { code=$(curl -s -o "$TMP/body" -w '%{http_code}' "http://127.0.0.1:$PORT$1"); }
# The host may still be starting (checkpoint = kafka, the default with
# kafka-in, reads the instance's checkpoint once the source runs).
waiting_ready() {
    get /readyz &&
        [ "$code $(cat "$TMP/body")" = "503 [source] waiting for topic $T to be created (missing_topic = wait)" ]
}
wait_until "/readyz 503: waiting for topic $T to be created" waiting_ready
get /healthz
expect_eq "no topic: /healthz" "$code" 200

zcat "$DATA/challenge-sample-a.jsonl.gz" | head -n 600 > "$TMP/frames"
produce "$T" < "$TMP/frames"

ready() { get /readyz && [ "$code" = 200 ]; }
wait_until "/readyz 200 after the assignment" ready
expect_grep "assigned before ready" "$TMP/err" "assigned 3 partition(s)"

value() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/scrape"; }
lag_total() { awk '/^sluice_consumer_lag\{/ { n += $2; p++ } END { print p + 0, n + 0 }' "$TMP/scrape"; }
scrape() { curl -s -o "$TMP/scrape" "http://127.0.0.1:$PORT/metrics"; }
caught_up() {
    scrape && [ "$(value sluice_source_records_total)" = 600 ] && [ "$(lag_total)" = "3 0" ]
}
wait_until "600 frames in and no lag" caught_up
if ! promtool check metrics < "$TMP/scrape" > "$TMP/promtool" 2>&1; then
    fail "promtool check metrics"
    cat "$TMP/promtool" >&2
fi
expect_eq "frames of kafka-in" "$(value 'sluice_kafka_in_frames_total{stage="source"}')" 600
for p in 0 1 2; do
    expect_eq "lag of partition $p" \
        "$(value "sluice_consumer_lag{stage=\"source\",topic=\"$T\",partition=\"$p\"}")" 0
done
expect_eq "ready gauge" "$(value sluice_ready)" 1

kill -TERM $pid
rc=0
wait $pid || rc=$?
expect_eq "exit code after SIGTERM" "$rc" 0
expect_grep "final counters" "$TMP/err" "frames=600"
finish
