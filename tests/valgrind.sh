#!/bin/sh
# The main pipeline under valgrind's memcheck: no invalid reads or writes, no
# uninitialised jumps, no definite leaks.
. "$top_srcdir/tests/lib.sh"

command -v valgrind > /dev/null || { echo "valgrind is not installed: skipped"; exit 77; }
if [ "${SLUICE_SANITIZERS:-no}" = yes ]; then
    echo "sanitizer build: valgrind cannot run it, skipped (the plain build runs this test)"
    exit 77
fi

cat > "$TMP/p.ini" <<INI
[source]
plugin = stdin
path = $DATA/challenge-sample-late.jsonl.gz
[transform.extract]
plugin = json-extract
on_error = dead-letter
[transform.count]
plugin = distinct-count
windows = minute, hour, day
lateness = 5s
[sink.out]
plugin = stdout
[sink.errors]
plugin = stdout
errors = true
INI
valgrind -q --error-exitcode=3 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    "$SLUICE" -q "$TMP/p.ini" > "$TMP/out" 2> "$TMP/vg" || {
    cat "$TMP/vg" >&2
    fail "valgrind reports errors"
}
[ -s "$TMP/out" ] || fail "the pipeline produced results"

# With the metrics endpoint and the progress line: their threads, scraped
# while the pipeline runs (its source waits on a FIFO until the scrape).
if command -v curl > /dev/null; then
    mkfifo "$TMP/in"
    sed -e "s|^path = .*|path = $TMP/in|" -e '1i [pipeline]\nmetrics = 127.0.0.1:0' \
        "$TMP/p.ini" > "$TMP/m.ini"
    valgrind -q --error-exitcode=3 --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite \
        "$SLUICE" --progress "$TMP/m.ini" > "$TMP/out" 2> "$TMP/vg" &
    vpid=$!
    exec 3> "$TMP/in"
    WAIT_SHOW="$TMP/vg"
    wait_until "the metrics log line" grep -q 'metrics on http://' "$TMP/vg"
    port=$(metrics_port "$TMP/vg")
    zcat "$DATA/challenge-sample-late.jsonl.gz" >&3
    curl -s "http://127.0.0.1:$port/metrics" > "$TMP/metrics"
    curl -s "http://127.0.0.1:$port/readyz" > /dev/null
    sleep 1.5 # a redraw of the progress line
    exec 3>&-
    rc=0
    wait $vpid || rc=$?
    if [ $rc -ne 0 ]; then
        cat "$TMP/vg" >&2
        fail "valgrind reports errors with metrics and progress (exit $rc)"
    fi
    grep -q '^sluice_source_records_total ' "$TMP/metrics" || fail "scraped under valgrind"
    [ -s "$TMP/out" ] || fail "the pipeline with metrics produced results"
fi
finish
