#!/bin/sh
# REPORT.md's figures: the quick benchmark (bench/run.sh --quick, sluice, strict and jq rows on
# 20,000 frames, one run) writes its table as data, the error and MessagePack programs write
# theirs, and bench/plots.sh draws every figure from that data, each stamped with the date and
# machine of its data. The figures and the data's shape are checked, not the timings. Also:
# the checked-in figures (bench/figures) are what plots.sh draws from the checked-in data
# (bench/data), so a data file is never updated without its figures.
# Needs gnuplot (gnuplot-nox) and GNU time; skipped without them, except in CI (CI=true), where
# ./setup --tests installs them.
. "$top_srcdir/tests/lib.sh"

need() { # command, Debian package
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "${CI:-}" = true ]; then
        echo "FAIL: $1 is missing in CI: ./setup --tests installs $2" >&2
        exit 1
    fi
    echo "SKIP: $1 is missing (apt-get install $2)" >&2
    exit 77
}
need gnuplot gnuplot-nox
need /usr/bin/time time
need python3 python3
need jq jq
if [ ! -x "$top_builddir/bench/msgpack_uid" ] && [ "${CI:-}" = true ]; then
    echo "FAIL: bench/msgpack_uid was not built in CI: ./setup --tests installs libmsgpack-dev" >&2
    exit 1
fi

B="$TMP/bench"
mkdir -p "$B"
if ! SLUICE_BENCH_DIR="$B" SLUICE_BENCH_FRAMES=20000 bash "$top_srcdir/bench/run.sh" --quick \
    --only sluice,strict,jq --runs 1 --build "$top_builddir" --results "$B/RESULTS-quick.md" \
    >"$TMP/run.log" 2>&1; then
    tail -20 "$TMP/run.log" >&2
    fail "bench/run.sh --quick failed"
    finish
fi
if ! bash "$top_srcdir/bench/plots.sh" --data "$B/data" --out "$TMP/plots" \
    --measure "$top_builddir" --quick >"$TMP/plots.log" 2>&1; then
    cat "$TMP/plots.log" >&2
    fail "bench/plots.sh failed"
    finish
fi

# The data. speed.tsv: one row per contender that ran, in the report's order (bench/run.sh may
# add rows; these must be there).
rows() { grep -v '^#' "$1" | tail -n +2; }
expect_eq "speed.tsv rows" "$(rows "$B/data/speed.tsv" | cut -f1 | grep -xE '1m|1a|1s|2m|2a|3' | tr '\n' ' ')" \
    "1m 1a 1s 2m 2a 3 "
expect_eq "speed.tsv: every rate positive, 1 run each" \
    "$(rows "$B/data/speed.tsv" | awk -F'\t' '!($3 > 0 && $10 == 1)' | wc -l)" 0
# error.tsv: 300 windows; a window the sketch still counts exactly is exact; an estimated one is
# within 5 rse (the seed is fixed: this is not a matter of luck).
E="$B/data/error.tsv"
expect_eq "error.tsv windows" "$(rows "$E" | wc -l)" 300
expect_eq "exact windows are exact" "$(rows "$E" | awk -F'\t' '$7 == "exact" && $4 != $2' | wc -l)" 0
expect_eq "estimated windows within 5 rse" \
    "$(rows "$E" | awk -F'\t' '$7 != "exact" && ($5 > 5 * $6 || $5 < -5 * $6 || $6 <= 0)' | wc -l)" 0
expect_eq "both kinds of window" \
    "$(rows "$E" | awk -F'\t' '{ k[$7 == "exact"] = 1 } END { print (0 in k) + (1 in k) }')" 2

# The figures: each one exists, is SVG, carries its data's date and machine and its series.
stamp() { # data file -> "date, machine" as the figures show it
    printf '%s, %s' "$(sed -n 's/^# date: //p' "$1")" "$(sed -n 's/^# machine: //p' "$1")"
}
figure() { # svg, data file, texts the figure must show...
    svg="$TMP/plots/$1.svg" data="$2"
    shift 2
    if [ ! -s "$svg" ] || ! grep -q '<svg' "$svg"; then
        fail "$svg: no SVG written"
        return
    fi
    grep -qF -- "$(stamp "$data")" "$svg" || fail "$svg: no stamp '$(stamp "$data")'"
    for text in "$@"; do
        grep -qF -- "$text" "$svg" || fail "$svg: no text '$text'"
    done
}
figure speed "$B/data/speed.tsv" "Frames per second" "sluice, minute" "sluice, six windows" \
    "sluice, validate = structure" "sluice strict (jansson), six" "jq | sort -u | wc -l"
figure parser "$B/data/speed.tsv" "sluice with each JSON parser" "sluice, six windows" \
    "sluice, validate = structure" "sluice strict (jansson), six" "jq | sort -u | wc -l"
figure error "$E" "against the exact count" "estimate = exact" "+/- 1 rse" "+/- 2 rse" \
    "300 windows: $(rows "$E" | awk -F'\t' '$7 == "exact"' | wc -l) counted exactly"
figure error-hist "$E" "Error distribution" "normal, sd = rse" "normal, sd = measured RMSE"
if [ -x "$top_builddir/bench/msgpack_uid" ]; then
    M="$B/data/msgpack.tsv"
    expect_eq "msgpack.tsv rows" "$(rows "$M" | cut -f1-3 | tr '\t\n' ',;')" \
        "json,whole frame,sluice fast;json,whole frame,jansson;msgpack,whole frame,msgpack-c;msgpack,whole frame,cursor;json,uid+ts only,sluice fast;msgpack,uid+ts only,msgpack-c;msgpack,uid+ts only,cursor;"
    expect_eq "MessagePack is smaller" \
        "$(rows "$M" | awk -F'\t' '$2 == "whole frame" { b[$1] = $4 } END { print b["msgpack"] < b["json"] }')" 1
    figure msgpack "$M" "JSON against MessagePack" "JSON, whole frame: sluice fast" \
        "MsgPack, whole frame: msgpack-c" "MsgPack, uid+ts only: cursor"
fi

# Rerunning plots.sh on the same data draws the same figures; the checked-in ones included.
bash "$top_srcdir/bench/plots.sh" --data "$B/data" --out "$TMP/again" 2>/dev/null ||
    fail "bench/plots.sh (second run) failed"
for f in "$TMP"/plots/*.svg; do
    cmp -s "$f" "$TMP/again/${f##*/}" || fail "${f##*/}: a second run on the same data differs"
done
if [ -d "$top_srcdir/bench/data" ]; then
    bash "$top_srcdir/bench/plots.sh" --data "$top_srcdir/bench/data" --out "$TMP/checked-in" \
        2>/dev/null || fail "bench/plots.sh on bench/data failed"
    for f in "$TMP"/checked-in/*.svg; do
        cmp -s "$f" "$top_srcdir/bench/figures/${f##*/}" ||
            fail "bench/figures/${f##*/} is not what bench/plots.sh draws from bench/data: rerun bench/plots.sh and commit both"
    done
fi
finish
