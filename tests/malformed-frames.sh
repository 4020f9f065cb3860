#!/bin/sh
# The default pipeline refuses every frame that is not JSON (issue 11): the
# challenge sample with malformed frames mixed in, each with a uid seen
# nowhere else and a ts inside the sample's minutes, counts exactly what the
# good frames alone give (the independent counts in tests/data/*.minutes, and
# a run on the good frames only), and every malformed frame reaches the
# dead-letter sink (stdout, errors = true). The faults are the kinds a
# structure-only check lets through: trailing commas, invalid UTF-8 in a
# field nobody reads (stray bytes, overlong encodings, surrogates), bad
# numbers and literals, misplaced colons and commas; and a few it catches.
. "$top_srcdir/tests/lib.sh"

# pipeline INPUT [VALIDATE]: json-extract with its defaults unless VALIDATE.
pipeline() {
    cat <<INI
[pipeline]
name = malformed
[source]
plugin = stdin
path = $1
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
on_error = dead-letter
${2:+validate = $2}
[transform.count]
plugin = distinct-count
key = uid
windows = minute
lateness = 5s
[sink.results]
plugin = stdout
[sink.rejects]
plugin = stdout
errors = true
path = $TMP/rejects.out
INI
}

gzip -dc "$DATA/challenge-sample-a.jsonl.gz" > "$TMP/good.jsonl"

# One malformed frame per fault kind (printf escapes for the bytes), all
# with a ts of the sample (every 50th frame's) and uid bad-<i>-<kind>.
jq -r .ts "$TMP/good.jsonl" | awk 'NR % 50 == 1' > "$TMP/ts.list"
: > "$TMP/bad.jsonl"
i=0
while read -r ts; do
    i=$((i + 1))
    u="\"uid\":\"bad-$i"
    {
        printf '{%s-a","ts":%s,"x":1,}\n' "$u" "$ts"                       # trailing comma
        printf '{%s-b","ts":%s,"x":[1,2,]}\n' "$u" "$ts"                   # ... in an array
        printf '{%s-c","ts":%s,"x":"a\377b"}\n' "$u" "$ts"                 # invalid byte
        printf '{%s-d","ts":%s,"x":"\300\257"}\n' "$u" "$ts"               # overlong /
        printf '{%s-e","ts":%s,"x":"\340\200\257"}\n' "$u" "$ts"           # overlong, 3 bytes
        printf '{%s-f","ts":%s,"x":"\355\240\200"}\n' "$u" "$ts"           # UTF-8 surrogate
        printf '{%s-g","ts":%s,"x":"\364\220\200\200"}\n' "$u" "$ts"       # past U+10FFFF
        printf '{%s-h","ts":%s,"x":"\342\202"}\n' "$u" "$ts"               # cut sequence
        printf '{%s-i","ts":%s,"x":01}\n' "$u" "$ts"                       # leading zero
        printf '{%s-j","ts":%s,"x":1.}\n' "$u" "$ts"                       # no fraction digits
        printf '{%s-k","ts":%s,"x":-}\n' "$u" "$ts"                        # a lone minus
        printf '{%s-l","ts":%s,"x":{"y":tru}}\n' "$u" "$ts"                # bad literal
        printf '{%s-m","ts":%s,"x":nul}\n' "$u" "$ts"                      # bad literal
        printf '{%s-n","ts":%s,"x":1:2}\n' "$u" "$ts"                      # colon after a value
        printf '{%s-o","ts":%s,"x" 1}\n' "$u" "$ts"                        # missing colon
        printf '{%s-p","ts":%s,,"x":1}\n' "$u" "$ts"                       # double comma
        printf '{%s-q","ts":%s:"x":1}\n' "$u" "$ts"                        # colon for a comma
        printf '{%s-r","ts":%s,"x":["a":1]}\n' "$u" "$ts"                  # colon in an array
        printf '{%s-s","ts":%s,"x":{"y"}}\n' "$u" "$ts"                    # key without value
        printf '{%s-t","ts":%s,"x":1}}\n' "$u" "$ts"                       # one } too many
        printf '{%s-u","ts":%s,"x":"\\q"}\n' "$u" "$ts"                    # bad escape
        printf '{%s-v","ts":%s,"x":[1,2}\n' "$u" "$ts"                     # mismatched bracket
    } >> "$TMP/bad.jsonl"
