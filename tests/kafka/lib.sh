# Shared by the Kafka tests: the broker, unique names, producing and
# consuming with kcat. Source it first:
#   . "$top_srcdir/tests/kafka/lib.sh"
# Sets BROKERS (host:port), KAFKA_TOOL, and RUN_ID (unique per test run).
#
# The broker: $SLUICE_KAFKA_BOOTSTRAP if set (CI starts one for the whole
# suite), else tests/kafka/broker.sh start, which starts one or reuses the
# running one (it stays up for the next run; `tests/kafka/broker.sh stop`).
# No Java/Maven (broker.sh exits 77) or no kcat: skip (77), except with
# CI=true, where a Kafka test must run. SLUICE_KAFKA_SKIP=1 skips them all.
. "$top_srcdir/tests/lib.sh"

kafka_skip() {
    if [ "${CI:-}" = true ]; then
        echo "FAIL: $* (CI=true: the Kafka tests must run in CI)" >&2
        exit 1
    fi
    echo "SKIP: $*" >&2
    exit 77
}

if [ "${SLUICE_KAFKA_SKIP:-}" = 1 ]; then
    echo "SKIP: SLUICE_KAFKA_SKIP=1" >&2
    exit 77
fi
command -v kcat > /dev/null 2>&1 || kafka_skip "kcat not found (apt-get install kcat)"
command -v jq > /dev/null 2>&1 || kafka_skip "jq not found (apt-get install jq)"

if [ -n "${SLUICE_KAFKA_BOOTSTRAP:-}" ]; then
    BROKERS=$SLUICE_KAFKA_BOOTSTRAP
else
    rc=0
    out=$("$top_srcdir/tests/kafka/broker.sh" start 2> "$TMP/broker.err") || rc=$?
    if [ "$rc" -eq 77 ]; then
        kafka_skip "no Kafka broker: $(grep SKIP "$TMP/broker.err" | tail -1)"
    elif [ "$rc" -ne 0 ]; then
        cat "$TMP/broker.err" >&2
        echo "FAIL: tests/kafka/broker.sh start failed (exit $rc)" >&2
        exit 99
    fi
    BROKERS=$(echo "$out" | tail -1)
fi
KAFKA_TOOL="$top_builddir/tests/kafka/kafka-tool"
RUN_ID="$(basename "$0" .sh)-$$-$(date +%s%N)"

# topic NAME: a topic name unique to this run (auto-created with 3
# partitions by the test broker on first produce).
topic() { echo "sluice-$1-$RUN_ID"; }

# produce TOPIC < lines: one message per line, spread over the partitions
# (librdkafka's sticky partitioner would put a small burst into one).
produce() {
    kcat -P -b "$BROKERS" -t "$1" -X sticky.partitioning.linger.ms=0 -X linger.ms=5
}

# consume TOPIC [kcat -f FORMAT]: everything in the topic now, then exit.
consume() {
    if [ $# -gt 1 ]; then
        kcat -C -b "$BROKERS" -t "$1" -o beginning -e -q -f "$2"
    else
        kcat -C -b "$BROKERS" -t "$1" -o beginning -e -q
    fi
}

# partition_ends TOPIC [PARTITIONS]: "PARTITION END_OFFSET" per partition
# (3 partitions unless told).
partition_ends() {
    kcat -Q -b "$BROKERS" $(seq 0 $((${2:-3} - 1)) | sed "s|.*|-t $1:&:-1|") |
        sed -n 's/.*\[\([0-9]*\)\] offset \([0-9-]*\).*/\1 \2/p' | sort -n
}

# has_plugin NAME: the build has that plugin (others may still be written).
has_plugin() {
    "$SLUICE" --list-plugins 2> /dev/null | awk -v n="$1" '$1 == n { f = 1 } END { exit !f }'
}

# exact_windows FRAMES: "window start_ts unique" of every UTC minute and
# hour of a JSON-lines file of frames, computed without sluice
# (tests/exact_windows.py). Only `unique`: a window's last result can carry
# a lower `frames` (a revision is emitted when `unique` changes, not for a
# late duplicate).
exact_windows() {
    python3 "$top_srcdir/tests/exact_windows.py" "$1"
}

# last_results TOPIC [WINDOWS]: "window start_ts unique" of the last
# result of every key in the topic's order (what compaction keeps), sorted
# like exact_windows; with WINDOWS (a file of "window start_ts ..." lines)
# only those windows.
last_results() {
    consume "$1" '%k\t%s\n' |
        awk -F '\t' '{ last[$1] = $2 } END { for (k in last) print last[k] }' |
        jq -r '"\(.window) \(.start_ts) \(.unique)"' | sort -k1,1 -k2,2n |
        if [ $# -gt 1 ]; then
            awk 'NR == FNR { want[$1 " " $2] = 1; next } ($1 " " $2) in want' "$2" -
        else
            cat
        fi
}

# committed_sum GROUP TOPIC [PARTITION...]: the sum of the group's committed
# offsets of TOPIC's partitions (only those listed, if any); a partition
# without one counts 0.
committed_sum() {
    cs_group=$1 cs_topic=$2
    shift 2
    "$KAFKA_TOOL" committed "$BROKERS" "$cs_group" "$cs_topic" 2> /dev/null |
        awk -v want=" $* " '(want == "  " || index(want, " " $1 " ")) && $2 > 0 { s += $2 }
                            END { print s + 0 }'
}
