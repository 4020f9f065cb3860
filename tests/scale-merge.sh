#!/bin/sh
# Scale-out in one process: a count stage with output = partials feeding
# sketch-merge gives, for every window, the `unique` (and estimator) that one
# distinct-count over all partitions gives, exact and sketch, over a source
# of 3 partitions with late frames; exact mode equals an independent count.
. "$top_srcdir/tests/lib.sh"
command -v python3 > /dev/null || { echo "python3 is needed" >&2; exit 77; }

# source [PARTITIONS]
source_section() {
    cat <<INI
[source]
plugin = generate
count = 60000
rate = 200
users = 5000
delay = 8s
delay_prob = 0.05
seed = 5
partitions = ${1:-3}
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
INI
}

# The same frames, printed, for the independent count.
{ source_section | sed '/^\[transform.extract\]/,$d'; printf '[sink.out]\nplugin = stdout\n'; } > "$TMP/frames.ini"
"$SLUICE" -q "$TMP/frames.ini" > "$TMP/frames.jsonl"
python3 "$top_srcdir/tests/exact_windows.py" "$TMP/frames.jsonl" > "$TMP/exact"

latest() {
    jq -r '"\(.window) \(.start_ts) \(.revision) \(.unique) \(.estimator)"' "$1" | sort -k1,1 -k2,2n -k3,3n |
        awk '{ u[$1 " " $2] = $4 " " $5 } END { for (k in u) print k, u[k] }' | sort -k1,1 -k2,2n
}

for algorithm in exact sketch; do
    { source_section; cat <<INI
[transform.count]
plugin = distinct-count
windows = minute, hour
algorithm = $algorithm
[sink.out]
plugin = stdout
INI
    } > "$TMP/single.ini"
    { source_section; cat <<INI
[transform.count]
plugin = distinct-count
windows = minute, hour
algorithm = $algorithm
output = partials
partial_interval = 0
[transform.merge]
plugin = sketch-merge
windows = minute, hour
algorithm = $algorithm
[sink.out]
plugin = stdout
INI
    } > "$TMP/merged.ini"
    "$SLUICE" -q "$TMP/single.ini" > "$TMP/single.out"
    "$SLUICE" "$TMP/merged.ini" > "$TMP/merged.out" 2> "$TMP/merged.err"
    latest "$TMP/single.out" > "$TMP/single.latest"
    latest "$TMP/merged.out" > "$TMP/merged.latest"
    [ "$(wc -l < "$TMP/single.latest")" -ge 5 ] || fail "$algorithm: the single run has windows"
    expect_file_eq "$algorithm: merged partials give one instance's numbers" "$TMP/merged.latest" "$TMP/single.latest"
    grep -q "partials_merged=[1-9]" "$TMP/merged.err" || fail "$algorithm: partials were merged"
    if [ "$algorithm" = exact ]; then
        awk '{ print $1, $2, $3 }' "$TMP/merged.latest" > "$TMP/merged.counts"
        expect_file_eq "exact: merged counts are the exact counts" "$TMP/merged.counts" "$TMP/exact"
    fi
done
finish
