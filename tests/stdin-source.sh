#!/bin/sh
# The stdin source: \r\n line ends, a last line without newline, gzip, files,
# an over-long line becoming an error record (never a crash), empty input.
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

sed -i 's|^path = .*|path = /nonexistent/frames.jsonl|' "$TMP/file.ini"
set +e; "$SLUICE" "$TMP/file.ini" > /dev/null 2> "$TMP/err"; rc=$?; set -e
expect_eq "missing input file: exit 1" "$rc" 1
grep -q 'cannot open path = /nonexistent/frames.jsonl: No such file or directory' "$TMP/err" ||
    fail "missing input file message"
finish
