#!/bin/sh
# The shipped Kafka examples validate. Configuration mistakes fail fast with
# a message that says what and where:
# unreachable brokers within connect_timeout (kafka-in and kafka-out), a bad
# or plugin-owned rdkafka.* key before anything starts (exit 2, as every
# config error: the host asks librdkafka about each key, naming the pipeline
# file and line; --validate sees them too), secrets never printed,
# and a missing topic: missing_topic = fail (the default) stops at once
# without creating the topic, missing_topic = wait picks it up once created.
. "$top_srcdir/tests/kafka/lib.sh"

# The shipped Kafka examples pass the host's checks as they are.
for ex in print-frames-kafka unique-users-kafka unique-users-kafka-stdout; do
    run_sluice --validate "$top_srcdir/conf/$ex.ini"
    expect_eq "conf/$ex.ini validates" "$rc" 0
done

T=$(topic exists)
echo hello | produce "$T"

source_conf() { # BROKERS TOPIC EXTRA-LINES...
    b=$1 t=$2
    shift 2
    {
        printf '[source]\nplugin = kafka-in\nbrokers = %s\ntopic = %s\ngroup = cfg-%s\n' "$b" "$t" "$RUN_ID"
        for l in "$@"; do echo "$l"; done
        printf '[sink.out]\nplugin = stdout\n'
    } > "$TMP/c.ini"
}

# Unreachable brokers: a bounded wait, then a message naming them.
source_conf "127.0.0.1:1" "$T" "connect_timeout = 2s" "rdkafka.sasl.password = hunter2"
t0=$(date +%s)
run_sluice --log-level debug "$TMP/c.ini"
t1=$(date +%s)
expect_eq "unreachable (kafka-in): exit code" "$rc" 1
[ $((t1 - t0)) -le 8 ] || fail "unreachable (kafka-in): took $((t1 - t0)) s, want about 2"
expect_grep "unreachable (kafka-in): message" "$TMP/err" \
    "no broker of brokers = 127.0.0.1:1 answered within 2s (connect_timeout): 127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused"
expect_grep "secret redacted in the debug log" "$TMP/err" "rdkafka.sasl.password = (redacted)"
if grep -q hunter2 "$TMP/err"; then fail "a password reached the log"; fi

cat > "$TMP/o.ini" <<INI
[source]
plugin = stdin
[sink.out]
plugin = kafka-out
brokers = 127.0.0.1:1
topic = $T
connect_timeout = 1500ms
INI
rc=0
echo x | "$SLUICE" "$TMP/o.ini" > /dev/null 2> "$TMP/err" || rc=$?
expect_eq "unreachable (kafka-out): exit code" "$rc" 1
expect_grep "unreachable (kafka-out): message" "$TMP/err" \
    "no broker of brokers = 127.0.0.1:1 answered within 1s500ms (connect_timeout)"

source_conf "no-such-host.invalid:9092" "$T" "connect_timeout = 1s"
run_sluice "$TMP/c.ini"
expect_eq "unknown host: exit code" "$rc" 1
# (librdkafka's resolver error follows when DNS answered within the second.)
expect_grep "unknown host: message" "$TMP/err" \
    "no broker of brokers = no-such-host.invalid:9092 answered within 1s (connect_timeout): "


# rdkafka.* keys: librdkafka's own message, with the line.
source_conf "$BROKERS" "$T" "rdkafka.no.such.key = 1"
run_sluice "$TMP/c.ini"
expect_eq "unknown rdkafka key: exit code" "$rc" 2
expect_grep "unknown rdkafka key: message" "$TMP/err" \
    "$TMP/c.ini:6: [source] rdkafka.no.such.key: No such configuration property: \"no.such.key\" (librdkafka; \`kcat -X list\` lists its keys)"

source_conf "$BROKERS" "$T" "batch = 10" "rdkafka.fetch.max.bytes = lots"
run_sluice "$TMP/c.ini"
expect_eq "bad rdkafka value: exit code" "$rc" 2
expect_grep "bad rdkafka value: message" "$TMP/err" \
    "$TMP/c.ini:7: [source] rdkafka.fetch.max.bytes: Invalid value for configuration property \"fetch.max.bytes\" (librdkafka)"

source_conf "$BROKERS" "$T" "rdkafka.enable.auto.offset.store = true"
run_sluice "$TMP/c.ini"
expect_eq "plugin-owned key: exit code" "$rc" 2
expect_grep "plugin-owned key: message" "$TMP/err" \
    "$TMP/c.ini:6: [source] rdkafka.enable.auto.offset.store: not allowed here: kafka-in stores an offset only after the host acknowledged its batch (at-least-once)"

