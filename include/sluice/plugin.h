/*
 * sluice plugin SDK — the whole contract between the host and a plugin.
 *
 * A plugin is a shared object exporting exactly one symbol, `sluice_plugin`,
 * a `struct sluice_plugin` descriptor. The host dlopens the file, reads
 * `abi_version` and `struct_size` before touching anything else, and refuses
 * a mismatch with a message naming the file and both versions (see "Growing
 * within a version" below). Then it checks `kind` against the slot the
 * pipeline file puts the plugin in.
 *
 * Options are data (`struct sluice_option` rows, Fluent Bit's config_map
 * idea): the host validates every section of the pipeline file against its
 * plugin's table before any plugin starts, fills a config struct of
 * `config_size` bytes at the rows' offsets, and hands it to `init`.
 *
 * Records travel in batches. A record is a view: its bytes belong to whoever
 * produced them (the source's buffer, or the batch's arena) and stay valid
 * until the host acknowledges the batch to the source. Nothing on the hot path
 * allocates per record: batches grow amortised and are reused.
 *
 * The loop (host/pipeline.c): poll the source for a batch; pass it through
 * every transform in file order; give the result to every sink (fan-out);
 * ack the batch to the source. Time moves on without records too: `tick` is
 * called about every `tick_ms`, and `end_of_input` flushes everything when the
 * source is exhausted or the pipeline is asked to stop.
 *
 * Threads. One host thread makes every call into a plugin, one at a time:
 * no callback runs concurrently with another of any instance. A plugin may
 * run threads of its own (stdin's read-ahead, librdkafka's), but from them
 * it may call only the host functions marked "any thread" below (`log`,
 * `log_enabled`, `stop_requested`, `instance_name`, `pipeline_file`);
 * everything else only from inside a callback, on the host's thread.
 *
 * Growing within a version. A new ABI version is an incompatible change;
 * within one version the two tables may only grow at their ends:
 *  - `struct sluice_plugin`: the host accepts a descriptor whose
 *    `struct_size` lies between SLUICE_PLUGIN_MIN_SIZE (the descriptor as
 *    this version first shipped) and its own sizeof. A shorter descriptor
 *    was built against an older header of the same version: the callbacks
 *    it lacks are absent (the host copies the descriptor into a zeroed
 *    struct of its own and never reads past `struct_size`). A larger one
 *    was built against a newer SDK and is refused, as is another
 *    `abi_version`.
 *  - `struct sluice_host_api`: a plugin may run in a host of the same
 *    version built before a member was appended, so before it uses a
 *    member past SLUICE_HOST_API_MIN_SIZE it checks
 *    SLUICE_HOST_HAS(host, member) and does without it (or fails init with
 *    a message saying which sluice it needs) when that is false.
 */
#ifndef SLUICE_PLUGIN_H
#define SLUICE_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bump on any incompatible change of a struct in this header (appending a
 * member to `struct sluice_plugin` or `struct sluice_host_api` is not one:
 * see "Growing within a version" above). Version 2 added partitions,
 * positions and state (checkpoints; see "Checkpoints"), enum options, and
 * growth by `struct_size`. */
#define SLUICE_ABI_VERSION 2

/* The end of `member` in `type`: how large a table must be to have it. */
#define SLUICE_SIZE_THROUGH(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* The one symbol a plugin exports. */
#define SLUICE_PLUGIN_SYMBOL "sluice_plugin"

/* Return codes of every callback. */
enum sluice_status {
    SLUICE_OK = 0,
    SLUICE_RETRY = 1, /* nothing now / try again later (backpressure) */
    SLUICE_END = 2,   /* source only: input is exhausted */
    SLUICE_ERROR = -1 /* fatal: the host stops the pipeline */
};

enum sluice_kind {
    SLUICE_KIND_SOURCE = 1,
    SLUICE_KIND_TRANSFORM = 2,
    SLUICE_KIND_SINK = 3
};

enum sluice_log_level {
    SLUICE_LOG_ERROR = 0,
    SLUICE_LOG_WARN = 1,
    SLUICE_LOG_INFO = 2,
    SLUICE_LOG_DEBUG = 3,
    SLUICE_LOG_TRACE = 4
};

