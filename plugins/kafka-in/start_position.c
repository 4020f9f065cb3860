/*
 * Start positions. Why "first time only": earliest, latest and a time say
 * where this process begins; once it has read and committed, a partition
 * that comes back after a rebalance must resume from the committed offset,
 * or every rebalance would replay (earliest) or skip (latest) data.
 */
#include "start_position.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), valid for every year sluice will ever see. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Read exactly `n` digits at *p into *v. */
static bool digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        x = x * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *v = x;
    return true;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool kin_parse_iso8601(const char *text, int64_t *ms)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = text;
    int y, mo, d, h = 0, mi = 0, s = 0, frac_ms = 0;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)))
        return false;
    int64_t offset_s = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
            return false;
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &s))
                return false;
            if (*p == '.' || *p == ',') {
                p++;
                int scale = 100, n = 0;
                while (isdigit((unsigned char)*p)) {
                    frac_ms += (*p - '0') * scale;
                    scale /= 10;
                    p++;
                    n++;
                }
                if (n == 0)
                    return false;
            }
        }
        if (h > 23 || mi > 59 || s > 60)
            return false;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
            if (!digits(&p, 2, &oh))
                return false;
            if (*p == ':')
                p++;
            if (isdigit((unsigned char)*p) && !digits(&p, 2, &om))
                return false;
            if (oh > 23 || om > 59)
                return false;
            offset_s = sign * (oh * 3600 + om * 60);
        }
    }
    if (*p != '\0')
        return false;
    int64_t secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s -
                   offset_s;
    *ms = secs * 1000 + frac_ms;
    return true;
}

const char *kin_start_parse(const char *text, struct kin_start *out)
{
    out->time_ms = 0;
    if (strcmp(text, "earliest") == 0)
        out->kind = KIN_START_EARLIEST;
    else if (strcmp(text, "latest") == 0)
        out->kind = KIN_START_LATEST;
    else if (strcmp(text, "committed") == 0)
        out->kind = KIN_START_COMMITTED;
    else if (kin_parse_iso8601(text, &out->time_ms))
        out->kind = KIN_START_TIME;
    else
        return "use earliest, latest, committed or an ISO-8601 time such as "
               "2024-11-01T00:00:00Z";
    return NULL;
}

const char *kin_start_validate(const void *value)
{
    struct kin_start s;
    return kin_start_parse(*(const char *const *)value, &s);
}

bool kin_start_apply(rd_kafka_t *rk, const struct kin_start *start,
                     rd_kafka_topic_partition_list_t *parts, const bool *fresh, int timeout_ms,
                     char *err, size_t errsize)
{
    int n_fresh = 0;
    for (int i = 0; i < parts->cnt; i++) {
        n_fresh += fresh[i];
        if (!fresh[i]) {
            parts->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
            continue;
        }
        switch (start->kind) {
        case KIN_START_EARLIEST:
            parts->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
            break;
        case KIN_START_LATEST:
            parts->elems[i].offset = RD_KAFKA_OFFSET_END;
            break;
        case KIN_START_COMMITTED:
        case KIN_START_TIME:
            parts->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
            break;
        }
    }
    if (start->kind != KIN_START_TIME || n_fresh == 0)
        return true;

    rd_kafka_topic_partition_list_t *q = rd_kafka_topic_partition_list_new(n_fresh);
    for (int i = 0; i < parts->cnt; i++)
        if (fresh[i])
            rd_kafka_topic_partition_list_add(q, parts->elems[i].topic, parts->elems[i].partition)
                ->offset = start->time_ms;
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk, q, timeout_ms);
    bool ok = true;
    for (int i = 0; ok && i < q->cnt; i++) {
        const rd_kafka_topic_partition_t *r = &q->elems[i];
        rd_kafka_resp_err_t pe = e ? e : r->err;
        if (pe) {
            snprintf(err, errsize, "looking up the offsets of start time in %s [%d]: %s",
                     r->topic, (int)r->partition, rd_kafka_err2str(pe));
            ok = false;
            break;
        }
        rd_kafka_topic_partition_t *t =
            rd_kafka_topic_partition_list_find(parts, r->topic, r->partition);
        /* -1: no message at or after the time, so start at the end. */
        if (t)
            t->offset = r->offset >= 0 ? r->offset : RD_KAFKA_OFFSET_END;
    }
    rd_kafka_topic_partition_list_destroy(q);
    return ok;
}
