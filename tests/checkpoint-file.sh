#!/bin/sh
# Checkpoints in a file store (checkpoint = file:DIR) with a file source: a
# replay killed with SIGKILL at random moments while it works and restarted
# each time ends with the same latest revision of every window as a run that
# never crashed, and as an independent exact count (tests/exact_windows.py).
# Then what a user can get wrong: corrupt, truncated and foreign checkpoints,
# a pipe, a store the source cannot have.
. "$top_srcdir/tests/lib.sh"

command -v python3 > /dev/null || { echo "python3 is needed" >&2; exit 77; }

# Frames with late ones (3% up to 8 s late), written once.
cat > "$TMP/make.ini" <<INI
[source]
plugin = generate
count = 100000
rate = 500
users = 20000
delay = 8s
delay_prob = 0.03
seed = 11
[sink.out]
plugin = stdout
INI
"$SLUICE" -q "$TMP/make.ini" > "$TMP/frames.jsonl"
python3 "$top_srcdir/tests/exact_windows.py" "$TMP/frames.jsonl" > "$TMP/exact"

# pipeline ALGORITHM CHECKPOINT [INPUT]: strict parsing (jansson) keeps a run
# busy long enough to be killed many times.
pipeline() {
    cat <<INI
[pipeline]
checkpoint = $2
checkpoint_interval = 100ms
[source]
plugin = stdin
path = ${3:-$TMP/frames.jsonl}
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
mode = strict
[transform.count]
plugin = distinct-count
key = uid
windows = minute, hour
algorithm = $1
[sink.out]
plugin = stdout
INI
}

# latest FILE: "window start_ts unique" of the latest revision of every window.
latest() {
    jq -r '"\(.window) \(.start_ts) \(.revision) \(.unique)"' "$1" | sort -k1,1 -k2,2n -k3,3n |
        awk '{ u[$1 " " $2] = $4 } END { for (k in u) print k, u[k] }' | sort -k1,1 -k2,2n
}

# crash_run INI OUT: start, SIGKILL after a random 0.1-0.3 s while it still
# runs, again and again (at most 8 times), then let a run end by itself;
# echoes the kill count. (A whole run takes ~2.8 s here; a killed one
# redoes up to a checkpoint interval, 100 ms: five kills leave a machine a
# few times faster frames to read.)
crash_run() {
    kills=0
    : > "$2"
    while :; do
        "$SLUICE" -q "$1" >> "$2" 2>> "$2.err" &
        pid=$!
        [ "$kills" -lt 8 ] && sleep "0.$(( $(od -An -N2 -tu2 /dev/urandom) % 3 + 1 ))"
        if [ "$kills" -lt 8 ] && kill -0 "$pid" 2> /dev/null && kill -KILL "$pid" 2> /dev/null; then
            kills=$((kills + 1))
            wait "$pid" 2> /dev/null || true
        else
            wait "$pid" || { echo "a run failed:" >&2; cat "$2.err" >&2; return 1; }
            break
        fi
    done
    echo "$kills"
}

for algorithm in exact sketch; do
    pipeline "$algorithm" none > "$TMP/plain.ini"
    "$SLUICE" -q "$TMP/plain.ini" > "$TMP/plain-$algorithm.out"
    latest "$TMP/plain-$algorithm.out" > "$TMP/plain-$algorithm.latest"
    pipeline "$algorithm" "file:$TMP/ck-$algorithm" > "$TMP/ck.ini"
    kills=$(crash_run "$TMP/ck.ini" "$TMP/crash-$algorithm.out")
    echo "$algorithm: $kills SIGKILLs while running, then a run to the end"
    [ "$kills" -ge 5 ] || fail "$algorithm: only $kills kill(s) while running (want 5 or more)"
    latest "$TMP/crash-$algorithm.out" > "$TMP/crash-$algorithm.latest"
    expect_eq "$algorithm: after $kills SIGKILLs the last result of every window is its highest revision" \
        "$(not_last_highest < "$TMP/crash-$algorithm.out" | head -5)" ""
    expect_file_eq "$algorithm: $kills SIGKILLs and restarts give the latest revisions of a run without crashes" \
        "$TMP/crash-$algorithm.latest" "$TMP/plain-$algorithm.latest"
    [ -s "$TMP/ck-$algorithm/checkpoint" ] || fail "$algorithm: no checkpoint file"
    [ -s "$TMP/ck-$algorithm/checkpoint.prev" ] || fail "$algorithm: the previous checkpoint is not kept"
