#!/usr/bin/env bash
# bench/run.sh — how fast is sluice, next to jq, simdjson, kcat and Faust? (issues 5 and 11)
#
#   bench/run.sh             full run: 1,000,000 frames (~2 GB), 5 runs each  -> bench/RESULTS.md
#   bench/run.sh --quick     100,000 frames, 3 runs each, Faust 20 s  -> $SLUICE_BENCH_DIR/RESULTS-quick.md
#
# One command, not part of `make check`. The full run takes about 30 minutes on the 2-core
# development machine (most of it the strict-mode and jq runs and the bounded Faust runs);
# --quick takes about 3 minutes.
#
# What it does, in order:
#   1. builds sluice into $SLUICE_BENCH_DIR/build with the default flags (configure's CFLAGS,
#      i.e. -g -O2; no -march=native: the fast scanner picks its SIMD level at run time), or uses the
#      build directory given with --build DIR / SLUICE_BENCH_BUILD;
#   2. generates the frames once with the `generate` source (count 1,000,000, users 100,000,
#      rate 1000/s, seed 42: the challenge's own `-c 1000000 -r 1000 -n 100000`) into
#      $SLUICE_BENCH_DIR/frames-*.jsonl, reused while the parameters are the same and a fresh
#      generation of its first frames still matches the file;
#   3. compiles bench/simdjson_uid.cpp with g++ -O3 (libsimdjson-dev, libxxhash-dev);
#   4. starts the repo's Kafka broker (tests/kafka/broker.sh, its own state dir under
#      $SLUICE_BENCH_DIR/kafka) and produces the file once to a one-partition topic with kcat;
#   5. measures each contender several times, round-robin (run 1 of each, then run 2, ...), each
#      run under /usr/bin/time (wall, user, sys, max RSS), and checks every run's answer:
#        1  sluice  file -> json-extract (fast) -> distinct-count -> stdout: minute / six windows
#           (json-extract's defaults: validate = full, one scanning thread per CPU), six windows
#           with validate = structure, and six windows with threads = 1 (row 1t)
#        2  the same with json-extract mode = strict (jansson)
#        3  jq -r .uid FILE | sort -u | wc -l        (the challenge's reference command)
#        4  bench/simdjson_uid: simdjson On Demand, per line / iterate_many (4l, 4m), and its DOM
#           parser per line (4d: every byte checked, as sluice's default does; On Demand checks
#           the grammar, numbers and literals only of what it reads)
#        5  kcat -C -e -o beginning -q to /dev/null  (raw consume rate)
#        6  sluice kafka-in -> json-extract -> distinct-count (six windows) -> kafka-out
#        7  bench/faust_app.py (faust-streaming in a venv under $SLUICE_BENCH_DIR): tumbling
#           tables / plain sets, each stopped after a bounded time; rate = frames / time
#        L  per scanner level: row 1a with SLUICE_JX_SCANNER=<level> and bench/simdjson_uid
#           (per line) with SIMDJSON_FORCE_IMPLEMENTATION set to the same instruction set, for
#           every level this CPU has (avx512 = AVX-512+VBMI2 and avx512bw against icelake, avx2
#           against haswell, sse42 and sse2 against westmere, scalar against fallback): J-<level> On
#           Demand, D-<level> the DOM parser; S-<level> is L-<level> on one thread (threads = 1,
#           read_ahead = false): the same work without the parallel default's cost of keeping
#           both cores busy
#   6. writes the Markdown report (bench/report.py): medians, ratios to sluice, the machine,
#      versions, and the goals of issue 5 with pass/miss, and its table as data/speed.tsv beside
#      it (bench/data/speed.tsv for a full run), and redraws the figures from it with
#      bench/plots.sh if gnuplot is installed (bench/figures/*.svg: REPORT.md's); stops the broker.
#
# Options:
#   --quick            100k frames, 3 runs, Faust 20 s x 1 run; report to $SLUICE_BENCH_DIR/RESULTS-quick.md
#   --build DIR        use this existing build directory (it has host/sluice) instead of building
#   --runs N           runs per contender (default 5; --quick 3)
#   --only LIST        only these contender groups, comma-separated:
#                      sluice,strict,jq,simdjson,kcat,kafka,faust,levels (default: all)
#   --levels LIST      scanner levels for the per-level rows (default: every one this CPU has,
#                      of avx512,avx512bw,avx2,sse42,sse2,scalar)
#   --keep-broker      leave the broker running at the end; a later run reuses it and its topic
#                      (no second produce)
#   --install          first apt-get install the Debian packages this needs (sudo if not root)
#   --results FILE     where to write the report
#   --prepare          only build and make the frames file, print "build=DIR" and "file=PATH"
#                      on stdout and exit (bench/profile.sh uses this)
#   -h, --help
#
# Environment (all optional): SLUICE_BENCH_DIR (cache and outputs, default bench/out, ignored by
# git), SLUICE_BENCH_BUILD, SLUICE_BENCH_RUNS, SLUICE_BENCH_FRAMES, SLUICE_BENCH_USERS,
# SLUICE_BENCH_SEED, SLUICE_BENCH_JQ_RUNS (default: the same as the others),
# SLUICE_BENCH_FAUST_SECONDS (60; quick 20), SLUICE_BENCH_FAUST_RUNS (3; quick 1),
# SLUICE_BENCH_FAUST_SPEC (pip requirement, default faust-streaming==0.15.3).
#
# Needs: Debian packages build-essential autoconf automake libtool pkg-config libjansson-dev
# libinih-dev librdkafka-dev libxxhash-dev zlib1g-dev jq kcat libsimdjson-dev time vmtouch
# python3-venv openjdk-17-jre-headless maven (the broker) — `--install` installs them — and
# PyPI (for faust-streaming). A missing piece skips its contenders and the report says so.
#
# Exit status: 0 report written (even if some goal is missed), 1 something broke, 2 usage.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/.." && pwd)

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