done < "$TMP/ts.list"
nbad=$(wc -l < "$TMP/bad.jsonl")
expect_eq "malformed frames made" "$nbad" "$((60 * 22))"

# Mix them in: after every 50th good frame, that block's 22 bad ones (so
# each sits among good frames of its own minute).
LC_ALL=C awk -v bad="$TMP/bad.jsonl" '
    BEGIN { while ((getline l < bad) > 0) b[nb++] = l }
    { print; if (NR % 50 == 1) for (k = 0; k < 22 && j < nb; k++) print b[j++] }
' "$TMP/good.jsonl" > "$TMP/mixed.jsonl"
expect_eq "mixed frames" "$(wc -l < "$TMP/mixed.jsonl")" "$((3000 + nbad))"

# The default on the mix: exactly the good frames' counts.
pipeline "$TMP/mixed.jsonl" > "$TMP/mixed.ini"
"$SLUICE" -q "$TMP/mixed.ini" > "$TMP/mixed.out"
latest_counts "$TMP/mixed.out" minute > "$TMP/mixed.counts"
expect_file_eq "mixed frames count as the good ones (tests/data)" "$TMP/mixed.counts" \
    "$DATA/challenge-sample-a.minutes"
expect_eq "frames counted" "$(jq -s 'map(select(.window == "minute" and .final)) | map(.frames) | add' "$TMP/mixed.out")" 3000
# Every malformed frame is a dead letter, and nothing else is.
expect_eq "dead letters" "$(wc -l < "$TMP/rejects.out")" "$nbad"
expect_eq "dead letters are the bad uids' frames" \
    "$(grep -c '\\"uid\\":\\"bad-[0-9]*-[a-v]\\"' "$TMP/rejects.out")" "$nbad"

# The good frames alone, the same pipeline: the same result lines.
mv "$TMP/rejects.out" "$TMP/mixed-rejects.out"
pipeline "$TMP/good.jsonl" > "$TMP/good.ini"
"$SLUICE" -q "$TMP/good.ini" > "$TMP/good.out"
expect_file_eq "mixed run = good-only run, line for line" "$TMP/mixed.out" "$TMP/good.out"
expect_eq "no dead letters from the good frames" "$(wc -l < "$TMP/rejects.out")" 0

# Every SIMD level (and the scalar scanner) the same way.
for level in avx512 avx512bw avx2 sse42 sse2 scalar; do
    rm -f "$TMP/rejects.out"
    SLUICE_JX_SCANNER=$level "$SLUICE" -q "$TMP/mixed.ini" > "$TMP/level.out"
    expect_file_eq "mixed, SLUICE_JX_SCANNER=$level" "$TMP/level.out" "$TMP/good.out"
    expect_eq "dead letters, SLUICE_JX_SCANNER=$level" "$(wc -l < "$TMP/rejects.out")" "$nbad"
done

# A level that does not exist: said so, and the default level counts.
rm -f "$TMP/rejects.out"
export SLUICE_JX_SCANNER=avx-2
run_sluice --no-progress "$TMP/mixed.ini"
unset SLUICE_JX_SCANNER
expect_eq "SLUICE_JX_SCANNER=avx-2: exit code" "$rc" 0
expect_grep "SLUICE_JX_SCANNER=avx-2: warning" "$TMP/err" \
    "SLUICE_JX_SCANNER=avx-2: no such scanner level (avx512, avx512bw, avx2, sse42, sse2, scalar); scanning with "
expect_file_eq "SLUICE_JX_SCANNER=avx-2: counts" "$TMP/out" "$TMP/good.out"

# validate = structure, asked for by name, counts some of them (faults in
# bytes it does not read): the check above is one the old default failed.
rm -f "$TMP/rejects.out"
pipeline "$TMP/mixed.jsonl" structure > "$TMP/structure.ini"
"$SLUICE" -q "$TMP/structure.ini" > "$TMP/structure.out"
counted=$(jq -s 'map(select(.window == "minute" and .final)) | map(.frames) | add' "$TMP/structure.out")
[ "$counted" -gt 3000 ] || fail "validate = structure counted $counted frames, expected more than 3000"

echo "validate = structure counted $counted frames" >&2
finish
