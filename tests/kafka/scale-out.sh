#!/bin/sh
# Scale-out on a consumer group: count instances with output = partials
# plus a sketch-merge instance give the numbers one instance gives, through
# joins, a SIGKILL and a replacement.
#
# 36,000 generated frames with late ones (3% up to 8 s late) go to a topic
# of 6 partitions in three slices while the pipelines run live; each
# partition ends with a frame 24 minutes later, so every window of the data
# closes in a live run (as in checkpoint-group.sh).
#
# (a) One instance reads the whole topic (stop_at_end, no checkpoints).
# (b) Count instance C1 starts alone (all 6 partitions); C2 and C3 join
#     while it counts the first slice (a rebalance: partitions move with
#     their state, through checkpoint = kafka); the second slice is
#     produced bit by bit and C2 is SIGKILLed while it counts it; C4 starts
#     at once and, after rdkafka.session.timeout.ms (6 s), C2's partitions
#     go to the survivors and C4, from C2's last checkpoint. Every count
#     instance sends partials to a compacted topic; one sketch-merge
#     instance turns them into results. Live runs: the count instances stop
#     on SIGTERM once every partition's end is committed (checkpoints cover
#     everything then).
#
# What must hold:
# - the latest result of every window of the data in (b)'s results topic
#   has the `unique` (and estimator) of (a), and in exact mode the exact
#   counts (tests/exact_windows.py);
# - nothing lost or counted twice per partition: the latest partial of
#   every (window, partition) carries exactly that partition's frames of the
#   window, counted from the frames topic (tests/kafka/partial_frames.py);
#   a lost frame makes it lower, a frame counted twice (a replay on top of
#   state that had it) higher;
# - a merge instance started afresh on the partials topic (start =
#   earliest, stop_at_end) rebuilds the same results: its state is that
#   topic.
. "$top_srcdir/tests/kafka/lib.sh"

command -v python3 > /dev/null || kafka_skip "python3 is needed"
for p in generate json-extract distinct-count sketch-merge kafka-out; do
    has_plugin "$p" || kafka_skip "the $p plugin is not built"
done
PF="$top_srcdir/tests/kafka/partial_frames.py"

cat > "$TMP/make.ini" <<INI
[source]
plugin = generate
count = 36000
rate = 100
users = 20000
delay = 8s
delay_prob = 0.03
seed = 21
[sink.out]
plugin = stdout
INI
"$SLUICE" -q "$TMP/make.ini" > "$TMP/frames.jsonl"
exact_windows "$TMP/frames.jsonl" > "$TMP/exact"
split -l 12000 "$TMP/frames.jsonl" "$TMP/slice."
split -l 1500 "$TMP/slice.ab" "$TMP/bit."

# counting: the extract and count sections of every count pipeline here
# (the count section last: keys may follow).
counting() {
    cat <<INI
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
mode = strict
[transform.count]
plugin = distinct-count
key = uid
windows = minute, hour
algorithm = $ALGORITHM
INI
}

# count_ini GROUP FRAMES PARTIALS
count_ini() {
    cat <<INI
[pipeline]
checkpoint = kafka
checkpoint_interval = 200ms
[source]
plugin = kafka-in
brokers = $BROKERS
topic = $2
group = $1
rdkafka.session.timeout.ms = 6000
$(counting)
output = partials
partial_interval = 300ms
[sink.partials]
plugin = kafka-out
brokers = $BROKERS
topic = $3
INI
}

# merge_ini GROUP PARTIALS [stop_at_end]: results to stdout
merge_ini() {
    cat <<INI
[pipeline]
checkpoint = none
[source]
plugin = kafka-in
brokers = $BROKERS
topic = $2
group = $1
start = earliest
stop_at_end = ${3:-false}
[transform.merge]
plugin = sketch-merge
windows = minute, hour
algorithm = $ALGORITHM
INI
}

# latest: "window start_ts unique estimator" of the last result of every
# window of the data, from JSON results in the order written, sorted.
latest() {
    jq -r '"\(.window) \(.start_ts) \(.unique) \(.estimator)"' |
        awk '{ last[$1 " " $2] = $0 } END { for (k in last) print last[k] }' | sort -k1,1 -k2,2n |
        awk 'NR == FNR { want[$1 " " $2] = 1; next } ($1 " " $2) in want' "$TMP/exact" -
}

