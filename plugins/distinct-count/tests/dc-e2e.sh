#!/bin/sh
# distinct-count through the sluice binary: its options table as the host
# shows and checks it, a DST day in Europe/Zurich, and a wild timestamp that
# changes no result and reaches the dead-letter sink with its reason.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/plugins/distinct-count/tests/pipeline.sh"

# --describe lists every option.
"$SLUICE" --describe distinct-count > "$TMP/describe"
for key in key windows algorithm precision lateness retention max_future jump_confirm \
    idle_timeout emit early_interval timezone; do
    grep -q "^  $key " "$TMP/describe" || fail "--describe lists $key"
done

# Bad values are refused before anything starts, each with file:line.
F="$TMP/bad.ini"
cat > "$F" <<'INI'
[source]
plugin = stdin
[transform.extract]
plugin = json-extract
[transform.count]
plugin = distinct-count
windows = minute, fortnight
timezone = Europe/Zurch
precision = 30
algorithm = approx
[sink.out]
plugin = stdout
INI
set +e
"$SLUICE" --validate "$F" > /dev/null 2> "$TMP/bad.err"
rc=$?
set -e
expect_eq "bad options: exit code" "$rc" 2
expect_line "unknown window" "$TMP/bad.err" \
    "$F:7: [transform.count] windows: 'fortnight': unknown window: use minute, hour, day, week, month, year, or a fixed size like 10s, 5m, 1h30m, 2d"
grep -q "^$F:8: \[transform.count\] timezone: unknown time zone" "$TMP/bad.err" ||
    fail "unknown time zone reported at line 8"
grep -q "^$F:9: \[transform.count\] precision: " "$TMP/bad.err" || fail "precision 30 refused"
grep -q "^$F:10: \[transform.count\] algorithm: " "$TMP/bad.err" || fail "algorithm approx refused"


# 2024-03-31 in Zurich: from 2024-03-30T23:00Z to 2024-03-31T22:00Z, 23 hours.
pipeline day "timezone = Europe/Zurich
max_future = 1d" > "$TMP/dst.ini"
printf '%s\n' '{"uid":"a","ts":1711839599}' '{"uid":"b","ts":1711839600}' \
    '{"uid":"c","ts":1711880000}' '{"uid":"b","ts":1711922399}' '{"uid":"d","ts":1711922400}' |
    "$SLUICE" -q "$TMP/dst.ini" > "$TMP/dst.out"
expect_eq "Zurich DST day" \
    "$(jq -c 'select(.start_ts == 1711839600) | [.start, .end, .unique, .frames]' "$TMP/dst.out")" \
    '["2024-03-31T00:00:00+01:00","2024-04-01T00:00:00+02:00",2,3]'
expect_eq "Zurich days" "$(jq -r .start_ts "$TMP/dst.out" | tr '\n' ' ')" \
    "1711753200 1711839600 1711922400 "

# Ordered frames over 10 minutes, then the same with ts 4294967295 inside.
awk 'BEGIN { for (i = 0; i < 600; i++) printf "{\"uid\":\"u%d\",\"ts\":%d}\n", i % 97, 1468244340 + i }' \
    > "$TMP/ordered.jsonl"
awk 'NR == 300 { print "{\"uid\":\"wild\",\"ts\":4294967295}" } { print }' "$TMP/ordered.jsonl" \
    > "$TMP/wild.jsonl"
pipeline "minute, hour" "" > "$TMP/w.ini"
rm -f "$TMP/dead.jsonl"
"$SLUICE" -q "$TMP/w.ini" < "$TMP/ordered.jsonl" > "$TMP/ordered.out"
expect_eq "no dead letters for ordered frames" "$(cat "$TMP/dead.jsonl" 2>/dev/null | wc -l)" 0
"$SLUICE" -q "$TMP/w.ini" < "$TMP/wild.jsonl" > "$TMP/wild.out"
expect_file_eq "a wild timestamp changes no result" "$TMP/wild.out" "$TMP/ordered.out"
expect_eq "results" "$(wc -l < "$TMP/ordered.out")" 11
expect_eq "the wild frame is dead-lettered" "$(wc -l < "$TMP/dead.jsonl")" 1
grep -q 'timestamp out of range: 4294967295 is not in \[2000, 2100)' "$TMP/dead.jsonl" ||
    fail "dead letter carries the reason"
finish
