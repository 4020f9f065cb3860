# Shared helpers for sluice's shell tests. Source it first:
#   . "${top_srcdir:-.}/tests/lib.sh"
# Exit codes follow automake: 0 pass, 1 fail, 77 skip.
set -eu

if [ -z "${SLUICE:-}" ]; then
    echo "run through 'make check' (SLUICE is not set)" >&2
    exit 99
fi
DATA="${SLUICE_TEST_DATA:-$top_srcdir/tests/data}"
TEST_PLUGINS="$top_builddir/tests/plugins/.libs"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sluice-test.XXXXXX")
# A failed test keeps its files (the runs' logs, what they wrote) for a
# look afterwards; a passed or skipped one removes them.
keep_or_remove_tmp() {
    case $1 in
    0 | 77) rm -rf "$TMP" ;;
    *) echo "this test's files are kept in $TMP" >&2 ;;
    esac
}
trap 'keep_or_remove_tmp $?' EXIT
failures=0

# fail WHAT: count a failed check; show the end of the last run's log
# (sluice's stderr), so a failure seen only in CI's output still says why.
fail() {
    echo "FAIL: $*" >&2
    if [ -s "$TMP/err" ]; then
        echo "  the last run's log (tail of $TMP/err):" >&2
        tail -n 15 "$TMP/err" | sed 's/^/    | /' >&2
    fi
    failures=$((failures + 1))
}

# run_sluice INI [args]: run sluice, stdout to $TMP/out, stderr to $TMP/err,
# exit code to $rc (never fails the script by itself).
run_sluice() {
    rc=0
    "$SLUICE" "$@" > "$TMP/out" 2> "$TMP/err" || rc=$?
}

# expect_eq WHAT GOT WANT
expect_eq() {
    if [ "$2" != "$3" ]; then
        fail "$1"
        echo "  got:  $2" >&2
        echo "  want: $3" >&2
    fi
}

# expect_file_eq WHAT GOT_FILE WANT_FILE
expect_file_eq() {
    if ! cmp -s "$2" "$3"; then
        fail "$1"
        diff -u "$3" "$2" | head -40 >&2 || true
    fi
}

# expect_contains WHAT FILE TEXT: FILE has a line exactly TEXT
expect_line() {
    if ! grep -qxF -- "$3" "$2"; then
        fail "$1: no line '$3' in:"
        sed 's/^/  | /' "$2" >&2
    fi
}

# expect_grep WHAT FILE PATTERN: FILE has a line with the fixed PATTERN.
expect_grep() {
    if ! grep -qF -- "$3" "$2"; then
        fail "$1: no '$3' in:"
        sed 's/^/  | /' "$2" | head -30 >&2
    fi
}

# wait_until WHAT COMMAND...: run COMMAND every 0.1 s until it succeeds. After
# 90 s (not a timing assertion: something is stuck) fail with WHAT, show the
# end of the file $WAIT_SHOW if set, and finish.
wait_until() {
    wait_what=$1
    shift
    wait_i=0
    until "$@"; do
        wait_i=$((wait_i + 1))
        if [ "$wait_i" -gt 900 ]; then
            fail "gave up waiting: $wait_what"
            if [ -n "${WAIT_SHOW:-}" ]; then
                cat -v "$WAIT_SHOW" | tail -30 | sed 's/^/  | /' >&2
            fi
            finish
        fi
        sleep 0.1
    done
}

# metrics_port LOG: the port in sluice's "metrics on http://127.0.0.1:PORT/..."
# log line ([pipeline] metrics = 127.0.0.1:0 picks a free one).
metrics_port() { sed -n 's|.*metrics on http://127\.0\.0\.1:\([0-9]*\)/metrics.*|\1|p' "$1"; }

finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    exit 0
}

# minutes_of RESULTS_FILE: "start_ts unique" of the latest revision of every
# minute window, sorted by start, from sluice's JSON result lines.
latest_counts() {
    jq -r --arg w "$2" 'select(.window == $w) | "\(.start_ts) \(.revision) \(.unique)"' "$1" |
        sort -n -k1,1 -k2,2 | awk '{ last[$1] = $3; if (!($1 in seen)) { order[n++] = $1; seen[$1] = 1 } }
            END { for (i = 0; i < n; i++) print order[i], last[order[i]] }'
}

# not_last_highest: from sluice's JSON result lines on stdin, in the order
# they were written, the windows whose last result is not their highest
# revision ("window/start_ts"); nothing when every window ends on its highest.
not_last_highest() {
    jq -r '"\(.window)/\(.start_ts) \(.revision)"' |
        awk '{ if (!($1 in max) || $2 >= max[$1]) max[$1] = $2; last[$1] = $2 }
             END { for (k in last) if (last[k] != max[k]) print k }'
}
