#!/usr/bin/env bash
# bench/scale.sh — scale-out on one machine (issue 10): frames/s of 1, 2 and 3 count instances
# in one consumer group, the merge stage's CPU, and the partials topic's bytes per window.
#
#   bench/scale.sh [--runs N] [--count N] [--build DIR]     -> bench/RESULTS-scale.md
#
# Not part of `make check`. What it does:
#   1. generates conf/generate-frames.ini's frames (1,000,000, ~2 GB; --count changes it) once
#      into $SLUICE_SCALE_DIR (default bench/out/scale), reused while the count is the same;
#   2. uses the broker $SLUICE_KAFKA_BOOTSTRAP, or starts tests/kafka/broker.sh with its own
#      state dir there (stopped at the end); creates the 6-partition topic scale-frames-COUNT
#      and produces the file into it with kcat (frames spread over the partitions), unless
#      the broker has it already;
#   3. per run, round-robin over N = 1, 2, 3 (run 1 of each, then run 2, ...): a merge
#      instance (conf/scale-merge.ini, live) on a fresh partials topic, then N count instances
#      (conf/scale-count.ini: six windows, checkpoint = kafka with checkpoint_interval = 1s,
#      partial_interval = 1s) in a fresh group, started together, live. Done when the group's committed offsets (made only by checkpoints) reach
#      every partition's end; then SIGTERM. (Not stop_at_end: with cooperative rebalancing an
#      instance that is first given no partitions ends at once.) Timed:
#        wall      the first count instance's start to the end being committed;
#        counting  the first partition assignment (from the instances' logs) to the same;
#        frames/s  the topic's frames over `counting` (and over `wall`); both include up to
#                  checkpoint_interval between the last frame counted and its commit;
#      the count instances' CPU (utime + stime from /proc/PID/stat just before SIGTERM); the
#      merge instance's CPU (the same) once it has read every partial (its group's commits
#      reach the partials topic's end);
#      the partials written and their bytes, and the latest partial of every (window,
#      partition) — what a compacted partials topic keeps; and checks the answer: every window
#      the merge stage closed has the latest `unique` of run 1 with N = 1;
#   4. writes the medians to bench/RESULTS-scale.md (bench/scale_report.py; the raw runs to
#      bench/data/scale.tsv).
#
# Options: --runs N (default 5), --count N (frames, default 1,000,000), --build DIR (a build
# directory with host/sluice and tests/kafka/kafka-tool; default build/).
set -euo pipefail
trap 'echo "bench/scale.sh: failed at line $LINENO" >&2' ERR

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
RUNS=5
COUNT=1000000
BUILD=${SLUICE_BENCH_BUILD:-$REPO/build}
while [[ $# -gt 0 ]]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --count) COUNT=$2; shift 2 ;;
        --build) BUILD=$2; shift 2 ;;
        *) echo "usage: bench/scale.sh [--runs N] [--count N] [--build DIR]" >&2; exit 2 ;;
    esac
done
DIR=${SLUICE_SCALE_DIR:-$HERE/out/scale}
mkdir -p "$DIR"
SLUICE=$BUILD/host/sluice
KAFKA_TOOL=$BUILD/tests/kafka/kafka-tool
[[ -x $SLUICE ]] || { echo "bench/scale.sh: no $SLUICE: build first (or --build DIR)" >&2; exit 1; }
[[ -x $KAFKA_TOOL ]] || make -C "$BUILD" tests/kafka/kafka-tool > /dev/null
command -v kcat > /dev/null || { echo "bench/scale.sh: kcat is needed (apt-get install kcat)" >&2; exit 1; }
command -v jq > /dev/null || { echo "bench/scale.sh: jq is needed" >&2; exit 1; }
ID=$(date +%s)
log() { echo "scale: $*" >&2; }

# 1. Frames.
FRAMES=$DIR/frames-$COUNT.jsonl
if [[ ! -s $FRAMES ]]; then
    log "generating $COUNT frames into $FRAMES"
    sed "s/^count = .*/count = $COUNT/" "$REPO/conf/generate-frames.ini" > "$DIR/gen.ini"
    "$SLUICE" -q "$DIR/gen.ini" > "$FRAMES.tmp"
    mv "$FRAMES.tmp" "$FRAMES"
fi

# 2. Broker and topic.
STARTED_BROKER=
if [[ -n ${SLUICE_KAFKA_BOOTSTRAP:-} ]]; then
    B=$SLUICE_KAFKA_BOOTSTRAP
else
    B=$(SLUICE_KAFKA_DIR=$DIR/kafka "$REPO/tests/kafka/broker.sh" start 2> "$DIR/broker.err" | tail -1)
    STARTED_BROKER=1
