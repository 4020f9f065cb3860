#!/usr/bin/env bash
# tests/kafka/broker.sh start|stop|restart [SECONDS]|status|log
#
# Runs a real Apache Kafka broker for sluice's tests: one JVM on 127.0.0.1, KRaft mode (broker and
# controller combined, no ZooKeeper), on free ports, with its data in a throw-away state dir.
#
# Why this way: there is no Docker here and Debian does not package Kafka, but Maven Central has the
# broker jars. So the jars listed in tests/kafka/pom.xml are fetched once with `mvn
# dependency:copy-dependencies` into a cache outside the repo and reused by every later run.
# Kafka is pinned to 3.9.x, not 4.x: Debian's librdkafka 2.0.2 (used by kcat and by sluice) needs
# JoinGroup v0 for its group consumer, which Kafka 4.0 removed (KIP-896).
#
#   start   fetch jars if needed, format storage, start the broker, wait until it answers
#           metadata requests; print its bootstrap address (127.0.0.1:PORT) as the last line of
#           stdout (all progress goes to stderr, so ADDR=$(broker.sh start) works) and write it to
#           <state dir>/bootstrap. If it is already running, print the existing address.
#           Every fresh start begins with empty storage.
#   stop    SIGTERM the broker, wait (SIGKILL after a timeout), remove the state dir.
#   restart stop the running broker the same way but keep its state dir, wait SECONDS (default
#           0), start it again on the same ports with the same data; print its address when
#           it answers. Give a test its own SLUICE_KAFKA_DIR for this: other tests on a shared
#           broker would see it go away.
#   status  print the address and exit 0 if the broker runs and answers, else exit 1.
#   log     print the broker log (for debugging a test).
#
# Exit codes: 0 ok, 1 failure (the tail of the broker log goes to stderr), 2 usage,
#             77 = skip: java or mvn missing (the test harness treats 77 as "skipped").
#
# Environment (all optional):
#   SLUICE_KAFKA_CACHE          jar cache   (default: $HOME/.cache/sluice-kafka)
#   SLUICE_KAFKA_DIR            state dir   (default: /tmp/sluice-kafka-$USER); give each parallel
#                               test run its own dir to get its own broker
#   SLUICE_KAFKA_START_TIMEOUT  seconds to wait for the broker to answer (default: 60)
#   SLUICE_KAFKA_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default: 30)
#   SLUICE_KAFKA_JAVA           java binary (default: $JAVA_HOME/bin/java, else java on PATH)
#   SLUICE_KAFKA_JAVA_OPTS      extra JVM options, appended after the defaults
#   SLUICE_KAFKA_PROPS          extra lines appended to server.properties (newline separated)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
POM="$HERE/pom.xml"
USER_NAME=${USER:-$(id -un 2>/dev/null || echo "uid$(id -u)")}
CACHE=${SLUICE_KAFKA_CACHE:-${HOME:?HOME is not set; set SLUICE_KAFKA_CACHE}/.cache/sluice-kafka}
STATE=${SLUICE_KAFKA_DIR:-/tmp/sluice-kafka-$USER_NAME}
STATE=${STATE%/}
LIBS="$CACHE/libs"
START_TIMEOUT=${SLUICE_KAFKA_START_TIMEOUT:-60}
STOP_TIMEOUT=${SLUICE_KAFKA_STOP_TIMEOUT:-30}
MARKER="$STATE/.sluice-kafka-state"   # only a dir holding this file is ever removed by this script
PIDFILE="$STATE/broker.pid"
LOGFILE="$STATE/broker.log"
PROPS="$STATE/server.properties"
BOOTSTRAP_FILE="$STATE/bootstrap"

# Small heap; serial GC and the C1-only JIT cut JVM startup and CPU on a 2-core machine.
JVM_OPTS=(-Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
          -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true)

# Seconds since $1 (an $EPOCHREALTIME or $SECONDS value), to 0.1 s.
elapsed() { awk -v a="$1" -v b="${EPOCHREALTIME:-$SECONDS}" 'BEGIN { printf "%.1f", b - a }'; }
say()  { printf 'broker.sh: %s\n' "$*" >&2; }
die()  { say "error: $*"; exit 1; }
skip() { say "SKIP: $*"; exit 77; }

usage() {
    cat >&2 <<EOF
usage: $0 start|stop|restart [SECONDS]|status|log
  state dir: $STATE (SLUICE_KAFKA_DIR)   jar cache: $CACHE (SLUICE_KAFKA_CACHE)
EOF
    exit 2
}

# ---------------------------------------------------------------------------------------------
# Java and the jars

