#!/bin/sh
# Checkpoints in Kafka (checkpoint = kafka), and in a file (checkpoint =
# file:DIR) with the same Kafka source: a replay (stop_at_end) of 100,000
# frames with late ones (3% up to 8 s late) from a 3-partition topic,
# counted into a results topic, is killed with SIGKILL six times while it
# still reads (each time soon after a checkpoint of its own became durable,
# at a random moment) and restarted each time. The last result of every
# window in the results topic (what a compacted topic keeps) equals a run
# without crashes, and in exact mode the exact counts computed by
# tests/exact_windows.py; in sketch mode (over 1,024 users a minute: the
# dense sketch) it equals the run without crashes. At the end the group's
# committed offsets stand at the partitions' ends, and the state topic
# <group>.sluice-state exists; no restart found the committed offsets ahead
# of the checkpoint (only a durable checkpoint commits). Static membership
# (group.instance.id) gives a restarted run its partitions back at once;
# without it the killed run's member would hold them until
# session.timeout.ms, and a replay restarted meanwhile would end with only
# the partitions it was given. Last, a pipeline that counts differently
# (minute windows only) in the exact runs' group is refused by the state
# topic's checkpoints and commits nothing.
. "$top_srcdir/tests/kafka/lib.sh"

command -v python3 > /dev/null || kafka_skip "python3 is needed"
for p in generate json-extract distinct-count kafka-out; do
    has_plugin "$p" || kafka_skip "the $p plugin is not built"
done

T=$(topic ck-frames)
cat > "$TMP/make.ini" <<INI
[source]
plugin = generate
count = 100000
rate = 100
users = 20000
delay = 8s
delay_prob = 0.03
seed = 11
[sink.out]
plugin = stdout
INI
"$SLUICE" -q "$TMP/make.ini" > "$TMP/frames.jsonl"
produce "$T" < "$TMP/frames.jsonl"
exact_windows "$TMP/frames.jsonl" > "$TMP/exact"

# pipeline ALGORITHM CHECKPOINT GROUP RESULTS: strict parsing (jansson)
# keeps a run busy long enough to be killed many times.
pipeline() {
    cat <<INI
[pipeline]
checkpoint = $2
checkpoint_interval = 100ms
[source]
plugin = kafka-in
brokers = $BROKERS
topic = $T
group = $3
stop_at_end = true
rdkafka.group.instance.id = sluice-1
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
mode = strict
[transform.count]
plugin = distinct-count
key = uid
windows = minute, hour
algorithm = $1
[sink.out]
plugin = kafka-out
brokers = $BROKERS
topic = $4
INI
}

# check_revisions TOPIC: the last result of every key is also its highest
# revision. On failure the offending windows' results are shown in the
# topic's order, with their partition, offset and produce time in ms (to
# tell a late append from a wrong number, and which run wrote which: the
# runs' logs are kept with the test's files).
check_revisions() {
    consume "$1" '%p %o %T %s\n' > "$TMP/revisions"
    bad=$(cut -d' ' -f4- "$TMP/revisions" | not_last_highest)
    [ -z "$bad" ] || {
        fail "$1: the last result of $bad is not its highest revision"
        for w in $bad; do
            grep -F "\"window\":\"${w%/*}\"" "$TMP/revisions" |
                grep -F "\"start_ts\":${w#*/}," >&2
        done
    }
}

# crash_run INI NAME GROUP: start; once the run has committed progress (a
# checkpoint of its own is durable), SIGKILL it after a random 0-90 ms (a
# checkpoint interval: any phase of it) if it is still reading; six times;
# then let a run end by itself. Echoes the kill count; the runs' logs are
# NAME.N.err. (Each killed run reads ~5% of the frames here: a machine a
# few times faster still leaves the last kills frames to read.)
crash_run() {
    kills=0 run=0
    while :; do
        run=$((run + 1))
        err="$TMP/$2.$run.err"
        before=$(committed_sum "$3" "$T")
        "$SLUICE" "$1" > /dev/null 2> "$err" &
        pid=$!
        if [ "$kills" -lt 6 ]; then
            for _ in $(seq 1 600); do
                [ "$(committed_sum "$3" "$T")" -gt "$before" ] && break
                kill -0 "$pid" 2> /dev/null || break
                sleep 0.05
            done
            sleep "0.0$(( $(od -An -N2 -tu2 /dev/urandom) % 10 ))"
            if ! grep -q "stop_at_end: all" "$err" && kill -KILL "$pid" 2> /dev/null; then
                kills=$((kills + 1))
                wait "$pid" 2> /dev/null || true
                echo "$2: run $run killed; $(committed_sum "$3" "$T") of 100000 committed" >&2
                continue
            fi
        fi
        wait "$pid" || { echo "run $run failed:" >&2; cat "$err" >&2; return 1; }
        break
    done
    echo "$kills"
}

