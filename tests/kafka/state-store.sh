#!/bin/sh
# kafka-in's checkpoint store on the broker (state-store-check, see
# tests/kafka/state_store_check.c): the state topic is created compacted;
# what one instance writes another reads back byte for byte (3 MB items
# too), after it is told partitions were assigned; brokers that do not
# answer fail a write and a read with messages that say what and where.
. "$top_srcdir/tests/kafka/lib.sh"

T=$(topic state)
rc=0
"$top_builddir/tests/kafka/state-store-check" "$BROKERS" "$T" > "$TMP/out" 2> "$TMP/err" || rc=$?
expect_eq "state-store-check: exit code" "$rc" 0
[ "$rc" -eq 0 ] || sed 's/^/  | /' "$TMP/err" | grep -v '^  | \[[34]\]' | head -30 >&2
expect_grep "created" "$TMP/err" "checkpoint topic $T: created it (compacted, 1 partition)"
for verb in written read; do
    expect_grep "a checkpoint $verb from nowhere" "$TMP/err" \
        "checkpoint topic $T: no broker of brokers = 127.0.0.1:1 answered within state_timeout (1500 ms): 127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused"
    expect_grep "a checkpoint $verb from nowhere" "$TMP/err" "the checkpoint cannot be $verb"
done
finish
