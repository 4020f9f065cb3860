#!/usr/bin/env bash
# bench/plots.sh — draw REPORT.md's figures (SVG, gnuplot) from the benchmark's data files.
#
#   bench/plots.sh                          bench/data/*.tsv -> bench/figures/*.svg
#   bench/plots.sh --measure build          first measure error.tsv and msgpack.tsv anew with
#                                           the programs of build directory `build`, then draw
#
# The data (each file starts with '# source:', '# date:' and '# machine:' lines, which every
# figure shows, then a header line and tab-separated rows):
#   speed.tsv    bench/run.sh's table (bench/report.py writes it beside RESULTS.md)
#                -> speed.svg (frames/s of every contender), parser.svg (CPU per frame:
#                   the JSON parser's share)
#   error.tsv    bench/sketch_windows: the sketch against exact counts, window by window
#                -> error.svg (estimate vs exact), error-hist.svg (the error distribution)
#   msgpack.tsv  bench/msgpack_uid: JSON against MessagePack, bytes and extraction time
#                -> msgpack.svg
# A missing data file skips its figures (and says so); a data file with no rows is an error.
#
# Options:
#   --data DIR       read the data from DIR (default bench/data)
#   --out DIR        write the SVGs to DIR (default bench/figures)
#   --measure BUILD  first run BUILD/bench/sketch_windows and BUILD/bench/msgpack_uid and write
#                    DIR/error.tsv and DIR/msgpack.tsv (msgpack_uid only if BUILD has it: it
#                    needs msgpack-c, Debian libmsgpack-dev)
#   --quick          with --measure: small runs (300 windows up to 1e5; 5,000 frames, 1 pass),
#                    for tests: the figures are right, the timings mean little
#   -h, --help
#
# Needs gnuplot (Debian gnuplot-nox) and awk. Exit status: 0 done, 1 failed, 2 usage.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA=$HERE/data
OUT=$HERE/figures
MEASURE=
QUICK=no

say() { printf 'plots: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [[ $# -gt 0 ]]; do
    case $1 in
    --data) DATA=${2:?--data needs a directory}; shift ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    --measure) MEASURE=${2:?--measure needs a build directory}; shift ;;
    --quick) QUICK=yes ;;
    -h | --help) usage 0 ;;
    *) say "unknown argument '$1'"; usage 2 ;;
    esac
    shift
done
command -v gnuplot >/dev/null || die "gnuplot is not installed: apt-get install gnuplot-nox (./setup --tests installs it)"
mkdir -p "$DATA" "$OUT" || die "cannot create $DATA or $OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

machine() { # the CPU model and core count, as bench/run.sh records them
    printf '%s, %s cores' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" "$(nproc)"
}

# ---------------------------------------------------------------------------------------------
# Measuring (--measure): the two programs' data, with the machine line added.

if [[ -n $MEASURE ]]; then
    [[ -x $MEASURE/bench/sketch_windows ]] ||
        die "--measure $MEASURE: no bench/sketch_windows there (run make in it first)"
    err_args=() mp_args=()
    [[ $QUICK == yes ]] && err_args=(300 100000) mp_args=(5000 1)
    say "measuring: bench/sketch_windows ${err_args[*]}"
    { echo "# machine: $(machine)"; "$MEASURE/bench/sketch_windows" "${err_args[@]}"; } \
        >"$TMP/error.tsv" || die "bench/sketch_windows failed"
    mv "$TMP/error.tsv" "$DATA/error.tsv"
    if [[ -x $MEASURE/bench/msgpack_uid ]]; then
        say "measuring: bench/msgpack_uid ${mp_args[*]}"
        { echo "# machine: $(machine)"; "$MEASURE/bench/msgpack_uid" "${mp_args[@]}"; } \
            >"$TMP/msgpack.tsv" || die "bench/msgpack_uid failed"
        mv "$TMP/msgpack.tsv" "$DATA/msgpack.tsv"
    else
        say "no bench/msgpack_uid in $MEASURE (configure did not find msgpack-c: apt-get install libmsgpack-dev); msgpack.tsv not measured"
    fi
