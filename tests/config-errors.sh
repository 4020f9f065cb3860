#!/bin/sh
# Pipeline file errors: each reported as file:line: [section] key: message,
# all at once, before anything starts; exit code 2.
. "$top_srcdir/tests/lib.sh"
export SLUICE_PLUGIN_PATH="$TEST_PLUGINS"

# check NAME: run sluice --validate on $TMP/NAME.ini; every line of
# $TMP/NAME.want must appear in stderr, and the exit code must be 2.
check() {
    set +e
    "$SLUICE" --validate "$TMP/$1.ini" > "$TMP/$1.out" 2> "$TMP/$1.err"
    rc=$?
    set -e
    expect_eq "$1: exit code" "$rc" 2
    while IFS= read -r line; do
        expect_line "$1" "$TMP/$1.err" "$line"
    done < "$TMP/$1.want"
}

F="$TMP/unknown-key.ini"
cat > "$F" <<'INI'
[source]
plugin = stdin
pathh = frames.jsonl

[sink.out]
plugin = stdout
INI
echo "$F:3: [source] pathh: unknown key; allowed: path, max_frame, buffer, batch, read_ahead" > "$TMP/unknown-key.want"
check unknown-key

F="$TMP/missing-required.ini"
cat > "$F" <<'INI'
[source]
plugin = stdin

[sink.test]
plugin = test-sink
level = 12
mode = sideways
INI
cat > "$TMP/missing-required.want" <<EOF2
$F:4: [sink.test] target: missing required key (where test output goes)
$F:6: [sink.test] level: 12 is out of range: use 1 to 9
$F:7: [sink.test] mode: 'sideways' is not one of: fast, slow
EOF2
check missing-required

F="$TMP/bad-duration.ini"
cat > "$F" <<'INI'
[pipeline]
tick = 5x
[source]
plugin = stdin
[sink.test]
plugin = test-sink
target = here
timeout = 10
INI
cat > "$TMP/bad-duration.want" <<EOF2
$F:2: [pipeline] tick: not a duration: use a number with a unit (ms, s, m, h, d, w, y = 365d), e.g. 250ms, 5s, 1h30m, 7d
$F:8: [sink.test] timeout: not a duration: use a number with a unit (ms, s, m, h, d, w, y = 365d), e.g. 250ms, 5s, 1h30m, 7d
EOF2
check bad-duration

# [pipeline] metrics is host:port; every malformed value is a config error.
for bad in "9464|use host:port, e.g. 127.0.0.1:9464 (0.0.0.0:9464 listens on every interface)" \
    "127.0.0.1:http|'http' is not a port: use 1 to 65535 (or 0 for any free one; the log says which)" \
    "127.0.0.1:70000|'70000' is not a port: use 1 to 65535 (or 0 for any free one; the log says which)" \
    "::1:9464|an IPv6 address goes in brackets: [::1]:9464" \
    "no-such-host.invalid:9464|cannot resolve 'no-such-host.invalid': "; do
    F="$TMP/bad-metrics.ini"
    printf '[pipeline]\nmetrics = %s\n[source]\nplugin = stdin\n[sink.out]\nplugin = stdout\n' \
        "${bad%%|*}" > "$F"
    rc=0
    "$SLUICE" --validate "$F" > /dev/null 2> "$TMP/bad-metrics.err" || rc=$?
    expect_eq "metrics = ${bad%%|*}: exit code" "$rc" 2
    if ! grep -qF -- "$F:2: [pipeline] metrics: ${bad#*|}" "$TMP/bad-metrics.err"; then
        fail "metrics = ${bad%%|*}: message"
        cat "$TMP/bad-metrics.err" >&2
    fi
done

F="$TMP/duplicate.ini"
cat > "$F" <<'INI'
[source]
plugin = stdin
[sink.out]
plugin = stdout
[sink.out]
plugin = stdout
errors = true
errors = false
INI
cat > "$TMP/duplicate.want" <<EOF2
$F:5: [sink.out] duplicate section (first at line 3): merge the two or rename one
$F:8: [sink.out] errors: duplicate key (first at line 7): keep one
EOF2
check duplicate

F="$TMP/unknown-plugin.ini"
cat > "$F" <<'INI'
[source]
plugin = stdinn
[sink.out]
plugin = stdout
INI
check_prefix="$F:2: [source] plugin: unknown plugin 'stdinn': no stdinn.so in $TEST_PLUGINS"
set +e; "$SLUICE" --validate "$F" > /dev/null 2> "$TMP/up.err"; rc=$?; set -e
expect_eq "unknown plugin: exit code" "$rc" 2
grep -qF -- "$check_prefix" "$TMP/up.err" || { fail "unknown plugin message"; cat "$TMP/up.err" >&2; }
grep -qF -- "(see \`sluice --list-plugins\`; add a directory with plugin_path, --plugin-path or SLUICE_PLUGIN_PATH)" "$TMP/up.err" ||
    fail "unknown plugin message says what to do"

F="$TMP/wrong-kind.ini"
cat > "$F" <<'INI'
[source]
plugin = stdin
[transform.oops]
plugin = stdout
[sink.out]
plugin = stdin
INI
cat > "$TMP/wrong-kind.want" <<EOF2
$F:4: [transform.oops] plugin: 'stdout' is a sink plugin, but [transform.oops] needs a transform
$F:6: [sink.out] plugin: 'stdin' is a source plugin, but [sink.out] needs a sink
EOF2
check wrong-kind

