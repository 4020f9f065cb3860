#!/usr/bin/env bash
# bench/exact_vs_sketch.sh — the sketch's error through the whole pipeline: the same generated
# frames counted by sluice twice, distinct-count `algorithm = exact` and `algorithm = sketch`,
# window by window; prints a Markdown table per window size (REPORT.md, section 3).
#
#   bench/exact_vs_sketch.sh [BUILD [FRAMES [USERS [SEED]]]]
#        defaults:            build  2000000  1000000  7
#
# The frames come from the `generate` source at 1000 frames/s of event time; the windows are 10s,
# minute, 5m, hour and day, so their sizes span a few thousand to most of USERS. Windows of one
# size share no frames, windows of different sizes do: their errors are not independent.
# Needs jq. About 10 s for the defaults.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${1:-$HERE/../build}
FRAMES=${2:-2000000}
USERS=${3:-1000000}
SEED=${4:-7}
SLUICE=$BUILD/host/sluice
[[ -x $SLUICE ]] || { echo "exact_vs_sketch: no $SLUICE (build first, or name the build directory)" >&2; exit 1; }
command -v jq >/dev/null || { echo "exact_vs_sketch: jq is missing (apt-get install jq)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

for alg in exact sketch; do
    cat >"$TMP/$alg.ini" <<EOF
[source]
plugin = generate
count = $FRAMES
users = $USERS
rate = 1000
seed = $SEED
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
[transform.count]
plugin = distinct-count
key = uid
algorithm = $alg
windows = 10s, minute, 5m, hour, day
[sink.out]
plugin = stdout
EOF
    SLUICE_PLUGIN_PATH= "$SLUICE" -q "$TMP/$alg.ini" |
        jq -r '[.window + "/" + (.start_ts | tostring), .unique, .frames, .estimator] | @tsv' |
        sort >"$TMP/$alg.tsv"
done

echo "$FRAMES frames (generate: users $USERS, rate 1000/s, seed $SEED), algorithm = exact against sketch:"
echo
echo "| window | windows | exact distinct | estimated | RMSE | worst | unique > frames |"
echo "|---|---:|---|---:|---:|---:|---:|"
# key, exact unique, frames, sketch unique, estimator
join -t $'\t' -j 1 -o 1.1,1.2,1.3,2.2,2.4 "$TMP/exact.tsv" "$TMP/sketch.tsv" | awk -F'\t' '
    { split($1, k, "/"); w = k[1]
      n[w]++
      if ($2 < lo[w] || n[w] == 1) lo[w] = $2
      if ($2 > hi[w]) hi[w] = $2
      if ($5 != "exact") { d[w]++; e = $4 / $2 - 1; ss[w] += e * e; a = e < 0 ? -e : e; if (a > m[w]) m[w] = a }
      else if ($4 != $2) bad++
      over[w] += $4 > $3 }
    END { nw = split("10s minute 5m hour day", order, " ")
          for (i = 1; i <= nw; i++) { w = order[i]
            printf "| %s | %d | %d to %d | %d | %.3f%% | %.2f%% | %d |\n", w, n[w], lo[w], hi[w], d[w],
                   d[w] ? 100 * sqrt(ss[w] / d[w]) : 0, 100 * m[w], over[w] }
          if (bad) { printf "%d windows the sketch called exact are not\n", bad; exit 1 } }'
