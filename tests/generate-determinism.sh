#!/bin/sh
# The generate source with a fixed seed gives byte-identical output twice,
# and a different seed gives different frames.
. "$top_srcdir/tests/lib.sh"

gen() {
    cat <<INI
[source]
plugin = generate
count = 5000
users = 300
seed = $1
[sink.out]
plugin = stdout
INI
}
gen 7 > "$TMP/g7.ini"
gen 8 > "$TMP/g8.ini"
"$SLUICE" -q "$TMP/g7.ini" > "$TMP/one"
"$SLUICE" -q "$TMP/g7.ini" > "$TMP/two"
"$SLUICE" -q "$TMP/g8.ini" > "$TMP/other"
expect_eq "5000 frames" "$(wc -l < "$TMP/one")" 5000
cmp -s "$TMP/one" "$TMP/two" || fail "same seed, byte-identical frames"
cmp -s "$TMP/one" "$TMP/other" && fail "another seed, other frames"
# Every frame is valid JSON with a root uid and ts (jq is a strict parser).
expect_eq "frames are JSON objects with uid and ts" \
    "$(jq -c 'select(type == "object" and has("uid") and has("ts"))' "$TMP/one" | wc -l)" 5000
finish