find_java() {
    if [[ -n ${SLUICE_KAFKA_JAVA:-} ]]; then
        JAVA=$SLUICE_KAFKA_JAVA
    elif [[ -n ${JAVA_HOME:-} && -x ${JAVA_HOME}/bin/java ]]; then
        JAVA=$JAVA_HOME/bin/java
    elif JAVA=$(command -v java 2>/dev/null); then
        :
    else
        skip "java not found (install Java 11 or newer, e.g. apt-get install openjdk-17-jre-headless, or set SLUICE_KAFKA_JAVA); cannot run a Kafka broker"
    fi
    local v
    v=$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1) ||
        true
    if [[ -z $v ]]; then
        [[ -n ${SLUICE_KAFKA_JAVA:-} ]] && die "SLUICE_KAFKA_JAVA=$SLUICE_KAFKA_JAVA: '$JAVA -version' did not run"
        skip "'$JAVA -version' did not run; cannot run a Kafka broker"
    fi
    local major=${v%%.*}
    [[ $major == 1 ]] && major=$(echo "$v" | cut -d. -f2)   # 1.8.0_x -> 8
    if [[ $major =~ ^[0-9]+$ ]] && (( major < 11 )); then
        skip "$JAVA is Java $v; Kafka 3.9's broker needs Java 11 or newer"
    fi
}

pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

# Fetch the jars into $LIBS unless the cache already holds them for this very pom.xml.
ensure_jars() {
    [[ -f $POM ]] || die "missing $POM"
    local want
    want=$(pom_hash)
    if [[ -f $LIBS/.pom-sha256 && $(cat "$LIBS/.pom-sha256") == "$want" ]]; then
        return 0
    fi
    command -v mvn >/dev/null 2>&1 ||
        skip "mvn (Maven) not found and the Kafka jars are not cached in $LIBS; install it (apt-get install maven) so the jars can be fetched from Maven Central once"
    mkdir -p "$CACHE"
    # Serialise concurrent fetches into the same cache.
    exec 8>"$CACHE/.fetch.lock"
    flock 8
    if [[ -f $LIBS/.pom-sha256 && $(cat "$LIBS/.pom-sha256") == "$want" ]]; then
        flock -u 8; exec 8>&-
        return 0
    fi
    say "fetching Kafka jars from Maven Central into $LIBS (once; later runs reuse them)..."
    local tmp="$CACHE/.libs.tmp.$$" t0=$SECONDS
    rm -rf "$tmp"
    if ! mvn -B -q -Dstyle.color=never -f "$POM" dependency:copy-dependencies \
            -DoutputDirectory="$tmp" </dev/null >"$CACHE/mvn.log" 2>&1; then
        tail -n 40 "$CACHE/mvn.log" >&2 || true
        rm -rf "$tmp"
        die "mvn could not fetch the Kafka jars (full output: $CACHE/mvn.log)"
    fi
    ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "mvn ran but no kafka_2.13 jar is in $tmp"
    echo "$want" >"$tmp/.pom-sha256"
    rm -rf "$LIBS"
    mv "$tmp" "$LIBS"
    say "fetched $(find "$LIBS" -name '*.jar' | wc -l) jars in $((SECONDS - t0))s"
    flock -u 8; exec 8>&-
}

# ---------------------------------------------------------------------------------------------
# State of a running broker

# Is the pid in $PIDFILE alive and really our broker (not a recycled pid)?
broker_pid() {
    local pid
    [[ -f $PIDFILE ]] || return 1
    pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $PROPS" || return 1
    echo "$pid"
}

# Does the broker at $1 answer a metadata request?
answers() {
    local addr=$1
    if command -v kcat >/dev/null 2>&1; then
        timeout 10 kcat -b "$addr" -L -m 2 2>/dev/null | grep -q ' 1 brokers:'
    else
        # No kcat: trust the broker's own "started" line plus an open port.
        grep -q 'Kafka Server started' "$LOGFILE" 2>/dev/null &&
            (exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}") 2>/dev/null
    fi
}

log_tail() {
    if [[ -f $LOGFILE ]]; then
        say "last lines of $LOGFILE:"
        tail -n "${1:-40}" "$LOGFILE" >&2 || true
    fi
}

# Remove the state dir, but only one this script made (guards against SLUICE_KAFKA_DIR=$HOME).
remove_state() {
    if [[ -f $MARKER ]]; then
        rm -rf "$STATE"
    elif [[ -d $STATE ]] && [[ -n $(ls -A "$STATE" 2>/dev/null) ]]; then
        die "$STATE exists, is not empty and was not made by broker.sh; refusing to delete it"
    else
        rmdir "$STATE" 2>/dev/null || true
    fi
}