for algorithm in exact sketch; do
    pipeline "$algorithm" none "plain-$algorithm-$RUN_ID" "$(topic "plain-$algorithm")" \
        > "$TMP/plain.ini"
    run_sluice -q "$TMP/plain.ini"
    expect_eq "$algorithm: the run without crashes: exit code" "$rc" 0
    last_results "$(topic "plain-$algorithm")" > "$TMP/plain-$algorithm.latest"

  for store in kafka file; do
    G="ck-$algorithm-$store-$RUN_ID"
    R=$(topic "ck-$algorithm-$store")
    if [ "$store" = kafka ]; then ckpt=kafka; else ckpt="file:$TMP/ck-$algorithm"; fi
    pipeline "$algorithm" "$ckpt" "$G" "$R" > "$TMP/ck.ini"
    name="$algorithm-$store"
    kills=$(crash_run "$TMP/ck.ini" "$name" "$G") || fail "$name: a run failed"
    echo "$name: $kills SIGKILLs while reading, then a run to the end"
    [ "$kills" -ge 5 ] || fail "$name: only $kills kill(s) while reading (want 5 or more)"
    resumed=$(grep -l "resume from their checkpoint" "$TMP/$name".*.err | wc -l)
    echo "$name: $resumed restart(s) resumed from a checkpoint"
    [ "$resumed" -ge 1 ] || fail "$name: no restart resumed from a checkpoint"
    # The invariant: no offset is committed before a checkpoint covers it,
    # so no restart finds the group's committed offsets ahead of the store.
    if grep -l "is ahead of the checkpoint" "$TMP/$name".*.err; then
        fail "$name: offsets were committed ahead of the checkpoint"
    fi
    last_results "$R" > "$TMP/ck-$name.latest"
    check_revisions "$R"
    expect_file_eq "$name: $kills SIGKILLs and restarts: the last result of every window = the run without crashes" \
        "$TMP/ck-$name.latest" "$TMP/plain-$algorithm.latest"

    "$KAFKA_TOOL" committed "$BROKERS" "$G" "$T" > "$TMP/committed"
    partition_ends "$T" > "$TMP/ends"
    expect_file_eq "$name: committed offsets at the partition ends" "$TMP/committed" "$TMP/ends"
    if [ "$store" = kafka ]; then
        [ -n "$(kcat -L -b "$BROKERS" -t "$G.sluice-state" 2> /dev/null | grep 'partition 0')" ] ||
            fail "$name: no state topic $G.sluice-state"
    else
        [ -s "$TMP/ck-$algorithm/checkpoint" ] || fail "$name: no checkpoint file"
    fi
  done
done
# Another counting configuration (minute windows only) in a group whose
# state topic holds the exact runs' checkpoints: refused, saying whose, and
# nothing committed or counted.
G="ck-exact-kafka-$RUN_ID"
pipeline exact kafka "$G" "$(topic foreign)" | sed 's/^windows = minute, hour$/windows = minute/' \
    > "$TMP/foreign.ini"
"$KAFKA_TOOL" committed "$BROKERS" "$G" "$T" > "$TMP/committed.before"
run_sluice -q "$TMP/foreign.ini"
[ "$rc" -ne 0 ] || fail "another counting configuration: exit code 0 (want a refusal)"
expect_grep "another counting configuration: refused" "$TMP/err" \
    "was written by another counting configuration; this pipeline's is ([transform.count] distinct-count: key=uid windows=minute algorithm=exact"
"$KAFKA_TOOL" committed "$BROKERS" "$G" "$T" > "$TMP/committed.after"
expect_file_eq "another counting configuration: committed offsets unchanged" \
    "$TMP/committed.after" "$TMP/committed.before"

expect_file_eq "exact: the run without crashes counts exactly" "$TMP/plain-exact.latest" "$TMP/exact"
expect_file_eq "exact: the crashed run counts exactly (kafka store)" "$TMP/ck-exact-kafka.latest" "$TMP/exact"
expect_file_eq "exact: the crashed run counts exactly (file store)" "$TMP/ck-exact-file.latest" "$TMP/exact"
finish
