#!/bin/sh
# /metrics, /healthz and /readyz of a running pipeline ([pipeline] metrics).
# The source reads a FIFO the test writes in two parts, so the pipeline is
# scraped twice at known points: the counters must equal what was written
# (frames, bytes, bad frames by reason) and what the frames say (the
# watermark is the highest ts minus lateness), and promtool must accept the
# text each time. Then a real Prometheus server scrapes sluice and its query
# API must return the series. Also: readiness while the source starts (its
# FIFO has no writer yet, so its init waits), a port in use, 404 and 405.
. "$top_srcdir/tests/lib.sh"

need() {
    command -v "$1" > /dev/null 2>&1 && return 0
    if [ "${CI:-}" = true ]; then
        echo "FAIL: $1 not found (./setup --tests installs $2)" >&2
        exit 1
    fi
    echo "SKIP: $1 not found (apt-get install $2)" >&2
    exit 77
}
need curl curl
need promtool prometheus
need jq jq
need python3 python3

# The option is documented where users look.
"$SLUICE" --describe pipeline > "$TMP/describe"
expect_grep "--describe pipeline" "$TMP/describe" "serve /metrics (Prometheus), /healthz and /readyz"
if grep -q '^  plugin ' "$TMP/describe"; then
    fail "--describe pipeline lists a plugin key"
fi

# The input: sample-a in two parts, three bad frames in the first.
zcat "$DATA/challenge-sample-a.jsonl.gz" > "$TMP/a.jsonl"
{
    head -n 1500 "$TMP/a.jsonl"
    echo 'not json at all'
    echo '{"ts":1468244384}'
    echo 'nor this'
} > "$TMP/part1"
tail -n +1501 "$TMP/a.jsonl" > "$TMP/part2"
bytes() { LC_ALL=C awk '{ n += length($0) } END { print n }' "$@"; }
max_ts() { jq -R 'fromjson? | .ts | numbers' "$@" | sort -n | tail -1; }

mkfifo "$TMP/in"
cat > "$TMP/m.ini" <<INI
[pipeline]
metrics = 127.0.0.1:0
[source]
plugin = stdin
path = $TMP/in
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
[transform.count]
plugin = distinct-count
key = uid
windows = minute, hour
lateness = 5s
[sink.out]
plugin = stdout
INI
"$SLUICE" --no-progress "$TMP/m.ini" > "$TMP/out" 2> "$TMP/err" &
pid=$!
trap 'rc_=$?; kill $pid 2> /dev/null || true; keep_or_remove_tmp $rc_' EXIT

WAIT_SHOW="$TMP/err"
has_port() { grep -q 'metrics on http://' "$TMP/err"; }
wait_until "the metrics log line" has_port
PORT=$(metrics_port "$TMP/err")
URL="http://127.0.0.1:$PORT"

# get PATH: the body to $TMP/body, the status to $code.
get() { code=$(curl -s -o "$TMP/body" -w '%{http_code}' "$URL$1"); }

# The source's init is waiting for a writer on the FIFO: alive, not ready.
get /healthz
expect_eq "starting: /healthz status" "$code" 200
get /readyz
expect_eq "starting: /readyz status" "$code" 503
expect_eq "starting: /readyz reason" "$(cat "$TMP/body")" "starting: the plugins are being started"

exec 3> "$TMP/in"
cat "$TMP/part1" >&3

# value NAME_AND_LABELS: the sample's value in $TMP/scrape.
value() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/scrape"; }
scrape() {
    curl -s -o "$TMP/scrape" "$URL/metrics"
    if ! promtool check metrics < "$TMP/scrape" > "$TMP/promtool" 2>&1; then
        fail "promtool check metrics ($1)"
        sed 's/^/  | /' "$TMP/promtool" >&2
    fi
}
# caught_up N WM: the source produced N frames and the watermark is WM.
caught_up() {
    scrape "waiting"
    [ "$(value sluice_source_records_total)" = "$1" ] &&
        [ "$(value 'sluice_watermark_seconds{stage="transform.count"}')" = "$2" ]
}

