#!/bin/sh
# The stdin source: \r\n line ends, a last line without newline, gzip, files,
# an over-long line becoming an error record (never a crash), empty input,
# truncated gzip, read_ahead on and off, SIGINT on a quiet pipe.
. "$top_srcdir/tests/lib.sh"

cat > "$TMP/print.ini" <<'INI'
[source]
plugin = stdin
max_frame = 64
[sink.out]
plugin = stdout
[sink.errors]
plugin = stdout
errors = true
path = ERRORS
INI
sed -i "s|ERRORS|$TMP/errors.jsonl|" "$TMP/print.ini"

printf 'one\r\ntwo\nthree' | "$SLUICE" -q "$TMP/print.ini" > "$TMP/out"
printf 'one\ntwo\nthree\n' > "$TMP/want"
expect_file_eq "CRLF and no final newline" "$TMP/out" "$TMP/want"

printf 'one\ntwo\nthree\n' | gzip -c | "$SLUICE" -q "$TMP/print.ini" > "$TMP/out"
expect_file_eq "gzip on stdin" "$TMP/out" "$TMP/want"

# Two concatenated gzip members, as `cat a.gz b.gz` makes.
{ printf 'one\ntwo\n' | gzip -c; printf 'three\n' | gzip -c; } > "$TMP/two.gz"
"$SLUICE" -q "$TMP/print.ini" < "$TMP/two.gz" > "$TMP/out"
expect_file_eq "concatenated gzip" "$TMP/out" "$TMP/want"

: | "$SLUICE" -q "$TMP/print.ini" > "$TMP/out"
expect_eq "empty input" "$(wc -c < "$TMP/out")" 0

# A 100-byte line with max_frame = 64: an error record, the rest goes on.
long=$(printf '%0100d' 7)
printf 'a\n%s\nb\n' "$long" | "$SLUICE" -q "$TMP/print.ini" > "$TMP/out"
printf 'a\nb\n' > "$TMP/want"
expect_file_eq "over-long line skipped from output" "$TMP/out" "$TMP/want"
expect_eq "over-long line dead-lettered" "$(jq -r '"\(.offset) \(.value | length) \(.error | startswith("frame longer than max_frame"))"' "$TMP/errors.jsonl")" "2 64 true"

# An over-long line that is the last line, and one spanning many reads.
rm -f "$TMP/errors.jsonl"
{ printf 'a\n'; head -c 3000000 /dev/zero | tr '\0' x; printf '\nb\n'; head -c 100 /dev/zero | tr '\0' y; } |
    "$SLUICE" -q "$TMP/print.ini" > "$TMP/out"
printf 'a\nb\n' > "$TMP/want"
expect_file_eq "3 MB line then a long last line" "$TMP/out" "$TMP/want"
expect_eq "both long lines dead-lettered" "$(jq -r .offset "$TMP/errors.jsonl" | tr '\n' ' ')" "2 4 "

# path = FILE, gzip, the challenge sample: every frame, byte for byte.
cat > "$TMP/file.ini" <<INI
[source]
plugin = stdin
path = $DATA/challenge-sample-late.jsonl.gz
[sink.out]
plugin = stdout
INI
"$SLUICE" -q "$TMP/file.ini" > "$TMP/out"
gzip -dc "$DATA/challenge-sample-late.jsonl.gz" | tr -d '\r' > "$TMP/want"
expect_file_eq "path = sample file (CRLF stripped)" "$TMP/out" "$TMP/want"

# read_ahead = true (a reader thread) and false give the same bytes: frames
# from a file, from gzip on a pipe (small chunks: max_frame = 4K, batch = 7),
# and a whole pipeline's results.
gzip -dc "$DATA/challenge-sample-a.jsonl.gz" > "$TMP/a.jsonl"
for ra in true false; do
    cat > "$TMP/ra.ini" <<INI
[source]
plugin = stdin
path = $TMP/a.jsonl
max_frame = 4K
batch = 7
read_ahead = $ra
[sink.out]
plugin = stdout
INI
    "$SLUICE" -q "$TMP/ra.ini" > "$TMP/ra-$ra.file"
    expect_file_eq "read_ahead = $ra: sample frames from a file" "$TMP/ra-$ra.file" "$TMP/a.jsonl"
    sed 's|^path = .*||' "$TMP/ra.ini" > "$TMP/ra-pipe.ini"
    "$SLUICE" -q "$TMP/ra-pipe.ini" < "$DATA/challenge-sample-a.jsonl.gz" > "$TMP/ra-$ra.pipe"
    expect_file_eq "read_ahead = $ra: sample frames from gzip on a pipe" "$TMP/ra-$ra.pipe" "$TMP/a.jsonl"
    sed -i 's|^\[sink.out\]|[transform.extract]\nplugin = json-extract\n[transform.count]\nplugin = distinct-count\nwindows = minute, hour\n[sink.out]|' "$TMP/ra.ini"
    "$SLUICE" -q "$TMP/ra.ini" > "$TMP/ra-$ra.results"
done
[ -s "$TMP/ra-true.results" ] || fail "read_ahead: the pipeline produced results"
expect_file_eq "read_ahead = true and false: identical results" "$TMP/ra-true.results" "$TMP/ra-false.results"

# Lines split across slow writes: the unfinished line is carried over.
{ printf 'on'; sleep 0.2; printf 'e\r\ntw'; sleep 0.2; printf 'o\nthree'; } |
    "$SLUICE" -q "$TMP/print.ini" > "$TMP/out"
printf 'one\ntwo\nthree\n' > "$TMP/want"
expect_file_eq "lines split across writes" "$TMP/out" "$TMP/want"

# Truncated gzip: the whole lines before the cut, then an error.
seq 1 20000 | gzip -c | head -c 10000 > "$TMP/cut.gz"
set +e; "$SLUICE" "$TMP/print.ini" < "$TMP/cut.gz" > "$TMP/out" 2> "$TMP/err"; rc=$?; set -e
expect_eq "truncated gzip: exit 1" "$rc" 1
n=$(wc -l < "$TMP/out")
grep -q "standard input: gzip input is truncated after line $n\$" "$TMP/err" ||
    fail "truncated gzip message"
seq 1 "$n" | cmp -s - "$TMP/out" || fail "truncated gzip: the whole lines before the cut"

# SIGINT while the reader thread waits on a quiet pipe: what came is
# written, exit 0, at once.
mkfifo "$TMP/fifo"
( printf 'one\ntwo\n'; sleep 30 ) > "$TMP/fifo" &
writer=$!
"$SLUICE" -q "$TMP/print.ini" < "$TMP/fifo" > "$TMP/out" 2> "$TMP/err" &
pid=$!
for _ in $(seq 1 50); do
    [ "$(wc -l < "$TMP/out")" -ge 2 ] && break
    sleep 0.1
done
kill -INT "$pid"
set +e; wait "$pid"; rc=$?; set -e
kill "$writer" 2> /dev/null || true
expect_eq "SIGINT on a quiet pipe: exit 0" "$rc" 0
printf 'one\ntwo\n' > "$TMP/want"
expect_file_eq "SIGINT on a quiet pipe: frames written" "$TMP/out" "$TMP/want"

sed -i 's|^path = .*|path = /nonexistent/frames.jsonl|' "$TMP/file.ini"
set +e; "$SLUICE" "$TMP/file.ini" > /dev/null 2> "$TMP/err"; rc=$?; set -e
expect_eq "missing input file: exit 1" "$rc" 1
grep -q 'cannot open path = /nonexistent/frames.jsonl: No such file or directory' "$TMP/err" ||
    fail "missing input file message"
finish
