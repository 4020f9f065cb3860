/*
 * The metrics endpoint: /metrics (Prometheus text), /healthz and /readyz,
 * served by libmicrohttpd from its own thread ([pipeline] metrics =
 * host:port). The handler only reads what metrics.c publishes, so the loop
 * never waits for a scrape.
 *
 * The listening socket is made here (so a port in use is an error naming the
 * address and the pipeline line, and port 0 picks a free one, which the log
 * line says) and handed to libmicrohttpd, which does all of HTTP.
 */
#include "metrics.h"

#include "log.h"
#include "pipeline.h"
#include "progress.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct MHD_Daemon *daemon_;
static const struct sluice_pipeline *served;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
    if (!r) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result text_reply(struct MHD_Connection *c, unsigned status, const char *line)
{
    size_t len = strlen(line);
    char *body = malloc(len + 2);
    if (!body)
        return MHD_NO;
    memcpy(body, line, len);
    body[len] = '\n';
    body[len + 1] = '\0';
    return reply(c, status, "text/plain; charset=utf-8", body, len + 1, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    (void)cls;
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)req_cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return text_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/metrics") == 0) {
        size_t len = 0;
        char *text = sluice_metrics_render(served, &len);
        if (!text)
            return text_reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
        return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len,
                     MHD_RESPMEM_MUST_FREE);
    }
    if (strcmp(url, "/healthz") == 0) {
        char why[256];
        const char *reason = sluice_health_reason(why, sizeof why);
        if (reason)
            return text_reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, reason);
        return text_reply(c, MHD_HTTP_OK, "ok");
    }
    if (strcmp(url, "/readyz") == 0) {
        char why[512];
        const char *reason = sluice_ready_reason(served, why, sizeof why);
        if (reason)
            return text_reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, reason);
        return text_reply(c, MHD_HTTP_OK, "ready");
    }
    return text_reply(c, MHD_HTTP_NOT_FOUND, "not found: try /metrics, /healthz or /readyz");
}

/* libmicrohttpd's own complaints, as our log lines. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    sluice_log("metrics", SLUICE_LOG_WARN, "libmicrohttpd: %s", msg);
}

/* "file:line: [pipeline] metrics = VALUE" for messages. */
static void where(const struct sluice_pipeline *p, char *buf, size_t size)
{
    struct cfg_section *sec = cfg_find_section((struct cfg_file *)&p->cfg, "pipeline");
    struct cfg_entry *e = sec ? cfg_find_entry(sec, "metrics") : NULL;
    snprintf(buf, size, "%s:%d: [pipeline] metrics = %s", p->cfg.path, e ? e->line : 0,
             p->settings.metrics);
}

/* Bind and listen on host:port; the socket, or -1 after logging why. */
static int listen_on(const struct sluice_pipeline *p, int *family)
{
    char at[600];
    where(p, at, sizeof at);
    const char *text = p->settings.metrics;
    const char *colon = strrchr(text, ':');
    char host[256];
    size_t hlen = (size_t)(colon - text);
    if (text[0] == '[') {
        text++;
        hlen -= 2;
    }
    snprintf(host, sizeof host, "%.*s", (int)hlen, text);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &res);
    if (rc != 0) {
        host_error("%s: cannot resolve '%s': %s", at, host, gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 32) == 0) {
            *family = a->ai_family;
            break;
        }
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        host_error("%s: cannot listen: %s (is another program on that port? pick another "
                   "port, or 0 for any free one)",
                   at, strerror(err));
        return -1;
    }
    return fd;
}

static bool metrics_start(const struct sluice_pipeline *p)
{
    int family = AF_INET;
    int fd = listen_on(p, &family);
    if (fd < 0)
        return false;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char addr[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof addr);
            port = ntohs(s6->sin6_port);
        } else {
            struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof addr);
            port = ntohs(s4->sin_port);
        }
    }
    served = p;
    /* Signals stay with the loop's thread: it is the one that must see them. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    daemon_ = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER,
                               mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
                               MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
                               MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!daemon_) {
        close(fd);
        char at[600];
        where(p, at, sizeof at);
        host_error("%s: libmicrohttpd could not start (see its message above)", at);
        return false;
    }
    host_info("metrics on http://%s%s%s:%d/metrics (and /healthz, /readyz)",
              family == AF_INET6 ? "[" : "", addr, family == AF_INET6 ? "]" : "", port);
    return true;
}

bool sluice_observe_start(const struct sluice_pipeline *p)
{
    sluice_metrics_set_state(SLUICE_RUN_STARTING);
    sluice_metrics_set_tick(p->settings.tick_ms);
    if (p->settings.metrics && !metrics_start(p))
        return false;
    sluice_progress_start(p);
    return true;
}

void sluice_observe_stop(void)
{
    sluice_metrics_set_state(SLUICE_RUN_STOPPED);
    sluice_progress_stop();
    if (daemon_) {
        MHD_stop_daemon(daemon_);
        daemon_ = NULL;
    }
    served = NULL;
}