/* ------------------------------------------------------------------ */
/* Records and batches                                                 */
/* ------------------------------------------------------------------ */

#define SLUICE_MAX_FIELDS 8

enum sluice_field_type {
    SLUICE_FIELD_STRING = 1, /* ptr/len: the decoded string bytes */
    SLUICE_FIELD_INT = 2,    /* ival holds it; ptr/len: the raw text */
    SLUICE_FIELD_OTHER = 3   /* any other JSON value; ptr/len: raw text */
};

/* One extracted field. `id` comes from host->field_id(name), so stages
 * agree on names without comparing strings per record. */
struct sluice_field {
    const char *ptr;
    uint32_t len;
    uint16_t id;
    uint8_t type; /* enum sluice_field_type */
    uint8_t flags;
    int64_t ival;
};

/* Record flags. */
#define SLUICE_REC_DROPPED 0x1u /* skip in later stages and sinks */
#define SLUICE_REC_ERROR 0x2u   /* `error` says why; sinks with errors=true take it */
#define SLUICE_REC_RESULT 0x4u  /* produced by a transform, not a source */
#define SLUICE_REC_HAS_TS 0x8u  /* `ts` holds the event time */

#define SLUICE_NO_PARTITION (-1)
#define SLUICE_NO_OFFSET (-1)

struct sluice_record {
    const char *key; /* may be NULL */
    size_t key_len;
    const char *value;
    size_t value_len;

    int64_t ts;              /* event time, unix seconds (SLUICE_REC_HAS_TS) */
    int64_t source_ts_ms;    /* broker/source timestamp, ms, or -1 */
    const char *topic;       /* source topic or NULL */
    int32_t partition;       /* source partition; 0 for single-stream sources */
    int64_t offset;          /* position in the source (line number for stdin) */

    uint32_t flags;
    const char *error;       /* static string or arena: the reason */
    const char *error_stage; /* section name of the stage that failed it */

    uint16_t nfields;
    struct sluice_field fields[SLUICE_MAX_FIELDS];
};

struct sluice_arena_block; /* host-private */

/* A batch owns a growable record array and an arena of bytes that live until
 * the batch is reset. Plugins append with host->batch_append / batch_alloc. */
struct sluice_batch {
    struct sluice_record *records;
    size_t count;
    size_t capacity;
    struct sluice_arena_block *arena; /* host-private */
    void *source_token;               /* the source's: what to release on ack */
    size_t source_token_n;
};

/* Find an extracted field by id; NULL if the record has none. */
static inline const struct sluice_field *
sluice_record_field(const struct sluice_record *r, uint16_t id)
{
    for (uint16_t i = 0; i < r->nfields; i++)
        if (r->fields[i].id == id)
            return &r->fields[i];
    return NULL;
}

