#!/bin/sh
# The command line: help, version, exit codes, --describe, --list-plugins, --validate.
. "$top_srcdir/tests/lib.sh"

"$SLUICE" --help > "$TMP/help" || fail "--help exits 0"
grep -q '^Usage: sluice' "$TMP/help" || fail "--help prints usage"
grep -q 'Exit status: 0 ok; 1 runtime error' "$TMP/help" || fail "--help documents exit codes"

"$SLUICE" --version > "$TMP/version" || fail "--version exits 0"
grep -Eq '^sluice [0-9]+\.[0-9]+\.[0-9]+ \(plugin ABI [0-9]+\)$' "$TMP/version" || fail "--version format"

set +e
"$SLUICE" > "$TMP/out" 2> "$TMP/err"; rc=$?
expect_eq "no pipeline file: exit 2" "$rc" 2
"$SLUICE" --bogus x.ini > "$TMP/out" 2> "$TMP/err"; rc=$?
expect_eq "unknown option: exit 2" "$rc" 2
expect_line "unknown option message" "$TMP/err" "sluice: unknown option --bogus (see sluice --help)"
"$SLUICE" --log-level loud x.ini > "$TMP/out" 2> "$TMP/err"; rc=$?
expect_eq "bad log level: exit 2" "$rc" 2
"$SLUICE" "$TMP/missing.ini" > "$TMP/out" 2> "$TMP/err"; rc=$?
expect_eq "missing file: exit 2" "$rc" 2
expect_line "missing file message" "$TMP/err" "$TMP/missing.ini: cannot open pipeline file: No such file or directory"
set -e

"$SLUICE" --describe stdin > "$TMP/describe" || fail "--describe stdin exits 0"
grep -Eq '^  max_frame +size +1M +longest frame' "$TMP/describe" || fail "--describe shows max_frame"
grep -Eq '^  plugin +string +\(required\)' "$TMP/describe" || fail "--describe shows plugin key"

"$SLUICE" --list-plugins > "$TMP/list" || fail "--list-plugins exits 0"
for p in stdin stdout; do
    grep -Eq "^$p +(source|sink) " "$TMP/list" || fail "--list-plugins lists $p"
done

cat > "$TMP/ok.ini" <<'INI'
[pipeline]
name = cli-test
[source]
plugin = stdin
[sink.out]
plugin = stdout
INI
"$SLUICE" --validate "$TMP/ok.ini" > "$TMP/out" || fail "--validate ok exits 0"
expect_line "--validate message" "$TMP/out" "$TMP/ok.ini: ok (0 transforms, 1 sink)"

# A plugin given as a path, and --plugin-path.
"$SLUICE" --plugin-path "$TEST_PLUGINS" --describe test-sink > "$TMP/out" || fail "--plugin-path finds test-sink"
grep -Eq '^  target +string +\(required\)' "$TMP/out" || fail "required key shown"

# SIGTERM on a quiet pipe: stop cleanly, exit 0.
mkfifo "$TMP/fifo"
( sleep 30 > "$TMP/fifo" ) &
writer=$!
"$SLUICE" -q "$TMP/ok.ini" < "$TMP/fifo" > "$TMP/out" 2> "$TMP/err" &
pid=$!
sleep 0.5
kill -TERM "$pid"
set +e
wait "$pid"; rc=$?
set -e
kill "$writer" 2> /dev/null || true
expect_eq "SIGTERM: exit 0" "$rc" 0

# The pipeline file's log_level applies; --log-level overrides it; without
# either the level is info.
printf '[pipeline]\nlog_level = warn\n[source]\nplugin = stdin\n[sink.out]\nplugin = stdout\n' > "$TMP/warn.ini"
echo x | "$SLUICE" "$TMP/warn.ini" > /dev/null 2> "$TMP/err"
if grep -q " info " "$TMP/err"; then fail "log_level = warn hides info lines"; fi
echo x | "$SLUICE" --log-level info "$TMP/warn.ini" > /dev/null 2> "$TMP/err"
grep -q " info  \[host\] done:" "$TMP/err" || fail "--log-level info overrides log_level = warn"
echo x | "$SLUICE" "$TMP/ok.ini" > /dev/null 2> "$TMP/err"
grep -q " info  \[host\] done:" "$TMP/err" || fail "info by default"
finish
