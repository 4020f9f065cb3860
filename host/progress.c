/*
 * The progress line. A replay of two years of history runs for hours: on a
 * terminal (or with --progress) one line on standard error says how fast it
 * goes, where it is and when it will be done:
 *
 *   sluice: 12.3M frames  1.52M frames/s  182 MB/s  43.1% of the file, 0:12 left
 *           watermark 2016-07-11T13:39:05Z  6 windows open        (all on one line)
 *
 * A thread redraws it about once a second from what metrics.c publishes (so
 * it keeps going while a sink waits or Kafka is quiet, and the loop never
 * waits for it), with "\r" and erase-to-end-of-line. Rates are measured
 * over the last few seconds; time left is what remains (of the file, or of
 * the Kafka lag) at that rate. Log lines erase it first (log.c calls
 * sluice_progress_erase with standard error locked) and the next redraw
 * brings it back; at the end it is erased, and the final counters follow
 * as always.
 */
#include "progress.h"

#include "metrics.h"
#include "pipeline.h"
#include "sluice_time.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_MS 1000
#define RATE_SAMPLES 5 /* rates over the last this many redraws */

static enum sluice_progress_mode mode = SLUICE_PROGRESS_AUTO;
static const struct sluice_pipeline *watched;
static bool running, stop_flag, tty;
static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static atomic_bool shown;
static size_t shown_len;

void sluice_progress_configure(enum sluice_progress_mode m)
{
    mode = m;
}

