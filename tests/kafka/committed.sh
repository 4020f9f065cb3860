#!/bin/sh
# start = committed resumes where the group left off: a second run reads
# exactly what was produced since the first, nothing missed, nothing twice.
# At-least-once across a failure: when a sink fails, the frames of the
# failed batch (and everything after it) are not committed and the next run
# reads them; what the failed run delivered is not read again.
. "$top_srcdir/tests/kafka/lib.sh"

T=$(topic resume)
G="resume-$RUN_ID"
seq -f 'a-%g' 1 100 > "$TMP/a"
seq -f 'b-%g' 1 50 > "$TMP/b"

cat > "$TMP/in.ini" <<INI
[source]
plugin = kafka-in
brokers = $BROKERS
topic = $T
group = $G
start = committed
stop_at_end = true
[sink.out]
plugin = stdout
INI

produce "$T" < "$TMP/a"
run_sluice "$TMP/in.ini"
expect_eq "run 1: exit code" "$rc" 0
sort "$TMP/out" > "$TMP/got"
sort "$TMP/a" > "$TMP/want"
expect_file_eq "run 1: the first 100" "$TMP/got" "$TMP/want"

produce "$T" < "$TMP/b"
run_sluice "$TMP/in.ini"
expect_eq "run 2: exit code" "$rc" 0
sort "$TMP/out" > "$TMP/got"
sort "$TMP/b" > "$TMP/want"
expect_file_eq "run 2: exactly the 50 produced since" "$TMP/got" "$TMP/want"

run_sluice "$TMP/in.ini"
expect_eq "run 3: nothing new" "$(wc -c < "$TMP/out")" 0

# A failing sink. kafka-out refuses a frame over rdkafka.message.max.bytes;
# batches of one frame make the failure point exact.
F=$(topic failing)
O=$(topic delivered)
G2="failing-$RUN_ID"
big=$(head -c 1500 /dev/zero | tr '\0' x)
{ seq -f 'f-%g' 1 15; echo "$big"; seq -f 'f-%g' 16 30; } > "$TMP/f"
produce "$F" < "$TMP/f"
cat > "$TMP/fail.ini" <<INI
[source]
plugin = kafka-in
brokers = $BROKERS
topic = $F
group = $G2
start = committed
stop_at_end = true
batch = 1
[sink.out]
plugin = kafka-out
brokers = $BROKERS
topic = $O
rdkafka.message.max.bytes = 1000
INI
run_sluice "$TMP/fail.ini"
expect_eq "failing sink: exit code" "$rc" 1
expect_grep "failing sink: message" "$TMP/err" "cannot produce a 1500-byte message to topic $O"
consume "$O" > "$TMP/delivered"

sed -e "s|^topic = .*|topic = $F|" -e "s|^group = .*|group = $G2|" "$TMP/in.ini" > "$TMP/after.ini"
run_sluice "$TMP/after.ini"
expect_eq "after the failure: exit code" "$rc" 0
grep -qx "$big" "$TMP/out" || fail "after the failure: the refused frame is read again"
cat "$TMP/delivered" "$TMP/out" | sort > "$TMP/got"
sort "$TMP/f" > "$TMP/want"
expect_file_eq "delivered + read again = every frame exactly once" "$TMP/got" "$TMP/want"
finish
