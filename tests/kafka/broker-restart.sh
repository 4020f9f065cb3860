#!/bin/sh
# A broker restart in the middle of a live run (checkpoint = kafka, no
# stop_at_end) loses nothing. On a broker of its own (the shared one must
# not go away under the other tests): a tenth of 40,000 frames with late
# ones are produced, the pipeline starts reading them, and once it has
# checkpointed progress the rest of the first half streams in (8 chunks,
# 0.3 s apart) and the broker is stopped mid-stream (SIGTERM: a clean
# shutdown), kept down for 2 s and started again on the same port with the
# same data (tests/kafka/broker.sh restart). Meanwhile the pipeline's
# consumer, result producer, checkpoint writes and commits all wait and
# retry, and so does the stream's producer (kafka-tool: kcat gives up when
# every broker is down). Then the second half is produced, with a frame 23
# minutes later in every partition so every window of the data closes in a
# live run. When the group's committed offsets (moved only by checkpoints)
# reach the partition ends, the run is stopped with SIGTERM. The last
# result of every window in the results topic equals a replay of the whole
# topic by a run that saw no restart, and the exact counts.
. "$top_srcdir/tests/kafka/lib.sh"

command -v python3 > /dev/null || kafka_skip "python3 is needed"
for p in generate json-extract distinct-count kafka-out; do
    has_plugin "$p" || kafka_skip "the $p plugin is not built"
done

# The broker of this test, stopped (and its data removed) at exit.
export SLUICE_KAFKA_DIR="$TMP/broker"
brc=0
"$top_srcdir/tests/kafka/broker.sh" start > "$TMP/broker.out" 2> "$TMP/broker.err" || brc=$?
[ "$brc" -ne 77 ] || kafka_skip "no Kafka broker: $(grep SKIP "$TMP/broker.err" | tail -1)"
if [ "$brc" -ne 0 ]; then
    cat "$TMP/broker.err" >&2
    echo "FAIL: tests/kafka/broker.sh start failed (exit $brc)" >&2
    exit 99
fi
trap 'rc_=$?; "$top_srcdir/tests/kafka/broker.sh" stop 2> /dev/null; keep_or_remove_tmp $rc_' EXIT
BROKERS=$(tail -1 "$TMP/broker.out")

T=$(topic restart-frames)
R=$(topic restart-results)
G="restart-$RUN_ID"
cat > "$TMP/make.ini" <<INI
[source]
plugin = generate
count = 40000
rate = 100
users = 20000
delay = 8s
delay_prob = 0.03
seed = 13
[sink.out]
plugin = stdout
INI
"$SLUICE" -q "$TMP/make.ini" > "$TMP/frames.jsonl"
exact_windows "$TMP/frames.jsonl" > "$TMP/exact"
head -n 4000 "$TMP/frames.jsonl" > "$TMP/first"
sed -n '4001,20000p' "$TMP/frames.jsonl" | split -l 2000 - "$TMP/chunk."
tail -n +20001 "$TMP/frames.jsonl" > "$TMP/second"

# pipeline GROUP RESULTS [stop_at_end]
pipeline() {
    cat <<INI
[pipeline]
checkpoint = kafka
checkpoint_interval = 100ms
[source]
plugin = kafka-in
brokers = $BROKERS
topic = $T
group = $1
stop_at_end = ${3:-false}
missing_topic = wait
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
mode = strict
[transform.count]
plugin = distinct-count
key = uid
windows = minute, hour
algorithm = exact
[sink.out]
plugin = kafka-out
brokers = $BROKERS
topic = $2
INI
}

produce "$T" < "$TMP/first"
pipeline "$G" "$R" > "$TMP/live.ini"
"$SLUICE" "$TMP/live.ini" > /dev/null 2> "$TMP/live.err" &
pid=$!
for _ in $(seq 1 600); do
    [ "$(committed_sum "$G" "$T")" -gt 0 ] && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.05
done
[ "$(committed_sum "$G" "$T")" -gt 0 ] || fail "no checkpoint before the restart"
# The stream: started only now, so that the broker goes down while frames
# still flow whatever the machine's speed (an idle machine had read a
# whole first half produced up front before the first commit was seen).
# A chunk retried across the restart may be written twice: a duplicate
# cannot change a unique count, and the replay below reads the same topic.
(
    for c in "$TMP"/chunk.*; do
        "$KAFKA_TOOL" produce "$BROKERS" "$T" < "$c" || exit 1
        sleep 0.3
    done
) 2> "$TMP/stream.err" &
producer=$!
sleep "0.$(( $(od -An -N2 -tu2 /dev/urandom) % 3 ))"
kill -0 "$producer" 2> /dev/null || fail "the stream ended before the restart"
echo "restarting the broker mid-stream with $(committed_sum "$G" "$T") frames committed"
"$top_srcdir/tests/kafka/broker.sh" restart 2 > /dev/null 2> "$TMP/restart.err" ||
    { cat "$TMP/restart.err" >&2; fail "broker.sh restart failed"; finish; }
kill -0 "$pid" 2> /dev/null || fail "the pipeline died while the broker was down"
wait "$producer" || { tail -5 "$TMP/stream.err" >&2; fail "the stream's producer failed across the restart"; }

produce "$T" < "$TMP/second"
for p in 0 1 2; do
    echo '{"uid":"closer","ts":1468246200}' | "$KAFKA_TOOL" produce "$BROKERS" "$T" -p "$p"
done
partition_ends "$T" > "$TMP/ends"
for _ in $(seq 1 1200); do
    "$KAFKA_TOOL" committed "$BROKERS" "$G" "$T" > "$TMP/committed" 2> /dev/null
    cmp -s "$TMP/committed" "$TMP/ends" && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.1
done
expect_file_eq "committed offsets reach the partition ends" "$TMP/committed" "$TMP/ends"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "the live run stops on SIGTERM with exit 0" "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/  | /' "$TMP/live.err" | tail -30 >&2

pipeline "replay-$RUN_ID" "$(topic restart-replay)" true > "$TMP/replay.ini"
run_sluice -q "$TMP/replay.ini"
expect_eq "the replay: exit code" "$rc" 0
last_results "$(topic restart-replay)" "$TMP/exact" > "$TMP/replay.latest"
last_results "$R" "$TMP/exact" > "$TMP/live.latest"
expect_file_eq "through a broker restart: the last result of every window = a replay without one" \
    "$TMP/live.latest" "$TMP/replay.latest"
expect_file_eq "through a broker restart: exact counts" "$TMP/live.latest" "$TMP/exact"
finish