# wait_log WHAT FILE PATTERN: until FILE has a line matching PATTERN.
log_has() { grep -q "$2" "$1" 2> /dev/null; }
wait_log() {
    WAIT_SHOW=$2 wait_until "$1" log_has "$2" "$3"
}

# stop NAME PID: SIGTERM, and the exit code must be 0.
stop() {
    kill -TERM "$2"
    src=0
    wait "$2" || src=$?
    expect_eq "$ALGORITHM: $1 stops on SIGTERM with exit 0" "$src" 0
}

for ALGORITHM in exact sketch; do
    F=$(topic "frames-$ALGORITHM")
    P=$(topic "partials-$ALGORITHM")
    R=$(topic "results-$ALGORITHM")
    G="count-$ALGORITHM-$RUN_ID"
    "$KAFKA_TOOL" create "$BROKERS" "$F" 6
    "$KAFKA_TOOL" create "$BROKERS" "$P" 3 cleanup.policy=compact
    "$KAFKA_TOOL" create "$BROKERS" "$R" 1 cleanup.policy=compact
    count_ini "$G" "$F" "$P" > "$TMP/count.ini"
    { merge_ini "merge-$ALGORITHM-$RUN_ID" "$P"; printf '[sink.results]\nplugin = kafka-out\nbrokers = %s\ntopic = %s\n' "$BROKERS" "$R"; } > "$TMP/merge.ini"
    L="$TMP/$ALGORITHM"

    "$SLUICE" "$TMP/merge.ini" > /dev/null 2> "$L-merge.err" &
    m=$!
    "$SLUICE" "$TMP/count.ini" > /dev/null 2> "$L-c1.err" &
    c1=$!
    wait_log "$ALGORITHM: C1 alone" "$L-c1.err" "assigned 6 partition(s)"
    produce "$F" < "$TMP/slice.aa"
    # C1 checkpoints every partition (so the joiners resume from checkpoints).
    for _ in $(seq 1 600); do
        [ "$("$KAFKA_TOOL" committed "$BROKERS" "$G" "$F" | awk '$2 > 0' | wc -l)" -eq 6 ] && break
        sleep 0.1
    done
    # C2 and C3 join while C1 counts: partitions move with their state.
    "$SLUICE" "$TMP/count.ini" > /dev/null 2> "$L-c2.err" &
    c2=$!
    "$SLUICE" "$TMP/count.ini" > /dev/null 2> "$L-c3.err" &
    c3=$!
    wait_log "$ALGORITHM: C2 joins" "$L-c2.err" "assigned [1-6] partition(s)"
    wait_log "$ALGORITHM: C3 joins" "$L-c3.err" "assigned [1-6] partition(s)"
    wait_log "$ALGORITHM: C2 resumes from a checkpoint" "$L-c2.err" \
        "partition(s) resume from their checkpoint"
    before=$(committed_sum "$G" "$F")
    # The second slice, bit by bit; C2 dies once the group has checkpointed
    # 3,000 of its frames (in the middle of it, unless the instances lag
    # behind the producer: then right after it, still before the third).
    kill_c2() {
        kill -KILL "$c2"
        wait "$c2" 2> /dev/null || true
        echo "$ALGORITHM: C2 SIGKILLed with $(committed_sum "$G" "$F") frames committed, $1"
        c2=
        "$SLUICE" "$TMP/count.ini" > /dev/null 2> "$L-c4.err" &
        c4=$!
    }
    for bit in "$TMP"/bit.*; do
        produce "$F" < "$bit"
        sleep 0.2
        if [ -n "$c2" ] && [ "$(committed_sum "$G" "$F")" -gt $((before + 3000)) ]; then
            kill_c2 "$(basename "$bit") of the second slice produced"
        fi
    done
    for _ in $(seq 1 600); do
        [ -n "$c2" ] || break
        [ "$(committed_sum "$G" "$F")" -gt $((before + 3000)) ] && kill_c2 "the second slice produced"
        sleep 0.1
    done
    [ -z "$c2" ] || fail "$ALGORITHM: the group did not count the second slice"
    produce "$F" < "$TMP/slice.ac"
    for p in 0 1 2 3 4 5; do
        echo '{"uid":"closer","ts":1468246200}' | "$KAFKA_TOOL" produce "$BROKERS" "$F" -p "$p"
    done
    partition_ends "$F" 6 > "$TMP/ends"
    [ "$(awk '{ s += $2 } END { print s }' "$TMP/ends")" = 36006 ] || fail "$ALGORITHM: 36006 frames in the topic"

    # Every partition's end committed: checkpoints cover all frames.
    for _ in $(seq 1 1200); do
        "$KAFKA_TOOL" committed "$BROKERS" "$G" "$F" > "$TMP/committed"
        cmp -s "$TMP/committed" "$TMP/ends" && break
        sleep 0.1
    done
    expect_file_eq "$ALGORITHM: the group commits every partition's end" "$TMP/committed" "$TMP/ends"
    grep -q "assigned [1-6] partition(s)" "$L-c4.err" || fail "$ALGORITHM: C4 was given partitions"
    expect_grep "$ALGORITHM: C4 resumed its partitions from checkpoints" "$L-c4.err" \
        "partition(s) resume from their checkpoint"

    # (a): one instance over the same topic.
    { cat <<INI
[source]
plugin = kafka-in
brokers = $BROKERS
topic = $F
group = single-$ALGORITHM-$RUN_ID
stop_at_end = true
[pipeline]
checkpoint = none
$(counting)
[sink.out]
plugin = stdout
INI
    } > "$TMP/single.ini"
    run_sluice -q "$TMP/single.ini"
    expect_eq "$ALGORITHM: single run: exit code" "$rc" 0
    latest < "$TMP/out" > "$L-single.latest"
    expect_eq "$ALGORITHM: the single run has every window of the data" \
        "$(wc -l < "$L-single.latest")" "$(wc -l < "$TMP/exact")"

    # (b)'s results: the merge stage has them once the partials are in
    # (at most partial_interval after the last frame); wait for them.
    for _ in $(seq 1 600); do
        consume "$R" > "$L-results.json"
        latest < "$L-results.json" > "$L-b.latest"
        cmp -s "$L-b.latest" "$L-single.latest" && break
        sleep 0.1
    done
    expect_file_eq "$ALGORITHM: the latest result of every window of (b) = (a)'s" \
        "$L-b.latest" "$L-single.latest"
    [ "$(jq -c 'select(.final != true)' "$L-results.json" | wc -l)" -eq 0 ] ||
        fail "$ALGORITHM: the merge stage emits final results only"

    for c in c1 c3 c4; do
        eval "stop $c \$$c"
    done
    stop merge "$m"
    echo "$ALGORITHM: lost assignments (librdkafka #4059, see kafka-in README):" \
        "$(cat "$L"-c*.err | grep -c 'lost [0-9]* partition')"
    echo "$ALGORITHM: $(consume "$P" '%k\n' | wc -l) partials written," \
        "$(consume "$P" '%k\n' | sort -u | wc -l) keys; $(wc -l < "$L-results.json") results"

    # Per partition: the latest partial holds exactly the partition's frames.
    consume "$P" '%k\t%R%s' | python3 "$PF" partials |
        awk 'NR == FNR { want[$1 " " $2] = 1; next } ($1 " " $2) in want' "$TMP/exact" - > "$L-partials"
    consume "$F" '%p\t%s\n' | python3 "$PF" frames |
        awk 'NR == FNR { want[$1 " " $2] = 1; next } ($1 " " $2) in want' "$TMP/exact" - > "$L-frames"
    expect_eq "$ALGORITHM: partials of every window and partition" \
        "$(wc -l < "$L-partials")" "$(($(wc -l < "$TMP/exact") * 6))"
    expect_file_eq "$ALGORITHM: every partition's last partial holds its frames, none twice" \
        "$L-partials" "$L-frames"

    # A merge stage started afresh rebuilds the results from the topic.
    merge_ini "rebuild-$ALGORITHM-$RUN_ID" "$P" true > "$TMP/rebuild.ini"
    printf '[sink.out]\nplugin = stdout\n' >> "$TMP/rebuild.ini"
    run_sluice -q "$TMP/rebuild.ini"
    expect_eq "$ALGORITHM: rebuild: exit code" "$rc" 0
    latest < "$TMP/out" > "$L-rebuild.latest"
    expect_file_eq "$ALGORITHM: a merge restarted on the partials topic gives (a)'s results" \
        "$L-rebuild.latest" "$L-single.latest"

    if [ "$ALGORITHM" = exact ]; then
        awk '{ print $1, $2, $3 }' "$L-b.latest" > "$L-b.counts"
        expect_file_eq "exact: (b) counts exactly" "$L-b.counts" "$TMP/exact"
    fi
done
finish
