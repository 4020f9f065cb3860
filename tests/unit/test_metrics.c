/*
 * The metrics registry and its Prometheus text, byte for byte, from counters
 * and gauges set through the host API (as plugins do); readiness reasons;
 * the listen address check; and the progress line's text for known samples.
 * promtool's view of real scrapes is tests/metrics.sh.
 */
#include "check.h"
#include "host_api.h"
#include "metrics.h"
#include "pipeline.h"
#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct sluice_plugin kafka_in = {.name = "kafka-in"};
static const struct sluice_plugin json_extract = {.name = "json-extract"};
static const struct sluice_plugin stdout_sink = {.name = "stdout"};

static struct sluice_instance *instance(const char *section, const struct sluice_plugin *pl)
{
    struct sluice_instance *inst = sluice_instance_standalone(section);
    inst->plugin = pl;
    return inst;
}

static void test_render(void)
{
    const struct sluice_host_api *host = sluice_host_api();
    struct sluice_pipeline p;
    memset(&p, 0, sizeof p);
    struct sluice_instance *src = instance("source", &kafka_in);
    struct sluice_instance *ex1 = instance("transform.a", &json_extract);
    struct sluice_instance *ex2 = instance("transform.b\"c", &json_extract);
    struct sluice_instance *out = instance("sink.out", &stdout_sink);
    struct sluice_instance *transforms[] = {ex1, ex2}, *sinks[] = {out};
    p.source = src;
    p.transforms = transforms;
    p.n_transforms = 2;
    p.sinks = sinks;
    p.n_sinks = 1;

    host->counter_add(src, "frames", 5);
    host->counter_add(src, "frames", 7);
    host->counter_add(ex1, "extracted", 10);
    host->counter_add(ex1, "error.malformed", 2);
    host->counter_add(ex2, "extracted", 1);
    host->counter_add(ex2, "late", 3);
    host->counter_add(ex2, "revisions", 4);
    host->counter_add(out, "written", 11);
    host->gauge_set(src, "consumer_lag", "topic=\"t\",partition=\"1\"", 40);
    host->gauge_set(src, "consumer_lag", "topic=\"t\",partition=\"0\"", 2);
    host->gauge_set(src, "consumer_lag", "topic=\"t\",partition=\"2\"", 9);
    host->gauge_set(src, "consumer_lag", "topic=\"t\",partition=\"2\"", NAN); /* given away */
    host->gauge_set(ex1, "watermark_seconds", NULL, 1468244379.5);
    host->gauge_set(ex2, "watermark_seconds", NULL, 1468244000);
    /* Refused (logged): a _total gauge, a host name, bad labels, "stage". */
    host->gauge_set(ex1, "frames_total", NULL, 1);
    host->gauge_set(ex1, "ready", NULL, 1);
    host->gauge_set(ex1, "x", "window=minute", 1);
    host->gauge_set(ex1, "x", "stage=\"s\"", 1);
    host->gauge_set(ex1, "x", "window=\"minute", 1);
    host->gauge_set(ex1, "x", "window=\"minute\"", 1); /* this one is fine */

    struct sluice_batch b = {0};
    struct sluice_record recs[3] = {{.value_len = 10}, {.value_len = 20}, {.value_len = 5}};
    b.records = recs;
    b.count = 3;
    sluice_metrics_set_state(SLUICE_RUN_RUNNING);
    sluice_metrics_source_batch(&b);
    sluice_metrics_records_out(2);

    size_t len = 0;
    char *text = sluice_metrics_render(&p, &len);
    CHECK(text != NULL);
    CHECK_INT_EQ(len, strlen(text));
    CHECK_STR_EQ(
        text,
        "# HELP sluice_consumer_lag Messages of the partition not yet through the pipeline (high "
        "watermark minus the offset stored after the sinks took them; librdkafka statistics).\n"
        "# TYPE sluice_consumer_lag gauge\n"
        "sluice_consumer_lag{stage=\"source\",topic=\"t\",partition=\"1\"} 40\n"
        "sluice_consumer_lag{stage=\"source\",topic=\"t\",partition=\"0\"} 2\n"
        "# HELP sluice_errors_total Records a stage failed (error records, or dropped), by "
        "reason.\n"
        "# TYPE sluice_errors_total counter\n"
        "sluice_errors_total{stage=\"transform.a\",reason=\"malformed\"} 2\n"
        "# HELP sluice_json_extract_extracted_total Counter 'extracted' of the json-extract "
        "plugin.\n"
        "# TYPE sluice_json_extract_extracted_total counter\n"
        "sluice_json_extract_extracted_total{stage=\"transform.a\"} 10\n"
        "sluice_json_extract_extracted_total{stage=\"transform.b\\\"c\"} 1\n"
        "# HELP sluice_kafka_in_frames_total Counter 'frames' of the kafka-in plugin.\n"
        "# TYPE sluice_kafka_in_frames_total counter\n"
        "sluice_kafka_in_frames_total{stage=\"source\"} 12\n"
        "# HELP sluice_late_records_total Frames that arrived behind the watermark and were "
        "still counted.\n"
        "# TYPE sluice_late_records_total counter\n"
        "sluice_late_records_total{stage=\"transform.b\\\"c\"} 3\n"
        "# HELP sluice_output_records_total Records handed to the sinks (results and error "
        "records).\n"
        "# TYPE sluice_output_records_total counter\n"
        "sluice_output_records_total 2\n"
        "# HELP sluice_ready 1 when /readyz says ready, else 0.\n"
        "# TYPE sluice_ready gauge\n"
        "sluice_ready 1\n"
        "# HELP sluice_revisions_total Results emitted again because late frames changed a "
        "final window.\n"
        "# TYPE sluice_revisions_total counter\n"
        "sluice_revisions_total{stage=\"transform.b\\\"c\"} 4\n"
        "# HELP sluice_source_bytes_total Bytes of the frames the source produced.\n"
        "# TYPE sluice_source_bytes_total counter\n"
        "sluice_source_bytes_total 35\n"
        "# HELP sluice_source_records_total Records (frames) the source produced.\n"
        "# TYPE sluice_source_records_total counter\n"
        "sluice_source_records_total 3\n"
        "# HELP sluice_stdout_written_total Counter 'written' of the stdout plugin.\n"
        "# TYPE sluice_stdout_written_total counter\n"
        "sluice_stdout_written_total{stage=\"sink.out\"} 11\n"
        "# HELP sluice_watermark_seconds The event-time watermark, unix seconds.\n"
        "# TYPE sluice_watermark_seconds gauge\n"
        "sluice_watermark_seconds{stage=\"transform.a\"} 1468244379.5\n"
        "sluice_watermark_seconds{stage=\"transform.b\\\"c\"} 1468244000\n"
        "# HELP sluice_x Gauge 'x' published by a plugin.\n"
        "# TYPE sluice_x gauge\n"
        "sluice_x{stage=\"transform.a\",window=\"minute\"} 1\n");
    free(text);

    /* The progress line's view of the gauges. */
    struct sluice_gauge_view v;
    sluice_gauge_view(src, "consumer_lag", &v);
    CHECK_INT_EQ(v.n, 2);
    CHECK(v.sum == 42 && v.min == 2);

    /* Readiness: the first instance that is not ready, by section. */
    char why[256];
    CHECK(sluice_ready_reason(&p, why, sizeof why) == NULL);
    host->set_ready(out, "full");
    host->set_ready(ex2, "thinking\nhard");
    CHECK_STR_EQ(sluice_ready_reason(&p, why, sizeof why), "[transform.b\"c] thinking hard");
    host->set_ready(ex2, NULL);
    CHECK_STR_EQ(sluice_ready_reason(&p, why, sizeof why), "[sink.out] full");
    sluice_metrics_host_not_ready("restoring state from a checkpoint");
    CHECK_STR_EQ(sluice_ready_reason(&p, why, sizeof why), "restoring state from a checkpoint");
    sluice_metrics_host_not_ready(NULL);
    host->set_ready(out, NULL);
    CHECK(sluice_ready_reason(&p, why, sizeof why) == NULL);
    sluice_metrics_set_state(SLUICE_RUN_STARTING);
    CHECK_STR_EQ(sluice_ready_reason(&p, why, sizeof why),
                 "starting: the plugins are being started");
    sluice_metrics_set_state(SLUICE_RUN_STOPPING);
    CHECK_STR_EQ(sluice_ready_reason(&p, why, sizeof why), "stopping: draining and flushing");

    /* Health: alive while starting and while the loop turns; stuck when
     * it has not turned for SLUICE_STUCK_MS; not alive once stopping. */
    sluice_metrics_set_state(SLUICE_RUN_STARTING);
    CHECK(sluice_health_reason(why, sizeof why) == NULL);
    sluice_metrics_set_state(SLUICE_RUN_RUNNING);
    CHECK(sluice_health_reason(why, sizeof why) == NULL);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    sluice_metrics_heartbeat(now_ms - SLUICE_STUCK_MS - 5000);
    const char *stuck = sluice_health_reason(why, sizeof why);
    CHECK(stuck && strncmp(stuck, "stuck: the loop has not turned for 6", 36) == 0);
    sluice_metrics_heartbeat(now_ms);
    CHECK(sluice_health_reason(why, sizeof why) == NULL);
    sluice_metrics_set_state(SLUICE_RUN_STOPPING);
    CHECK_STR_EQ(sluice_health_reason(why, sizeof why), "stopping: the loop has ended");

    /* Checkpoints appear once there was one. */
    sluice_metrics_checkpoint(0.25);
    text = sluice_metrics_render(&p, &len);
    CHECK(strstr(text, "\nsluice_checkpoint_duration_seconds 0.25\n") != NULL);
    CHECK(strstr(text, "\nsluice_checkpoints_total 1\n") != NULL);
    const char *age = strstr(text, "\nsluice_checkpoint_age_seconds ");
    CHECK(age && atof(age + 31) >= 0 && atof(age + 31) < 3600); /* just now */
    CHECK(strstr(text, "\nsluice_ready 0\n") != NULL);
    free(text);

    sluice_instance_free(src);
    sluice_instance_free(ex1);
    sluice_instance_free(ex2);
    sluice_instance_free(out);
}