# Serialise start/stop/status on one state dir (a lock file beside it, since the dir is removed).
lock_state() {
    mkdir -p "$(dirname "$STATE")"
    exec 9>"$STATE.lock"
    flock -n 9 && return 0
    # A broker started by an older broker.sh inherited this lock's fd and holds it for life:
    # then there is nobody to wait for.
    local pid
    if pid=$(broker_pid) &&
            find "/proc/$pid/fd" -lname "$(readlink -f "$STATE.lock")" 2>/dev/null | grep -q .; then
        return 0
    fi
    say "waiting for another broker.sh on $STATE (lock $STATE.lock)..."
    flock -w 300 9 || die "another broker.sh has held $STATE.lock for 300s; giving up"
}

# ---------------------------------------------------------------------------------------------
# start

free_ports() {   # prints two distinct free TCP ports on 127.0.0.1
    if command -v python3 >/dev/null 2>&1; then
        python3 -c '
import socket
ss = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ss.append(s)
print(" ".join(str(s.getsockname()[1]) for s in ss))'
    else
        local p ports=()
        while (( ${#ports[@]} < 2 )); do
            p=$(( 20000 + RANDOM % 30000 ))
            [[ " ${ports[*]} " == *" $p "* ]] && continue
            (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue   # in use
            ports+=("$p")
        done
        echo "${ports[@]}"
    fi
}

write_config() {
    local port=$1 cport=$2
    cat >"$PROPS" <<EOF
# Written by tests/kafka/broker.sh: single-node KRaft broker+controller for tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$STATE/data

# What the tests rely on
num.partitions=3
auto.create.topics.enable=true
delete.topic.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0

# Keep it light and quick: one node, little data, short life
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
num.replica.fetchers=1
log.cleaner.enable=false
auto.leader.rebalance.enable=false
EOF
    if [[ -n ${SLUICE_KAFKA_PROPS:-} ]]; then
        printf '\n# From SLUICE_KAFKA_PROPS\n%s\n' "$SLUICE_KAFKA_PROPS" >>"$PROPS"
    fi
    cat >"$STATE/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
# The full config dump is ~300 lines, repeated; server.properties sits beside this file.
log4j.logger.kafka.server.KafkaConfig=WARN
log4j.logger.org.apache.kafka.common.config.AbstractConfig=WARN
log4j.logger.org.apache.kafka.common.utils.AppInfoParser=WARN
EOF
}

# Sets JCMD to the java command line that runs MAINCLASS ARGS... with the cached jars.
java_cmd() {
    local extra=()
    # SLUICE_KAFKA_JAVA_OPTS is a whitespace-separated word list on purpose.
    read -r -a extra <<<"${SLUICE_KAFKA_JAVA_OPTS:-}" || true
    JCMD=("$JAVA" "${JVM_OPTS[@]}" ${extra[@]+"${extra[@]}"}
          "-Dlog4j.configuration=file:$STATE/log4j.properties" -cp "$LIBS/*" "$@")
}

# One try at starting; returns 0 when ready, 1 on failure, 3 when a port was taken meanwhile.
try_start() {
    local port cport addr cluster_id t0=${EPOCHREALTIME:-$SECONDS}
    read -r port cport < <(free_ports)
    [[ -n ${cport:-} ]] || die "could not find free ports"
    addr="127.0.0.1:$port"

    remove_state
    mkdir -p "$STATE/data"
    : >"$MARKER"
    write_config "$port" "$cport"

    # Cluster id: 16 random bytes, url-safe base64 without padding (22 chars), as Kafka's Uuid.
    cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    java_cmd kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS"
    if ! "${JCMD[@]}" </dev/null >"$STATE/format.log" 2>&1; then
        cat "$STATE/format.log" >&2
        die "formatting the storage in $STATE/data failed (kafka.tools.StorageTool)"
    fi

    launch
    say "broker pid $(cat "$PIDFILE") starting on $addr (controller 127.0.0.1:$cport), log $LOGFILE"
    wait_ready "$addr" "$t0"
}

# Start the broker on the existing $PROPS and data; its pid goes to $PIDFILE, its output to
# $LOGFILE (appended: a restart keeps the earlier lines).
launch() {
    rm -f "$PIDFILE"
    # setsid: own session, so the caller's terminal and job-control signals don't reach it.
    # The inner bash closes every inherited fd above 2 (our lock fd, and any pipe of the
    # caller's, e.g. `$(broker.sh start)` or `ci | tee`, which would otherwise stay open for
    # the broker's whole life and hang whoever waits for EOF), writes its own pid, then execs
    # java, so the pid file holds java's pid.
    java_cmd kafka.Kafka "$PROPS"
    # shellcheck disable=SC2016
    setsid bash -c '
        for fd in /proc/$$/fd/*; do
            fd=${fd##*/}
            if [[ $fd =~ ^[0-9]+$ ]] && (( fd > 2 )); then eval "exec $fd>&-"; fi
        done
        echo $$ >"$1"; shift; exec "$@"' _ "$PIDFILE" "${JCMD[@]}" \
        </dev/null >>"$LOGFILE" 2>&1 &
    LAUNCHER=$!
    local n=0
    until [[ -s $PIDFILE ]]; do
        (( ++n > 100 )) && die "the broker process did not start"
        sleep 0.05
    done
}

# Wait until the broker just launched answers on $1 (started at $2); 0 ready, 1 failure,
# 3 when its port was taken.
wait_ready() {
    local addr=$1 t0=$2 pid
    pid=$(cat "$PIDFILE")
    local deadline=$((SECONDS + START_TIMEOUT))
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$LAUNCHER" 2>/dev/null || true
            if grep -q 'Address already in use' "$LOGFILE" 2>/dev/null; then
                return 3
            fi
            log_tail 60
            say "error: the broker exited during startup (state kept in $STATE for a look)"
            return 1
        fi
        if answers "$addr"; then
            break
        fi
        if (( SECONDS >= deadline )); then
            log_tail 60
            kill -KILL "$pid" 2>/dev/null || true
            say "error: the broker did not answer on $addr within ${START_TIMEOUT}s (state kept in $STATE)"
            return 1
        fi
        sleep 0.2
    done
    echo "$addr" >"$BOOTSTRAP_FILE"
    say "broker ready on $addr after $(elapsed "$t0")s"
    return 0
}

cmd_start() {
    find_java
    lock_state
    local pid
    if pid=$(broker_pid); then
        local addr
        addr=$(cat "$BOOTSTRAP_FILE" 2>/dev/null || true)
        if [[ -n $addr ]] && answers "$addr"; then
            say "already running (pid $pid) on $addr"
            echo "$addr"
            return 0
        fi
        say "a broker (pid $pid) runs but does not answer; restarting it"
        stop_pid "$pid"
    fi
    ensure_jars
    local attempt rc
    for attempt in 1 2 3; do
        rc=0
        try_start || rc=$?
        case $rc in
            0) cat "$BOOTSTRAP_FILE"; return 0 ;;
            3) say "a port was taken meanwhile; retrying with new ports (attempt $attempt)" ;;
            *) exit 1 ;;
        esac
    done
    log_tail 40
    die "could not start the broker: ports kept being taken"
}