QUICK=no
PREPARE=no
KEEP_BROKER=no
INSTALL=no
ONLY=all
BUILD=${SLUICE_BENCH_BUILD:-}
RUNS=${SLUICE_BENCH_RUNS:-}
RESULTS=
LEVELS=
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) QUICK=yes ;;
    --build) BUILD=${2:?--build needs a directory}; shift ;;
    --runs) RUNS=${2:?--runs needs a number}; shift ;;
    --only) ONLY=${2:?--only needs a list}; shift ;;
    --levels) LEVELS=${2:?--levels needs a list}; shift ;;
    --keep-broker) KEEP_BROKER=yes ;;
    --install) INSTALL=yes ;;
    --results) RESULTS=${2:?--results needs a file}; shift ;;
    --prepare) PREPARE=yes ;;
    -h | --help) usage 0 ;;
    *) say "unknown argument '$1'"; usage 2 ;;
    esac
    shift
done

DIR=${SLUICE_BENCH_DIR:-$HERE/out}
mkdir -p "$DIR" || die "cannot create $DIR"
DIR=$(cd "$DIR" && pwd)

if [[ $QUICK == yes ]]; then
    FRAMES=${SLUICE_BENCH_FRAMES:-100000}
    RUNS=${RUNS:-3}
    FAUST_SECONDS=${SLUICE_BENCH_FAUST_SECONDS:-20}
    FAUST_RUNS=${SLUICE_BENCH_FAUST_RUNS:-1}
    RESULTS=${RESULTS:-$DIR/RESULTS-quick.md}
else
    FRAMES=${SLUICE_BENCH_FRAMES:-1000000}
    RUNS=${RUNS:-5}
    FAUST_SECONDS=${SLUICE_BENCH_FAUST_SECONDS:-60}
    FAUST_RUNS=${SLUICE_BENCH_FAUST_RUNS:-3}
    RESULTS=${RESULTS:-$HERE/RESULTS.md}
fi
USERS=${SLUICE_BENCH_USERS:-100000}
SEED=${SLUICE_BENCH_SEED:-42}
RATE=1000
JQ_RUNS=${SLUICE_BENCH_JQ_RUNS:-$RUNS}
FAUST_SPEC=${SLUICE_BENCH_FAUST_SPEC:-faust-streaming==0.15.3}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number, not '$RUNS'"
[[ $FRAMES =~ ^[1-9][0-9]*$ ]] || die "SLUICE_BENCH_FRAMES must be a positive number"

