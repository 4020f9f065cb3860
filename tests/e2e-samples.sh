#!/bin/sh
# End to end on the challenge's sample files: stdin -> json-extract ->
# distinct-count -> stdout gives, for every minute, exactly the distinct uid
# counts computed by an independent parser (tests/data/*.minutes).
. "$top_srcdir/tests/lib.sh"

# pipeline FILE ALGORITHM LATENESS
pipeline() {
    cat <<INI
[pipeline]
name = e2e
[source]
plugin = stdin
path = $DATA/$1
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
on_error = fail
[transform.count]
plugin = distinct-count
key = uid
windows = minute
algorithm = $2
lateness = $3
[sink.out]
plugin = stdout
INI
}

for algorithm in exact sketch; do
    pipeline challenge-sample-a.jsonl.gz "$algorithm" 5s > "$TMP/a.ini"
    "$SLUICE" -q "$TMP/a.ini" > "$TMP/a.out"
    latest_counts "$TMP/a.out" minute > "$TMP/a.counts"
    expect_file_eq "sample-a per-minute counts ($algorithm)" "$TMP/a.counts" "$DATA/challenge-sample-a.minutes"
    expect_eq "sample-a: one final emission per minute ($algorithm)" \
        "$(jq -r 'select(.final and .revision == 0) | .start_ts' "$TMP/a.out" | sort | uniq -d | wc -l)" 0

    # Frames up to 10 s late: with lateness = 15s every window is final once
    # and exact, with no revision needed.
    pipeline challenge-sample-late.jsonl.gz "$algorithm" 15s > "$TMP/late.ini"
    "$SLUICE" -q "$TMP/late.ini" > "$TMP/late.out"
    latest_counts "$TMP/late.out" minute > "$TMP/late.counts"
    expect_file_eq "sample-late per-minute counts, lateness 15s ($algorithm)" "$TMP/late.counts" "$DATA/challenge-sample-late.minutes"
    expect_eq "sample-late, lateness 15s: no revisions ($algorithm)" \
        "$(jq -r 'select(.revision > 0) | .start_ts' "$TMP/late.out" | wc -l)" 0
done

# The same through a pipe, gzip detected on stdin.
sed -i 's|^path = .*||' "$TMP/a.ini"
"$SLUICE" -q "$TMP/a.ini" < "$DATA/challenge-sample-a.jsonl.gz" > "$TMP/pipe.out"
latest_counts "$TMP/pipe.out" minute > "$TMP/pipe.counts"
expect_file_eq "sample-a through a pipe" "$TMP/pipe.counts" "$DATA/challenge-sample-a.minutes"

# SIGTERM while the input is still open: every frame read so far is
# counted, open windows are flushed as final, exit 0.
mkfifo "$TMP/fifo"
( gzip -dc "$DATA/challenge-sample-a.jsonl.gz"; sleep 30 ) > "$TMP/fifo" &
writer=$!
sed 's|^path = .*||' "$TMP/a.ini" > "$TMP/sig.ini"
"$SLUICE" -q "$TMP/sig.ini" < "$TMP/fifo" > "$TMP/sig.out" 2> "$TMP/sig.err" &
pid=$!
# Wait until the first windows are out: all frames were read by then.
for _ in $(seq 1 100); do
    [ "$(wc -l < "$TMP/sig.out")" -ge 5 ] && break
    sleep 0.1
done
kill -TERM "$pid"
set +e
wait "$pid"; rc=$?
set -e
kill "$writer" 2> /dev/null || true
expect_eq "SIGTERM: exit 0" "$rc" 0
latest_counts "$TMP/sig.out" minute > "$TMP/sig.counts"
expect_file_eq "SIGTERM: open windows flushed as final" "$TMP/sig.counts" "$DATA/challenge-sample-a.minutes"

# Result records carry the documented fields.
jq -e 'select(.window == "minute") | has("window", "start", "end", "start_ts", "unique",
        "frames", "revision", "final", "estimator", "rse")' "$TMP/a.out" > /dev/null ||
    fail "result records carry every documented field"
expect_eq "frames counted" "$(jq -s 'map(select(.revision == 0) | .frames) | add' "$TMP/a.out")" 3000
finish
