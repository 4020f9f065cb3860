#!/bin/sh
# kafka-out never loses a record quietly: a message librdkafka refuses at
# once, and one the broker rejects after it was sent (reported by the
# delivery report callback), both stop the pipeline with exit 1 and say why.
. "$top_srcdir/tests/kafka/lib.sh"

O=$(topic refused)
conf() {
    cat > "$TMP/out.ini" <<INI
[source]
plugin = stdin
path = $TMP/frames
max_frame = 4M
[sink.out]
plugin = kafka-out
brokers = $BROKERS
topic = $O
rdkafka.message.max.bytes = $1
INI
}

# Refused by librdkafka: over the client's own message.max.bytes.
{ echo small-1; head -c 2000 /dev/zero | tr '\0' x; echo; echo small-2; } > "$TMP/frames"
conf 1000
run_sluice "$TMP/out.ini"
expect_eq "refused locally: exit code" "$rc" 1
expect_grep "refused locally: message" "$TMP/err" \
    "cannot produce a 2000-byte message to topic $O: Failed to produce message: Broker: Message size too large (MSG_SIZE_TOO_LARGE)"

# Rejected by the broker (its message.max.bytes is about 1 MB): the client
# allows 10 MB, so librdkafka sends it and the delivery report says no.
# Random bytes, so lz4 cannot shrink the batch under the broker's limit.
{ echo small-3; head -c 1500000 /dev/urandom | base64 -w0; echo; echo small-4; } > "$TMP/frames"
conf 10000000
run_sluice "$TMP/out.ini"
expect_eq "rejected by the broker: exit code" "$rc" 1
expect_grep "rejected by the broker: message" "$TMP/err" \
    "1 message(s) could not be delivered to topic $O after librdkafka's retries; the first: Broker: Message size too large (MSG_SIZE_TOO_LARGE)"
expect_grep "rejected by the broker: counters" "$TMP/err" "produced=3, delivered=2, failed=1"
consume "$O" > "$TMP/topic"
expect_eq "what was delivered" "$(sort "$TMP/topic" | tr '\n' ' ')" "small-1 small-3 small-4 "
finish