want() { [[ $ONLY == all || ,$ONLY, == *,$1,* ]]; }
for g in ${ONLY//,/ }; do
    [[ $g == all || $g =~ ^(sluice|strict|jq|simdjson|kcat|kafka|faust|levels)$ ]] ||
        die "--only: unknown group '$g' (sluice,strict,jq,simdjson,kcat,kafka,faust,levels)"
done

STAMP=$(date -u +%Y%m%d-%H%M%S)
RUNDIR=$DIR/runs/$STAMP$([[ $QUICK == yes ]] && echo -quick)$([[ $PREPARE == yes ]] && echo -prepare)
mkdir -p "$RUNDIR/conf" || die "cannot create $RUNDIR"
RAW=$RUNDIR/raw.tsv
META=$RUNDIR/meta.tsv
: >"$RAW"
: >"$META"
meta() { printf '%s\t%s\n' "$1" "$2" >>"$META"; }   # key, value (one line)
skipped() { printf 'skip\t%s\t%s\n' "$1" "$2" >>"$META"; say "skipping $1: $2"; }

meta mode "$([[ $QUICK == yes ]] && echo quick || echo full)"
meta frames "$FRAMES"
meta users "$USERS"
meta seed "$SEED"
meta rate "$RATE"
meta runs "$RUNS"
meta jq_runs "$JQ_RUNS"
meta faust_seconds "$FAUST_SECONDS"
meta faust_runs "$FAUST_RUNS"
meta started "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
meta loadavg_start "$(cut -d' ' -f1-3 /proc/loadavg)"
meta command "bench/run.sh $([[ $QUICK == yes ]] && echo --quick)"

# ---------------------------------------------------------------------------------------------
# 0. Tools

if [[ $INSTALL == yes ]]; then
    pkgs="build-essential autoconf automake libtool pkg-config libjansson-dev libinih-dev
          librdkafka-dev libxxhash-dev zlib1g-dev jq kcat libsimdjson-dev time vmtouch
          python3-venv openjdk-17-jre-headless maven"
    missing=
    for p in $pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    command -v java >/dev/null && missing=${missing/ openjdk-17-jre-headless/}
    command -v mvn >/dev/null && missing=${missing/ maven/}
    if [[ -n $missing ]]; then
        SUDO=
        [[ $(id -u) -ne 0 ]] && SUDO=sudo
        say "installing:$missing"
        $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
            --no-install-recommends $missing >/dev/null || die "apt-get install failed"
    fi
fi

[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is missing: apt-get install time (or --install)"
command -v python3 >/dev/null || die "python3 is missing (the report is written by bench/report.py)"
have() { command -v "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------------
# 1. sluice

if [[ -n $BUILD ]]; then
    BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || die "--build: no such directory"
    [[ -x $BUILD/host/sluice ]] || die "--build $BUILD: no host/sluice there (build it first)"
    say "using the build in $BUILD"
else
    BUILD=$DIR/build
    if [[ -f $SRC/config.status ]]; then
        die "$SRC is configured in-tree, so it cannot be built elsewhere: run 'make distclean' there, or pass --build $SRC"
    fi
    if [[ ! -x $SRC/configure ]]; then
        say "autoreconf -fi"
        (cd "$SRC" && autoreconf -fi) >"$RUNDIR/autoreconf.log" 2>&1 || die "autoreconf failed, see $RUNDIR/autoreconf.log"
    fi
    mkdir -p "$BUILD"
    if [[ ! -f $BUILD/Makefile ]]; then
        say "configure (default flags) in $BUILD"
        (cd "$BUILD" && "$SRC/configure") >"$RUNDIR/configure.log" 2>&1 || die "configure failed, see $RUNDIR/configure.log"
    fi
    say "make in $BUILD"
    if ! make -C "$BUILD" -j"$(nproc)" >"$RUNDIR/make.log" 2>&1; then
        say "make failed (see $RUNDIR/make.log); building the host and each plugin on its own"
        make -C "$BUILD" host/sluice >>"$RUNDIR/make.log" 2>&1 || die "cannot build host/sluice, see $RUNDIR/make.log"
        for p in stdin generate json-extract distinct-count stdout kafka-in kafka-out; do
            make -C "$BUILD" "plugins/$p/$p.la" >>"$RUNDIR/make.log" 2>&1 || say "plugin $p does not build"
        done
    fi
fi
SLUICE=$BUILD/host/sluice
export SLUICE_PLUGIN_PATH=   # only the build tree's plugins
"$SLUICE" --version >/dev/null 2>&1 || die "$SLUICE does not run"
plugin_ok() { "$SLUICE" --describe "$1" >/dev/null 2>&1; }
for p in stdin generate json-extract distinct-count stdout; do
    plugin_ok "$p" || die "plugin $p is missing from $BUILD"
done
meta sluice_version "$("$SLUICE" --version 2>&1 | head -n1)"
meta build_dir "$BUILD"
meta cflags "$(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile" 2>/dev/null | head -n1)"
meta git "$(git -C "$SRC" describe --always --dirty 2>/dev/null || echo unknown)"
meta git_changes "$(git -C "$SRC" status --porcelain -- . ':!bench' 2>/dev/null | wc -l)"   # bench/ itself not counted
STRICT_OK=yes
"$SLUICE" --describe json-extract 2>/dev/null | grep -qE '^ *mode ' || STRICT_OK=no

# ---------------------------------------------------------------------------------------------
# 2. The frames

NAME=frames-n$FRAMES-u$USERS-r$RATE-s$SEED
FILE=$DIR/$NAME.jsonl
gen_ini() { # count, output path
    cat <<EOF
; bench/run.sh: the benchmark's frames (challenge: -c $FRAMES -r $RATE -n $USERS)
[pipeline]
name = bench-generate
[source]
plugin = generate
count = $1
rate = $RATE
users = $USERS
seed = $SEED
[sink.file]
plugin = stdout
path = $2
flush = false
EOF
}
gen_ini "$FRAMES" "$FILE" >"$RUNDIR/conf/generate.ini"
fresh=no
if [[ -f $FILE && -f $FILE.params ]] && cmp -s "$FILE.params" "$RUNDIR/conf/generate.ini"; then
    # Same parameters; still the same generator? Its first frames must match the file's.
    gen_ini 256 "$RUNDIR/head.jsonl" >"$RUNDIR/conf/generate-head.ini"
    rm -f "$RUNDIR/head.jsonl"
    if "$SLUICE" -q "$RUNDIR/conf/generate-head.ini" && head -n 256 "$FILE" | cmp -s - "$RUNDIR/head.jsonl"; then
        fresh=yes
        say "reusing $FILE"
    else
        say "the generator's output changed; generating again"
    fi
    rm -f "$RUNDIR/head.jsonl"
fi
if [[ $fresh == no ]]; then
    say "generating $FRAMES frames into $FILE"
    rm -f "$FILE" "$FILE.params"
    gen_ini "$FRAMES" "$FILE.tmp" >"$RUNDIR/conf/generate-tmp.ini"
    rm -f "$FILE.tmp"
    t0=$(date +%s.%N)
    "$SLUICE" -q "$RUNDIR/conf/generate-tmp.ini" || die "generating the frames failed"
    t1=$(date +%s.%N)
    lines=$(wc -l <"$FILE.tmp")
    [[ $lines -eq $FRAMES ]] || die "generated $lines frames, expected $FRAMES"
    mv "$FILE.tmp" "$FILE"
    cp "$RUNDIR/conf/generate.ini" "$FILE.params"
    meta generate_seconds "$(echo "$t1 - $t0" | bc)"
fi
BYTES=$(stat -c %s "$FILE")
meta file "$FILE"
meta bytes "$BYTES"
if [[ $PREPARE == yes ]]; then
    printf 'build=%s\nfile=%s\n' "$BUILD" "$FILE"
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# 3. The simdjson program

SIMDJSON_BIN=
if want simdjson; then
    if ! have g++; then
        skipped simdjson "g++ is not installed (apt-get install g++)"
    elif [[ ! -f /usr/include/simdjson.h ]]; then
        skipped simdjson "libsimdjson-dev is not installed (apt-get install libsimdjson-dev)"
    else
        SIMDJSON_BIN=$DIR/simdjson_uid
        CXXCMD="g++ -O3 -std=c++17 -o $SIMDJSON_BIN $HERE/simdjson_uid.cpp -lsimdjson -lxxhash"
        if [[ ! -x $SIMDJSON_BIN || $HERE/simdjson_uid.cpp -nt $SIMDJSON_BIN ]]; then
            say "compiling bench/simdjson_uid.cpp"
            $CXXCMD 2>"$RUNDIR/simdjson-compile.log" || {
                skipped simdjson "compiling bench/simdjson_uid.cpp failed: $(head -c 300 "$RUNDIR/simdjson-compile.log")"
                SIMDJSON_BIN=
            }
        fi
        meta simdjson_compile "${CXXCMD//$DIR/\$SLUICE_BENCH_DIR}"
        meta simdjson_version "$(dpkg-query -W -f='${Version}' libsimdjson-dev 2>/dev/null || sed -n 's/^#define SIMDJSON_VERSION //p' /usr/include/simdjson.h)"
    fi
fi
want jq && ! have jq && skipped jq "jq is not installed (apt-get install jq)"
have jq && meta jq_version "$(jq --version 2>&1)"
meta gcc_version "$(gcc --version | head -n1)"

# ---------------------------------------------------------------------------------------------
# 4. The broker and the topic

BROKER=
BROKER_STARTED=no
TOPIC=$NAME
KAFKA_STATE=$DIR/kafka
export SLUICE_KAFKA_DIR=$KAFKA_STATE
export SLUICE_KAFKA_PROPS="num.partitions=1"
stop_broker() {
    if [[ $BROKER_STARTED == yes && $KEEP_BROKER == no ]]; then
        say "stopping the broker"
        "$SRC/tests/kafka/broker.sh" stop >/dev/null 2>&1 || true
        BROKER_STARTED=no
    fi
}
# The inputs' pages held in memory for the runs (pin_pages, below), released at exit.
unpin_pages() {
    local f
    for f in "$RUNDIR"/vmtouch-*.pid; do
        [[ -s $f ]] && kill "$(cat "$f")" 2>/dev/null
        rm -f "$f"
    done
}
trap 'stop_broker; unpin_pages' EXIT
trap 'say "interrupted"; exit 1' INT TERM

need_kafka=no
{ want kcat || want kafka || want faust; } && need_kafka=yes
if [[ $need_kafka == yes ]]; then
    if ! have kcat; then
        for g in kcat kafka faust; do want $g && skipped $g "kcat is not installed (apt-get install kcat)"; done
    else
        meta kcat_version "$(kcat -V 2>&1 | sed -n 's/^Version //p' | head -n1)"
        say "starting the Kafka broker (state in $KAFKA_STATE)"
        if BROKER=$("$SRC/tests/kafka/broker.sh" start 2>"$RUNDIR/broker-start.log" | tail -n1) && [[ -n $BROKER ]]; then
            BROKER_STARTED=yes
            meta broker "$BROKER"
            meta kafka_version "$(grep -m1 -o 'Kafka version: [^ ]*' "$KAFKA_STATE/broker.log" 2>/dev/null | sed 's/Kafka version: //' ||
                ls "${SLUICE_KAFKA_CACHE:-$HOME/.cache/sluice-kafka}/libs" 2>/dev/null | sed -n 's/^kafka_2\.13-\(.*\)\.jar$/\1/p' | head -n1)"
        else
            BROKER=
            why=$(tail -n 3 "$RUNDIR/broker-start.log" | tr '\n' ' ')
            for g in kcat kafka faust; do want $g && skipped $g "the Kafka broker did not start: $why"; done
        fi
    fi
fi

# kcat's view of a topic's end offset (= messages in its one partition), or -1.
topic_end() {
    kcat -Q -b "$BROKER" -t "$1:0:-1" 2>/dev/null | awk '{print $NF}' | tail -n1 | grep -E '^[0-9]+$' || echo -1
}
if [[ -n $BROKER ]]; then
    if [[ $(topic_end "$TOPIC") == "$FRAMES" ]]; then
        say "topic $TOPIC already holds $FRAMES frames"
    else
        say "producing $FRAMES frames to topic $TOPIC"
        t0=$(date +%s.%N)
        # Large batches; batch.size must stay under the broker's message.max.bytes (1 MB).
        if kcat -P -b "$BROKER" -t "$TOPIC" -l -X linger.ms=100 -X batch.num.messages=10000 \
            -X queue.buffering.max.kbytes=1048576 -X queue.buffering.max.messages=1000000 \
            "$FILE" >"$RUNDIR/produce.log" 2>&1; then
            t1=$(date +%s.%N)
            meta produce_seconds "$(echo "$t1 - $t0" | bc)"
        fi
        n=$(topic_end "$TOPIC")
        if [[ $n != "$FRAMES" ]]; then
            for g in kcat kafka faust; do want $g && skipped $g "producing the topic failed: end offset $n, expected $FRAMES ($(head -c 300 "$RUNDIR/produce.log"))"; done
            BROKER=
        fi
    fi
fi
meta topic "$TOPIC"

# ---------------------------------------------------------------------------------------------
# 5. The contenders

# sluice pipeline file: source section (stdin file or kafka-in), mode, windows, sink section
pipeline() { # name source-kind mode windows [validate] [threads] [read_ahead]
    local src sink
    if [[ $2 == file ]]; then
        src="plugin = stdin
path = $FILE${7:+
read_ahead = $7}"
        sink="[sink.results]
plugin = stdout"
    else
        src="plugin = kafka-in
brokers = $BROKER
topic = $TOPIC
group = @GROUP@
start = earliest
stop_at_end = true"
        sink="[sink.results]
plugin = kafka-out
brokers = $BROKER
topic = @RESULTS@"
    fi
    cat >"$RUNDIR/conf/$1.ini" <<EOF
[pipeline]
name = $1

[source]
$src

[transform.extract]
plugin = json-extract
fields = uid, ts
timestamp = ts
mode = $3${5:+
validate = $5}${6:+
threads = $6}

[transform.count]
plugin = distinct-count
key = uid
windows = $4

$sink
EOF
}
SIX="minute, hour, day, week, month, year"

# ---------------------------------------------------------------------------------------------
# 5b. Per scanner level (issue 11): sluice's row 1a with SLUICE_JX_SCANNER forced, next to the
# simdjson program forced to the same instruction set, in the same round-robin.

# The simdjson implementation that matches a scanner level (like against like).
simdjson_impl() {
    case $1 in
    avx512 | avx512bw) echo icelake ;;
    avx2) echo haswell ;;
    sse42 | sse2) echo westmere ;;
    *) echo fallback ;;
    esac
}
# The scanner levels this CPU has, best first (json-extract's names); AVX2 is always among them
# on a CPU that has it, whatever the best one is.
cpu_levels() {
    local f
    f=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
    [[ $f == *" avx512bw "* && $f == *" avx512_vbmi2 "* ]] && echo avx512
    [[ $f == *" avx512bw "* ]] && echo avx512bw
    [[ $f == *" avx2 "* ]] && echo avx2
    [[ $f == *" sse4_2 "* && $f == *" pclmulqdq "* && $f == *" popcnt "* ]] && echo sse42
    [[ $(uname -m) == x86_64 ]] && echo sse2
    echo scalar
}
add_levels() {
    want levels || return 0
    local lv impl lvs
    lvs=${LEVELS:-$(cpu_levels | tr '\n' ' ')}
    meta levels "${lvs//,/ }"
    for lv in ${lvs//,/ }; do
        # Forced, or not at all: json-extract ignores a level this CPU cannot run, so ask it.
        if ! SLUICE_JX_SCANNER=$lv "$SLUICE" -l debug "$RUNDIR/conf/level-check.ini" 2>&1 >/dev/null |
            grep -q "fast scanner: $lv,"; then
            skipped "level-$lv" "json-extract does not run level $lv on this CPU"
            continue
        fi
        add "L-$lv" "SLUICE_JX_SCANNER=$lv \"\$SLUICE\" -q \"$RUNDIR/conf/sluice-six.ini\""
        add "S-$lv" "SLUICE_JX_SCANNER=$lv \"\$SLUICE\" -q \"$RUNDIR/conf/sluice-six-single.ini\""
        if [[ -n $SIMDJSON_BIN ]]; then
            impl=$(simdjson_impl "$lv")
            meta "simdjson_impl_$lv" "$impl"
            add "J-$lv" "SIMDJSON_FORCE_IMPLEMENTATION=$impl \"$SIMDJSON_BIN\" --mode lines \"$FILE\""
            add "D-$lv" "SIMDJSON_FORCE_IMPLEMENTATION=$impl \"$SIMDJSON_BIN\" --mode dom \"$FILE\""
        fi
    done
}
if want levels; then
    pipeline sluice-six file fast "$SIX"
    pipeline sluice-six-single file fast "$SIX" "" 1 false
    head -n 100 "$FILE" >"$RUNDIR/level-check.jsonl"
    sed "s|^path = .*|path = $RUNDIR/level-check.jsonl|" "$RUNDIR/conf/sluice-six.ini" >"$RUNDIR/conf/level-check.ini"
fi

# Contenders: id, group, label (the report knows them by id).
declare -a IDS=()
declare -A CMD=()
add() { IDS+=("$1"); CMD[$1]=$2; }

if want sluice; then
    pipeline sluice-minute file fast minute
    pipeline sluice-six file fast "$SIX"
    add 1m "\"\$SLUICE\" -q \"$RUNDIR/conf/sluice-minute.ini\""
    add 1a "\"\$SLUICE\" -q \"$RUNDIR/conf/sluice-six.ini\""
    pipeline sluice-six-structure file fast "$SIX" structure
    add 1s "\"\$SLUICE\" -q \"$RUNDIR/conf/sluice-six-structure.ini\""
    pipeline sluice-six-one-thread file fast "$SIX" "" 1
    add 1t "\"\$SLUICE\" -q \"$RUNDIR/conf/sluice-six-one-thread.ini\""
fi
if want strict; then
    if [[ $STRICT_OK == yes ]]; then
        pipeline strict-minute file strict minute
        pipeline strict-six file strict "$SIX"
        add 2m "\"\$SLUICE\" -q \"$RUNDIR/conf/strict-minute.ini\""
        add 2a "\"\$SLUICE\" -q \"$RUNDIR/conf/strict-six.ini\""
    else
        skipped strict "json-extract has no 'mode' option in this build"
    fi
fi
if want jq && have jq; then
    add 3 "jq -r .uid \"$FILE\" | sort -u | wc -l"
fi
if [[ -n $SIMDJSON_BIN ]]; then
    add 4l "\"$SIMDJSON_BIN\" --mode lines \"$FILE\""
    add 4m "\"$SIMDJSON_BIN\" --mode many \"$FILE\""
    add 4d "\"$SIMDJSON_BIN\" --mode dom \"$FILE\""
fi
add_levels   # L: the per-level rows (section 5b)
if want kcat && [[ -n $BROKER ]]; then
    add 5 "kcat -C -b $BROKER -t $TOPIC -e -o beginning -q >/dev/null"
fi
if want kafka && [[ -n $BROKER ]]; then
    if plugin_ok kafka-in && plugin_ok kafka-out; then
        pipeline sluice-kafka kafka fast "$SIX"
        add 6 KAFKA
    else
        skipped kafka "the kafka-in / kafka-out plugins are not in this build"
    fi
fi

# One timed run: id, run number. Output in $RUNDIR/<id>/out.N, timing appended to raw.tsv.
# Columns: id run rc wall user sys maxrss_kb
run_one() {
    local id=$1 r=$2 d=$RUNDIR/$1 cmd=${CMD[$1]} rc group= results=
    mkdir -p "$d"
    if [[ $cmd == KAFKA ]]; then
        group=bench-$STAMP-$r results=bench-results-$STAMP-$r
        sed -e "s/@GROUP@/$group/" -e "s/@RESULTS@/$results/" "$RUNDIR/conf/sluice-kafka.ini" >"$d/run$r.ini"
        cmd="\"\$SLUICE\" -q \"$d/run$r.ini\""
    fi
    # Without vmtouch, read the file right before the run instead (see pin_pages).
    [[ $PINNED == no && $cmd != KAFKA && $id != 5 ]] && cat "$FILE" >/dev/null
    local t0 t1
    t0=$(date +%s%N)
    SLUICE=$SLUICE /usr/bin/time -f '%e %U %S %M' -o "$d/time.$r" bash -c "$cmd" >"$d/out.$r" 2>"$d/err.$r"
    rc=$?
    t1=$(date +%s%N)
    # GNU time's %e has 10 ms steps: replace it by the nanosecond clock read around the run.
    tail -n1 "$d/time.$r" | awk -v ns=$((t1 - t0)) '{ $1 = sprintf("%.4f", ns / 1e9); print }' >"$d/time.$r.tmp" &&
        mv "$d/time.$r.tmp" "$d/time.$r"
    if [[ -n $results ]]; then  # read the results back for the check
        kcat -C -b "$BROKER" -t "$results" -e -o beginning -q >"$d/out.$r" 2>>"$d/err.$r" || true
    fi
    printf '%s\t%s\t%s\t%s\n' "$id" "$r" "$rc" "$(tail -n1 "$d/time.$r" | tr ' ' '\t')" >>"$RAW"
    if [[ $rc -ne 0 ]]; then
        say "$id run $r: exit status $rc: $(tail -n 3 "$d/err.$r" | tr '\n' ' ' | head -c 400)"
    else
        say "$id run $r: $(tail -n1 "$d/time.$r" | awk '{printf "%s s wall, %.2f s CPU, %.1f MB RSS", $1, $2+$3, $4/1024}')"
    fi
}

# Every run reads its input from the page cache (2 GB of 24 GB), not from the disk. Reading the
# file once at the start is not enough where the kernel pages out file pages left idle: on the
# development VMs DAMON's reclaim pages out what was not touched for a minute (measured: 330 MB of
# the 2 GB file gone after 100 s idle), so a run after jq's or Faust's read part of its input
# from the disk (perf of one: a quarter of its samples in the kernel's copy and page refaults,
# 14% when the file is warm). vmtouch (Debian's) locks the file's pages
# in memory (mlock) from here to the end, and the topic's log once it is written; without it,
# each run of a file contender reads the file right before it, untimed.
PINNED=no
pin_pages() { # name, paths...: lock the paths' pages in memory until exit
    local name=$1
    shift
    have vmtouch || return 1
    vmtouch -q -l -d -w -m 1024G -P "$RUNDIR/vmtouch-$name.pid" "$@" 2>>"$RUNDIR/vmtouch.log"
}
if pin_pages file "$FILE"; then
    PINNED=yes
    meta page_cache "the frames file (and the topic's log, for the Kafka runs) locked in memory by vmtouch for the whole run"
else
    cat "$FILE" >/dev/null
    meta page_cache "the frames file read right before each file run, untimed (vmtouch is not installed or could not lock $(du -h "$FILE" | cut -f1): apt-get install vmtouch, and root or a large enough ulimit -l)"
fi

file_ids=() kafka_ids=()
for id in "${IDS[@]}"; do
    case $id in 5 | 6) kafka_ids+=("$id") ;; *) file_ids+=("$id") ;; esac
