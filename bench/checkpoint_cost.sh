#!/usr/bin/env bash
# bench/checkpoint_cost.sh — what checkpoints cost (issue 9).
#
# The Kafka pipeline of bench/run.sh (kafka-in -> json-extract -> distinct-count, six windows
# -> kafka-out, stop_at_end) over FRAMES generated challenge frames in a one-partition topic,
# with checkpoint = none, = kafka (the compacted state topic; the default with kafka-in) and
# = file:DIR, each every INTERVAL, the runs interleaved (none, kafka, file, none, ...) so the
# machine's other load falls on all alike. Reports the median frames/s of each, its ratio to
# none, and from the host's debug log the checkpoints taken, their size and their time.
# A second table does the same for the file pipeline (stdin with path =, file:DIR).
#
#   bench/checkpoint_cost.sh [--frames N] [--runs N] [--interval 5s] [--build DIR]
# Writes bench/RESULTS-checkpoints.md (and keeps its work in $SLUICE_BENCH_DIR, default
# /tmp/sluice-bench-checkpoints). Needs kcat and the repo's broker script (Java, Maven).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
FRAMES=1000000 RUNS=5 INTERVAL=5s BUILD=$SRC/build
while [[ $# -gt 0 ]]; do
    case $1 in
    --frames) FRAMES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --interval) INTERVAL=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "checkpoint_cost.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
SLUICE=$BUILD/host/sluice
[[ -x $SLUICE ]] || { echo "no $SLUICE: build first (./setup)" >&2; exit 2; }
command -v kcat >/dev/null || { echo "kcat is needed (apt-get install kcat)" >&2; exit 2; }
DIR=${SLUICE_BENCH_DIR:-/tmp/sluice-bench-checkpoints}
mkdir -p "$DIR"
say() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

FILE=$DIR/frames-$FRAMES.jsonl
if [[ ! -s $FILE ]]; then
    say "generating $FRAMES frames"
    sed "s/^count = .*/count = $FRAMES/" "$SRC/conf/generate-frames.ini" >"$DIR/gen.ini"
    "$SLUICE" -q "$DIR/gen.ini" >"$FILE"
fi
export SLUICE_KAFKA_DIR=$DIR/kafka
BROKER=$("$SRC/tests/kafka/broker.sh" start 2>"$DIR/broker.log" | tail -n1)
trap '"$SRC/tests/kafka/broker.sh" stop >/dev/null 2>&1 || true' EXIT
TOPIC=frames-$FRAMES
if ! kcat -Q -b "$BROKER" -t "$TOPIC:0:-1" 2>/dev/null | grep -q " $FRAMES\$"; then
    say "producing to $TOPIC"
    kcat -P -b "$BROKER" -t "$TOPIC" -l -X linger.ms=100 -X batch.num.messages=10000 \
        -X queue.buffering.max.kbytes=1048576 -X queue.buffering.max.messages=1000000 "$FILE"
fi

# conf NAME SOURCE-KIND CHECKPOINT RUN
conf() {
    local src sink
    if [[ $2 == kafka ]]; then
        src="plugin = kafka-in
brokers = $BROKER
topic = $TOPIC
group = ck-$1-$4-$$
start = earliest
stop_at_end = true"
        sink="plugin = kafka-out
brokers = $BROKER
topic = ck-results-$1-$4-$$"
    else
        src="plugin = stdin
path = $FILE"
        sink="plugin = stdout"
    fi
    cat <<INI
[pipeline]
checkpoint = $3
checkpoint_interval = $INTERVAL
[source]
$src
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
[transform.count]
plugin = distinct-count
key = uid
windows = minute, hour, day, week, month, year
[sink.results]
$sink
INI
}

# run KIND STORE-NAME CHECKPOINT R: one timed run; appends "kind store wall checkpoints bytes ms".
run() {
    local d=$DIR/$1-$2
    mkdir -p "$d"
    rm -rf "$d/ck"
    conf "$2" "$1" "$3" "$4" >"$d/run$4.ini"
    local t0 t1
    t0=$(date +%s%N)
    "$SLUICE" --log-level debug "$d/run$4.ini" >/dev/null 2>"$d/err.$4" ||
        { echo "run failed:" >&2; tail -5 "$d/err.$4" >&2; exit 1; }
    t1=$(date +%s%N)
    awk -v k="$1" -v s="$2" -v ns=$((t1 - t0)) '
        /checkpoint \(/ { n++; b = $(NF - 4); ms = $(NF - 1); tb += b; tms += ms }
        END { printf "%s %s %.4f %d %d %.2f\n", k, s, ns / 1e9, n, n ? tb / n : 0, n ? tms / n : 0 }' \
        "$d/err.$4" >>"$DIR/raw.txt"
    say "$(tail -n1 "$DIR/raw.txt")"
}

: >"$DIR/raw.txt"
for r in $(seq 1 "$RUNS"); do
    for kind in kafka file; do
        run "$kind" none none "$r"
        [[ $kind == kafka ]] && run "$kind" kafka kafka "$r"
        run "$kind" file "file:$DIR/$kind-file/ck" "$r"
    done
done

{
    echo "# What checkpoints cost"
    echo
    echo "bench/checkpoint_cost.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores;"
    echo "$FRAMES frames ($(($(stat -c %s "$FILE") / 1000000)) MB), six windows, checkpoint_interval = $INTERVAL, median of $RUNS runs each, runs interleaved."
    echo "Checkpoints per run include the one at the end of the input; size and time are per checkpoint (host debug log)."
    echo
    echo "| pipeline | checkpoint | frames/s | vs none | checkpoints per run | bytes per checkpoint | ms per checkpoint |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    for kind in kafka file; do
        base=$(awk -v k=$kind '$1 == k && $2 == "none" { print $3 }' "$DIR/raw.txt" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
        for store in none kafka file; do
            rows=$(awk -v k=$kind -v s=$store '$1 == k && $2 == s' "$DIR/raw.txt")
            [[ -z $rows ]] && continue
            med() { echo "$rows" | awk -v c="$1" '{ print $c }' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
            wall=$(med 3)
            printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$kind" "$store" \
                "$(awk -v f="$FRAMES" -v w="$wall" 'BEGIN { printf "%.0f", f / w }')" \
                "$(awk -v b="$base" -v w="$wall" 'BEGIN { printf "%.1f%%", 100 * b / w }')" \
                "$(med 4)" "$(med 5)" "$(med 6)"
        done
    done
} >"$SRC/bench/RESULTS-checkpoints.md"
cat "$SRC/bench/RESULTS-checkpoints.md"