fi

# ---------------------------------------------------------------------------------------------
# Helpers

# The value of a '# key: value' line of a data file, without quotes or backslashes (it goes
# into gnuplot strings).
head_value() { sed -n "s/^# $2: //p" "$1" | head -n1 | tr -d '"\\'; }
# The second title line of every figure: where and when its data was measured.
stamp() { printf '%s, %s' "$(head_value "$1" date)" "$(head_value "$1" machine)"; }
# The data rows (no comments, no header line).
rows() { grep -v '^#' "$1" | tail -n +2; }

STYLE='set datafile separator "\t"
set border 3
set tics nomirror
set grid ytics lc rgb "#dddddd"
set key noautotitle'

drawn=()
draw() { # name [width height] (the gnuplot script is on stdin)
    { echo "set terminal svg size ${2:-960},${3:-540} dynamic noenhanced font \"sans,12\" background \"white\""
      echo "$STYLE"; echo "set output \"$OUT/$1.svg\""; cat; } >"$TMP/$1.gp"
    gnuplot "$TMP/$1.gp" 2>"$TMP/$1.log" || die "gnuplot failed on $1: $(head -c 600 "$TMP/$1.log")"
    [[ -s $OUT/$1.svg ]] || die "gnuplot wrote no $OUT/$1.svg"
    drawn+=("$OUT/$1.svg")
}
have_data() { # file: there with rows, or missing (skip); present but empty is an error
    if [[ ! -f $1 ]]; then
        say "no $1: its figures are not drawn"
        return 1
    fi
    [[ -n $(rows "$1") ]] || die "$1 has no data rows"
}

# ---------------------------------------------------------------------------------------------
# speed.svg and parser.svg, from bench/run.sh's table

F=$DATA/speed.tsv
if have_data "$F"; then
    # id, short name, frames/s, CPU µs per frame, colour (sluice's own rows in one colour).
    rows "$F" | awk -F'\t' -v OFS='\t' '
        BEGIN {
            n["1m"] = "sluice, minute";            n["1a"] = "sluice, six windows"
            n["1f"] = "sluice, validate = full";   n["2m"] = "sluice strict (jansson), minute"
            n["1s"] = "sluice, validate = structure"
            n["2a"] = "sluice strict (jansson), six";  n["3"] = "jq | sort -u | wc -l"
            n["4l"] = "simdjson, per line";        n["4m"] = "simdjson, iterate_many"
            n["4d"] = "simdjson DOM, per line"
            n["5"] = "kcat, raw consume";          n["6"] = "sluice, Kafka -> Kafka"
            n["7t"] = "Faust, tables";             n["7s"] = "Faust, sets"
        }
        { name = ($1 in n) ? n[$1] : $1 " " substr($11, 1, 28)
          print $1, name, $3, $8, ($2 == "sluice" || $2 == "strict" || $2 == "kafka") ? 1 : 2 }' \
        >"$TMP/speed.dat"
    # JSON parsing at three strictnesses, same pipeline otherwise; the peers that parse JSON.
    # (1f: validate = full before it became the default, row 1a; 1s: structure by name.)
    awk -F'\t' -v OFS='\t' '$1 ~ /^(1a|1s|1f|2a|4l|4d|3)$/' "$TMP/speed.dat" >"$TMP/parser.dat"
    draw speed <<EOF
set title "Frames per second, median of runs (higher is faster; log scale)\n$(stamp "$F")"
set logscale y
set yrange [100:*]
set format y "%.0s%c"
set ylabel "frames per second"
set xtics rotate by -35 left
set style fill solid 0.8 border -1
set boxwidth 0.7
set bmargin 9
set label 1 "sluice" at graph 0.80, graph 0.95 tc rgb "#1f6fb4"
set label 2 "other tools" at graph 0.88, graph 0.95 tc rgb "#c0504d"
plot "$TMP/speed.dat" using 0:3:(\$5 == 1 ? 0x1f6fb4 : 0xc0504d):xtic(2) with boxes lc rgb variable, \
     "" using 0:3:(gprintf("%.1s%c", \$3)) with labels offset 0,0.8 font ",10"
