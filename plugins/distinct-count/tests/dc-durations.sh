#!/bin/sh
# Durations read and printed the same way everywhere (libsluice-support):
# a fixed window written as a compound duration (`windows = 1h30m`) passes
# --validate and counts exactly what jq computes independently from the
# same frames; months are refused with the reason; --describe and range
# errors print durations in their natural unit, not in ms.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/plugins/distinct-count/tests/pipeline.sh"

pipeline "1h30m, 90m" "algorithm = exact
lateness = 1m30s
max_future = 1h30m" > "$TMP/p.ini"
"$SLUICE" --validate "$TMP/p.ini" > "$TMP/validate.out" 2>&1 ||
    fail "--validate refuses windows = 1h30m: $(cat "$TMP/validate.out")"

# 4200 ordered frames, 7 s apart (about 8 hours from 2016-07-11T11:46:40Z,
# not on a window boundary), uids from a small LCG (exact in awk's doubles)
# so every window has its own number of distinct ones.
awk 'BEGIN { x = 1; for (i = 0; i < 4200; i++) { x = (x * 75 + 74) % 65537
        printf "{\"uid\":\"u%d\",\"ts\":%d}\n", x % 1500, 1468237600 + i * 7 } }' \
    > "$TMP/frames.jsonl"
"$SLUICE" -q "$TMP/p.ini" < "$TMP/frames.jsonl" > "$TMP/out.jsonl" 2> "$TMP/err"

# The truth: group by floor(ts / 5400), count distinct uids and frames.
jq -s -c 'group_by(.ts / 5400 | floor)[] | [(.[0].ts / 5400 | floor) * 5400,
    (map(.uid) | unique | length), length]' "$TMP/frames.jsonl" > "$TMP/want"
expect_eq "seven 90-minute windows expected" "$(wc -l < "$TMP/want")" 7
for w in 1h30m 90m; do
    jq -c --arg w "$w" 'select(.window == $w and .final) | [.start_ts, .unique, .frames]' \
        "$TMP/out.jsonl" > "$TMP/got-$w"
    expect_file_eq "windows = $w counts" "$TMP/got-$w" "$TMP/want"
done
first=$(head -n 1 "$TMP/want" | jq '.[0]')
expect_eq "first 90-minute window's bounds" \
    "$(jq -r --argjson s "$first" 'select(.window == "1h30m" and .start_ts == $s) |
        "\(.start) \(.end)"' "$TMP/out.jsonl")" \
    "$(date -u -d "@$first" +%Y-%m-%dT%H:%M:%SZ) $(date -u -d "@$((first + 5400))" +%Y-%m-%dT%H:%M:%SZ)"

expect_eq "nothing on stderr" "$(cat "$TMP/err")" ""

# Refused before anything starts, each with its reason.
pipeline "minute, 1mo, 1s500ms" "algorithm = exact
lateness = 8d
retention = 1h30" > "$TMP/bad.ini"
set +e
"$SLUICE" --validate "$TMP/bad.ini" > /dev/null 2> "$TMP/bad.err"
rc=$?
set -e
expect_eq "bad durations: exit code" "$rc" 2
F="$TMP/bad.ini"
expect_line "months are not fixed" "$TMP/bad.err" \
    "$F:9: [transform.count] windows: '1mo': months have no fixed length: use days (30d), or a calendar window (month)"
expect_line "lateness range in natural units" "$TMP/bad.err" \
    "$F:11: [transform.count] lateness: 8d is out of range: use 0s to 1w"
expect_line "a number without its unit" "$TMP/bad.err" \
    "$F:12: [transform.count] retention: not a duration: use a number with a unit (ms, s, m, h, d, w, y = 365d), e.g. 250ms, 5s, 1h30m, 7d"

# --describe: ranges in natural units.
"$SLUICE" --describe distinct-count > "$TMP/describe"
for row in "lateness:5s:watermark = highest event time seen minus this [0s..1w]" \
    "retention:1h:keep closed windows this long past their end for late frames (revisions) [0s..366d]" \
    "early_interval:1s:emit = early: interim results at most this often (processing time) [10ms..1d]"; do
    key=${row%%:*} rest=${row#*:}
    def=${rest%%:*} doc=${rest#*:}
    expect_line "--describe $key" "$TMP/describe" \
        "$(printf '  %-24s %-9s %-22s %s' "$key" duration "$def" "$doc")"
done
grep -q 'ms\]' "$TMP/describe" && fail "--describe still prints a range in ms"
finish
