#!/usr/bin/env python3
"""Exact distinct uids per UTC minute and hour of a JSON-lines file of frames
(plain or gzip), computed independently of sluice (Python's json parser).
Prints "window start_ts unique", sorted: the expectation the checkpoint tests
compare sluice's latest revisions with."""
import gzip
import json
import sys

path = sys.argv[1]
opener = gzip.open if path.endswith(".gz") else open
sets = {}
with opener(path, "rt", encoding="utf-8") as f:
    for line in f:
        o = json.loads(line)
        ts = int(o["ts"])
        for name, size in (("minute", 60), ("hour", 3600)):
            sets.setdefault((name, ts - ts % size), set()).add(o["uid"])
for (name, start) in sorted(sets):
    print(name, start, len(sets[(name, start)]))
