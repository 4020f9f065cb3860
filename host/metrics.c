/*
 * The metrics registry and its Prometheus text form (see metrics.h for who
 * writes and who reads, and README.md "Metrics and health" for the list).
 *
 * Names. Host metrics are fixed (sluice_source_records_total, ...). A plugin
 * counter becomes sluice_<plugin>_<counter>_total{stage="<section>"}, but for
 * the names with a meaning across plugins (include/sluice/plugin.h):
 * "error.REASON" is sluice_errors_total{stage,reason}, "late" is
 * sluice_late_records_total and "revisions" sluice_revisions_total. A gauge
 * "NAME" is sluice_NAME{stage, the plugin's labels}. The text format wants
 * every sample of a family together under one HELP and TYPE line, and two
 * stages may run the same plugin, so samples are collected, sorted by
 * family (stably: stages stay in pipeline order) and then written.
 */
#include "metrics.h"

#include "log.h"
#include "pipeline.h"
#include "sluice_array.h"
#include "sluice_time.h"

#include <ctype.h>
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* Gauges                                                              */
/* ------------------------------------------------------------------ */

static uint64_t double_bits(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

static double bits_double(uint64_t u)
{
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static bool same_labels(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* Families the host writes itself: a gauge may not take their names. */
static const char *const host_families[] = {
    "source_records_total", "source_bytes_total", "output_records_total", "errors_total",
    "late_records_total", "revisions_total", "ready", "checkpoint_age_seconds",
    "checkpoint_duration_seconds", "checkpoints_total", NULL};

/* NULL if `name` can be a gauge's name, else why not. */
static const char *check_gauge_name(const char *name)
{
    if (!name || !*name)
        return "an empty name";
    for (const char *c = name; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '_') || (c == name && isdigit((unsigned char)*c)))
            return "not a metric name: use letters, digits and '_'";
    size_t len = strlen(name);
    if (len >= 6 && strcmp(name + len - 6, "_total") == 0)
        return "a gauge's name must not end in _total (that is for counters)";
    for (const char *const *h = host_families; *h; h++)
        if (strcmp(*h, name) == 0)
            return "the host's own metric has that name";
    return NULL;
}

/* NULL if `labels` is Prometheus label text (name="value", ...), else why. */
static const char *check_labels(const char *labels)
{
    const char *p = labels;
    while (*p) {
        const char *name = p;
        if (!(isalpha((unsigned char)*p) || *p == '_'))
            return "a label name must start with a letter or '_'";
        while (isalnum((unsigned char)*p) || *p == '_')
            p++;
        if ((size_t)(p - name) == 5 && strncmp(name, "stage", 5) == 0)
            return "the label 'stage' is the host's";
        if (p[0] != '=' || p[1] != '"')
            return "expected name=\"value\"";
        p += 2;
        while (*p && *p != '"') {
            if (*p == '\n')
                return "a raw newline in a label value (write \\n)";
            if (*p == '\\') {
                if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
                    return "a label value may only escape \\\\, \\\" and \\n";
                p++;
            }
            p++;
        }
        if (*p != '"')
            return "an unterminated label value";
        p++;
        if (*p == ',')
            p++;
        else if (*p)
            return "expected ',' between labels";
    }
    return NULL;
}

static struct sluice_gauge *gauge_find(struct sluice_instance *self, const char *name,
                                       const char *labels, struct sluice_gauge_block **last)
{
    *last = NULL;
    for (struct sluice_gauge_block *b = atomic_load_explicit(&self->gauges, memory_order_relaxed);
         b; b = atomic_load_explicit(&b->next, memory_order_relaxed)) {
        int n = atomic_load_explicit(&b->n, memory_order_relaxed);
        for (int i = 0; i < n; i++) {
            struct sluice_gauge *g = &b->g[i];
            if ((g->name == name || strcmp(g->name, name) == 0) && same_labels(g->labels, labels))
                return g;
        }
        *last = b;
    }
    return NULL;
}

void sluice_gauge_set(struct sluice_instance *self, const char *name, const char *labels,
                      double value)
{
    if (!self || !name)
        return;
    if (labels && !*labels)
        labels = NULL;
    struct sluice_gauge_block *last;
    struct sluice_gauge *g = gauge_find(self, name, labels, &last);
    if (g) {
        atomic_store_explicit(&g->bits, double_bits(value), memory_order_relaxed);
        return;
    }
    /* A new gauge: check it once, then publish it. */
    const char *bad = check_gauge_name(name);
    if (!bad && labels)
        bad = check_labels(labels);
    if (bad)
        sluice_log(self->prefix, SLUICE_LOG_ERROR,
                   "gauge '%s'%s%s%s refused: %s (a bug in the plugin; the gauge is left out "
                   "of /metrics)",
                   name, labels ? " {" : "", labels ? labels : "", labels ? "}" : "", bad);
    char *copy = labels ? strdup(labels) : NULL;
    if (labels && !copy)
        return;
    if (!last || atomic_load_explicit(&last->n, memory_order_relaxed) == SLUICE_GAUGE_BLOCK) {
        struct sluice_gauge_block *nb = calloc(1, sizeof *nb);
        if (!nb) {
            free(copy);
            return;
        }
        if (last)
            atomic_store_explicit(&last->next, nb, memory_order_release);
        else
            atomic_store_explicit(&self->gauges, nb, memory_order_release);
        last = nb;
    }
    int n = atomic_load_explicit(&last->n, memory_order_relaxed);
    g = &last->g[n];
    g->name = name;
    g->labels = copy;
    g->bad = bad != NULL;
    atomic_store_explicit(&g->bits, double_bits(value), memory_order_relaxed);
    atomic_store_explicit(&last->n, n + 1, memory_order_release);
}

/* Call fn for every published gauge of `inst` (reader side). */
static void gauge_each(const struct sluice_instance *inst,
                       void (*fn)(const struct sluice_gauge *g, double v, void *arg), void *arg)
{
    for (struct sluice_gauge_block *b = atomic_load_explicit(
             &((struct sluice_instance *)inst)->gauges, memory_order_acquire);
         b; b = atomic_load_explicit(&b->next, memory_order_acquire)) {
        int n = atomic_load_explicit(&b->n, memory_order_acquire);
        for (int i = 0; i < n; i++) {
            const struct sluice_gauge *g = &b->g[i];
            double v = bits_double(atomic_load_explicit(&g->bits, memory_order_relaxed));
            if (!g->bad && !isnan(v))
                fn(g, v, arg);
        }
    }
}

struct view_arg {
    const char *name;
    struct sluice_gauge_view *out;
};

static void view_one(const struct sluice_gauge *g, double v, void *arg)
{
    struct view_arg *a = arg;
    if (strcmp(g->name, a->name) != 0)
        return;
    if (a->out->n == 0 || v < a->out->min)
        a->out->min = v;
    a->out->sum += v;
    a->out->n++;
}

void sluice_gauge_view(const struct sluice_instance *inst, const char *name,
                       struct sluice_gauge_view *out)
{
    memset(out, 0, sizeof *out);
    if (!inst)
        return;
    struct view_arg a = {name, out};
    gauge_each(inst, view_one, &a);
}

/* ------------------------------------------------------------------ */
/* Readiness                                                           */
/* ------------------------------------------------------------------ */

/* Held by writers changing a reason and by readers copying one. */
static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static char *host_reason; /* sluice_metrics_host_not_ready */

/* Replace *slot (only the loop's thread writes it, so reading it here
 * needs no lock) when the text changes. */
static void set_reason(char **slot, const char *reason, const char *prefix)
{
    const char *cur = *slot;
    if ((!reason && !cur) || (reason && cur && strcmp(reason, cur) == 0))
        return;
    char *copy = NULL;
    if (reason) {
        copy = strndup(reason, 240);
        if (!copy)
            return;
        for (char *c = copy; *c; c++)
            if (*c == '\n' || *c == '\r')
                *c = ' ';
    }
    pthread_mutex_lock(&ready_lock);
    char *old = *slot;
    *slot = copy;
    pthread_mutex_unlock(&ready_lock);
    free(old);
    if (copy)
        sluice_log(prefix, SLUICE_LOG_DEBUG, "not ready: %s", copy);
    else
        sluice_log(prefix, SLUICE_LOG_DEBUG, "ready");
}

void sluice_set_ready(struct sluice_instance *self, const char *not_ready_reason)
{
    if (self)
        set_reason(&self->not_ready, not_ready_reason, self->prefix);
}

void sluice_metrics_host_not_ready(const char *reason)
{
    set_reason(&host_reason, reason, NULL);
}

void sluice_metrics_instance_free(struct sluice_instance *inst)
{
    struct sluice_gauge_block *b = atomic_load(&inst->gauges);
    while (b) {
        struct sluice_gauge_block *next = atomic_load(&b->next);
        for (int i = 0; i < atomic_load(&b->n); i++)
            free(b->g[i].labels);
        free(b);
        b = next;
    }
    atomic_store(&inst->gauges, NULL);
    free(inst->not_ready);
    inst->not_ready = NULL;
}

/* ------------------------------------------------------------------ */
/* The loop's counts                                                   */
/* ------------------------------------------------------------------ */

static struct {
    _Atomic int state;
    _Atomic int64_t heartbeat_ms; /* CLOCK_MONOTONIC: when the loop last turned */
    _Atomic int64_t stuck_ms;     /* no turn for this long: stuck (0: SLUICE_STUCK_MS) */
    _Atomic uint64_t frames_in, bytes_in, records_out;
    _Atomic uint64_t checkpoints;
    _Atomic int64_t checkpoint_ms;        /* wall clock, when the last one finished */
    _Atomic uint64_t checkpoint_duration; /* a double's bits */
} run;

/* A relaxed add by the only writer: no locked instruction. */
static void bump(_Atomic uint64_t *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

void sluice_metrics_set_state(enum sluice_run_state state)
{
    atomic_store_explicit(&run.heartbeat_ms, sluice_clock_monotonic_ms(), memory_order_relaxed);
    atomic_store(&run.state, (int)state);
}

void sluice_metrics_set_tick(int64_t tick_ms)
{
    /* A source's poll may wait a tick: only what is well past that is stuck. */
    atomic_store(&run.stuck_ms, SLUICE_STUCK_MS + 2 * tick_ms);
}

void sluice_metrics_heartbeat(int64_t mono_ms)
{
    atomic_store_explicit(&run.heartbeat_ms, mono_ms, memory_order_relaxed);
}

const char *sluice_health_reason(char *buf, size_t size)
{
    switch (sluice_metrics_state()) {
    case SLUICE_RUN_STARTING: /* a source may take its connect_timeout to start */
        return NULL;
    case SLUICE_RUN_RUNNING: {
        int64_t idle =
            sluice_clock_monotonic_ms() - atomic_load_explicit(&run.heartbeat_ms, memory_order_relaxed);
        int64_t stuck = atomic_load_explicit(&run.stuck_ms, memory_order_relaxed);
        if (idle < (stuck > 0 ? stuck : SLUICE_STUCK_MS))
            return NULL;
        snprintf(buf, size,
                 "stuck: the loop has not turned for %lld s (a plugin call does not return)",
                 (long long)(idle / 1000));
        return buf;
    }
    case SLUICE_RUN_STOPPING:
    case SLUICE_RUN_STOPPED:
        break;
    }
    snprintf(buf, size, "stopping: the loop has ended");
    return buf;
}

enum sluice_run_state sluice_metrics_state(void)
{
    return (enum sluice_run_state)atomic_load(&run.state);
}

void sluice_metrics_source_batch(const struct sluice_batch *b)
{
    uint64_t bytes = 0;
    for (size_t i = 0; i < b->count; i++)
        bytes += b->records[i].value_len;
    bump(&run.frames_in, b->count);
    bump(&run.bytes_in, bytes);
}

void sluice_metrics_records_out(uint64_t n)
{
    bump(&run.records_out, n);
}

uint64_t sluice_metrics_frames_in(void)
{
    return atomic_load_explicit(&run.frames_in, memory_order_relaxed);
}

uint64_t sluice_metrics_bytes_in(void)
{
    return atomic_load_explicit(&run.bytes_in, memory_order_relaxed);
}

void sluice_metrics_checkpoint(double duration_s)
{
    atomic_store(&run.checkpoint_duration, double_bits(duration_s));
    atomic_store(&run.checkpoint_ms, sluice_clock_realtime_ms());
    atomic_fetch_add(&run.checkpoints, 1);
}

/* ------------------------------------------------------------------ */
/* Readiness of the whole pipeline                                     */
/* ------------------------------------------------------------------ */

static bool instance_reason(const struct sluice_instance *inst, char *buf, size_t size)
{
    if (!inst)
        return false;
    bool not_ready = false;
    pthread_mutex_lock(&ready_lock);
    if (inst->not_ready) {
        snprintf(buf, size, "[%s] %s", inst->section, inst->not_ready);
        not_ready = true;
    }
    pthread_mutex_unlock(&ready_lock);
    return not_ready;
}

const char *sluice_ready_reason(const struct sluice_pipeline *p, char *buf, size_t size)
{
    switch (sluice_metrics_state()) {
    case SLUICE_RUN_STARTING:
        snprintf(buf, size, "starting: the plugins are being started");
        return buf;
    case SLUICE_RUN_STOPPING:
    case SLUICE_RUN_STOPPED:
        snprintf(buf, size, "stopping: draining and flushing");
        return buf;
    case SLUICE_RUN_RUNNING:
        break;
    }
    bool host = false;
    pthread_mutex_lock(&ready_lock);
    if (host_reason) {
        snprintf(buf, size, "%s", host_reason);
        host = true;
    }
    pthread_mutex_unlock(&ready_lock);
    if (host || instance_reason(p->source, buf, size))
        return buf;
    for (size_t i = 0; i < p->n_transforms; i++)
        if (instance_reason(p->transforms[i], buf, size))
            return buf;
    for (size_t i = 0; i < p->n_sinks; i++)
        if (instance_reason(p->sinks[i], buf, size))
            return buf;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Prometheus text                                                     */
/* ------------------------------------------------------------------ */

struct text {
    char *buf;
    size_t len, cap;
    bool oom;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    if (t->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->oom = true;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap * 2 + (size_t)n;
        char *b = realloc(t->buf, cap);
        if (!b) {
            t->oom = true;
            return;
        }
        t->buf = b;
        t->cap = cap;
    }
}

/* A label value with \, " and newlines escaped, into buf. */
static const char *escape(const char *s, char *buf, size_t size)
{
    size_t j = 0;
    for (; *s && j + 3 < size; s++) {
        if (*s == '\\' || *s == '"') {
            buf[j++] = '\\';
            buf[j++] = *s;
        } else if (*s == '\n') {
            buf[j++] = '\\';
            buf[j++] = 'n';
        } else {
            buf[j++] = *s;
        }
    }
    buf[j] = '\0';
    return buf;
}

/* A metric name part from a plugin or counter name: [a-z0-9_], lower case. */
static void name_part(const char *s, char *buf, size_t size)
{
    size_t j = 0;
    for (; *s && j + 1 < size; s++)
        buf[j++] = isalnum((unsigned char)*s) ? (char)tolower((unsigned char)*s) : '_';
    buf[j] = '\0';
}

struct sample {
    char family[256];
    const char *type; /* "counter" or "gauge" */
    char help[200];
    char labels[512]; /* without braces; may be empty */
    bool is_int;
    int64_t ival;
    double dval;
    size_t order; /* for a stable sort */
};

struct samples {
    struct sample *v;
    size_t n, cap;
    bool oom;
};

static struct sample *add_sample(struct samples *s, const char *type)
{
    struct sample *v = sluice_array_room(s->v, s->n, &s->cap, sizeof *v, 64);
    if (!v) {
        s->oom = true;
        return NULL;
    }
    s->v = v;
    struct sample *x = &s->v[s->n];
    memset(x, 0, sizeof *x);
    x->type = type;
    x->order = s->n++;
    return x;
}

static void stage_label(const struct sluice_instance *inst, char *buf, size_t size)
{
    char esc[256];
    snprintf(buf, size, "stage=\"%s\"", escape(inst->section, esc, sizeof esc));
}

static void add_counters(struct samples *s, const struct sluice_instance *inst)
{
    int n = atomic_load_explicit(&((struct sluice_instance *)inst)->n_counters,
                                 memory_order_acquire);
    char stage[300], part[128], plugin[64], esc[256];
    stage_label(inst, stage, sizeof stage);
    name_part(inst->plugin ? inst->plugin->name : "plugin", plugin, sizeof plugin);
    for (int i = 0; i < n; i++) {
        const struct sluice_counter *c = &inst->counters[i];
        struct sample *x = add_sample(s, "counter");
        if (!x)
            return;
        x->is_int = true;
        x->ival = atomic_load_explicit(&c->value, memory_order_relaxed);
        if (strncmp(c->name, "error.", 6) == 0) {
            snprintf(x->family, sizeof x->family, "sluice_errors_total");
            snprintf(x->help, sizeof x->help,
                     "Records a stage failed (error records, or dropped), by reason.");
            snprintf(x->labels, sizeof x->labels, "%s,reason=\"%s\"", stage,
                     escape(c->name + 6, esc, sizeof esc));
            continue;
        }
        snprintf(x->labels, sizeof x->labels, "%s", stage);
        if (strcmp(c->name, "late") == 0) {
            snprintf(x->family, sizeof x->family, "sluice_late_records_total");
            snprintf(x->help, sizeof x->help,
                     "Frames that arrived behind the watermark and were still counted.");
        } else if (strcmp(c->name, "revisions") == 0) {
            snprintf(x->family, sizeof x->family, "sluice_revisions_total");
            snprintf(x->help, sizeof x->help,
                     "Results emitted again because late frames changed a final window.");
        } else {
            name_part(c->name, part, sizeof part);
            snprintf(x->family, sizeof x->family, "sluice_%s_%s_total", plugin, part);
            snprintf(x->help, sizeof x->help, "Counter '%s' of the %s plugin.", c->name,
                     inst->plugin ? inst->plugin->name : "?");
        }
    }
}

/* What the host knows about the gauges it reads itself. */
static const struct {
    const char *name, *help;
} gauge_help[] = {
    {"watermark_seconds", "The event-time watermark, unix seconds."},
    {"windows_open", "Windows that are counting and not yet final, by window kind."},
    {"consumer_lag", "Messages of the partition not yet through the pipeline (high watermark minus the offset stored after the sinks took them; librdkafka statistics)."},
    {"input_size_bytes", "Size of the file the source reads."},
    {"input_position_bytes", "Bytes of the file the source has read."},
};

struct gauge_arg {
    struct samples *s;
    const char *stage;
};

static void add_gauge(const struct sluice_gauge *g, double v, void *arg)
{
    struct gauge_arg *a = arg;
    struct sample *x = add_sample(a->s, "gauge");
    if (!x)
        return;
    x->dval = v;
    snprintf(x->family, sizeof x->family, "sluice_%s", g->name);
    snprintf(x->help, sizeof x->help, "Gauge '%s' published by a plugin.", g->name);
    for (size_t i = 0; i < sizeof gauge_help / sizeof *gauge_help; i++)
        if (strcmp(gauge_help[i].name, g->name) == 0)
            snprintf(x->help, sizeof x->help, "%s", gauge_help[i].help);
    snprintf(x->labels, sizeof x->labels, "%s%s%s", a->stage, g->labels ? "," : "",
             g->labels ? g->labels : "");
}

static void add_instance(struct samples *s, const struct sluice_instance *inst)
{
    if (!inst)
        return;
    add_counters(s, inst);
    char stage[300];
    stage_label(inst, stage, sizeof stage);
    struct gauge_arg a = {s, stage};
    gauge_each(inst, add_gauge, &a);
}

static int by_family(const void *a, const void *b)
{
    const struct sample *x = a, *y = b;
    int c = strcmp(x->family, y->family);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void put_value(struct text *t, double v)
{
    if (isinf(v))
        put(t, v > 0 ? "+Inf" : "-Inf");
    else
        put(t, "%.17g", v);
}

static void host_sample(struct samples *s, const char *family, const char *type,
                        const char *help, double value)
{
    struct sample *x = add_sample(s, type);
    if (!x)
        return;
    snprintf(x->family, sizeof x->family, "%s", family);
    snprintf(x->help, sizeof x->help, "%s", help);
    x->dval = value;
}

char *sluice_metrics_render(const struct sluice_pipeline *p, size_t *len)
{
    struct samples s = {0};
    host_sample(&s, "sluice_source_records_total", "counter",
                "Records (frames) the source produced.",
                (double)atomic_load_explicit(&run.frames_in, memory_order_relaxed));
    host_sample(&s, "sluice_source_bytes_total", "counter",
                "Bytes of the frames the source produced.",
                (double)atomic_load_explicit(&run.bytes_in, memory_order_relaxed));
    host_sample(&s, "sluice_output_records_total", "counter",
                "Records handed to the sinks (results and error records).",
                (double)atomic_load_explicit(&run.records_out, memory_order_relaxed));
    char why[512];
    host_sample(&s, "sluice_ready", "gauge", "1 when /readyz says ready, else 0.",
                sluice_ready_reason(p, why, sizeof why) ? 0 : 1);
    uint64_t checkpoints = atomic_load(&run.checkpoints);
    if (checkpoints > 0) {
        double age =
            (double)(sluice_clock_realtime_ms() - atomic_load(&run.checkpoint_ms)) / 1000.0;
        host_sample(&s, "sluice_checkpoints_total", "counter", "Checkpoints taken.",
                    (double)checkpoints);
        host_sample(&s, "sluice_checkpoint_age_seconds", "gauge",
                    "Time since the last checkpoint finished.", age < 0 ? 0 : age);
        host_sample(&s, "sluice_checkpoint_duration_seconds", "gauge",
                    "How long the last checkpoint took.",
                    bits_double(atomic_load(&run.checkpoint_duration)));
    }
    add_instance(&s, p->source);
    for (size_t i = 0; i < p->n_transforms; i++)
        add_instance(&s, p->transforms[i]);
    for (size_t i = 0; i < p->n_sinks; i++)
        add_instance(&s, p->sinks[i]);
    if (s.oom) {
        free(s.v);
        return NULL;
    }
    qsort(s.v, s.n, sizeof *s.v, by_family);

    struct text t = {.cap = 4096};
    t.buf = malloc(t.cap);
    if (!t.buf) {
        free(s.v);
        return NULL;
    }
    t.buf[0] = '\0';
    for (size_t i = 0; i < s.n; i++) {
        const struct sample *x = &s.v[i];
        if (i == 0 || strcmp(x->family, s.v[i - 1].family) != 0)
            put(&t, "# HELP %s %s\n# TYPE %s %s\n", x->family, x->help, x->family, x->type);
        put(&t, "%s%s%s%s ", x->family, x->labels[0] ? "{" : "", x->labels,
            x->labels[0] ? "}" : "");
        if (x->is_int)
            put(&t, "%lld", (long long)x->ival);
        else
            put_value(&t, x->dval);
        put(&t, "\n");
    }
    free(s.v);
    if (t.oom) {
        free(t.buf);
        return NULL;
    }
    *len = t.len;
    return t.buf;
}

/* ------------------------------------------------------------------ */
/* The listen address                                                  */
/* ------------------------------------------------------------------ */

const char *sluice_metrics_check_address(const void *value)
{
    static char msg[600];
    const char *text = *(const char *const *)value;
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text)
        return "use host:port, e.g. 127.0.0.1:9464 (0.0.0.0:9464 listens on every "
               "interface)";
    const char *host = text;
    size_t hlen = (size_t)(colon - text);
    if (host[0] == '[') {
        if (hlen < 3 || host[hlen - 1] != ']')
            return "an IPv6 address goes in brackets: [::1]:9464";
        host++;
        hlen -= 2;
    } else if (memchr(host, ':', hlen)) {
        return "an IPv6 address goes in brackets: [::1]:9464";
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535) {
        snprintf(msg, sizeof msg,
                 "'%s' is not a port: use 1 to 65535 (or 0 for any free one; the log says "
                 "which)",
                 colon + 1);
        return msg;
    }
    char name[256];
    if (hlen >= sizeof name)
        return "the host name is too long";
    memcpy(name, host, hlen);
    name[hlen] = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(name, NULL, &hints, &res);
    if (rc != 0) {
        snprintf(msg, sizeof msg, "cannot resolve '%s': %s (use an address such as 127.0.0.1)",
                 name, gai_strerror(rc));
        return msg;
    }
    freeaddrinfo(res);
    return NULL;
}