# check WHICH FRAMES BYTES WATERMARK: one scrape against the input so far.
check() {
    expect_eq "$1: records" "$(value sluice_source_records_total)" "$2"
    expect_eq "$1: bytes" "$(value sluice_source_bytes_total)" "$3"
    expect_eq "$1: extracted" \
        "$(value 'sluice_json_extract_extracted_total{stage="transform.extract"}')" "$(($2 - 3))"
    expect_eq "$1: counted" \
        "$(value 'sluice_distinct_count_frames_counted_total{stage="transform.count"}')" \
        "$(($2 - 3))"
    expect_eq "$1: errors of the extract stage, all reasons" \
        "$(awk '/^sluice_errors_total\{stage="transform.extract",/ { n += $2 } END { print n }' \
            "$TMP/scrape")" 3
    expect_eq "$1: the frame without uid" \
        "$(value 'sluice_errors_total{stage="transform.extract",reason="missing"}')" 1
    expect_eq "$1: watermark" "$(value 'sluice_watermark_seconds{stage="transform.count"}')" "$4"
    expect_eq "$1: ready gauge" "$(value sluice_ready)" 1
    for w in minute hour; do
        if [ -z "$(value "sluice_windows_open{stage=\"transform.count\",window=\"$w\"}")" ]; then
            fail "$1: no windows_open for $w"
        fi
    done
    expect_eq "$1: HELP and TYPE once per family" \
        "$(grep -c '^# TYPE sluice_errors_total counter$' "$TMP/scrape")" 1
}

WM1=$(($(max_ts "$TMP/part1") - 5))
wait_until "part 1 through the pipeline" caught_up 1503 "$WM1"
check "first scrape" 1503 "$(bytes "$TMP/part1")" "$WM1"
first_counted=$(value 'sluice_distinct_count_frames_counted_total{stage="transform.count"}')

get /readyz
expect_eq "running: /readyz status" "$code" 200
expect_eq "running: /readyz body" "$(cat "$TMP/body")" ready
get /healthz
expect_eq "running: /healthz" "$code $(cat "$TMP/body")" "200 ok"
get /nope
expect_eq "unknown path" "$code" 404
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/metrics")
expect_eq "POST" "$code" 405

# A second pipeline on the same port: a runtime error that says where.
sed "s/^metrics = .*/metrics = 127.0.0.1:$PORT/" "$TMP/m.ini" > "$TMP/busy.ini"
rc=0
"$SLUICE" --no-progress "$TMP/busy.ini" < /dev/null > /dev/null 2> "$TMP/busy.err" || rc=$?
expect_eq "port in use: exit code" "$rc" 1
expect_grep "port in use: message" "$TMP/busy.err" \
    "busy.ini:2: [pipeline] metrics = 127.0.0.1:$PORT: cannot listen: Address already in use"

cat "$TMP/part2" >&3
WM2=$(($(max_ts "$TMP/part1" "$TMP/part2") - 5))
wait_until "part 2 through the pipeline" caught_up 3003 "$WM2"
check "second scrape" 3003 "$(bytes "$TMP/part1" "$TMP/part2")" "$WM2"
expect_eq "counted more in the second scrape" \
    "$(($(value 'sluice_distinct_count_frames_counted_total{stage="transform.count"}') - first_counted))" 1500

# A real Prometheus scrapes sluice; its query API returns the series.
if command -v prometheus > /dev/null 2>&1; then
    PPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat > "$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: sluice
    static_configs:
      - targets: ['127.0.0.1:$PORT']
YML
    prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
        --web.listen-address="127.0.0.1:$PPORT" > "$TMP/prometheus.log" 2>&1 &
    ppid=$!
    trap 'rc_=$?; kill $pid $ppid 2> /dev/null || true; keep_or_remove_tmp $rc_' EXIT
    query() {
        curl -s -G "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" |
            jq -r '.data.result[0].value[1] // empty' 2> /dev/null
    }
    scraped() { [ "$(query sluice_source_records_total)" = 3003 ]; }
    wait_until "Prometheus to scrape sluice" scraped
    expect_eq "Prometheus: errors by reason" \
        "$(query 'sluice_errors_total{stage="transform.extract",reason="missing"}')" 1
    expect_eq "Prometheus: watermark" "$(query sluice_watermark_seconds)" "$WM2"
    kill $ppid
    wait $ppid 2> /dev/null || true
elif [ "${CI:-}" = true ]; then
    fail "prometheus not found (./setup --tests installs it)"
fi

exec 3>&-
rc=0
wait $pid || rc=$?
expect_eq "exit code after the input ended" "$rc" 0
expect_grep "final counters as before" "$TMP/err" "frames_counted=3000"
latest_counts "$TMP/out" minute > "$TMP/counts"
expect_file_eq "per-minute counts" "$TMP/counts" "$DATA/challenge-sample-a.minutes"

# The stdin source's position in a regular file (the progress line's "% of the file") is
# where the kernel says the descriptor is (/proc/PID/fdinfo): read_ahead = false, so nothing
# is read past the chunk being handed out while the sink blocks (a FIFO opened, not read).
# Once with path =, once on standard input that was already 100,000 bytes in.
zcat "$DATA/challenge-sample-a.jsonl.gz" > "$TMP/frames"
SIZE=$(wc -c < "$TMP/frames")
mkfifo "$TMP/blocked"
position_check() { # NAME LEAST_OFFSET LOG: sluice ($qpid) was started with stderr to LOG
    pname=$1
    plog=$3
    WAIT_SHOW="$plog"
    has_port() { grep -q 'metrics on http://' "$plog"; }
    wait_until "$pname: the metrics log line" has_port
    URL="http://127.0.0.1:$(metrics_port "$plog")"
    agrees() {
        # The descriptor the source reads: the one open on the frames file (the
        # metrics server may be up before the source opened it).
        pfd=
        for f in /proc/$qpid/fd/*; do
            [ "$(readlink "$f")" = "$TMP/frames" ] && pfd=${f##*/}
        done
        if [ -z "$pfd" ]; then
            echo "no descriptor of sluice's is open on the file yet" > "$TMP/pos.last"
            return 1
        fi
        rm -f "$TMP/scrape"
        curl -s -o "$TMP/scrape" "$URL/metrics"
        kpos=$(awk '$1 == "pos:" { print $2 }' "/proc/$qpid/fdinfo/$pfd")
        gpos=$(value 'sluice_input_position_bytes{stage="source"}' 2> /dev/null)
        echo "last seen: gauge ${gpos:-none}, the kernel's offset ${kpos:-none}" > "$TMP/pos.last"
        [ -n "$kpos" ] && [ "$kpos" = "$gpos" ] && [ "$kpos" -gt "$2" ]
    }
    WAIT_SHOW="$TMP/pos.last"
    wait_until "$pname: the position gauge at the kernel's offset" agrees "$pname" "$2"
    if [ "$kpos" -ge "$SIZE" ]; then
        fail "$pname: the sink did not block before the end of the file (at $kpos of $SIZE)"
    fi
    expect_eq "$pname: size gauge" "$(value 'sluice_input_size_bytes{stage="source"}')" "$SIZE"
    cat <&5 > /dev/null
    exec 5<&-
    rc=0
    wait $qpid || rc=$?
    expect_eq "$pname: exit code" "$rc" 0
}
cat > "$TMP/pos.ini" <<INI
[pipeline]
metrics = 127.0.0.1:0
[source]
plugin = stdin
path = $TMP/frames
read_ahead = false
buffer = 64K
batch = 16
[sink.out]
plugin = stdout
INI
# (The log first: opening the FIFO blocks until it has a reader.)
"$SLUICE" --no-progress "$TMP/pos.ini" 2> "$TMP/pos-path.err" > "$TMP/blocked" &
qpid=$!
exec 5< "$TMP/blocked"
position_check "path =" 0 "$TMP/pos-path.err"
sed '/^path = /d' "$TMP/pos.ini" > "$TMP/pos-stdin.ini"
exec 6< "$TMP/frames"
python3 -c 'import os; os.lseek(6, 100000, os.SEEK_SET)'
"$SLUICE" --no-progress "$TMP/pos-stdin.ini" <&6 2> "$TMP/pos-stdin.err" > "$TMP/blocked" &
qpid=$!
exec 6<&-
exec 5< "$TMP/blocked"
position_check "standard input 100,000 bytes in" 100000 "$TMP/pos-stdin.err"
finish
