#!/bin/sh
# The main pipeline under valgrind's memcheck: no invalid reads or writes, no
# uninitialised jumps, no definite leaks.
. "$top_srcdir/tests/lib.sh"

command -v valgrind > /dev/null || { echo "valgrind is not installed: skipped"; exit 77; }
if [ "${SLUICE_SANITIZERS:-no}" = yes ]; then
    echo "sanitizer build: valgrind cannot run it, skipped (the plain build runs this test)"
    exit 77
fi

cat > "$TMP/p.ini" <<INI
[source]
plugin = stdin
path = $DATA/challenge-sample-late.jsonl.gz
[transform.extract]
plugin = json-extract
on_error = dead-letter
[transform.count]
plugin = distinct-count
windows = minute, hour, day
lateness = 5s
[sink.out]
plugin = stdout
[sink.errors]
plugin = stdout
errors = true
INI
SLUICE_NO_DLCLOSE=1 valgrind -q --error-exitcode=3 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    "$SLUICE" -q "$TMP/p.ini" > "$TMP/out" 2> "$TMP/vg" || {
    cat "$TMP/vg" >&2
    fail "valgrind reports errors"
}
[ -s "$TMP/out" ] || fail "the pipeline produced results"
finish