fi
cleanup() {
    jobs -p | xargs -r kill 2> /dev/null || true
    [[ -z $STARTED_BROKER ]] || SLUICE_KAFKA_DIR=$DIR/kafka "$REPO/tests/kafka/broker.sh" stop 2> /dev/null || true
}
trap cleanup EXIT
T=scale-frames-$COUNT
ends() { kcat -Q -b "$B" $(seq 0 5 | sed "s|.*|-t $T:&:-1|") 2> /dev/null |
    sed -n 's/.*\] offset \([0-9]*\).*/\1/p' | paste -sd+ | bc; }
if [[ $(ends) != "$COUNT" ]]; then
    "$KAFKA_TOOL" create "$B" "$T" 6
    log "producing $FRAMES to $T (6 partitions) on $B"
    p0=$(date +%s.%N)
    kcat -P -b "$B" -t "$T" -X sticky.partitioning.linger.ms=0 -X linger.ms=20 \
        -X batch.num.messages=10000 -X queue.buffering.max.kbytes=1048576 < "$FRAMES"
    log "produced in $(echo "$(date +%s.%N) - $p0" | bc) s"
fi
[[ $(ends) == "$COUNT" ]] || { echo "bench/scale.sh: $(ends) frames in $T, want $COUNT" >&2; exit 1; }
FRAME_BYTES=$(( $(stat -c %s "$FRAMES") / COUNT ))

