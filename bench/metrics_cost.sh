#!/usr/bin/env bash
# bench/metrics_cost.sh — what the metrics endpoint costs a pipeline (issue 12).
#
#   bench/metrics_cost.sh [--runs N] [--build DIR] [--results FILE]
#
# The file pipeline of bench/run.sh (row 1a: stdin file -> json-extract -> distinct-count with
# six windows -> stdout, over the benchmark's 1,000,000 frames) four ways, round-robin, N runs
# each (default 7):
#   off/1s    no [pipeline] metrics; the scraper runs all the same, against a closed port
#   on/1s     metrics on, scraped every second (curl) from the moment the endpoint is up
#   off/50ms  as off/1s, every 50 ms
#   on/50ms   scraped every 50 ms: twenty times the asked-for rate, an upper bound
# and then, less exposed to other load on the machine, what one scrape costs sluice: the same
# pipeline fed the file's first 100,000 frames through a FIFO kept open (so its counters and
# gauges exist and it stays up), scraped 2000 times by one curl (keep-alive), its CPU time
# (/proc/PID/stat) read before and after.
# The scraper (a curl process per scrape) competes for the CPUs in both arms of a pair, so the
# difference within a pair is what serving /metrics costs. Reported: the median wall time and
# CPU time (user + sys of sluice alone) of each arm, the ratio on/off of each pair (medians of
# the same run), and the scrapes per run. Every run's results must equal the first run's (the
# endpoint must not change what is counted). Frames and build come from
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

# run ARM R: one timed run; appends "arm run wall cpu scrapes" to $WORK/raw. ARM is
# on/INTERVAL or off/INTERVAL.
run() {
    local arm=$1 r=$2 conf=$WORK/off.ini interval
    [[ ${arm%/*} == on ]] && conf=$WORK/on.ini
    case ${arm#*/} in 1s) interval=1 ;; 50ms) interval=0.05 ;; esac
    local tag=${arm/\//-}
    local out=$WORK/$tag.$r.out err=$WORK/$tag.$r.err t0 t1 scrapes=0 port=1
    : >"$err" # before the scraper reads it
    t0=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$WORK/$tag.$r.time" "$SLUICE" --no-progress "$conf" \
        >"$out" 2>"$err" &
    local pid=$!
    if [[ $conf == "$WORK/on.ini" ]]; then
        port=
        while kill -0 $pid 2>/dev/null && [[ -z $port ]]; do
            port=$(sed -n 's|.*metrics on http://127\.0\.0\.1:\([0-9]*\)/metrics.*|\1|p' "$err")
            [[ -z $port ]] && sleep 0.005
        done
    fi
    while kill -0 $pid 2>/dev/null; do
        curl -s -o /dev/null "http://127.0.0.1:$port/metrics" && scrapes=$((scrapes + 1))
        sleep "$interval"
    done
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
    cpu=$(awk '{ printf "%.3f", $1 + $2 }' "$WORK/$tag.$r.time")
    awk -v a="$arm" -v r="$r" -v ns=$((t1 - t0)) -v c="$cpu" -v s="$scrapes" \
        'BEGIN { printf "%s %s %.4f %s %s\n", a, r, ns / 1e9, c, s }' >>"$WORK/raw"
    say "$arm run $r: $(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", ns / 1e9 }') s wall, $cpu s CPU, $scrapes scrapes"
    rm -f "$out"
}

cat "$FILE" >/dev/null # warm the page cache
ARMS=(off/1s on/1s off/50ms on/50ms)
for ((r = 1; r <= RUNS; r++)); do
    for arm in "${ARMS[@]}"; do run "$arm" "$r"; done
done

# What one scrape costs: sluice's CPU ticks over 2000 scrapes of an idle pipeline.
SCRAPES=2000
rm -f "$WORK/fifo"
mkfifo "$WORK/fifo"
sed "s|^path = .*|path = $WORK/fifo|" "$WORK/on.ini" >"$WORK/idle.ini"
"$SLUICE" --no-progress "$WORK/idle.ini" >/dev/null 2>"$WORK/idle.err" &
idle_pid=$!
exec 5>"$WORK/fifo"
head -n 100000 "$FILE" >&5
port=
while [[ -z $port ]]; do
    port=$(sed -n 's|.*metrics on http://127\.0\.0\.1:\([0-9]*\)/metrics.*|\1|p' "$WORK/idle.err")
    [[ -z $port ]] && sleep 0.01
done
until curl -s "http://127.0.0.1:$port/metrics" | grep -q '^sluice_source_records_total 100000$'; do
    sleep 0.1
done
ticks() { awk '{ print $14 + $15 }' "/proc/$idle_pid/stat"; }
series=$(curl -s "http://127.0.0.1:$port/metrics" | grep -vc '^#')
bytes=$(curl -s "http://127.0.0.1:$port/metrics" | wc -c)
t_before=$(ticks)
curl -s -o /dev/null "http://127.0.0.1:$port/metrics?[1-$SCRAPES]"
t_after=$(ticks)
exec 5>&-
wait $idle_pid
hz=$(getconf CLK_TCK)
per_scrape_us=$(awk -v d=$((t_after - t_before)) -v hz="$hz" -v n=$SCRAPES 'BEGIN { printf "%.0f", d / hz / n * 1e6 }')
say "one scrape ($series series, $bytes bytes): $per_scrape_us us of sluice's CPU"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v a="$1" -v c="$2" '$1 == a { print $c }' "$WORK/raw" | median; }
{
    echo "# What serving /metrics costs (bench/metrics_cost.sh)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)," \
        "$(nproc) CPUs, load at the end $(cut -d' ' -f1-3 /proc/loadavg); $(wc -l <"$FILE") frames," \
        "six windows; $RUNS runs per arm, round-robin; medians. CPU: user + sys of sluice."
    echo
    echo "| arm | wall s | CPU s | wall on/off | CPU on/off | scrapes per run |"
    echo "|---|---:|---:|---:|---:|---:|"
    for arm in "${ARMS[@]}"; do
        w=$(col "$arm" 3) c=$(col "$arm" 4) s=$(col "$arm" 5)
        base=off/${arm#*/}
        ratio() { awk -v x="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", (x / b - 1) * 100 }'; }
        if [[ ${arm%/*} == on ]]; then
            rw=$(ratio "$w" "$(col "$base" 3)") rc=$(ratio "$c" "$(col "$base" 4)")
        else
            rw="" rc="" s="(closed port)"
        fi
        printf '| %s | %.3f | %.3f | %s | %s | %s |\n' "$arm" "$w" "$c" "$rw" "$rc" "$s"
    done
    echo
    echo "One scrape ($series series, $bytes bytes of text) costs sluice $per_scrape_us µs of CPU" \
        "($((t_after - t_before)) ticks of 1/$hz s over $SCRAPES scrapes of an idle pipeline, one" \
        "keep-alive connection): scraped every second, $(awk -v u="$per_scrape_us" 'BEGIN { printf "%.3f", u / 1e4 }')% of one CPU."
} | tee "$RESULTS"
say "report: $RESULTS (raw: $WORK/raw)"