done
expect_file_eq "exact: the run without crashes counts exactly" "$TMP/plain-exact.latest" "$TMP/exact"
expect_file_eq "exact: the crashed run counts exactly" "$TMP/crash-exact.latest" "$TMP/exact"

# gzip input resumes at an offset of the inflated stream; SIGTERM takes a
# checkpoint and leaves open windows open (no early finals).
gzip -1 -c "$TMP/frames.jsonl" > "$TMP/frames.jsonl.gz"
pipeline exact "file:$TMP/ck-gz" "$TMP/frames.jsonl.gz" > "$TMP/gz.ini"
"$SLUICE" "$TMP/gz.ini" > "$TMP/gz.out" 2> "$TMP/gz.err" &
pid=$!
for _ in $(seq 1 100); do
    [ "$(wc -l < "$TMP/gz.out")" -ge 3 ] && break
    sleep 0.05
done
kill -TERM "$pid"
wait "$pid" || fail "gzip: SIGTERM exits 0"
grep -q "stop requested: checkpointing" "$TMP/gz.err" || fail "gzip: SIGTERM says it checkpoints"
"$SLUICE" "$TMP/gz.ini" >> "$TMP/gz.out" 2> "$TMP/gz2.err" || fail "gzip: the resumed run exits 0"
grep -q "resuming .*frames.jsonl.gz at byte [1-9][0-9]* (of the inflated input)" "$TMP/gz2.err" ||
    fail "gzip: the restart resumes at a byte offset"
latest "$TMP/gz.out" > "$TMP/gz.latest"
expect_file_eq "gzip: stopped and resumed, exact counts" "$TMP/gz.latest" "$TMP/exact"
expect_eq "gzip: no window emitted as final twice with revision 0" \
    "$(jq -r 'select(.revision == 0) | "\(.window) \(.start_ts)"' "$TMP/gz.out" | sort | uniq -d | wc -l)" 0

# A replay that ended, then more input: the end of the first run leaves its
# windows in the checkpoint (emitted as final, not forgotten), so the second
# run continues them and their last revisions count every frame.
half=$(( $(wc -l < "$TMP/frames.jsonl") / 2 ))
head -n "$half" "$TMP/frames.jsonl" > "$TMP/grow.jsonl"
pipeline exact "file:$TMP/ck-grow" "$TMP/grow.jsonl" > "$TMP/grow.ini"
"$SLUICE" -q "$TMP/grow.ini" > "$TMP/grow.out" || fail "grow: the first run exits 0"
tail -n +"$((half + 1))" "$TMP/frames.jsonl" >> "$TMP/grow.jsonl"
"$SLUICE" "$TMP/grow.ini" >> "$TMP/grow.out" 2> "$TMP/grow.err" || fail "grow: the second run exits 0"
grep -q "resuming .*grow.jsonl at byte [1-9]" "$TMP/grow.err" || fail "grow: the second run resumes where the first ended"
latest "$TMP/grow.out" > "$TMP/grow.latest"
expect_file_eq "ended, then more input: exact counts over both parts" "$TMP/grow.latest" "$TMP/exact"