count_ini() { # GROUP PARTIALS
    sed -e "s|^brokers = .*|brokers = $B|" -e "s|^topic = frames\$|topic = $T|" \
        -e "s|^group = .*|group = $1|" -e "s|^topic = unique-users-partials|topic = $2|" \
        -e "s|^topic = frames-dlq|topic = $2-dlq|" -e "s|^checkpoint = kafka|&\ncheckpoint_interval = 1s|" \
        "$REPO/conf/scale-count.ini"
}
merge_ini() { # GROUP PARTIALS RESULTS
    sed -e "s|^brokers = .*|brokers = $B|" -e "s|^topic = unique-users-partials|topic = $2|" \
        -e "s|^group = .*|group = $1|" -e "s|^topic = unique-users\$|topic = $3|" \
        "$REPO/conf/scale-merge.ini"
}
# iso_ms "2026-12-01T05:16:03.390Z ..." -> epoch ms of the log line
iso_ms() { date -d "$(echo "$1" | cut -d' ' -f1)" +%s%3N; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
# stopped PID: wait for a SIGTERMed instance; after 40 s SIGKILL it and count it in $DIR/hung.
# (Seen: librdkafka 2.0.2's rd_kafka_destroy spinning forever in kafka-in's close after a
# cooperative rebalance; the checkpoint was written before, so nothing is lost.)
stopped() {
    for _ in $(seq 1 400); do
        kill -0 "$1" 2> /dev/null || break
        sleep 0.1
    done
    if kill -0 "$1" 2> /dev/null; then
        kill -KILL "$1" 2> /dev/null || true
        echo "$1" >> "$DIR/hung"
    fi
    wait "$1" 2> /dev/null || true
}

TSV=$DIR/scale-$ID.tsv
printf 'run\tn\twall_s\tcounting_s\tframes_in\tcount_cpu_s\tmerge_cpu_s\tpartials\tpartial_bytes\twindows\tlatest_bytes\tload1\n' > "$TSV"
for r in $(seq 1 "$RUNS"); do
    for n in 1 2 3; do
        tag=$n-$r-$ID
        P=scale-partials-$tag
        R=scale-results-$tag
        "$KAFKA_TOOL" create "$B" "$P" 3 cleanup.policy=compact
        "$KAFKA_TOOL" create "$B" "$R" 1 cleanup.policy=compact
        count_ini "scale-count-$tag" "$P" > "$DIR/count.ini"
        merge_ini "scale-merge-$tag" "$P" "$R" > "$DIR/merge.ini"
        "$SLUICE" --no-progress "$DIR/merge.ini" > /dev/null 2> "$DIR/merge.err" &
        m=$!
        sleep 1
        t0=$(date +%s%3N)
        pids=()
        for i in $(seq 1 "$n"); do
            "$SLUICE" --no-progress "$DIR/count.ini" > /dev/null 2> "$DIR/c$i.err" &
            pids+=($!)
        done
        # Done: the group's commits (checkpoints) reach every partition's end.
        for _ in $(seq 1 3000); do
            got=$("$KAFKA_TOOL" committed "$B" "scale-count-$tag" "$T" | awk '$2 > 0 { s += $2 } END { print s + 0 }')
            [[ $got -ge $COUNT ]] && break
            sleep 0.2
        done
        t1=$(date +%s%3N)
        [[ $got -ge $COUNT ]] || { echo "bench/scale.sh: the group did not finish in 10 minutes" >&2; exit 1; }
        # The last changes go out as partials within partial_interval (1 s): let them, so
        # that the merge stage (which emits every open window when it stops) has them all.
        sleep 2
        # CPU (user + system) of each instance, read just before it is told to stop.
        cpu=0
        for p in "${pids[@]}"; do cpu=$(echo "scale=3; $cpu + $(ticks "$p") / $HZ" | bc); done
        for p in "${pids[@]}"; do kill -TERM "$p" 2> /dev/null || true; done
        for p in "${pids[@]}"; do stopped "$p"; done
        first=$(grep -h "assigned [1-9][0-9]* partition" "$DIR"/c[1-$n].err | sort | head -1)
        [[ -n $first ]] || { echo "bench/scale.sh: no count instance was assigned partitions:" >&2; tail "$DIR"/c*.err >&2; exit 1; }
        counting=$(( t1 - $(iso_ms "$first") ))
        frames_in=$(cat "$DIR"/c[1-$n].err | sed -n 's/.*\[source:kafka-in:source\] frames=\([0-9]*\).*/\1/p' | paste -sd+ | bc)
        # The merge instance: until its group's commits reach the partials' end.
        pend=$(kcat -Q -b "$B" -t "$P:0:-1" -t "$P:1:-1" -t "$P:2:-1" |
            sed -n 's/.*\] offset \([0-9]*\).*/\1/p' | paste -sd+ | bc)
        for _ in $(seq 1 300); do
            got=$("$KAFKA_TOOL" committed "$B" "scale-merge-$tag" "$P" | awk '$2 > 0 { s += $2 } END { print s + 0 }')
            [[ $got -ge $pend ]] && break
            sleep 0.1
        done
        mcpu=$(echo "scale=3; $(ticks "$m") / $HZ" | bc)
        kill -TERM "$m"
        stopped "$m"
        kcat -C -b "$B" -t "$P" -o beginning -e -q -f '%k %S\n' > "$DIR/partials"
        npart=$(wc -l < "$DIR/partials")
        pbytes=$(awk '{ s += $2 } END { print s }' "$DIR/partials")
        awk '{ last[$1] = $2 } END { for (k in last) print k, last[k] }' "$DIR/partials" > "$DIR/latest"
        windows=$(awk '{ split($1, a, "/"); w[a[1] "/" a[2]] = 1 } END { print length(w) }' "$DIR/latest")
        lbytes=$(awk '{ s += $2 } END { print s }' "$DIR/latest")
        kcat -C -b "$B" -t "$R" -o beginning -e -q | jq -r '"\(.window) \(.start_ts) \(.unique)"' |
            awk '{ last[$1 " " $2] = $3 } END { for (k in last) print k, last[k] }' | sort > "$DIR/results-$n-$r"
        # Every window both this run's and run 1's merge stage closed: the same latest unique.
        diffs=$(join <(awk '{ print $1 "/" $2, $3 }' "$DIR/results-1-1" | sort) <(awk '{ print $1 "/" $2, $3 }' "$DIR/results-$n-$r" | sort) |
            awk '$2 != $3' | wc -l)
        both=$(join <(awk '{ print $1 "/" $2 }' "$DIR/results-1-1" | sort) <(awk '{ print $1 "/" $2 }' "$DIR/results-$n-$r" | sort) | wc -l)
        [[ $diffs -eq 0 && $both -ge 1 ]] ||
            { echo "bench/scale.sh: run $r with $n instance(s): $diffs of $both windows differ from run 1 with 1" >&2; exit 1; }
        load=$(cut -d' ' -f1 /proc/loadavg)
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$n" \
            "$(echo "scale=3; ($t1 - $t0) / 1000" | bc)" "$(echo "scale=3; $counting / 1000" | bc)" \
            "$frames_in" "$cpu" "$mcpu" "$npart" "$pbytes" "$windows" "$lbytes" "$load" >> "$TSV"
        log "run $r, $n instance(s): $(tail -1 "$TSV")"
    done
done
mkdir -p "$HERE/data"
cp "$TSV" "$HERE/data/scale.tsv"
nwin=$(wc -l < "$DIR/results-1-1")

# 4. The report: medians per N.
python3 "$HERE/scale_report.py" "$TSV" "$COUNT" "$HERE/RESULTS-scale.md" "$nwin" "$RUNS" "$FRAME_BYTES"
log "wrote $HERE/RESULTS-scale.md"
