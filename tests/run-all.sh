#!/bin/bash
# The whole test suite, Kafka included — the README's test command and what
# CI runs. Builds twice (plain, and with AddressSanitizer +
# UndefinedBehaviorSanitizer), starts a real Apache Kafka broker on loopback
# for the Kafka tests, runs `make check` in both builds and `make distcheck`,
# and ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=$(nproc 2> /dev/null || echo 2)
passed=0 failed=0 skipped=0

note() { echo "== $*"; }

# count BUILD_DIR: add the automake summary of its test-suite.log.
count() {
    local log="$1/test-suite.log"
    if [ ! -f "$log" ]; then
        failed=$((failed + 1))
        return
    fi
    local p f s e
    p=$(awk '/^# PASS:/ {print $3}' "$log")
    f=$(awk '/^# FAIL:/ {print $3}' "$log")
    s=$(awk '/^# SKIP:/ {print $3}' "$log")
    e=$(awk '/^# ERROR:/ {print $3}' "$log")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0} + ${e:-0}))
    skipped=$((skipped + ${s:-0}))
}

# build DIR CONFIGURE-ARGS...: configure (once) and build in DIR.
build() {
    local dir="$1"
    shift
    mkdir -p "$dir"
    if [ ! -f "$dir/Makefile" ]; then
        (cd "$dir" && "$ROOT/configure" --quiet "$@") || return 1
    fi
    make -C "$dir" -j"$JOBS" --quiet > "$dir/build.log" 2>&1 || {
        tail -40 "$dir/build.log"
        return 1
    }
    if grep -E 'warning:' "$dir/build.log"; then
        echo "build warnings in $dir (see above): -Wall -Wextra must stay clean"
        return 1
    fi
}

if [ ! -x configure ]; then
    note "autoreconf"
    autoreconf -fi > /dev/null 2>&1 || { autoreconf -fi; echo "0 passed, 1 failed"; exit 1; }
fi

note "build (plain)"
if ! build build; then
    echo "0 passed, 1 failed"
    exit 1
fi

# The broker, shared by both builds' Kafka tests.
broker_started=no
if [ -z "${SLUICE_KAFKA_BOOTSTRAP:-}" ]; then
    note "starting the Kafka broker"
    out=$(tests/kafka/broker.sh start)
    rc=$?
    if [ $rc -eq 0 ]; then
        SLUICE_KAFKA_BOOTSTRAP=$(echo "$out" | tail -1)
        export SLUICE_KAFKA_BOOTSTRAP
        broker_started=yes
        note "broker at $SLUICE_KAFKA_BOOTSTRAP"
    elif [ "${CI:-}" = true ]; then
        echo "$out"
        echo "the Kafka broker did not start; in CI that is a failure"
        failed=$((failed + 1))
    else
        echo "$out"
        note "no broker (exit $rc): the Kafka tests will skip"
    fi
fi
trap '[ "$broker_started" = yes ] && tests/kafka/broker.sh stop > /dev/null 2>&1' EXIT

note "make check (plain)"
make -C build check -j"$JOBS" > build/check.log 2>&1
grep -E '^(FAIL|ERROR|SKIP):' build/check.log
count build
# Test programs are compiled by `make check`: they must be warning-free too.
if grep -E 'warning:' build/check.log; then
    echo "compiler warnings while building the tests (see above)"
    failed=$((failed + 1))
fi

note "build + make check (AddressSanitizer, UndefinedBehaviorSanitizer)"
if build build-asan --enable-sanitizers; then
    # Plugins stay mapped after dlclose (RTLD_NODELETE), so LeakSanitizer
    # can symbolise their stacks.
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        make -C build-asan check -j"$JOBS" > build-asan/check.log 2>&1
    grep -E '^(FAIL|ERROR|SKIP):' build-asan/check.log
    count build-asan
else
    failed=$((failed + 1))
fi

note "fuzz the fast JSON scanner (libFuzzer, 30 s)"
if command -v clang > /dev/null; then
    if make -C build fuzz FUZZ_TIME=30 > build/fuzz.log 2>&1; then
        passed=$((passed + 1))
    else
        tail -30 build/fuzz.log
        failed=$((failed + 1))
    fi
else
    note "no clang: fuzzing skipped"
    skipped=$((skipped + 1))
fi

note "make distcheck"
if env -u SLUICE_KAFKA_BOOTSTRAP SLUICE_KAFKA_SKIP=1 make -C build distcheck -j"$JOBS" \
    > build/distcheck.log 2>&1; then
    passed=$((passed + 1))
else
    tail -30 build/distcheck.log
    failed=$((failed + 1))
fi

for d in build build-asan; do
    [ -f "$d/test-suite.log" ] && grep -q '^# FAIL: *[1-9]\|^# ERROR: *[1-9]' "$d/test-suite.log" &&
        { echo "---- $d/test-suite.log (failures)"; sed -n '/^FAIL\|^ERROR/,/^\(PASS\|FAIL\|ERROR\|SKIP\):/p' "$d/test-suite.log" | head -150; }
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
