#!/usr/bin/env python3
"""bench/scale_report.py TSV COUNT OUT.md WINDOWS RUNS FRAME_BYTES: the Markdown report of
bench/scale.sh from its raw runs (one row per run and instance count N): medians per N, their
spread, and the figures per instance that say what scale-out past one machine would take."""
import csv
import os
import statistics
import subprocess
import sys

tsv, count, out, nwin, runs, frame_bytes = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
rows = list(csv.DictReader(open(tsv), delimiter="\t"))


def vals(n, k):
    return [float(r[k]) for r in rows if r["n"] == str(n)]


def med(n, k):
    return statistics.median(vals(n, k))


def fps(n):
    """frames/s of each run over its counting time"""
    return [count / float(r["counting_s"]) for r in rows if r["n"] == str(n)]


base = statistics.median(fps(1))
table = [
    "| count instances | frames/s (counting), median | min–max | × 1 instance | frames/s (wall, with the group join) "
    "| frames read (Σ) | count CPU s (Σ) | frames per CPU-second | merge CPU s | partials written | bytes written "
    "| load avg |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
]
for n in (1, 2, 3):
    f = fps(n)
    table.append(
        f"| {n} | {statistics.median(f):,.0f} | {min(f):,.0f}–{max(f):,.0f} | {statistics.median(f) / base:.2f}× "
        f"| {count / med(n, 'wall_s'):,.0f} | {med(n, 'frames_in'):,.0f} | {med(n, 'count_cpu_s'):.2f} "
        f"| {count / med(n, 'count_cpu_s'):,.0f} | {med(n, 'merge_cpu_s'):.2f} | {med(n, 'partials'):,.0f} "
        f"| {med(n, 'partial_bytes'):,.0f} | {med(n, 'load1'):.1f} |")
per_cpu = count / statistics.median([float(r["count_cpu_s"]) for r in rows])
merge_cpu = statistics.median([float(r["merge_cpu_s"]) for r in rows])
partials = statistics.median([float(r["partials"]) for r in rows])
pbytes = statistics.median([float(r["partial_bytes"]) for r in rows])
win = statistics.median([float(r["windows"]) for r in rows])
latest = statistics.median([float(r["latest_bytes"]) for r in rows])
loads = [float(r["load1"]) for r in rows]
cpu = subprocess.run(["sh", "-c", "sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1"],
                     capture_output=True, text=True).stdout.strip()
history = 63e9
with open(out, "w") as f:
    f.write(f"""# Scale-out on one machine (bench/scale.sh)

{count:,} frames (conf/generate-frames.ini, {frame_bytes:,.0f} bytes each on average) in a topic
of 6 partitions on the local broker; N count instances of conf/scale-count.ini (six windows
minute to year, `output = partials`, `partial_interval = 1s`, `checkpoint = kafka` every 1 s)
in a fresh group, started together and run live until the group's committed offsets reach
every partition's end; one merge instance (conf/scale-merge.ini) live on a fresh partials
topic per run. {runs} runs per N, round-robin (N = 1, 2, 3, then again). In every run each of
the {nwin} windows the merge stage emitted has the latest `unique` of run 1 with one instance.
Machine: {cpu}, {os.cpu_count()} CPUs, with the broker (a JVM) on the same two cores. Raw runs:
bench/data/scale.tsv.

*counting* runs from the first partition assignment to the commit of every partition's end
(the group join excluded; up to the 1 s checkpoint interval after the last frame); *wall*
includes the join. *frames read* exceeds the topic when a rebalance hands
a partition over mid-read (the new owner resumes from the old one's last checkpoint and reads
that interval's frames again). *frames per CPU-second* is the topic's frames over the count
instances' user + system time.

{chr(10).join(table)}

**The noise, honestly.** The machine is shared with other agents' builds and tests: the load
average was {min(loads):.0f}–{max(loads):.0f} on 2 CPUs during these runs. A process then gets a
small share of a core, so wall-clock frames/s here measure the scheduler more than sluice
(one count instance used about {med(1, 'count_cpu_s') / (count / statistics.median(fps(1))):.0%}
of a core while it ran); with several instances the group gets several shares of the contended
CPUs, which flatters N = 2 and 3 against N = 1. The CPU time per frame is the robust figure: it
does not depend on how long a process waited for a core. On an idle 2-core machine one
instance and the broker fill most of both cores: a second instance could only use what the
broker leaves, a third nothing. bench/RESULTS.md's Kafka pipeline (one instance, one partition, no
partials, no checkpoints) ran at 887k frames/s on a quiet machine.

**The merge stage** used {merge_cpu:.2f} s of CPU for a run (median, every N alike; under 1% of
a core over the run): its load is
the partials, {partials:,.0f} of them ({pbytes / 1e6:.1f} MB) over {win:.0f} windows, not the
{count:,} frames: {pbytes / count:.1f} bytes of partials per frame. Compaction keeps the latest
partial of every (window, partition): {latest:,.0f} bytes, {latest / win:,.0f} bytes per window
over 6 partitions (dense p = 13 UltraLogLog registers are 8 KiB per partition; the small windows'
sparse sketches less).

**Past one machine.** A count instance costs {1e6 / per_cpu:.2f} µs of CPU per frame here (an
upper bound: on a contended machine CPU time per frame grows too, and the one-instance
pipeline of bench/RESULTS.md spent 1.13 µs a frame without partials and checkpoints)
({per_cpu:,.0f} frames per CPU-second, parsing included), so each core added with a count
instance adds about that much, up to one instance per partition: the frames topic's partition
count is the ceiling (6 here: ~{6 * per_cpu / 1e6:.1f}M frames/s on six cores; the challenge's
two years of history, {history / 1e9:.0f} billion frames, would take
{history / (6 * per_cpu) / 3600:.1f} hours on six, {history / (48 * per_cpu) / 3600:.1f} on 48 cores
with a 48-partition topic, counting CPU only). At {frame_bytes:,.0f} bytes a frame one instance reads
~{per_cpu * frame_bytes / 1e6:,.0f} MB/s, so past a few instances the brokers' and NICs'
bandwidth (a 10 GbE link is ~1,250 MB/s) sets the pace, and a topic is spread over several
brokers. The merge stage does not grow with the frame rate: it grows with windows × partitions
per `partial_interval`, and one instance on one core has room for thousands of partitions.
""")