done
if [[ ${#file_ids[@]} -gt 0 ]]; then
    say "file contenders: ${file_ids[*]}, $RUNS runs each (jq: $JQ_RUNS)"
    for ((r = 1; r <= RUNS; r++)); do
        for id in "${file_ids[@]}"; do
            [[ $id == 3 && $r -gt $JQ_RUNS ]] && continue
            run_one "$id" "$r"
        done
    done
fi
if [[ ${#kafka_ids[@]} -gt 0 ]]; then
    # Untimed: does the topic read back whole? (also warms the broker's page cache)
    n=$(kcat -C -b "$BROKER" -t "$TOPIC" -e -o beginning -q -f '%o\n' 2>/dev/null | wc -l)
    topic_log=$(find "$KAFKA_STATE" -type d -name "$TOPIC-0" 2>/dev/null | head -n1)
    [[ $PINNED == yes && -n $topic_log ]] && pin_pages topic "$topic_log"
    meta kcat_check_frames "$n"
    say "Kafka contenders: ${kafka_ids[*]}, $RUNS runs each"
    for ((r = 1; r <= RUNS; r++)); do
        for id in "${kafka_ids[@]}"; do run_one "$id" "$r"; done
    done
fi

# Faust: a venv under $DIR, then bounded runs of each variant.
if want faust && [[ -n $BROKER ]]; then
    VENV=$DIR/faust-venv
    FAUST_OK=yes
    if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c 'import faust' 2>/dev/null; then
        say "installing $FAUST_SPEC into $VENV"
        rm -rf "$VENV"
        if ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q "$FAUST_SPEC"; } >"$RUNDIR/faust-install.log" 2>&1; then
            skipped faust "pip install $FAUST_SPEC failed: $(tail -n 3 "$RUNDIR/faust-install.log" | tr '\n' ' ' | head -c 400)"
            FAUST_OK=no
        fi
    fi
    if [[ $FAUST_OK == yes ]]; then
        meta faust_version "$("$VENV/bin/python" -c 'import importlib.metadata as m; print("faust-streaming", m.version("faust-streaming"), "/ aiokafka", m.version("aiokafka"))' 2>&1)"
        meta python_version "$("$VENV/bin/python" --version 2>&1)"
        for ((r = 1; r <= FAUST_RUNS; r++)); do
            for mode in table set; do
                id=7${mode:0:1}
                d=$RUNDIR/$id
                mkdir -p "$d"
                rm -f "$d/status.$r"
                say "$id run $r: Faust ($mode) for $FAUST_SECONDS s"
                FAUST_BROKER=kafka://$BROKER FAUST_TOPIC=$TOPIC FAUST_APP_ID=bench-faust-$mode-$STAMP-$r \
                FAUST_STATUS=$d/status.$r FAUST_DATADIR=$d/data.$r FAUST_MODE=$mode \
                    /usr/bin/time -f '%e %U %S %M' -o "$d/time.$r" \
                    timeout -k 30 -s TERM "$FAUST_SECONDS" "$VENV/bin/python" "$HERE/faust_app.py" worker -l warn \
                    >"$d/out.$r" 2>"$d/err.$r" </dev/null
                rc=$?
                [[ $rc -eq 124 ]] && rc=0   # stopped by the bound, as intended
                printf '%s\t%s\t%s\t%s\n' "$id" "$r" "$rc" "$(tail -n1 "$d/time.$r" | tr ' ' '\t')" >>"$RAW"
                rm -rf "$d/data.$r"
                if [[ -s $d/status.$r ]]; then
                    say "$id run $r: $(awk '{ if ($3 > $2) printf "%d frames in %.1f s = %.0f frames/s", $1, $3-$2, $1/($3-$2); else print $1 " frames" }' "$d/status.$r")"
                else
                    say "$id run $r: no frames processed (exit $rc): $(grep -v '^\s*$' "$d/out.$r" "$d/err.$r" | tail -n 3 | tr '\n' ' ' | head -c 400)"
                fi
            done
        done
    fi
fi

meta loadavg_end "$(cut -d' ' -f1-3 /proc/loadavg)"
meta finished "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
meta cpu_model "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
meta cpu_count "$(nproc)"
meta cpu_flags "$(grep -o -w -E 'sse4_2|avx2|avx512f|avx512bw' /proc/cpuinfo | sort -u | tr '\n' ' ')"
meta memory "$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
meta kernel "$(uname -sr)"
meta os "$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"

stop_broker
# The table's figures as data too, for bench/plots.sh: data/speed.tsv beside the report.
python3 "$HERE/report.py" "$RUNDIR" "$RESULTS" "$(dirname "$RESULTS")/data/speed.tsv" || die "report.py failed"
say "report: $RESULTS (raw data in $RUNDIR)"
# ... and the figures drawn from it anew (REPORT.md's, for a full run), if gnuplot is there.
if have gnuplot; then
    bash "$HERE/plots.sh" --data "$(dirname "$RESULTS")/data" --out "$(dirname "$RESULTS")/figures" ||
        say "bench/plots.sh failed: the figures were not redrawn"
fi