F="$TMP/abi.ini"
cat > "$F" <<'INI'
[source]
plugin = stdin
[sink.a]
plugin = test-abi-other
[sink.b]
plugin = test-size-other
[sink.c]
plugin = test-no-symbol
[sink.d]
plugin = test-size-newer
INI
abi=$("$SLUICE" --version | sed 's/.*plugin ABI \([0-9]*\).*/\1/')
cat > "$TMP/abi.want" <<EOF2
$F:4: [sink.a] plugin: plugin $TEST_PLUGINS/test-abi-other.so was built for sluice plugin ABI version $((abi + 1)), but this sluice speaks version $abi: rebuild the plugin against this sluice's SDK (pkg-config sluice-plugin)
$F:8: [sink.c] plugin: $TEST_PLUGINS/test-no-symbol.so is not a sluice plugin: it exports no 'sluice_plugin' symbol (declare the plugin with SLUICE_PLUGIN(...) from <sluice/plugin.h>)
EOF2
check abi
# Descriptor sizes: test-size-newer is one pointer longer than this sluice's
# descriptor, test-size-other 8 bytes short of the smallest of this ABI
# version (today the whole descriptor: nothing was appended since 2.0).
newer=$(sed -n 's/.*test-size-newer.so has a descriptor of \([0-9]*\) bytes.*/\1/p' "$TMP/abi.err")
known=$((newer - 8))
expect_line "a descriptor from a newer SDK" "$TMP/abi.err" "$F:10: [sink.d] plugin: plugin $TEST_PLUGINS/test-size-newer.so has a descriptor of $newer bytes, but this sluice knows ABI version $abi descriptors of at most $known: it was built against a newer sluice SDK; upgrade sluice, or rebuild the plugin against this sluice's SDK (pkg-config sluice-plugin)"
expect_line "a descriptor shorter than this version's" "$TMP/abi.err" "$F:6: [sink.b] plugin: plugin $TEST_PLUGINS/test-size-other.so has a descriptor of $((known - 8)) bytes, but ABI version $abi descriptors have at least $known: it was not declared with SLUICE_PLUGIN(...) from a sluice SDK; rebuild it against this sluice's SDK (pkg-config sluice-plugin)"

F="$TMP/shape.ini"
cat > "$F" <<'INI'
key = value
[pipeline]
plugin = stdin
[sauce]
plugin = stdin
INI
cat > "$TMP/shape.want" <<EOF2
$F:1: key: key outside any section: put it under [pipeline], [source], [transform.NAME] or [sink.NAME]
$F:3: [pipeline] plugin: unknown key; allowed: name, plugin_path, tick, log_level, checkpoint, checkpoint_interval, instance, metrics
$F:4: [sauce] unknown section: use [pipeline], [source], [transform.NAME] or [sink.NAME]
$F: no [source] section: a pipeline reads from one source (e.g. [source] plugin = stdin)
$F: no [sink.NAME] section: a pipeline writes to at least one sink (e.g. [sink.out] plugin = stdout)
EOF2
check shape

# Lines over inih's fixed 200-byte limit are refused, not silently split.
F="$TMP/long.ini"
{
    echo "[source]"
    echo "plugin = stdin"
    printf 'path = /%0250d\n' 0
    echo "[sink.out]"
    echo "plugin = stdout"
} > "$F"
echo "$F:3: [source] line too long (258 characters, at most 198): write a long list one item per indented continuation line" > "$TMP/long.want"
check long

# Every problem at once: the summary counts them.
F="$TMP/all.ini"
cat > "$F" <<'INI'
[source]
plugin = stdin
batch = many
[sink.test]
plugin = test-sink
INI
set +e; "$SLUICE" "$F" > /dev/null 2> "$TMP/all.err"; rc=$?; set -e
expect_eq "all problems: exit 2" "$rc" 2
expect_line "all problems: summary" "$TMP/all.err" "sluice: 2 problems in $F; nothing was started"

# Continuation lines join into one list; a good file validates.
F="$TMP/continued.ini"
cat > "$F" <<'INI'
[source]
plugin = stdin
[sink.test]
plugin = test-sink
target =
  first,
  second
INI
"$SLUICE" --validate "$F" > "$TMP/continued.out" 2>&1 || fail "continuation lines validate"
# A combination no single option shows wrong: lateness at or above
# max_future would make every new frame wild. Refused when the stage starts.
F="$TMP/lateness.ini"
cat > "$F" <<'INI'
[source]
plugin = generate
count = 10
[transform.extract]
plugin = json-extract
[transform.count]
plugin = distinct-count
key = uid
lateness = 2h
max_future = 1h
[sink.out]
plugin = stdout
INI
set +e; "$SLUICE" "$F" > "$TMP/lateness.out" 2> "$TMP/lateness.err"; rc=$?; set -e
expect_eq "lateness >= max_future: exit 1" "$rc" 1
expect_grep "lateness >= max_future: says which" "$TMP/lateness.err" \
    "[transform:distinct-count:count] lateness (2h) must be less than max_future (1h)"
expect_grep "lateness >= max_future: says what to do" "$TMP/lateness.err" \
    "lower lateness or raise max_future"
expect_eq "lateness >= max_future: no results" "$(wc -l < "$TMP/lateness.out")" 0

finish
