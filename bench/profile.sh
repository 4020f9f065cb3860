#!/usr/bin/env bash
# bench/profile.sh — where does the file pipeline's time go? Writes bench/PROFILE.md.
#
#   bench/profile.sh            profile the 1,000,000-frame file (made by bench/run.sh if missing)
#   bench/profile.sh --quick    the 100,000-frame file instead
#
# Profiles sluice's file pipeline with six windows (benchmark row 1a: stdin path= ->
# json-extract -> distinct-count -> stdout), once with json-extract's fast scanner (the
# default) and once with `mode = strict` (jansson, the "before"):
#   - perf record -e cpu-clock (sampling; this VM exposes no hardware counters, so `perf stat -e
#     instructions` says <not supported> and the samples are timer-based): self time per shared
#     object (the host and each plugin are their own .so, so this is the per-plugin split) and
#     per function;
#   - valgrind --tool=callgrind on the first 100,000 frames: exact instruction counts per
#     function (callgrind_annotate), which do not depend on what else runs on the machine.
# Either part is skipped, with the reason in PROFILE.md, when its tool is missing or does not
# work here (Debian packages: linux-perf, valgrind).
#
# Options: --quick, --build DIR (an existing build dir, as for run.sh), --no-perf, --no-callgrind,
#          --output FILE (default bench/PROFILE.md). Environment: as for bench/run.sh
#          (SLUICE_BENCH_DIR, SLUICE_BENCH_BUILD, ...).
# Exit status: 0 written, 1 failure, 2 usage.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say() { printf 'profile: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Markdown rows from a perf report (--sort dso or dso,sym) or a callgrind_annotate listing.
TABLES=$(cat <<'PY'
import re, sys
from collections import OrderedDict
kind, path, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
def commas(n): return "{:,}".format(int(n))
if kind in ("perf-dso", "perf-sym"):
    # Code without symbols (a stripped library's internal functions) shows up address by
    # address: one row per library for all of it.
    rows = OrderedDict()
    for line in open(path):
        m = re.match(r"\s*([\d.]+)%\s+(\S+)(?:\s+\[[.k]\]\s+(.*))?$", line.rstrip())
        if not m:
            continue
        pct, dso, sym = float(m.group(1)), m.group(2), (m.group(3) or "?").strip()
        if kind == "perf-sym" and re.match(r"0x[0-9a-f]+$", sym):
            sym = "(code without symbols)"
        key = (dso, sym) if kind == "perf-sym" else (dso, "")
        rows[key] = rows.get(key, 0.0) + pct
    for (dso, sym), pct in sorted(rows.items(), key=lambda kv: -kv[1])[:limit]:
        if kind == "perf-dso":
            print("| %.1f%% | `%s` |" % (pct, dso))
        else:
            print("| %.1f%% | `%s` | `%s` |" % (pct, sym, dso))
else:  # callgrind-fn / callgrind-obj: callgrind_annotate --inclusive=no output
    total, rows, fn_obj = None, OrderedDict(), {}
    for line in open(path):  # which object each named function lives in (some lines lack it)
        mo = re.search(r":([^:\s]+) \[[^\]]*/([^/\]]+)\]$", line.rstrip())
        if mo:
            fn_obj.setdefault(mo.group(1), mo.group(2))
    for line in open(path):
        m = re.match(r"\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(.*?)\s*$", line)
        if not m:
            continue
        ir, rest = int(m.group(1).replace(",", "")), m.group(2)
        if rest.startswith("PROGRAM TOTALS"):
            total = ir
            continue
        if total is None or ":" not in rest:
            continue
        obj = ""
        mo = re.search(r"\s+\[([^\]]*)\]$", rest)
        if mo:
            obj, rest = mo.group(1).rsplit("/", 1)[-1], rest[:mo.start()]
        fn = rest.split(":", 1)[1]
        if fn.startswith("<"):
            continue
        if re.match(r"0x[0-9a-f]+", fn):
            fn = "(code without symbols)" + (" in " + obj if obj else "")
        else:
            obj = obj or fn_obj.get(fn, "")
        key = obj if kind == "callgrind-obj" else fn
        cur = rows.setdefault(key, [0, set()])
        cur[0] += ir
        if obj:
            cur[1].add(obj)
    frames = int(sys.argv[4])
    for key, (ir, objs) in sorted(rows.items(), key=lambda kv: -kv[1][0])[:limit]:
        if kind == "callgrind-obj":
            print("| %s | %.1f%% | %s | `%s` |" % (commas(ir), 100.0 * ir / total, commas(ir / frames), key or "?"))
        else:
            print("| %s | %.1f%% | %s | `%s` | %s |" % (commas(ir), 100.0 * ir / total, commas(ir / frames), key,
                                                    ", ".join("`%s`" % o for o in sorted(objs)) or "?"))
PY
)
table() { python3 -c "$TABLES" "$@"; }
commas() { python3 -c 'import sys; print("{:,}".format(int(float(sys.argv[1]))))' "$1"; }

