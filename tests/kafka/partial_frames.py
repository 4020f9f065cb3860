#!/usr/bin/env python3
"""Frames per (window, start, source partition), two independent ways, as
"window start_ts partition frames" lines, sorted:

  partial_frames.py partials < dump
      dump: `kcat -C -f '%k\\t%R%s'` of a partials topic (key, tab, 4-byte
      big-endian length, value). The frames field of the latest partial of
      every key, decoded from the binary partial (plugins/distinct-count/
      partial.h: "DCPT", version 1, window start at 8, partition at 24,
      frames at 40, window name at 52).
  partial_frames.py frames < lines
      lines: `kcat -C -f '%p\\t%s\\n'` of the frames topic: frames counted per
      UTC minute and hour of their ts, per partition.

A partition's last partial must hold exactly its frames of the window:
fewer is a loss, more a double count."""
import json
import struct
import sys


def partials():
    data = sys.stdin.buffer.read()
    latest = {}
    pos = 0
    while pos < len(data):
        tab = data.index(b"\t", pos)
        key = data[pos:tab]
        (n,) = struct.unpack(">i", data[tab + 1:tab + 5])
        value = data[tab + 5:tab + 5 + n]
        pos = tab + 5 + n
        latest[key] = value
    rows = []
    for value in latest.values():
        if value[:4] != b"DCPT" or value[4] != 1:
            sys.exit("not a version 1 partial: %r" % value[:8])
        wlen = value[5]
        (start,) = struct.unpack("<q", value[8:16])
        (partition,) = struct.unpack("<i", value[24:28])
        (frames,) = struct.unpack("<Q", value[40:48])
        window = value[52:52 + wlen].decode()
        rows.append((window, start, partition, frames))
    return rows


def frames():
    counts = {}
    for line in sys.stdin:
        partition, frame = line.split("\t", 1)
        ts = int(json.loads(frame)["ts"])
        for name, size in (("minute", 60), ("hour", 3600)):
            key = (name, ts - ts % size, int(partition))
            counts[key] = counts.get(key, 0) + 1
    return [k + (v,) for k, v in counts.items()]


rows = partials() if sys.argv[1] == "partials" else frames()
for row in sorted(rows):
    print(*row)