EOF
    if [[ -n $(cat "$TMP/parser.dat") ]]; then
        draw parser <<EOF
set title "CPU time per frame: sluice with each JSON parser, and two peers (lower is leaner; log scale)\n$(stamp "$F")"
set logscale y
set ylabel "CPU microseconds per frame (all threads)"
set xtics rotate by -20 left
set style fill solid 0.8 border -1
set boxwidth 0.6
set bmargin 7
plot "$TMP/parser.dat" using 0:4:(\$5 == 1 ? 0x1f6fb4 : 0xc0504d):xtic(2) with boxes lc rgb variable, \
     "" using 0:4:(sprintf("%.2f us", \$4)) with labels offset 0,0.8 font ",10"
EOF
    else
        say "$F has none of the rows 1a, 1f, 2a, 4l, 3: parser.svg not drawn"
    fi
fi

# ---------------------------------------------------------------------------------------------
# error.svg and error-hist.svg, from bench/sketch_windows

F=$DATA/error.tsv
if have_data "$F"; then
    # exact, estimate, relative error in %, rse in %, 1 if estimated (dense) else 0
    rows "$F" | awk -F'\t' -v OFS='\t' '{ print $2, $3, 100 * $5, 100 * $6, $7 != "exact" }' >"$TMP/err.dat"
    awk -F'\t' -v OFS='\t' '$5 == 1' "$TMP/err.dat" >"$TMP/err-dense.dat"
    # Summary for the figures: counts, RMSE, share within 1 and 2 rse, the rse itself.
    read -r nall nexact exact_ok ndense rmse w1 w2 rse maxabs < <(awk -F'\t' '
        { n++ }
        $5 == 0 { e++; ok += ($1 == $2) }
        $5 == 1 { d++; ss += $3 * $3; r = $4; a = $3 < 0 ? -$3 : $3
                  if (a > m) m = a; w1 += a <= r; w2 += a <= 2 * r }
        END { printf "%d %d %d %d %.3f %.1f %.1f %.4f %.2f\n", n, e, ok, d,
                     d ? sqrt(ss / d) : 0, d ? 100 * w1 / d : 0, d ? 100 * w2 / d : 0, r, m }' \
        "$TMP/err.dat")
    summary="$nall windows: $nexact counted exactly ($exact_ok right), $ndense estimated: RMSE ${rmse}%, ${w2}% within 2 rse, worst ${maxabs}%"
    draw error 960 720 <<EOF
set multiplot title "distinct-count's sketch (UltraLogLog p = 13) against the exact count, window by window\n$(stamp "$F")"
set logscale x
set format x "%.0s%c"
set lmargin 12
set rmargin 4
set size 1,0.36
set origin 0,0.56
set logscale y
set format y "%.0s%c"
set ylabel "estimate"
set key top left
plot x title "estimate = exact" with lines lc rgb "#999999", \
     "$TMP/err.dat" using 1:2 title "a window" with points pt 7 ps 0.3 lc rgb "#1f6fb4"
unset logscale y
set size 1,0.56
set origin 0,0
set format y "%+.1f%%"
set ylabel "estimate / exact - 1"
set xlabel "exact distinct uids in the window"
set title "$summary" font ",10"
set key top left opaque box lc rgb "#cccccc"
set arrow 1 from 1024, graph 0 to 1024, graph 1 nohead lc rgb "#999999" dt 2
set label 2 "exact up to 1,024 distinct" at 1024, graph 0.06 offset -0.5,0 right font ",10" tc rgb "#666666"
plot "$TMP/err.dat" using 1:3 title "a window" with points pt 7 ps 0.3 lc rgb "#1f6fb4", \
     $rse title "+/- 1 rse (0.84%, the sketch's stated error)" with lines lc rgb "#c0504d", \
     -$rse notitle with lines lc rgb "#c0504d", \
     2*$rse title "+/- 2 rse" with lines lc rgb "#c0504d" dt 2, \
     -2*$rse notitle with lines lc rgb "#c0504d" dt 2
unset multiplot
EOF
    if [[ $ndense -gt 0 ]]; then
        draw error-hist <<EOF
set title "Error distribution of the $ndense estimated windows ($(awk -F'\t' 'NR == 1 || $1 < lo { lo = $1 } NR == 1 || $1 > hi { hi = $1 } END { print lo " to " hi }' "$TMP/err-dense.dat") distinct uids)\n$(stamp "$F")"
binw = 0.1
bin(x) = binw * floor(x / binw) + binw / 2
set xlabel "estimate / exact - 1"
set format x "%+.1f%%"
set ylabel "windows per 0.1% of error"
set style fill solid 0.5 border -1
set key top right
set label 1 "RMSE ${rmse}%, ${w1}% within 1 rse, ${w2}% within 2 rse, worst ${maxabs}%" at graph 0.02, graph 0.95 font ",10"
normal(x, s) = $ndense * binw * exp(-x * x / (2 * s * s)) / (s * sqrt(2 * pi))
set xrange [-4 * $rse : 4 * $rse]
set samples 400
plot "$TMP/err-dense.dat" using (bin(\$3)):(1.0) smooth frequency title "windows" with boxes lc rgb "#1f6fb4", \
     normal(x, $rse) title "normal, sd = rse (0.84%, stated)" with lines lw 2 lc rgb "#c0504d", \
     normal(x, $rmse) title "normal, sd = measured RMSE" with lines lw 2 dt 2 lc rgb "#333333"
EOF
    fi
fi

# ---------------------------------------------------------------------------------------------
# msgpack.svg, from bench/msgpack_uid

F=$DATA/msgpack.tsv
if have_data "$F"; then
    # label, bytes per frame, ns per frame, colour (JSON / MessagePack)
    rows "$F" | awk -F'\t' -v OFS='\t' '
        { print ($1 == "json" ? "JSON" : "MsgPack") ", " $2 ": " $3, $4, $5, $1 == "json" ? 1 : 2 }' \
        >"$TMP/msgpack.dat"
    draw msgpack 1100 560 <<EOF
set multiplot layout 1,2 title "Root uid and ts of the benchmark's frames: JSON against MessagePack (msgpack-c)\n$(stamp "$F")"
set style fill solid 0.8 border -1
set boxwidth 0.6
set xtics rotate by -35 left font ",10"
set bmargin 11
set ylabel "bytes per frame"
set title "Size (lower is smaller)"
set label 1 "JSON" at graph 0.70, graph 0.95 tc rgb "#c0504d"
set label 2 "MessagePack" at graph 0.70, graph 0.88 tc rgb "#1f6fb4"
plot "$TMP/msgpack.dat" using 0:2:(\$4 == 1 ? 0xc0504d : 0x1f6fb4):xtic(1) with boxes lc rgb variable, \
     "" using 0:2:(sprintf("%.0f", \$2)) with labels offset 0,0.7 font ",9"
unset label
set title "Extraction, CPU ns per frame (lower is faster; log scale)"
set ylabel "CPU nanoseconds per frame"
set logscale y
plot "$TMP/msgpack.dat" using 0:3:(\$4 == 1 ? 0xc0504d : 0x1f6fb4):xtic(1) with boxes lc rgb variable, \
     "" using 0:3:(sprintf("%.0f", \$3)) with labels offset 0,0.7 font ",9"
unset multiplot
EOF
fi

[[ ${#drawn[@]} -gt 0 ]] || die "no data in $DATA: nothing drawn"
for f in "${drawn[@]}"; do say "wrote $f"; done
