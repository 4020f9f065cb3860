"""The Faust approach of earlier challenge solutions, as a benchmark contender (bench/run.sh, 7).

A Faust (faust-streaming) worker that reads the frames topic and counts distinct uids per minute
of event time with tumbling tables, the way the published Python solutions did:

- every frame is decoded with json.loads (the step every profile found dominant);
- `seen` is a tumbling 60 s table keyed by uid: has this uid been seen in the frame's minute?
- `unique` is a tumbling 60 s table keyed by "uid": distinct uids in that minute, incremented the
  first time a uid shows up in it.

Both tables are windowed by the frame's own `ts` (event time), through `relative_to` with the
timestamp of the frame being processed. Tables live in memory (`memory://`) and are backed by
changelog topics on the broker, as Faust does by default: every table write is also produced to
the changelog topic, which is what makes a Faust table durable (and what costs the most here).

FAUST_MODE=set is a second, lighter variant for comparison: the same agent and json.loads, but
the distinct uids per minute are kept in plain Python sets in the worker (no table, no
changelog, not fault tolerant) — the ceiling of the Faust approach on this machine.

Configured by environment variables (bench/run.sh sets them):
  FAUST_BROKER   kafka://127.0.0.1:PORT
  FAUST_TOPIC    the frames topic
  FAUST_APP_ID   application id = consumer group and changelog topic prefix (unique per run)
  FAUST_STATUS   a file rewritten about every 0.5 s: "<frames> <t_first> <t_last> <bad>", the
                 frames processed so far and the wall-clock times (time.time()) of the first and
                 the latest processed frame, so the runner can stop the worker at any moment and
                 still know its rate.
  FAUST_DATADIR  Faust's data directory.
  FAUST_MODE     table (default) or set, see above.

Run: faust_app.py worker -l warning   (with the venv's python)
"""

import json
import os
import time
from datetime import timedelta

import faust

BROKER = os.environ.get("FAUST_BROKER", "kafka://127.0.0.1:9092")
TOPIC = os.environ.get("FAUST_TOPIC", "frames")
APP_ID = os.environ.get("FAUST_APP_ID", "sluice-bench-faust")
STATUS = os.environ.get("FAUST_STATUS", "faust-status.txt")
DATADIR = os.environ.get("FAUST_DATADIR", "faust-data")
MODE = os.environ.get("FAUST_MODE", "table")
if MODE not in ("table", "set"):
    raise SystemExit("FAUST_MODE must be table or set, not %r" % MODE)

app = faust.App(
    APP_ID,
    broker=BROKER,
    store="memory://",
    datadir=DATADIR,
    topic_partitions=1,
    topic_replication_factor=1,
    consumer_auto_offset_reset="earliest",
    web_enabled=False,
)

frames = app.topic(TOPIC, value_type=bytes, value_serializer="raw", key_serializer="raw")

# The event time of the frame being processed; the windowed tables read it through relative_to.
_event_ts = [0.0]


def _frame_ts(_event=None):
    return _event_ts[0]


seen = (
    app.Table("seen", default=bool, partitions=1)
    .tumbling(timedelta(seconds=60), expires=timedelta(hours=1))
    .relative_to(_frame_ts)
)
unique = (
    app.Table("unique", default=int, partitions=1)
    .tumbling(timedelta(seconds=60), expires=timedelta(hours=1))
    .relative_to(_frame_ts)
)

_sets = {}  # FAUST_MODE=set: minute start -> set of uids
_progress = {"frames": 0, "bad": 0, "t_first": 0.0, "t_last": 0.0, "t_written": 0.0}


def _write_status():
    tmp = STATUS + ".tmp"
    with open(tmp, "w") as f:
        f.write(
            "%d %.6f %.6f %d\n"
            % (_progress["frames"], _progress["t_first"], _progress["t_last"], _progress["bad"])
        )
    os.replace(tmp, STATUS)
    _progress["t_written"] = _progress["t_last"]


@app.agent(frames)
async def count_unique(stream):
    async for raw in stream:
        now = time.time()
        if _progress["frames"] == 0:
            _progress["t_first"] = now
        try:
            frame = json.loads(raw)
            uid = frame["uid"]
            _event_ts[0] = float(frame["ts"])
        except (ValueError, KeyError, TypeError):
            _progress["bad"] += 1
        else:
            if MODE == "table":
                if not seen[uid].current():
                    seen[uid] = True
                    unique["uid"] += 1
            else:
                minute = int(_event_ts[0]) // 60 * 60
                per_minute = _sets.get(minute)
                if per_minute is None:
                    per_minute = _sets[minute] = set()
                per_minute.add(uid)
        _progress["frames"] += 1
        _progress["t_last"] = now
        if now - _progress["t_written"] >= 0.5:
            _write_status()


@app.timer(interval=1.0)
async def _flush_status():
    if _progress["frames"]:
        _write_status()


if __name__ == "__main__":
    app.main()
