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
# Both stages checkpointed (the count stage per source partition, the merge
# stage's whole engine in its instance part), the process SIGKILLed at
# random moments and restarted: the same latest results.
for algorithm in exact sketch; do
    { printf '[pipeline]\ncheckpoint = file:%s\ncheckpoint_interval = 100ms\n' "$TMP/ck-$algorithm"
      source_section | sed 's/^count = .*/count = 120000/'
      printf 'mode = strict\n'
      cat <<INI
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
    } > "$TMP/ck.ini"
    sed -e '/^\[pipeline\]/,/^checkpoint_interval/d' "$TMP/ck.ini" > "$TMP/plain.ini"
    sed -i 's/^\[source\]/[pipeline]\ncheckpoint = none\n[source]/' "$TMP/plain.ini"
    "$SLUICE" -q "$TMP/plain.ini" > "$TMP/plain.out"
    latest "$TMP/plain.out" > "$TMP/plain.latest"
    kills=0
    : > "$TMP/crash.out"
    while :; do
        "$SLUICE" -q "$TMP/ck.ini" >> "$TMP/crash.out" 2>> "$TMP/crash.err" &
        pid=$!
        [ "$kills" -lt 6 ] && sleep "0.$(( $(od -An -N2 -tu2 /dev/urandom) % 5 + 2 ))"
        if [ "$kills" -lt 6 ] && kill -KILL "$pid" 2> /dev/null; then
            kills=$((kills + 1))
            wait "$pid" 2> /dev/null || true
        else
            wait "$pid" || { fail "$algorithm: a checkpointed run failed"; cat "$TMP/crash.err" >&2; break; }
            break
        fi
    done
    echo "$algorithm: $kills SIGKILLs of count + merge, then a run to the end"
    [ "$kills" -ge 3 ] || fail "$algorithm: only $kills kills while running"
    latest "$TMP/crash.out" > "$TMP/crash.latest"
    expect_file_eq "$algorithm: count + merge killed and restarted = a run without crashes" \
        "$TMP/crash.latest" "$TMP/plain.latest"
done
finish