static inline bool sluice_record_live(const struct sluice_record *r)
{
    return (r->flags & (SLUICE_REC_DROPPED | SLUICE_REC_ERROR)) == 0;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

/*
 * A plugin declares its keys as a table of rows, one per key, written with
 * the row macros below and ended by SLUICE_OPTIONS_END:
 *
 *     struct grep_config { char *pattern; int64_t limit; int mode; };
 *
 *     enum { GREP_PLAIN, GREP_ICASE };   // in the order of the choices
 *
 *     static const struct sluice_option grep_options[] = {
 *         SLUICE_STRING_OPTION("pattern", struct grep_config, pattern,
 *                              .flags = SLUICE_OPT_REQUIRED, .doc = "text to find"),
 *         SLUICE_INT_OPTION("limit", struct grep_config, limit, .default_value = "10",
 *                           .min = 1, .max = 1000, .doc = "most matches per batch"),
 *         SLUICE_ENUM_OPTION("mode", struct grep_config, mode, "plain|icase",
 *                            .default_value = "plain", .doc = "how to compare"),
 *         SLUICE_OPTIONS_END,
 *     };
 *
 * Each macro takes the key, the config struct type and the field, computes
 * the offset, and refuses to compile when the field's C type is not the one
 * the option type fills (the comment beside each type below). Everything
 * else is a designated initializer of `struct sluice_option`.
 */
enum sluice_option_type {
    SLUICE_OPT_STRING = 1,   /* char *            */
    SLUICE_OPT_INT = 2,      /* int64_t           */
    SLUICE_OPT_BOOL = 3,     /* bool              */
    SLUICE_OPT_DOUBLE = 4,   /* double            */
    SLUICE_OPT_SIZE = 5,     /* int64_t, bytes: 512, 64K, 64M, 1G */
    SLUICE_OPT_DURATION = 6, /* int64_t, milliseconds: 250ms, 5s, 1m, 1h30m, 1d, 1w, 1y */
    SLUICE_OPT_LIST = 7,     /* struct sluice_list: "a, b, c" */
    SLUICE_OPT_PREFIX = 8,   /* struct sluice_kv_list: every key starting with name */
    SLUICE_OPT_ENUM = 9      /* int: the index of the value among the row's choices
                                (`one_of`, "a|b|c": a = 0, b = 1, ...); -1 when the key
                                is absent and the row has no default */
};

#define SLUICE_OPT_REQUIRED 0x1u  /* no default: the key must be set */
#define SLUICE_OPT_NONEMPTY 0x2u  /* string/list must not be empty */
#define SLUICE_OPT_SECRET 0x4u    /* never logged (passwords) */

struct sluice_list {
    size_t n;
    char **items;
};

struct sluice_kv {
    char *key;   /* the full key, prefix included */
    char *value;
    int line;    /* line in the pipeline file */
};

struct sluice_kv_list {
    size_t n;
    struct sluice_kv *items;
};

/* A validator for what the table cannot say; returns NULL if fine, else a
 * message (a static string, or a static buffer: the host copies it at once)
 * that the host prints after `file:line: [section] key: `. It gets a pointer
 * to the parsed value: `const char **` for strings, `int64_t *` for ints,
 * sizes and durations, `double *`, `int *` for an enum's index,
 * `struct sluice_list *`, and for a PREFIX row `const struct sluice_kv *`
 * once per matching key. */
typedef const char *(*sluice_option_validator)(const void *value);

struct sluice_option {
    const char *name;
    enum sluice_option_type type;
    const char *default_value; /* text, parsed like the file's; NULL = none */
    uint32_t flags;
    size_t offset;             /* offsetof(config struct, field) */
    double min, max;           /* range check when min < max (ms for durations) */
    const char *one_of;        /* "a|b|c": an enum's choices (required), or the values
                                  a list's items may take; NULL = any. (A string row
                                  takes it too, but choices are an enum's job.) */
    sluice_option_validator validate;
    const char *doc;           /* one line */
};

/* Rows: SLUICE_<TYPE>_OPTION(key, config struct type, field, members...),
 * e.g. SLUICE_BOOL_OPTION("invert", struct grep_config, invert,
 *                         .default_value = "false", .doc = "...").
 * The members are `.default_value`, `.flags`, `.min`, `.max`, `.validate`,
 * `.doc` (and `.one_of` for a list's items); give at least `.doc`. */
#define SLUICE_STRING_OPTION(key, config_type, field, ...)                     \
    SLUICE_OPTION_ROW_(key, SLUICE_OPT_STRING, config_type, field, char *, __VA_ARGS__)
#define SLUICE_INT_OPTION(key, config_type, field, ...)                        \
    SLUICE_OPTION_ROW_(key, SLUICE_OPT_INT, config_type, field, int64_t, __VA_ARGS__)
#define SLUICE_BOOL_OPTION(key, config_type, field, ...)                       \
    SLUICE_OPTION_ROW_(key, SLUICE_OPT_BOOL, config_type, field, bool, __VA_ARGS__)
#define SLUICE_DOUBLE_OPTION(key, config_type, field, ...)                     \
    SLUICE_OPTION_ROW_(key, SLUICE_OPT_DOUBLE, config_type, field, double, __VA_ARGS__)
#define SLUICE_SIZE_OPTION(key, config_type, field, ...)                       \
    SLUICE_OPTION_ROW_(key, SLUICE_OPT_SIZE, config_type, field, int64_t, __VA_ARGS__)
#define SLUICE_DURATION_OPTION(key, config_type, field, ...)                   \
    SLUICE_OPTION_ROW_(key, SLUICE_OPT_DURATION, config_type, field, int64_t, __VA_ARGS__)
#define SLUICE_LIST_OPTION(key, config_type, field, ...)                       \
    SLUICE_OPTION_ROW_(key, SLUICE_OPT_LIST, config_type, field, struct sluice_list,       \
                       __VA_ARGS__)
/* `prefix` matches every key that starts with it ("rdkafka." matches
 * "rdkafka.linger.ms"); `validate` sees each such key. */
#define SLUICE_PREFIX_OPTION(prefix, config_type, field, ...)                  \
    SLUICE_OPTION_ROW_(prefix, SLUICE_OPT_PREFIX, config_type, field, struct sluice_kv_list, \
                       __VA_ARGS__)
/* `choices` is "a|b|c"; the field gets the index of the value written (a
 * plugin's own enum in the same order reads best), and `default_value` is
 * a choice's text. */
#define SLUICE_ENUM_OPTION(key, config_type, field, choices, ...)              \
    SLUICE_OPTION_ROW_(key, SLUICE_OPT_ENUM, config_type, field, int, .one_of = (choices), \
                       __VA_ARGS__)

#define SLUICE_OPTIONS_END { .name = NULL }

/* The machinery of the row macros. */
#define SLUICE_OPTION_ROW_(key, option_type, config_type, field, c_type, ...)  \
    { .name = (key), .type = (option_type),                                    \
      .offset = SLUICE_FIELD_OFFSET_(config_type, field, c_type), __VA_ARGS__ }
#ifdef __cplusplus
#define SLUICE_FIELD_OFFSET_(config_type, field, c_type) offsetof(config_type, field)
#else
/* offsetof, plus a compile-time check that the field is a `c_type`. */
#define SLUICE_FIELD_OFFSET_(config_type, field, c_type)                       \
    (offsetof(config_type, field) +                                            \
     0 * sizeof(struct {                                                       \
         int sluice_type_check_;                                               \
         _Static_assert(_Generic(((config_type *)0)->field, c_type : 1, default : 0), \
                        "the config field's C type does not fit the option "   \
                        "(see enum sluice_option_type in sluice/plugin.h)");   \
     }))
#endif

/* Index of `text` among `choices` ("a|b|c"), or -1. */
static inline int sluice_choice_index(const char *choices, const char *text)
{
    int index = 0;
    for (const char *p = choices;; index++) {
        size_t n = 0;
        while (p[n] && p[n] != '|')
            n++;
        size_t i = 0;
        while (i < n && text[i] == p[i])
            i++;
        if (i == n && text[n] == '\0')
            return index;
        if (!p[n])
            return -1;
        p += n + 1;
    }
}

/* The text of choice `index` of `choices`, for messages: copied into `buf`
 * (truncated to `cap` - 1 bytes), which is returned; "?" if out of range. */
static inline const char *sluice_choice_name(const char *choices, int index, char *buf,
                                             size_t cap)
{
    const char *p = choices;
    for (int i = 0; i < index && p; i++) {
        while (*p && *p != '|')
            p++;
        p = *p ? p + 1 : NULL;
    }
    const char *text = index >= 0 && p ? p : "?";
    size_t n = 0;
    while (text[n] && text[n] != '|' && n + 1 < cap) {
        buf[n] = text[n];
        n++;
    }
    if (cap > 0)
        buf[n] = '\0';
    return buf;
}

/* ------------------------------------------------------------------ */
/* Checkpoints: partitions, positions and state                        */
/* ------------------------------------------------------------------ */

/*
 * A source partition is the unit of state that moves: between a crash and a
 * restart, and between the instances of a Kafka consumer group. Kafka
 * partitions are (topic, partition); a single-stream source (stdin with a
 * `path`, generate) has one partition, topic NULL, partition 0.
 *
 * The host takes a checkpoint between batches (the loop is one thread, so it
 * is consistent by construction): for every partition the source holds, the
 * position reached by the batches acknowledged so far (source `positions`)
 * and every transform's state of that partition (`state_save`), plus each
 * transform's instance-wide part (`state_save` with part NULL). Once the
 * checkpoint is durable, the host calls every transform's `checkpointed`
 * (what it emitted so far is covered: distinct-count emits a window at most
 * once between two), then the source's with the positions it covers: only
 * then may a source commit them (kafka-in commits offsets there, never at
 * ack, while `host->checkpointing()` is true). With checkpoints the host
 * takes one more just before the transforms' `end_of_input`.
 *
 * A source tells the host which partitions it holds: at init for a single
 * stream, on every assignment for Kafka (`host->partitions_assigned`). The
 * host restores the transforms' state of those partitions and hands back
 * the position to resume from. Before it gives partitions back (a
 * rebalance), the source calls `host->partitions_revoked`: the host takes a
 * checkpoint, then tells the transforms to drop those partitions' state.
 */
struct sluice_partition {
    const char *topic;  /* NULL for a single-stream source */
    int32_t partition;
    int64_t position;   /* the next position to read: a Kafka offset, a byte
                           offset, a frame number; SLUICE_NO_OFFSET: unknown */
    int32_t topic_partitions; /* how many partitions the topic has (0: unknown);
                                 the scale-out merge stage waits for them all */
};

/* Where a transform writes its state: the host buffers the bytes. */
struct sluice_state_out {
    /* Append `n` bytes; SLUICE_OK, or SLUICE_ERROR when out of memory. */
    int (*write)(struct sluice_state_out *out, const void *bytes, size_t n);
    void *host_private;
};

/* One record of a checkpoint store (`checkpoint = kafka`: a source that
 * keeps checkpoints, see `store_write`). Values are opaque to the store. */
struct sluice_state_item {
    const char *key;
    const void *value;
    size_t len;
};

/* ------------------------------------------------------------------ */
/* Host API and plugin descriptor                                      */
/* ------------------------------------------------------------------ */

struct sluice_instance; /* host-private: one configured section */

/* Distinct counter names one instance may use (see counter_add). */
#define SLUICE_MAX_COUNTERS 32

/* The host API table. `abi_version` is SLUICE_ABI_VERSION, `struct_size`
 * the size of the host's table: members may be appended within a version,
 * so a member past SLUICE_HOST_API_MIN_SIZE exists only when
 * SLUICE_HOST_HAS(host, member). Unless a member says "any thread", call it
 * only from a callback, on the host's thread (see "Threads" above). */

struct sluice_host_api {
    uint32_t abi_version;
    uint32_t struct_size;

    /* Logging with the [kind:plugin:section] prefix, to stderr, one whole
     * line per call. Any thread. */
    void (*log)(struct sluice_instance *self, int level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
    bool (*log_enabled)(struct sluice_instance *self, int level); /* any thread */

    /* Counters, reported at exit and by metrics later. `name` must outlive
     * the pipeline (a string literal). An instance has at most
     * SLUICE_MAX_COUNTERS names: adding to a further name changes nothing,
     * and the host logs one warning per instance naming the first one it
     * dropped. Host thread only. */
    void (*counter_add)(struct sluice_instance *self, const char *name, int64_t delta);

    /* Intern a field name: the same name gives the same id everywhere. Call
     * it in init (host thread). Returns 0 when the host's table of names is
     * full or memory ran out: 0 is never a field's id, so the plugin logs
     * that it cannot register the field and fails init (SLUICE_ERROR). */
    uint16_t (*field_id)(const char *name);

    /* A new zeroed record at the end of `b` (amortised growth; pointers to
     * earlier records of `b` may move). NULL only when out of memory. */
    struct sluice_record *(*batch_append)(struct sluice_batch *b);
    /* `n` bytes valid until `b` is reset; never moves earlier allocations. */
    void *(*batch_alloc)(struct sluice_batch *b, size_t n);

    /* True once SIGINT/SIGTERM asked the pipeline to stop. Any thread. */
    bool (*stop_requested)(void);

    /* The section name, for messages. Any thread. */
    const char *(*instance_name)(struct sluice_instance *self);
    /* The pipeline file's path, for `file:line` messages. Any thread. */
    const char *(*pipeline_file)(void);

    /* Checkpoints (see above). Source: it now holds `parts`. The host
     * restores their state in every transform from the checkpoint and sets
     * each `position` to where reading resumes (SLUICE_NO_OFFSET: no
     * checkpoint covers it; use the configured start). Call it from the
     * source's own thread (init or poll). SLUICE_ERROR: the checkpoint cannot
     * be used (the host said why); the source fails. */
    int (*partitions_assigned)(struct sluice_instance *self, struct sluice_partition *parts,
                               size_t n);
    /* Source: it is about to give `parts` back. No record of them may be in
     * the batch being built. The host checkpoints, then drops their state
     * from the transforms. SLUICE_OK or SLUICE_ERROR. */
    int (*partitions_revoked)(struct sluice_instance *self, const struct sluice_partition *parts,
                              size_t n);
    /* True when the pipeline takes checkpoints: a source commits positions
     * in `checkpointed`, not at ack. */
    bool (*checkpointing)(void);
    /* ---- Metrics and readiness ([pipeline] metrics, the progress line) ----
     *
     * Call these from the thread that runs the plugin's callbacks (as for
     * counter_add); the host publishes the values to its metrics thread
     * without locking, so they are cheap enough for every batch.
     *
     * Counter names with a meaning across plugins (counter_add above):
     *   "error.REASON"  records this stage failed, by REASON (a word):
     *                   /metrics says sluice_errors_total{stage,reason}
     *   "late"          frames counted into a window already final (its
     *                   revision carries them): sluice_late_records_total{stage}
     *   "revisions"     results that revise an already final result:
     *                   sluice_revisions_total{stage}
     * Every other counter is sluice_<plugin>_<name>_total{stage}. */

    /* Set gauge `name` (a string literal in Prometheus form, base units,
     * e.g. "watermark_seconds"; /metrics shows it as sluice_<name> with a
     * stage label) with `labels`, Prometheus label text such as
     * `window="minute"`, or NULL. Same name and labels: the same gauge.
     * A NAN value hides the gauge (a partition given away). Gauges the host
     * reads for the progress line: "input_size_bytes" and
     * "input_position_bytes" (a source reading a file), "consumer_lag"
     * (a Kafka source, per topic and partition), "watermark_seconds" and
     * "windows_open". */
    void (*gauge_set)(struct sluice_instance *self, const char *name, const char *labels,
                      double value);

    /* Readiness (/readyz): NULL says this instance is ready, a one-line
     * reason says why it is not ("waiting for a partition assignment"; it
     * is copied). Every instance is ready once its init returned OK unless
     * it said otherwise, so a source that needs time to be useful (kafka-in
     * before its first assignment) calls this from init. */
    void (*set_ready)(struct sluice_instance *self, const char *not_ready_reason);

    /* Append members here, never elsewhere; see SLUICE_HOST_API_MIN_SIZE. */
};

/* The host API table as this ABI version first shipped: every host of
 * SLUICE_ABI_VERSION has at least these members. When a member is appended
 * after the version shipped, this becomes offsetof(struct sluice_host_api,
 * <that first appended member>) and stays so until the next version. */
#define SLUICE_HOST_API_MIN_SIZE sizeof(struct sluice_host_api)

/* True when the host's table has `member` (a host of the same version may
 * be older than the header the plugin was built with). */
#define SLUICE_HOST_HAS(host, member)                                          \
    ((host)->struct_size >= SLUICE_SIZE_THROUGH(struct sluice_host_api, member))

/* Descriptor flags. */
#define SLUICE_PLUGIN_INPLACE 0x1u /* transform edits `in`; `out` stays unused */

struct sluice_plugin {
    uint32_t abi_version; /* SLUICE_ABI_VERSION */
    uint32_t struct_size; /* sizeof(struct sluice_plugin) */
    const char *name;
    const char *description;
    const char *version;
    enum sluice_kind kind;
    uint32_t flags;

    const struct sluice_option *options; /* ends with SLUICE_OPTIONS_END */
    size_t config_size;

    /* All kinds. `config` is filled from the options table and owned by the
     * host; `*state` is the plugin's, passed back to every callback. */
    int (*init)(struct sluice_instance *self, const struct sluice_host_api *host,
                const void *config, void **state);
    void (*exit)(void *state);

    /* Source: append records to `out`; SLUICE_RETRY if none are ready within
     * `timeout_ms`, SLUICE_END when exhausted. */
    int (*poll)(void *state, struct sluice_batch *out, int timeout_ms);
    /* Source: every record of `batch` went through the chain and the sinks;
     * release its bytes and commit its positions. */
    int (*ack)(void *state, struct sluice_batch *batch);

    /* Transform: read `in`; either edit it in place (SLUICE_PLUGIN_INPLACE)
     * or append to `out`, which then replaces `in` for the next stage. */
    int (*process)(void *state, struct sluice_batch *in, struct sluice_batch *out);

    /* Sink: write the records it takes (it sees every record and picks by
     * flags: live ones, or error ones for a dead-letter sink). SLUICE_RETRY
     * means it took nothing (full): the host offers the same batch again. */
    int (*write)(void *state, const struct sluice_batch *batch);

    /* Transform: time moved on (processing time, ms since the epoch); may
     * append results to `out`. Sink/source: housekeeping (`out` is NULL).
     * Optional. */
    int (*tick)(void *state, int64_t now_ms, struct sluice_batch *out);
    /* Transform: no more input; append everything still held to `out`. */
    int (*end_of_input)(void *state, struct sluice_batch *out);
    /* Sink: make everything written durable (called at end and on stop). */
    int (*flush)(void *state);

    /* Checkpoints (ABI 2; see "Checkpoints" above). All optional: a source
     * without `positions` cannot be checkpointed, a transform without
     * `state_save` keeps no state across restarts. */

    /* Source: the next position of every partition it holds, as far as the
     * batches acknowledged so far reach. Fills up to `cap` entries (topic
     * strings stay valid until the next poll) and returns how many there
     * are; the host calls again with more room if that is more than `cap`. */
    size_t (*positions)(void *state, struct sluice_partition *out, size_t cap);
    /* Source: a durable checkpoint covers `parts`: commit them. Transform
     * (optional): the checkpoint whose state_save calls came last is
     * durable (`parts` as the source's). */
    int (*checkpointed)(void *state, const struct sluice_partition *parts, size_t n);
    /* Source (optional): a checkpoint store of its own (`checkpoint = kafka`
     * for kafka-in: a compacted topic). `store_write` returns SLUICE_OK only
     * once every item is durable. `store_read` gives the latest value of
     * `key` in *value (malloc'd; the host frees it), SLUICE_END if there is
     * none, SLUICE_ERROR if the store cannot be read. */
    int (*store_write)(void *state, const struct sluice_state_item *items, size_t n);
    int (*store_read)(void *state, const char *key, void **value, size_t *len);

    /* Transform: a text naming what makes its state meaningful (e.g. key,
     * windows, algorithm): a checkpoint written under another text is
     * refused. Returns the length written to buf (< cap). */
    size_t (*state_fingerprint)(void *state, char *buf, size_t cap);
    /* Transform: write the state of source partition `part`, or with `part`
     * NULL the instance-wide part, to `out`. */
    int (*state_save)(void *state, const struct sluice_partition *part,
                      struct sluice_state_out *out);
    /* Transform: read back what state_save wrote (same `part`). Called for
     * the instance part before the first batch, and for a partition when the
     * source is assigned it. SLUICE_ERROR: unreadable (say why by log). */
    int (*state_load)(void *state, const struct sluice_partition *part, const void *bytes,
                      size_t len);
    /* Transform: the source now holds (`held`) or gave back `parts`. A
     * partition given back had its state checkpointed: drop it. */
    int (*partitions_changed)(void *state, const struct sluice_partition *parts, size_t n,
                              bool held);

    /* Append members here, never elsewhere; see SLUICE_PLUGIN_MIN_SIZE. A
     * member appended within a version must be optional (NULL = absent),
     * since an older descriptor of the same version lacks it. */
};

/* The descriptor as this ABI version first shipped: the smallest
 * `struct_size` the host accepts. When a member is appended after the
 * version shipped, this becomes offsetof(struct sluice_plugin, <that first
 * appended member>) and stays so until the next version. */
#define SLUICE_PLUGIN_MIN_SIZE sizeof(struct sluice_plugin)

/* Declare the plugin's descriptor: SLUICE_PLUGIN(.name = "x", ...). */
#define SLUICE_PLUGIN(...)                                                     \
    __attribute__((visibility("default"))) const struct sluice_plugin          \
        sluice_plugin = { .abi_version = SLUICE_ABI_VERSION,                   \
                          .struct_size = sizeof(struct sluice_plugin),         \
                          __VA_ARGS__ }

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_PLUGIN_H */