source_conf "$BROKERS" "$T" "rdkafka.bootstrap.servers = 127.0.0.1:2"
run_sluice "$TMP/c.ini"
expect_eq "bootstrap via rdkafka: exit code" "$rc" 2
expect_grep "bootstrap via rdkafka: message" "$TMP/err" \
    "$TMP/c.ini:6: [source] rdkafka.bootstrap.servers: not allowed here: set by \`brokers\`"

# --validate catches them without starting anything.
source_conf "$BROKERS" "$T" "rdkafka.no.such.key = 1"
set +e; "$SLUICE" --validate "$TMP/c.ini" > /dev/null 2> "$TMP/err"; rc=$?; set -e
expect_eq "--validate refuses a bad rdkafka key" "$rc" 2
expect_grep "--validate: message" "$TMP/err" "$TMP/c.ini:6: [source] rdkafka.no.such.key: No such configuration property"

# Brokers as a list over continuation lines: joined for librdkafka; the
# unreachable first one does not matter.
printf '[source]\nplugin = kafka-in\nbrokers = 127.0.0.1:1\n  %s\ntopic = %s\ngroup = list-%s\nstart = earliest\nstop_at_end = true\n[sink.out]\nplugin = stdout\n' \
    "$BROKERS" "$T" "$RUN_ID" > "$TMP/l.ini"
run_sluice "$TMP/l.ini"
expect_eq "broker list: exit code" "$rc" 0
expect_eq "broker list: output" "$(cat "$TMP/out")" "hello"

# A group whose members use another assignment strategy (kcat -G: range,
# roundrobin): a clear error at once, not an endless retry.
kcat -b "$BROKERS" -G "mixed-$RUN_ID" "$T" -o end > /dev/null 2> "$TMP/kcat.err" &
kpid=$!
n=0
until grep -q 'rebalanced.*assigned' "$TMP/kcat.err" || [ $n -ge 100 ]; do
    sleep 0.1
    n=$((n + 1))
done
printf '[source]\nplugin = kafka-in\nbrokers = %s\ntopic = %s\ngroup = mixed-%s\nstop_at_end = true\n[sink.out]\nplugin = stdout\n' \
    "$BROKERS" "$T" "$RUN_ID" > "$TMP/g.ini"
run_sluice "$TMP/g.ini"
kill "$kpid"
wait "$kpid" || true
expect_eq "mixed group: exit code" "$rc" 1
expect_grep "mixed group: message" "$TMP/err" \
    "cannot join group 'mixed-$RUN_ID': JoinGroup failed: Broker: Inconsistent group protocol. Its other members use another partition assignment strategy"

# A missing topic: fail (default), and it is not created by asking.
M=$(topic missing)
source_conf "$BROKERS" "$T, $M"
run_sluice "$TMP/c.ini"
expect_eq "missing topic: exit code" "$rc" 1
expect_grep "missing topic: message" "$TMP/err" \
    "topic $M does not exist on brokers = $BROKERS: create it, fix \`topic\`, or set missing_topic = wait to wait until it is created"
if kcat -L -b "$BROKERS" | grep -qF "\"$M\""; then fail "missing topic: it was created"; fi

# missing_topic = wait: runs, waits, reads the topic once it exists.
source_conf "$BROKERS" "$M" "missing_topic = wait"
"$SLUICE" "$TMP/c.ini" > "$TMP/out" 2> "$TMP/err" &
pid=$!
sleep 1
printf 'one\ntwo\nthree\n' | produce "$M"
n=0
while [ "$(wc -l < "$TMP/out")" -lt 3 ] && [ $n -lt 100 ]; do
    sleep 0.2
    n=$((n + 1))
done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "missing_topic = wait: exit code after SIGTERM" "$rc" 0
expect_eq "missing_topic = wait: frames" "$(sort "$TMP/out" | tr '\n' ' ')" "one three two "
expect_grep "missing_topic = wait: says so" "$TMP/err" \
    "topic $M does not exist yet; waiting for it (missing_topic = wait)"
# Two topics into one distinct-count with output = partials: the merge stage
# knows a partition by its number alone, so partition 0 of each would be
# mixed: refused, naming both and what to do. (With output = results two
# topics are counted: tests/kafka/unique-users.sh.)
T2=$(topic second)
echo '{"uid":"a","ts":1468244384}' | produce "$T2"
cat > "$TMP/two.ini" <<INI
[source]
plugin = kafka-in
brokers = $BROKERS
topic = $T, $T2
group = two-$RUN_ID
stop_at_end = true
[transform.extract]
plugin = json-extract
on_error = skip
[transform.count]
plugin = distinct-count
key = uid
output = partials
[sink.out]
plugin = stdout
INI
run_sluice "$TMP/two.ini"
expect_eq "two topics into distinct-count's partials: exit code" "$rc" 1
expect_grep "two topics into distinct-count's partials: message" "$TMP/err" \
    "the merge stage knows a partition by its number alone, so partition 0 of each would be mixed; read one topic per counting pipeline"

finish