# With checkpoints a window emits at most once between two of them, so
# that a replay after a crash can only reach the same revision or a higher
# one. One frame a batch; no checkpoint until the end of the input
# (checkpoint_interval = 1h): the minute 13:39 is final (a, b), a late frame
# (d) changes it, and the next minute closes. The revision waits for the
# checkpoint before the end of the input, after 13:40's final; without
# checkpoints it goes out at once.
cat > "$TMP/once.jsonl" <<'JSONL'
{"uid":"a","ts":1468244345}
{"uid":"b","ts":1468244350}
{"uid":"c","ts":1468244410}
{"uid":"d","ts":1468244355}
{"uid":"e","ts":1468244470}
JSONL
# once_ini CHECKPOINT: pipeline()'s, one frame a batch, a checkpoint only
# at the end of the input.
once_ini() {
    pipeline exact "$1" "$TMP/once.jsonl" |
        sed -e 's/^checkpoint_interval = .*/checkpoint_interval = 1h/' -e 's/^path = .*/&\nbatch = 1/'
}
once_ini "file:$TMP/ck-once" > "$TMP/once.ini"
run_sluice -q "$TMP/once.ini"
expect_eq "once per checkpoint: exit code" "$rc" 0
jq -r 'select(.window == "minute") | "\(.start_ts) \(.revision) \(.unique)"' "$TMP/out" > "$TMP/once.got"
printf '%s\n' "1468244340 0 2" "1468244400 0 1" "1468244340 1 3" "1468244460 0 1" > "$TMP/once.want"
expect_file_eq "with checkpoints: 13:39's revision waits for the checkpoint, after 13:40's final" \
    "$TMP/once.got" "$TMP/once.want"
once_ini none > "$TMP/once-none.ini"
run_sluice -q "$TMP/once-none.ini"
jq -r 'select(.window == "minute") | "\(.start_ts) \(.revision) \(.unique)"' "$TMP/out" > "$TMP/once.got"
printf '%s\n' "1468244340 0 2" "1468244340 1 3" "1468244400 0 1" "1468244460 0 1" > "$TMP/once.want"
expect_file_eq "without checkpoints: 13:39's revision at once" "$TMP/once.got" "$TMP/once.want"

# A corrupt latest checkpoint: the previous one is used, with a warning,
# and the counts are still exact.
cp -r "$TMP/ck-exact" "$TMP/ck-bad"
pipeline exact "file:$TMP/ck-bad" > "$TMP/bad.ini"
# Put the run back mid-way: a checkpoint taken while the run was killed.
rm -rf "$TMP/ck-bad"
"$SLUICE" -q "$TMP/bad.ini" > "$TMP/bad.out" 2> /dev/null &
pid=$!
for _ in $(seq 1 600); do # two checkpoints, however loaded the machine is
    [ -s "$TMP/ck-bad/checkpoint.prev" ] && break
    sleep 0.05
done
kill -KILL "$pid" 2> /dev/null || true
wait "$pid" 2> /dev/null || true
[ -s "$TMP/ck-bad/checkpoint.prev" ] || { fail "corrupt: no two checkpoints after 30 s"; finish; }
printf 'XXXX' | dd of="$TMP/ck-bad/checkpoint" bs=1 seek=40 conv=notrunc 2> /dev/null
"$SLUICE" "$TMP/bad.ini" >> "$TMP/bad.out" 2> "$TMP/bad.err" || fail "corrupt: falls back and exits 0"
grep -q "warn .*checkpoint $TMP/ck-bad/checkpoint is unusable (checksum mismatch: the file is truncated or corrupt): resuming from the previous one, $TMP/ck-bad/checkpoint.prev" "$TMP/bad.err" ||
    { fail "corrupt: the warning names the file and the fallback"; cat "$TMP/bad.err" >&2; }
latest "$TMP/bad.out" > "$TMP/bad.latest"
expect_file_eq "corrupt latest checkpoint: exact counts from the previous one" "$TMP/bad.latest" "$TMP/exact"

# Both unusable (corrupt, truncated): refused, exit 2, nothing read.
printf 'XXXX' | dd of="$TMP/ck-bad/checkpoint" bs=1 seek=40 conv=notrunc 2> /dev/null
truncate -s 30 "$TMP/ck-bad/checkpoint.prev"
set +e
"$SLUICE" "$TMP/bad.ini" > "$TMP/none.out" 2> "$TMP/none.err"
rc=$?
set -e
expect_eq "no usable checkpoint: exit 2" "$rc" 2
grep -q "error .*no usable checkpoint in $TMP/ck-bad: $TMP/ck-bad/checkpoint: checksum mismatch.*; $TMP/ck-bad/checkpoint.prev (.*): move the directory away\|error .*no usable checkpoint in $TMP/ck-bad: .*move the directory away to count from the start" "$TMP/none.err" ||
    { fail "no usable checkpoint: the message names the directory and what to do"; cat "$TMP/none.err" >&2; }
