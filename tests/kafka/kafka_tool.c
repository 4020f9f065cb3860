/*
 * kafka-tool: what the Kafka tests need that kcat cannot do.
 *
 *   kafka-tool produce BROKERS TOPIC [-p PARTITION] [-t TIMESTAMP_MS] [-T]
 *       One message per line of standard input (the "\n" is not part of
 *       it), to PARTITION (default: librdkafka's partitioner), with the
 *       CreateTime TIMESTAMP_MS (default: now). With -T each line is
 *       "TIMESTAMP_MS<TAB>VALUE". Waits until every message is delivered;
 *       exit 1 if any was not.
 *
 *   kafka-tool committed BROKERS GROUP TOPIC
 *       The group's committed offset of every partition of TOPIC, one
 *       "PARTITION OFFSET" line each (-1001: nothing committed).
 *
 *   kafka-tool create BROKERS TOPIC PARTITIONS [NAME=VALUE...]
 *       Create TOPIC with PARTITIONS partitions (replication factor 1) and
 *       those topic configs (cleanup.policy=compact); the test broker
 *       auto-creates topics with 3.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void usage(void)
{
    fprintf(stderr, "usage: kafka-tool produce BROKERS TOPIC [-p PARTITION] [-t TIMESTAMP_MS] [-T]\n"
                    "       kafka-tool committed BROKERS GROUP TOPIC\n"
                    "       kafka-tool create BROKERS TOPIC PARTITIONS [NAME=VALUE...]\n");
    exit(2);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (m->err) {
        failures++;
        fprintf(stderr, "kafka-tool: delivery failed: %s\n", rd_kafka_err2str(m->err));
    }
}

static rd_kafka_t *client(rd_kafka_type_t type, const char *brokers, const char *group)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* log_level 3: retried hiccups (a coordinator still loading) are noise. */
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err, sizeof err) ||
        rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err) ||
        (group && rd_kafka_conf_set(conf, "group.id", group, err, sizeof err)) ||
        (type == RD_KAFKA_PRODUCER &&
         (rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err) ||
          rd_kafka_conf_set(conf, "enable.idempotence", "true", err, sizeof err)))) {
        fprintf(stderr, "kafka-tool: %s\n", err);
        exit(2);
    }
    if (type == RD_KAFKA_PRODUCER)
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "kafka-tool: %s\n", err);
        exit(1);
    }
    return rk;
}

static int produce(int argc, char **argv)
{
    if (argc < 4)
        usage();
    const char *brokers = argv[2], *topic = argv[3];
    int32_t partition = RD_KAFKA_PARTITION_UA;
    int64_t ts = 0;
    int ts_prefix = 0;
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
            partition = (int32_t)atoi(argv[++i]);
        else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
            ts = strtoll(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-T") == 0)
            ts_prefix = 1;
        else
            usage();
    }
    rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, brokers, NULL);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        char *value = line;
        int64_t this_ts = ts;
        if (ts_prefix) {
            char *tab = strchr(line, '\t');
            if (!tab) {
                fprintf(stderr, "kafka-tool: -T wants TIMESTAMP_MS<TAB>VALUE lines\n");
                return 2;
            }
            this_ts = strtoll(line, NULL, 10);
            value = tab + 1;
            len -= tab + 1 - line;
        }
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_VALUE(value, (size_t)len),
                                      RD_KAFKA_V_TIMESTAMP(this_ts), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 100);
        if (e) {
            fprintf(stderr, "kafka-tool: produce: %s\n", rd_kafka_err2str(e));
            return 1;
        }
        rd_kafka_poll(rk, 0);
    }
    free(line);
    if (rd_kafka_flush(rk, 30000)) {
        fprintf(stderr, "kafka-tool: %d message(s) not delivered within 30 s\n",
                rd_kafka_outq_len(rk));
        failures++;
    }
    rd_kafka_destroy(rk);
    return failures ? 1 : 0;
}

static int committed(int argc, char **argv)
{
    if (argc != 5)
        usage();
    rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, argv[2], argv[3]);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, argv[4], NULL);
    const struct rd_kafka_metadata *md;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    if (e || md->topic_cnt != 1 || md->topics[0].err) {
        fprintf(stderr, "kafka-tool: metadata: %s\n",
                rd_kafka_err2str(e ? e : md->topic_cnt ? md->topics[0].err : e));
        return 1;
    }
    rd_kafka_topic_partition_list_t *l =
        rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
    for (int i = 0; i < md->topics[0].partition_cnt; i++)
        rd_kafka_topic_partition_list_add(l, argv[4], md->topics[0].partitions[i].id);
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_topic_partition_list_sort(l, NULL, NULL);
    e = rd_kafka_committed(rk, l, 10000);
    if (e) {
        fprintf(stderr, "kafka-tool: committed: %s\n", rd_kafka_err2str(e));
        return 1;
    }
    for (int i = 0; i < l->cnt; i++)
        printf("%d %lld\n", (int)l->elems[i].partition, (long long)l->elems[i].offset);
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
    return 0;
}

static int create(int argc, char **argv)
{
    if (argc < 5)
        usage();
    int partitions = atoi(argv[4]);
    if (partitions < 1)
        usage();
    char err[512];
    rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, argv[2], NULL);
    rd_kafka_NewTopic_t *t = rd_kafka_NewTopic_new(argv[3], partitions, 1, err, sizeof err);
    if (!t) {
        fprintf(stderr, "kafka-tool: %s\n", err);
        return 2;
    }
    for (int i = 5; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            usage();
        *eq = '\0';
        if (rd_kafka_NewTopic_set_config(t, argv[i], eq + 1)) {
            fprintf(stderr, "kafka-tool: bad topic config %s\n", argv[i]);
            return 2;
        }
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &t, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
    int rc = 1;
    const rd_kafka_CreateTopics_result_t *res = ev ? rd_kafka_event_CreateTopics_result(ev) : NULL;
    if (!ev) {
        fprintf(stderr, "kafka-tool: create %s: no answer within 30 s\n", argv[3]);
    } else if (rd_kafka_event_error(ev)) {
        fprintf(stderr, "kafka-tool: create %s: %s\n", argv[3], rd_kafka_event_error_string(ev));
    } else if (res) {
        size_t n;
        const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
        if (n == 1 && rd_kafka_topic_result_error(tr[0]))
            fprintf(stderr, "kafka-tool: create %s: %s\n", argv[3],
                    rd_kafka_topic_result_error_string(tr[0]));
        else
            rc = 0;
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(t);
    rd_kafka_destroy(rk);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    if (strcmp(argv[1], "produce") == 0)
        return produce(argc, argv);
    if (strcmp(argv[1], "committed") == 0)
        return committed(argc, argv);
    if (strcmp(argv[1], "create") == 0)
        return create(argc, argv);
    usage();
}