QUICK=()
BUILD_ARGS=()
DO_PERF=yes
DO_CALLGRIND=yes
OUT=$HERE/PROFILE.md
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) QUICK=(--quick) ;;
    --build) BUILD_ARGS=(--build "${2:?--build needs a directory}"); shift ;;
    --no-perf) DO_PERF=no ;;
    --no-callgrind) DO_CALLGRIND=no ;;
    --output) OUT=${2:?--output needs a file}; shift ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) say "unknown argument '$1'"; exit 2 ;;
    esac
    shift
done

prep=$("$HERE/run.sh" --prepare "${QUICK[@]}" "${BUILD_ARGS[@]}") || die "bench/run.sh --prepare failed"
BUILD=$(sed -n 's/^build=//p' <<<"$prep")
FILE=$(sed -n 's/^file=//p' <<<"$prep")
SLUICE=$BUILD/host/sluice
export SLUICE_PLUGIN_PATH=
FRAMES=$(wc -l <"$FILE")
DIR=${SLUICE_BENCH_DIR:-$HERE/out}
WORK=$DIR/profile
rm -rf "$WORK"
mkdir -p "$WORK"

CG_FRAMES=100000
head -n "$CG_FRAMES" "$FILE" >"$WORK/head.jsonl"

pipeline() { # mode, file
    cat <<EOF
[pipeline]
name = profile-$1
[source]
plugin = stdin
path = $2
[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
mode = $1
[transform.count]
plugin = distinct-count
key = uid
windows = minute, hour, day, week, month, year
[sink.results]
plugin = stdout
EOF
}
for mode in fast strict; do
    pipeline "$mode" "$FILE" >"$WORK/$mode.ini"
    pipeline "$mode" "$WORK/head.jsonl" >"$WORK/$mode-head.ini"
done

L=()
SUMMARY=()
w() { L+=("$*"); }
w "# Where the time goes: sluice's file pipeline"
w ""
w "Written by \`bench/profile.sh$([[ ${#QUICK[@]} -gt 0 ]] && echo ' --quick')\` on $(date -u '+%Y-%m-%d %H:%M UTC'):"
w "the benchmark's row 1a (stdin \`path =\` → json-extract → distinct-count with six windows → stdout)"
w "on $(commas "$FRAMES") frames ($(awk -v b="$(stat -c %s "$FILE")" 'BEGIN { printf "%.2f GB", b/1e9 }'), from the page cache),"
w "with json-extract's fast scanner (\`mode = fast\`, \`validate = full\`, one scanning thread per CPU: the defaults) and, as the \"before\", with"
w "\`mode = strict\` (jansson). sluice: $("$SLUICE" --version | head -n1), git $(git -C "$HERE/.." describe --always --dirty 2>/dev/null),"
w "CFLAGS \`$(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile" | head -n1)\`. Machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(nproc) cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg)."
w ""
w "The host and every plugin are separate shared objects, so \"by shared object\" is the split"
w "between the stdin source, json-extract, distinct-count, the host's loop, libc and the kernel."
w "Debian's libjansson is stripped: its internal functions have no names and are summed up as"
w "\"(code without symbols)\". callgrind runs the program on valgrind's own CPU, which has no"
w "AVX-512, so on an AVX-512 machine json-extract picks a lower SIMD level there than under perf."
w ""

cat "$FILE" >/dev/null   # warm the page cache

# ---------------------------------------------------------------------------------------------
# perf


if [[ $DO_PERF == yes ]]; then
    if ! command -v perf >/dev/null; then
        w "## perf: skipped (perf is not installed: apt-get install linux-perf)"
        w ""
    elif ! perf record -e cpu-clock -o "$WORK/probe.data" -- true >/dev/null 2>&1; then
        w "## perf: skipped (\`perf record\` does not work here: $(perf record -e cpu-clock -o "$WORK/probe.data" -- true 2>&1 | head -n 2 | tr '\n' ' '))"
        w ""
    else
        hw=$(perf stat -e instructions -x, true 2>&1 | head -n1)
        for mode in fast strict; do
            say "perf record ($mode)"
            /usr/bin/time -f '%e %U %S %M' -o "$WORK/perf-$mode.time" \
                perf record -e cpu-clock -F 2000 -o "$WORK/perf-$mode.data" -- \
                "$SLUICE" -q "$WORK/$mode.ini" >"$WORK/perf-$mode.out" 2>"$WORK/perf-$mode.err" ||
                die "perf record ($mode) failed: $(tail -n 3 "$WORK/perf-$mode.err")"
            read -r wall user sys rss < <(tail -n1 "$WORK/perf-$mode.time")
            w "## perf, \`mode = $mode\`"
            w ""
            w "\`perf record -e cpu-clock -F 2000\` over the whole run: ${wall} s wall, ${user} s user + ${sys} s system"
            w "(under perf, perf's own start-up included). Self time: the samples in the function itself."
            w ""
            w "By shared object:"
            w ""
            w "| self | shared object |"
            w "|--:|---|"
            perf report -i "$WORK/perf-$mode.data" --stdio --no-children --sort dso -q 2>/dev/null >"$WORK/perf-$mode.dso.txt"
            while IFS= read -r line; do w "$line"; done < <(table perf-dso "$WORK/perf-$mode.dso.txt" 12)
            w ""
            w "By thread (the process's first thread runs the pipeline; \`sluice-scan\` threads are"
            w "json-extract's scanning helpers; the stdin source's read-ahead thread does the kernel's"
            w "copy from the page cache and the newline search):"
            w ""
            w "| self | thread |"
            w "|--:|---|"
            perf report -i "$WORK/perf-$mode.data" --stdio --no-children --sort pid -q 2>/dev/null >"$WORK/perf-$mode.pid.txt"
            while IFS= read -r line; do w "$line"; done < <(awk 'NF >= 2 { split($2, t, ":"); pct[t[1]] = $1
                    comm[t[1]] = t[2]; if (min == "" || t[1] + 0 < min + 0) min = t[1] }
                END { for (id in pct) printf "| %s | %s (%s) |\n", pct[id], id,
                          id == min ? "pipeline" : comm[id] == "sluice-scan" ? "json-extract scanning" : "read-ahead" }' \
                "$WORK/perf-$mode.pid.txt" | sort -t'|' -k2,2nr)
            w ""
            w "Top functions:"
            w ""
            w "| self | function | shared object |"
            w "|--:|---|---|"
            perf report -i "$WORK/perf-$mode.data" --stdio --no-children --sort dso,sym -q 2>/dev/null >"$WORK/perf-$mode.sym.txt"
            while IFS= read -r line; do w "$line"; done < <(table perf-sym "$WORK/perf-$mode.sym.txt" 25)
            SUMMARY+=("- \`mode = $mode\` (perf, ${wall} s wall): by shared object $(table perf-dso "$WORK/perf-$mode.dso.txt" 4 |
                awk -F'|' '{ gsub(/ /, "", $2); gsub(/^ +| +$/, "", $3); printf "%s%s %s", (NR > 1 ? ", " : ""), $3, $2 }'); top functions $(table perf-sym "$WORK/perf-$mode.sym.txt" 4 |
                awk -F'|' '{ gsub(/ /, "", $2); gsub(/^ +| +$/, "", $3); printf "%s%s %s", (NR > 1 ? ", " : ""), $3, $2 }').")
            w ""
        done
        w "(Hardware counters: \`perf stat -e instructions\` answers \`${hw}\` in this VM, so perf samples on the timer, cpu-clock.)"
        w ""
    fi
fi

# ---------------------------------------------------------------------------------------------
# callgrind

if [[ $DO_CALLGRIND == yes ]]; then
    if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
        w "## callgrind: skipped (valgrind is not installed: apt-get install valgrind)"
        w ""
    else
        for mode in fast strict; do
            say "callgrind ($mode, $CG_FRAMES frames)"
            if ! valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind-$mode.out" \
                "$SLUICE" -q "$WORK/$mode-head.ini" >"$WORK/callgrind-$mode.stdout" 2>"$WORK/callgrind-$mode.err"; then
                w "## callgrind, \`mode = $mode\`: failed ($(tail -n 2 "$WORK/callgrind-$mode.err" | tr '\n' ' '))"
                w ""
                continue
            fi
            callgrind_annotate --inclusive=no --auto=no --threshold=100 "$WORK/callgrind-$mode.out" >"$WORK/callgrind-$mode.txt" 2>/dev/null
            total=$(sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' "$WORK/callgrind-$mode.txt" | tr -d , | head -n1)
            w "## callgrind, \`mode = $mode\`, first $(commas "$CG_FRAMES") frames"
            w ""
            w "$(commas "$total") instructions in all, $(commas "$((total / CG_FRAMES))") per frame."
            w ""
            w "| instructions | share | per frame | shared object |"
            w "|--:|--:|--:|---|"
            while IFS= read -r line; do w "$line"; done < <(table callgrind-obj "$WORK/callgrind-$mode.txt" 10 "$CG_FRAMES")
            w ""
            w "| instructions | share | per frame | function | shared object |"
            w "|--:|--:|--:|---|---|"
            while IFS= read -r line; do w "$line"; done < <(table callgrind-fn "$WORK/callgrind-$mode.txt" 20 "$CG_FRAMES")
            w ""
        done
    fi
fi

if [[ ${#SUMMARY[@]} -gt 0 ]]; then   # the summary goes right after the introduction
    for i in "${!L[@]}"; do [[ ${L[$i]} == "## "* ]] && break; done
    L=("${L[@]:0:$i}" "## Summary" "" "${SUMMARY[@]}" "" "${L[@]:$i}")
fi
REL=$WORK
[[ $WORK == "$(cd "$HERE/.." && pwd)"/* ]] && REL=${WORK#"$(cd "$HERE/.." && pwd)"/}
w "Raw data: \`$REL\` (perf.data files: \`perf report -i ...\`; callgrind: \`callgrind_annotate ...\`)."
printf '%s\n' "${L[@]}" >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
say "wrote $OUT"