/* 1234 -> "1234", 12345 -> "12.3k", 1.52e6 -> "1.52M". */
static void human(double v, char *buf, size_t size)
{
    static const char units[] = " kMGTP";
    int u = 0;
    while (v >= 999.5 && u < 5) {
        v /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.*f%c", v < 9.995 ? 2 : v < 99.95 ? 1 : 0, v, units[u]);
}

/* Seconds as 0:12, 1:02:03 or 3d 4h. */
static void duration(double s, char *buf, size_t size)
{
    if (!isfinite(s) || s < 0) {
        snprintf(buf, size, "?");
        return;
    }
    long long t = (long long)(s + 0.5);
    if (t >= 4 * 86400)
        snprintf(buf, size, "%lldd %lldh", t / 86400, t % 86400 / 3600);
    else if (t >= 3600)
        snprintf(buf, size, "%lld:%02lld:%02lld", t / 3600, t % 3600 / 60, t % 60);
    else
        snprintf(buf, size, "%lld:%02lld", t / 60, t % 60);
}

void sluice_progress_format(const struct sluice_progress_sample *prev,
                            const struct sluice_progress_sample *now, char *buf, size_t size)
{
    double dt = now->t - prev->t;
    double fps = dt > 0 ? (double)(now->frames - prev->frames) / dt : 0;
    double bps = dt > 0 ? (double)(now->bytes - prev->bytes) / dt : 0;
    char a[32], b[32], c[32];
    size_t j = 0;
#define ADD(...)                                                                                \
    do {                                                                                        \
        if (j < size) {                                                                         \
            int n_ = snprintf(buf + j, size - j, __VA_ARGS__);                                  \
            j = n_ < 0 ? size : j + (size_t)n_;                                                 \
        }                                                                                       \
    } while (0)
    human((double)now->frames, a, sizeof a);
    human(fps, b, sizeof b);
    ADD("sluice: %s frames  %s frames/s  %.1f MB/s", a, b, bps / 1e6);
    if (now->has_file && now->file_size > 0) {
        double pct = 100.0 * now->file_pos / now->file_size;
        double rate = dt > 0 && prev->has_file ? (now->file_pos - prev->file_pos) / dt : 0;
        duration(rate > 0 ? (now->file_size - now->file_pos) / rate : NAN, c, sizeof c);
        ADD("  %.1f%% of the file, %s left", pct > 100 ? 100 : pct, c);
    }
    if (now->has_lag) {
        human(now->lag, a, sizeof a);
        duration(now->lag <= 0 ? 0 : fps > 0 ? now->lag / fps : NAN, c, sizeof c);
        ADD("  lag %s, %s left", a, c);
    }
    if (now->has_watermark) {
        sluice_iso8601_format((int64_t)now->watermark * 1000, 0, false, c, sizeof c);
        ADD("  watermark %s", c);
    }
    if (now->has_windows)
        ADD("  %.0f window%s open", now->windows, now->windows == 1 ? "" : "s");
#undef ADD
    if (j >= size && size > 0)
        buf[size - 1] = '\0';
}

static void take_sample(const struct sluice_pipeline *p, struct sluice_progress_sample *s)
{
    memset(s, 0, sizeof *s);
    s->t = (double)sluice_clock_monotonic_us() / 1e6;
    s->frames = sluice_metrics_frames_in();
    s->bytes = sluice_metrics_bytes_in();
    struct sluice_gauge_view size, pos, lag, wm, win;
    sluice_gauge_view(p->source, "input_size_bytes", &size);
    sluice_gauge_view(p->source, "input_position_bytes", &pos);
    sluice_gauge_view(p->source, "consumer_lag", &lag);
    s->has_file = size.n > 0 && pos.n > 0;
    s->file_size = size.sum;
    s->file_pos = pos.sum;
    s->has_lag = lag.n > 0;
    s->lag = lag.sum;
    for (size_t i = 0; i < p->n_transforms; i++) {
        sluice_gauge_view(p->transforms[i], "watermark_seconds", &wm);
        if (wm.n > 0 && (!s->has_watermark || wm.min < s->watermark)) {
            s->has_watermark = true;
            s->watermark = wm.min;
        }
        sluice_gauge_view(p->transforms[i], "windows_open", &win);
        if (win.n > 0) {
            s->has_windows = true;
            s->windows += win.sum;
        }
    }
}

static size_t terminal_width(void)
{
    struct winsize ws;
    if (tty && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col;
    return 160;
}

static void draw(const char *line)
{
    size_t width = terminal_width() - 1;
    size_t len = strlen(line);
    if (len > width)
        len = width;
    flockfile(stderr);
    fprintf(stderr, "\r%.*s", (int)len, line);
    if (tty)
        fputs("\033[K", stderr);
    else
        for (size_t i = len; i < shown_len; i++)
            fputc(' ', stderr);
    fflush(stderr);
    shown_len = len;
    atomic_store(&shown, true);
    funlockfile(stderr);
}

void sluice_progress_erase(void)
{
    if (!atomic_load(&shown))
        return;
    flockfile(stderr);
    if (atomic_exchange(&shown, false)) {
        if (tty) {
            fputs("\r\033[K", stderr);
        } else {
            fputc('\r', stderr);
            for (size_t i = 0; i < shown_len; i++)
                fputc(' ', stderr);
            fputc('\r', stderr);
        }
        fflush(stderr);
    }
    funlockfile(stderr);
}

static void *progress_main(void *arg)
{
    (void)arg;
    struct sluice_progress_sample ring[RATE_SAMPLES];
    size_t n = 0;
    take_sample(watched, &ring[0]);
    n = 1;
    pthread_mutex_lock(&lock);
    for (;;) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += REDRAW_MS / 1000;
        while (!stop_flag && pthread_cond_timedwait(&wake, &lock, &until) == 0)
            ;
        if (stop_flag)
            break;
        pthread_mutex_unlock(&lock);
        struct sluice_progress_sample *now = &ring[n % RATE_SAMPLES];
        const struct sluice_progress_sample *prev =
            &ring[n >= RATE_SAMPLES ? (n + 1) % RATE_SAMPLES : 0];
        take_sample(watched, now);
        n++;
        char line[512];
        sluice_progress_format(prev, now, line, sizeof line);
        draw(line);
        pthread_mutex_lock(&lock);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

void sluice_progress_start(const struct sluice_pipeline *p)
{
    tty = isatty(STDERR_FILENO);
    if (mode == SLUICE_PROGRESS_OFF || (mode == SLUICE_PROGRESS_AUTO && !tty) || running)
        return;
    watched = p;
    stop_flag = false;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&wake, &attr);
    pthread_condattr_destroy(&attr);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    running = pthread_create(&thread, NULL, progress_main, NULL) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!running)
        pthread_cond_destroy(&wake);
}

void sluice_progress_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&lock);
    stop_flag = true;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    pthread_cond_destroy(&wake);
    running = false;
    sluice_progress_erase();
}