expect_eq "no usable checkpoint: no output" "$(wc -c < "$TMP/none.out")" 0

# Truncated, no previous one.
rm -f "$TMP/ck-bad/checkpoint.prev"
cp "$TMP/ck-exact/checkpoint" "$TMP/ck-bad/checkpoint"
truncate -s 100 "$TMP/ck-bad/checkpoint"
set +e
"$SLUICE" "$TMP/bad.ini" > /dev/null 2> "$TMP/trunc.err"
rc=$?
set -e
expect_eq "truncated checkpoint: exit 2" "$rc" 2
grep -q "no usable checkpoint in $TMP/ck-bad: $TMP/ck-bad/checkpoint: checksum mismatch: the file is truncated or corrupt" "$TMP/trunc.err" ||
    { fail "truncated checkpoint: the message says so"; cat "$TMP/trunc.err" >&2; }

# Another counting configuration's checkpoint: refused by name, exit 2.
pipeline exact "file:$TMP/ck-exact" | sed 's/^windows = .*/windows = minute/' > "$TMP/foreign.ini"
set +e
"$SLUICE" "$TMP/foreign.ini" > /dev/null 2> "$TMP/foreign.err"
rc=$?
set -e
expect_eq "foreign checkpoint: exit 2" "$rc" 2
grep -qF "checkpoint $TMP/ck-exact/checkpoint cannot be used: it was written by another counting configuration ([transform.count] distinct-count: key=uid windows=minute,hour algorithm=exact precision=0 timezone=UTC); this pipeline's is ([transform.count] distinct-count: key=uid windows=minute algorithm=exact precision=0 timezone=UTC)" "$TMP/foreign.err" ||
    { fail "foreign checkpoint: the message names both configurations"; cat "$TMP/foreign.err" >&2; }

# A pipe cannot be resumed.
pipeline exact "file:$TMP/ck-pipe" | sed 's|^path = .*|path = -|' > "$TMP/pipe.ini"
set +e
echo '{"uid":"a","ts":1468244384}' | "$SLUICE" "$TMP/pipe.ini" > /dev/null 2> "$TMP/pipe.err"
rc=$?
set -e
expect_eq "checkpoint with a pipe: refused" "$rc" 1
grep -q "checkpoint is set in \[pipeline\], but standard input is not a regular file (a pipe cannot be read again from a position): set path = FILE in \[source\], or checkpoint = none" "$TMP/pipe.err" ||
    { fail "checkpoint with a pipe: the message says what to do"; cat "$TMP/pipe.err" >&2; }

# checkpoint = kafka needs a source with a store; a bad value is named.
pipeline exact kafka > "$TMP/kafka.ini"
set +e
"$SLUICE" --validate "$TMP/kafka.ini" > /dev/null 2> "$TMP/kafka.err"
rc=$?
set -e
expect_eq "checkpoint = kafka with stdin: exit 2" "$rc" 2
expect_line "checkpoint = kafka with stdin" "$TMP/kafka.err" \
    "$TMP/kafka.ini:2: [pipeline] checkpoint: 'kafka' keeps checkpoints in the source's Kafka cluster, but the source is 'stdin': use file:DIR (or a kafka-in source)"
pipeline exact bogus > "$TMP/bogus.ini"
set +e
"$SLUICE" --validate "$TMP/bogus.ini" > /dev/null 2> "$TMP/bogus.err"
set -e
expect_line "checkpoint = bogus" "$TMP/bogus.err" \
    "$TMP/bogus.ini:2: [pipeline] checkpoint: 'bogus': use file:DIR, kafka or none"
finish
