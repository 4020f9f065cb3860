#!/bin/sh
# The progress line, through a pseudo-terminal (script(1) from util-linux):
# on a terminal sluice redraws one status line about once a second ("\r",
# erase to the end of the line), and erases it before log lines and at the
# end; the final counters follow as always. Not on a terminal, or with
# --no-progress, there is none.
#   1. generate -> json-extract -> distinct-count until SIGTERM: frames,
#      frames/s, MB/s, the watermark's time (of the generated event times),
#      windows open; the frame count grows from one redraw to the next.
#   2. stdin reading a file into a sink that blocks (a FIFO nobody reads
#      yet): the position is a percent of the file strictly between 0 and
#      100, with the time left.
. "$top_srcdir/tests/lib.sh"
command -v script > /dev/null 2>&1 || {
    echo "SKIP: script not found (util-linux)" >&2
    exit 77
}

WAIT_SHOW="$TMP/tty"
# on_tty OUT ARGS...: run sluice ARGS in a pseudo-terminal (its stdout to
# OUT), in the background; what the terminal shows goes to $TMP/tty, the
# pid of sluice to $TMP/pid.
on_tty() {
    out=$1
    shift
    rm -f "$TMP/pid"
    script -q -e -c "echo \$\$ > '$TMP/pid'; exec '$SLUICE' $* > '$out'" /dev/null \
        < /dev/null > "$TMP/tty" 2>&1 &
    spid=$!
}
# lines: the redrawn status lines seen so far, one per line.
lines() { tr '\r' '\n' < "$TMP/tty" | sed 's/\x1b\[K//g' | grep '^sluice: ' || true; }
redraws() { [ "$(lines | wc -l)" -ge "$1" ]; }

cat > "$TMP/gen.ini" <<'INI'
[source]
plugin = generate
count = 0
start_ts = 1468244384
[transform.extract]
plugin = json-extract
[transform.count]
plugin = distinct-count
windows = minute, hour
[sink.out]
plugin = stdout
INI
on_tty /dev/null "$TMP/gen.ini"
wait_until "three redraws" redraws 3
kill -TERM "$(cat "$TMP/pid")"
rc=0
wait $spid || rc=$?
expect_eq "generate: exit code" "$rc" 0
lines > "$TMP/lines"
pattern='^sluice: [0-9.]+[kMG]? frames  [0-9.]+[kMG]? frames/s  [0-9]+\.[0-9] MB/s  watermark 2016-07-1[1-9]T[0-9:]{8}Z  [0-9]+ windows? open$'
if grep -Evq "$pattern" "$TMP/lines"; then
    fail "generate: a status line unlike '$pattern':"
    grep -Ev "$pattern" "$TMP/lines" >&2
fi
expect_eq "generate: each redraw starts with \\r and ends erasing the line" \
    "$(grep -o "$(printf '\r')sluice: [^$(printf '\033')]*$(printf '\033')\[K" "$TMP/tty" | wc -l)" \
    "$(wc -l < "$TMP/lines")"
# Frames only grow: compare the first and the last count (k/M suffixes).
frames() { sed -n 's/^sluice: \([0-9.]*[kMG]*\) frames.*/\1/p' |
    awk '{ v = $1 + 0; if ($1 ~ /k/) v *= 1e3; if ($1 ~ /M/) v *= 1e6; if ($1 ~ /G/) v *= 1e9; print v }'; }
first=$(head -1 "$TMP/lines" | frames)
last=$(tail -1 "$TMP/lines" | frames)
if [ "$(awk -v a="$first" -v b="$last" 'BEGIN { print (b > a) }')" != 1 ]; then
    fail "generate: the frame count did not grow ($first then $last)"
fi
# The line is erased before the log line that follows it, and at the end.
if ! tr '\r' '\n' < "$TMP/tty" | grep -q "^$(printf '\033')\[K.*\[host\] stop requested"; then
    fail "generate: the status line was not erased before the log line"
    cat -v "$TMP/tty" | tail -8 >&2
fi
expect_grep "generate: final counters" "$TMP/tty" "[transform:distinct-count:count] frames_counted="

# 2. A file, and a sink that blocks: a percent of the file, time left.
zcat "$DATA/challenge-sample-a.jsonl.gz" > "$TMP/frames"
mkfifo "$TMP/sink"
cat > "$TMP/file.ini" <<INI
[source]
plugin = stdin
path = $TMP/frames
read_ahead = false
buffer = 64K
batch = 16
[sink.out]
plugin = stdout
INI
on_tty "$TMP/sink" "$TMP/file.ini"
exec 4< "$TMP/sink" # opened, not read: the sink blocks once the pipe is full
wait_until "two redraws" redraws 2
lines > "$TMP/lines"
last=$(tail -1 "$TMP/lines")
pct=$(echo "$last" | sed -n 's/.*  \([0-9.]*\)% of the file, \([0-9:?]*\) left.*/\1/p')
if [ -z "$pct" ]; then
    fail "file: no '% of the file, ... left' in: $last"
elif [ "$(awk -v p="$pct" 'BEGIN { print (p > 0 && p < 100) }')" != 1 ]; then
    fail "file: $pct% is not between 0 and 100 while the sink blocks"
fi
cat <&4 > "$TMP/written"
exec 4<&-
rc=0
wait $spid || rc=$?
expect_eq "file: exit code" "$rc" 0
expect_eq "file: every frame written" "$(wc -l < "$TMP/written")" 3000

# 3. --no-progress on a terminal, and no terminal: no status line.
on_tty /dev/null --no-progress "$TMP/file.ini"
wait $spid
expect_eq "--no-progress: no status line" "$(lines | wc -l)" 0
"$SLUICE" "$TMP/file.ini" > /dev/null 2> "$TMP/err"
expect_eq "not a terminal: no carriage return" "$(tr -cd '\r' < "$TMP/err" | wc -c)" 0
finish
