#!/usr/bin/env bash
# bench/metrics_cost.sh — what the metrics endpoint costs a pipeline (issue 12).
#
#   bench/metrics_cost.sh [--runs N] [--build DIR] [--results FILE]
#
# The file pipeline of bench/run.sh (row 1a: stdin file -> json-extract -> distinct-count with
# six windows -> stdout, over the benchmark's 1,000,000 frames) three ways, round-robin, N runs
# each (default 7):
#   off     no [pipeline] metrics
#   1s      metrics on, scraped every second from the moment the endpoint is up (curl)
#   50ms    scraped every 50 ms: twenty times the asked-for rate, an upper bound
# and reports the median wall time and CPU time (user + sys) of each, their ratio to "off" in
# the same run, and the scrapes per run. Every run's results must equal the first "off" run's
# (the endpoint must not change what is counted). Frames and build come from
# `bench/run.sh --prepare`. Not part of `make check`: speed is measured here, never asserted.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
RUNS=7
BUILD_ARG=()
DIR=${SLUICE_BENCH_DIR:-$HERE/out}
RESULTS=$DIR/metrics-cost.md
while [[ $# -gt 0 ]]; do
    case $1 in
    --runs) RUNS=${2:?--runs needs a number}; shift ;;
    --build) BUILD_ARG=(--build "${2:?--build needs a directory}"); shift ;;
    --results) RESULTS=${2:?--results needs a file}; shift ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "metrics_cost.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
say() { printf 'metrics_cost: %s\n' "$*" >&2; }
command -v curl >/dev/null || { say "needs curl"; exit 1; }

prep=$("$HERE/run.sh" --prepare "${BUILD_ARG[@]}") || { say "bench/run.sh --prepare failed"; exit 1; }
BUILD=$(sed -n 's/^build=//p' <<<"$prep")
FILE=$(sed -n 's/^file=//p' <<<"$prep")
SLUICE=$BUILD/host/sluice
WORK=$DIR/metrics-cost
rm -rf "$WORK"
mkdir -p "$WORK"

ini() { # metrics-line
    cat <<EOF
[pipeline]
name = metrics-cost
$1
[source]
plugin = stdin
path = $FILE
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
[transform.count]
plugin = distinct-count
key = uid
windows = minute, hour, day, week, month, year
[sink.results]
plugin = stdout
EOF
}
ini "" >"$WORK/off.ini"
ini "metrics = 127.0.0.1:0" >"$WORK/on.ini"

# run ARM R: one timed run; appends "arm run wall cpu scrapes" to $WORK/raw.
run() {
    local arm=$1 r=$2 conf=$WORK/on.ini interval=
    case $arm in off) conf=$WORK/off.ini ;; 1s) interval=1 ;; 50ms) interval=0.05 ;; esac
    local out=$WORK/$arm.$r.out err=$WORK/$arm.$r.err t0 t1 scrapes=0
    t0=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$WORK/$arm.$r.time" "$SLUICE" --no-progress "$conf" \
        >"$out" 2>"$err" &
    local pid=$!
    if [[ -n $interval ]]; then
        local port=
        while kill -0 $pid 2>/dev/null && [[ -z $port ]]; do
            port=$(sed -n 's|.*metrics on http://127\.0\.0\.1:\([0-9]*\)/metrics.*|\1|p' "$err")
            [[ -z $port ]] && sleep 0.005
        done
        while kill -0 $pid 2>/dev/null; do
            curl -s -o /dev/null "http://127.0.0.1:$port/metrics" && scrapes=$((scrapes + 1))
            sleep "$interval"
        done
    fi
    wait $pid
    local rc=$?
    t1=$(date +%s%N)
    [[ $rc -eq 0 ]] || { say "$arm run $r: exit $rc: $(tail -3 "$err")"; exit 1; }
    if [[ -f $WORK/reference.out ]]; then
        cmp -s "$out" "$WORK/reference.out" || { say "$arm run $r: results differ from the first run"; exit 1; }
    else
        cp "$out" "$WORK/reference.out"
    fi
    local cpu
    cpu=$(awk '{ printf "%.3f", $1 + $2 }' "$WORK/$arm.$r.time")
    printf '%s %s %.4f %s %s\n' "$arm" "$r" "$(((t1 - t0) / 1000))e-6" "$cpu" "$scrapes" >>"$WORK/raw"
    say "$arm run $r: $(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", ns / 1e9 }') s wall, $cpu s CPU, $scrapes scrapes"
    rm -f "$out"
}

cat "$FILE" >/dev/null # warm the page cache
for ((r = 1; r <= RUNS; r++)); do
    for arm in off 1s 50ms; do run "$arm" "$r"; done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v a="$1" -v c="$2" '$1 == a { print $c }' "$WORK/raw" | median; }
base_wall=$(col off 3)
base_cpu=$(col off 4)
{
    echo "# What scraping /metrics costs (bench/metrics_cost.sh)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)," \
        "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $(wc -l <"$FILE") frames," \
        "six windows, $RUNS runs per arm round-robin, medians."
    echo
    echo "| arm | wall s | CPU s | wall vs off | CPU vs off | scrapes per run |"
    echo "|---|---:|---:|---:|---:|---:|"
    for arm in off 1s 50ms; do
        w=$(col "$arm" 3) c=$(col "$arm" 4) s=$(col "$arm" 5)
        awk -v a="$arm" -v w="$w" -v c="$c" -v s="$s" -v bw="$base_wall" -v bc="$base_cpu" \
            'BEGIN { printf "| %s | %.3f | %.3f | %+.1f%% | %+.1f%% | %s |\n", a, w, c, (w / bw - 1) * 100, (c / bc - 1) * 100, s }'
    done
} | tee "$RESULTS"
say "report: $RESULTS (raw: $WORK/raw)"