# ---------------------------------------------------------------------------------------------
# stop / status

stop_pid() {
    local pid=$1 waited=0
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null; do
        if (( waited >= STOP_TIMEOUT * 10 )); then
            say "broker pid $pid still running ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.2
            break
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
}

cmd_stop() {
    lock_state
    local pid
    if pid=$(broker_pid); then
        say "stopping broker pid $pid"
        stop_pid "$pid"
    else
        say "no broker running for $STATE"
    fi
    remove_state
}

# The same broker again, same ports and data: SIGTERM (a clean shutdown), wait $1 seconds,
# start. For tests of clients riding through a broker restart.
cmd_restart() {
    local down=${1:-0}
    [[ $down =~ ^[0-9]+([.][0-9]+)?$ ]] || usage
    find_java
    lock_state
    local pid addr t0
    pid=$(broker_pid) || die "no broker running for $STATE: start one first"
    addr=$(cat "$BOOTSTRAP_FILE")
    say "restarting broker pid $pid on $addr (data kept, down for ${down}s)"
    stop_pid "$pid"
    sleep "$down"
    t0=${EPOCHREALTIME:-$SECONDS}
    launch
    local rc=0
    wait_ready "$addr" "$t0" || rc=$?
    case $rc in
        0) echo "$addr" ;;
        3) die "port ${addr##*:} was taken while the broker was down" ;;
        *) exit 1 ;;
    esac
}

cmd_status() {
    local pid addr
    if pid=$(broker_pid); then
        addr=$(cat "$BOOTSTRAP_FILE" 2>/dev/null || true)
        if [[ -n $addr ]] && answers "$addr"; then
            echo "$addr"
            return 0
        fi
        say "broker pid $pid runs but does not answer (yet)"
        return 1
    fi
    say "no broker running for $STATE"
    return 1
}

cmd_log() {
    [[ -f $LOGFILE ]] || die "no broker log at $LOGFILE"
    cat "$LOGFILE"
}

case ${1:-} in
    start)  cmd_start ;;
    stop)   cmd_stop ;;
    restart) shift; cmd_restart "$@" ;;
    status) cmd_status ;;
    log)    cmd_log ;;
    *)      usage ;;
esac