static void test_gauge_blocks(void)
{
    /* More gauges than one block holds: all found again, all rendered. */
    struct sluice_instance *inst = instance("source", &kafka_in);
    char labels[64];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 3 * SLUICE_GAUGE_BLOCK + 5; i++) {
            snprintf(labels, sizeof labels, "partition=\"%d\"", i);
            sluice_gauge_set(inst, "consumer_lag", labels, round * 1000 + i);
        }
    struct sluice_gauge_view v;
    sluice_gauge_view(inst, "consumer_lag", &v);
    int n = 3 * SLUICE_GAUGE_BLOCK + 5;
    CHECK_INT_EQ(v.n, n);
    CHECK(v.sum == 1000.0 * n + (double)n * (n - 1) / 2);
    CHECK(v.min == 1000);
    sluice_instance_free(inst);
}

static void test_address(void)
{
    static const char *const good[] = {"127.0.0.1:9464", "0.0.0.0:1", "[::1]:9464",
                                       "localhost:65535", "127.0.0.1:0"};
    static const char *const bad[] = {"9464", ":9464", "127.0.0.1:", "127.0.0.1:x",
                                      "127.0.0.1:65536", "::1:9464", "[::1:9464", "127.0.0.1:-1"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CHECK_STR_EQ(sluice_metrics_check_address(&good[i]) ? good[i] : "ok", "ok");
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(sluice_metrics_check_address(&bad[i]) != NULL);
}

static void test_progress_format(void)
{
    char line[512];
    struct sluice_progress_sample a = {.t = 10, .frames = 1000, .bytes = 2000000};
    struct sluice_progress_sample b = {.t = 12, .frames = 3041000, .bytes = 366000000};
    sluice_progress_format(&a, &b, line, sizeof line);
    CHECK_STR_EQ(line, "sluice: 3.04M frames  1.52M frames/s  182.0 MB/s");

    /* A file: 25% read at 25 MB/s: 150 MB left is 6 s. */
    a.has_file = b.has_file = true;
    a.file_size = b.file_size = 200e6;
    a.file_pos = 0;
    b.file_pos = 50e6;
    b.has_watermark = true;
    b.watermark = 1468244379.9;
    b.has_windows = true;
    b.windows = 1;
    sluice_progress_format(&a, &b, line, sizeof line);
    CHECK_STR_EQ(line, "sluice: 3.04M frames  1.52M frames/s  182.0 MB/s  25.0% of the file, "
                       "0:06 left  watermark 2016-07-11T13:39:39Z  1 window open");

    /* Kafka: 3.04M frames behind at 1.52M frames/s is 2 s; long and
     * unknown times. */
    b.has_file = b.has_watermark = false;
    b.has_lag = true;
    b.lag = 3040000;
    b.windows = 6;
    sluice_progress_format(&a, &b, line, sizeof line);
    CHECK_STR_EQ(line, "sluice: 3.04M frames  1.52M frames/s  182.0 MB/s  lag 3.04M, 0:02 left  "
                       "6 windows open");
    b.lag = 1.52e6 * 7200;
    sluice_progress_format(&a, &b, line, sizeof line);
    CHECK(strstr(line, "lag 10.9G, 2:00:00 left") != NULL);
    b.lag = 1.52e6 * 86400 * 5;
    sluice_progress_format(&a, &b, line, sizeof line);
    CHECK(strstr(line, "left") && strstr(line, ", 5d 0h left") != NULL);
    a.frames = b.frames; /* nothing moved: time left unknown */
    sluice_progress_format(&a, &b, line, sizeof line);
    CHECK(strstr(line, "  0 frames/s  ") && strstr(line, ", ? left") != NULL);
    b.lag = 0;
    sluice_progress_format(&a, &b, line, sizeof line);
    CHECK(strstr(line, "lag 0, 0:00 left") != NULL);

    /* A short buffer is cut, never overrun. */
    char small[16];
    sluice_progress_format(&a, &b, small, sizeof small);
    CHECK_STR_EQ(small, "sluice: 3.04M f");
}

int main(void)
{
    test_render();
    test_gauge_blocks();
    test_address();
    test_progress_format();
    return check_exit();
}
