#!/usr/bin/env python3
"""Write the benchmark's Markdown report from one run directory of bench/run.sh.

    report.py RUNDIR RESULTS.md [SPEED.tsv]

With SPEED.tsv, the main table's figures are also written there, one row per measured contender,
for bench/plots.sh (see write_speed_tsv).

RUNDIR holds raw.tsv (id, run, exit status, wall s, user s, sys s, max RSS KiB — one line per
timed run), meta.tsv (key, value; "skip" lines name skipped contender groups) and each
contender's outputs (RUNDIR/<id>/out.N, status.N for Faust), from which every run's answer is
checked. Medians are over the runs whose exit status was 0 and whose answer checked out.
"""

import json
import os
import statistics
import sys

ROWS = [
    # id, group, label
    ("1m", "sluice", "sluice: file → json-extract (fast) → distinct-count, minute → stdout"),
    ("1a", "sluice", "sluice: file → json-extract (fast) → distinct-count, six windows → stdout"),
    ("1s", "sluice", "sluice, json-extract `validate = structure` (by name: faults outside the structure and the wanted values pass), six windows"),
    ("1t", "sluice", "sluice, json-extract `threads = 1` (frames scanned on the pipeline's thread only), six windows"),
    ("2m", "strict", "sluice, json-extract `mode = strict` (jansson), minute"),
    ("2a", "strict", "sluice, json-extract `mode = strict` (jansson), six windows"),
    ("3", "jq", "`jq -r .uid FILE | sort -u | wc -l`"),
    ("4l", "simdjson", "simdjson On Demand, one `iterate` per line (bench/simdjson_uid.cpp)"),
    ("4m", "simdjson", "simdjson On Demand, `iterate_many` (bench/simdjson_uid.cpp)"),
    ("4d", "simdjson", "simdjson DOM, one `parse` per line: every byte checked, as sluice's default does (bench/simdjson_uid.cpp)"),
    ("5", "kcat", "`kcat -C -e -o beginning -q` > /dev/null (raw consume)"),
    ("6", "kafka", "sluice: kafka-in → json-extract → distinct-count, six windows → kafka-out"),
    ("7t", "faust", "Faust app, tumbling tables (bench/faust_app.py), bounded run"),
    ("7s", "faust", "Faust app, plain sets instead of tables, bounded run"),
]
BASE = "1a"

# The per-level rows (issue 11): L-<level> is row 1a with SLUICE_JX_SCANNER=<level>, J-<level>
# the simdjson program (On Demand, per line) forced to the same instruction set, D-<level> its
# DOM parser (per line) forced the same way; S-<level> is L-<level> on one thread (threads = 1,
# read_ahead = false).
LEVEL_NAMES = {
    "avx512": "AVX-512 + VBMI2",
    "avx512bw": "AVX-512BW (no VBMI2)",
    "avx2": "AVX2",
    "sse42": "SSE4.2",
    "sse2": "SSE2",
    "scalar": "scalar",
}


def read_tsv(path):
    rows = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if line:
                    rows.append(line.split("\t"))
    return rows


def fmt_int(x):
    return "{:,}".format(int(round(x)))


def fmt_num(x, digits=2):
    if x is None:
        return "—"
    if x >= 100:
        return fmt_int(x)
    if x >= 10:
        return "%.1f" % x
    return ("%." + str(digits) + "f") % x


def fmt_ratio(x):
    if x is None:
        return "—"
    if x >= 100:
        return "%.0f×" % x
    if x >= 10:
        return "%.1f×" % x
    if x >= 0.01:
        return "%.2f×" % x
    return "%.4f×" % x


def sluice_answer(path, frames, six):
    """Checks a sluice result stream: every frame counted once in the minute windows."""
    minute, year = {}, None
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                r = json.loads(line)
                if r.get("window") == "minute":
                    minute[r.get("start_ts")] = r.get("frames", 0)
                elif r.get("window") == "year":
                    year = r.get("unique")
    except (OSError, ValueError) as e:
        return False, "unreadable result: %s" % e, None
    total = sum(minute.values())
    ok = total == frames and (year is not None or not six)
    text = "%d minute windows, Σ frames %s" % (len(minute), fmt_int(total))
    if six:
        text += ", year ≈ %s unique" % (fmt_int(year) if year is not None else "?")
    return ok, text, year


def check(rid, rundir, run, frames, meta):
    """(ok, answer text, distinct count or None) for one run."""
    d = os.path.join(rundir, rid)
    out = os.path.join(d, "out.%s" % run)
    if rid in ("1m", "2m"):
        return sluice_answer(out, frames, False)
    if rid in ("1a", "1s", "1t", "2a", "6") or rid.startswith(("L-", "S-")):
        return sluice_answer(out, frames, True)
    if rid == "3":
        try:
            n = int(open(out).read().strip())
        except (OSError, ValueError):
            return False, "no count", None
        return True, "%s distinct uids" % fmt_int(n), n
    if rid in ("4l", "4m", "4d") or rid.startswith(("J-", "D-")):
        try:
            kv = dict(x.split("=", 1) for x in open(out).read().split())
            n, bad, dist = int(kv["frames"]), int(kv["bad"]), int(kv["distinct"])
        except (OSError, ValueError, KeyError):
            return False, "no answer", None
        impl = kv.get("implementation", "?")
        # Forced runs must have run the implementation asked for.
        want = meta.get("simdjson_impl_" + rid[2:]) if rid.startswith(("J-", "D-")) else None
        return (n == frames and bad == 0 and (want is None or impl == want),
                "%s frames, %s distinct uids (%s)" % (fmt_int(n), fmt_int(dist), impl),
                dist)
    if rid == "5":
        n = meta.get("kcat_check_frames")
        ok = n is not None and int(n) == frames
        return ok, "topic reads back %s frames" % (fmt_int(int(n)) if n else "?"), None
    return True, "", None


def faust_status(rundir, rid, run):
    try:
        parts = open(os.path.join(rundir, rid, "status.%s" % run)).read().split()
        n, t0, t1, bad = int(parts[0]), float(parts[1]), float(parts[2]), int(parts[3])
    except (OSError, ValueError, IndexError):
        return None
    return n, t0, t1, bad


def write_speed_tsv(path, stats, meta, base):
    """The main table's figures as TSV for bench/plots.sh: '# key: value' lines (source, date,
    machine), a header, then one row per measured contender in the table's order."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        f.write("# source: bench/run.sh%s, %s frames, median of %s runs (bench/report.py)\n"
                % (" --quick" if meta.get("mode") == "quick" else "", meta.get("frames"), meta.get("runs")))
        f.write("# date: %s\n" % meta.get("started", "?"))
        f.write("# machine: %s, %s cores\n" % (meta.get("cpu_model", "?"), meta.get("cpu_count", "?")))
        f.write("id\tgroup\tframes_per_s\tx_sluice\tMB_per_s\twall_s\tcpu_s\tcpu_us_per_frame\t"
                "peak_rss_MB\truns\tlabel\n")
        for rid, group, label in ROWS:
            if rid in stats:
                s = stats[rid]
                f.write("%s\t%s\t%.0f\t%.4f\t%.1f\t%.3f\t%.3f\t%.4f\t%.1f\t%d\t%s\n" % (
                    rid, group, s["rate"], s["rate"] / base["rate"] if base else 0, s["mbps"], s["wall"],
                    s["cpu"], s["cpu_per_frame"] * 1e6, s["rss"], s["n"], label.replace("`", "")))
    os.replace(path + ".tmp", path)


def main():
    rundir, results = sys.argv[1], sys.argv[2]
    meta, skips = {}, {}
    for row in read_tsv(os.path.join(rundir, "meta.tsv")):
        if row[0] == "skip":
            skips.setdefault(row[1], row[2] if len(row) > 2 else "")
        elif len(row) >= 2:
            meta[row[0]] = row[1]
    frames = int(meta["frames"])
    nbytes = int(meta["bytes"])
    avg_frame = nbytes / frames
    quick = meta.get("mode") == "quick"

    runs = {}
    for row in read_tsv(os.path.join(rundir, "raw.tsv")):
        rid, run, rc = row[0], row[1], int(row[2])
        try:
            wall, user, sys_, rss = float(row[3]), float(row[4]), float(row[5]), float(row[6])
        except (IndexError, ValueError):
            wall = user = sys_ = rss = None
        runs.setdefault(rid, []).append(dict(run=run, rc=rc, wall=wall, cpu=(user or 0) + (sys_ or 0),
                                             rss=rss))

    stats, answers, problems = {}, {}, []
    exact = None
    levels = meta.get("levels", "").split()
    level_ids = [p + lv for lv in levels for p in ("L-", "S-", "J-", "D-")]
    for rid in [r[0] for r in ROWS] + level_ids:
        if rid not in runs:
            continue
        good = []
        for r in runs[rid]:
            if r["rc"] != 0 or r["wall"] is None:
                problems.append("%s run %s: exit status %d" % (rid, r["run"], r["rc"]))
                continue
            if rid in ("7t", "7s"):
                st = faust_status(rundir, rid, r["run"])
                if not st or st[0] == 0 or st[2] <= st[1]:
                    problems.append("%s run %s: no frames processed" % (rid, r["run"]))
                    continue
                n, t0, t1, bad = st
                r.update(frames=n, busy=t1 - t0, rate=n / (t1 - t0), bad=bad)
                good.append(r)
                continue
            ok, text, distinct = check(rid, rundir, r["run"], frames, meta)
            if not ok:
                problems.append("%s run %s: wrong answer: %s" % (rid, r["run"], text))
                continue
            if rid in ("4l", "4m", "4d", "3") and distinct is not None:
                exact = distinct
            r.update(frames=frames, rate=frames / r["wall"] if r["wall"] > 0 else float("inf"),
                     distinct=distinct)
            answers.setdefault(rid, text)
            good.append(r)
        if not good:
            continue
        s = dict(
            n=len(good), total=len(runs[rid]),
            rate=statistics.median(r["rate"] for r in good),
            wall=statistics.median(r.get("busy", r["wall"]) for r in good),
            cpu=statistics.median(r["cpu"] for r in good),
            cpu_per_frame=statistics.median(r["cpu"] / r["frames"] for r in good),
            rss=statistics.median(r["rss"] / 1024 for r in good),
            rss_max=max(r["rss"] / 1024 for r in good),
            walls=[r.get("busy", r["wall"]) for r in good],
            frames=statistics.median(r["frames"] for r in good),
            distinct=[r.get("distinct") for r in good],
            rate_by_run={r["run"]: r["rate"] for r in good},
        )
        s["mbps"] = s["rate"] * avg_frame / 1e6
        stats[rid] = s
        if rid in ("7t", "7s"):
            answers[rid] = "%s frames processed in %.0f s (median; %d not parsed)" % (
                fmt_int(s["frames"]), s["wall"], sum(r["bad"] for r in good))

    # Sketch error against the exact count, for the six-window rows.
    if exact:
        for rid in ["1a", "1s", "1t", "2a", "6"] + ["L-" + lv for lv in levels]:
            if rid in stats and stats[rid]["distinct"][0]:
                est = stats[rid]["distinct"][0]
                answers[rid] += " (exact %s: %+.2f%%)" % (fmt_int(exact), 100.0 * (est - exact) / exact)

    base = stats.get(BASE)
    if len(sys.argv) > 3:
        write_speed_tsv(sys.argv[3], stats, meta, base)

    def ratio(rid, key, invert=False):
        if not base or rid not in stats or not base[key]:
            return None
        return stats[rid][key] / base[key]

    L = []
    w = L.append
    w("# sluice benchmark results")
    w("")
    if quick:
        w("**Quick run (%s frames, %s runs each): for iterating, not the published numbers.**"
          % (fmt_int(frames), meta.get("runs")))
        w("")
    w("Written by `bench/run.sh` (see its header) on %s. %s frames from the `generate` source "
      "(users %s, rate %s/s, seed %s: the challenge's `-c %s -r %s -n %s`), %.0f bytes each on "
      "average, %.2f GB in all; the same file is produced once to a one-partition topic on the "
      "repo's local broker."
      % (meta.get("started", "?"), fmt_int(frames), fmt_int(int(meta["users"])), meta["rate"],
         meta["seed"], frames, meta["rate"], meta["users"], avg_frame, nbytes / 1e9))
    w("")
    w("Every figure is the **median** over the runs (%s per contender, %s for jq; Faust: %s "
      "bounded run(s) of %s s each), runs taken round-robin. ×sluice compares with row 1 "
      "(six windows): for frames/s higher is faster, for CPU and RSS lower is leaner."
      % (meta.get("runs"), meta.get("jq_runs"), meta.get("faust_runs"), meta.get("faust_seconds")))
    w("")
    w("| # | contender | frames/s | ×sluice | MB/s | wall s | CPU s | CPU µs/frame | ×sluice | peak RSS MB | ×sluice | answer (checked every run) |")
    w("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for rid, group, label in ROWS:
        if rid in stats:
            s = stats[rid]
            runs_note = "" if s["n"] == s["total"] else " (%d of %d runs good)" % (s["n"], s["total"])
            w("| %s | %s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                rid, label, runs_note, fmt_int(s["rate"]), fmt_ratio(ratio(rid, "rate")),
                fmt_num(s["mbps"], 1), fmt_num(s["wall"]), fmt_num(s["cpu"]),
                fmt_num(s["cpu_per_frame"] * 1e6, 2), fmt_ratio(ratio(rid, "cpu_per_frame")),
                fmt_num(s["rss"], 1), fmt_ratio(ratio(rid, "rss")), answers.get(rid, "")))
        else:
            why = skips.get(group) or ("every run failed" if rid in runs else "not run (--only)")
            w("| %s | %s | — | | | | | | | | | not measured: %s |" % (rid, label, why))
    w("")

    # Goals of issue 5.
    def rate(rid):
        return stats[rid]["rate"] if rid in stats else None

    goals = []
    r1, r3, r5, r6 = rate("1a"), rate("3"), rate("5"), rate("6")
    simd = [(rate(x), x) for x in ("4l", "4m") if rate(x)]
    best_simd = max(simd) if simd else None

    def verdict(ok):
        return "n/a" if ok is None else ("**PASS**" if ok else "**MISS**")

    # "On one core": the wall-clock rate, and the frames per CPU second of the
    # whole process (the stdin source's read-ahead thread included).
    c1 = 1.0 / stats["1a"]["cpu_per_frame"] if "1a" in stats and stats["1a"]["cpu_per_frame"] else None
    goals.append(("File pipeline, six windows ≥ 1,000,000 frames/s on one core",
                  "%s frames/s; %s frames per CPU second (both threads)" % (fmt_int(r1), fmt_int(c1))
                  if r1 and c1 else "—",
                  verdict(r1 >= 1e6 and c1 >= 1e6 if r1 and c1 else None)))
    def cpu_us(rid):
        return "%.2f" % (stats[rid]["cpu_per_frame"] * 1e6) if rid in stats else "?"

    goals.append(("… ≥ 1.5× the simdjson program (the faster of 4l/4m)",
                  "%s (vs %s, %s frames/s); CPU per frame %s µs vs %s µs" % (
                      fmt_ratio(r1 / best_simd[0]), best_simd[1], fmt_int(best_simd[0]),
                      cpu_us("1a"), cpu_us(best_simd[1]))
                  if r1 and best_simd else "—",
                  verdict(r1 / best_simd[0] >= 1.5 if r1 and best_simd else None)))
    goals.append(("… ≥ 25× the jq command (3)", "%s" % fmt_ratio(r1 / r3) if r1 and r3 else "—",
                  verdict(r1 / r3 >= 25 if r1 and r3 else None)))
    goals.append(("Kafka pipeline (6) ≥ 90% of the raw kcat consume rate (5)",
                  "%.0f%% (%s vs %s frames/s)" % (100 * r6 / r5, fmt_int(r6), fmt_int(r5)) if r6 and r5 else "—",
                  verdict(r6 / r5 >= 0.9 if r6 and r5 else None)))
    goals.append(("Kafka pipeline (6) ≥ 450,000 frames/s", "%s frames/s" % fmt_int(r6) if r6 else "—",
                  verdict(r6 >= 450000 if r6 else None)))
    rss = stats["1a"]["rss_max"] if "1a" in stats else None
    goals.append(("Peak RSS ≤ 64 MB, file pipeline, six windows, 1M frames (highest run)",
                  "%.1f MB%s" % (rss, " (over %s frames only)" % fmt_int(frames) if frames != 1000000 else "")
                  if rss else "—",
                  verdict(rss <= 64 if rss else None) if frames >= 1000000 or rss is None
                  else verdict(rss <= 64) + " (indicative)"))
    w("## Goals (issue 5)")
    w("")
    if quick:
        w("A quick run is too short to judge the goals; these are indicative only.")
        w("")
    w("| goal | measured | verdict |")
    w("|---|---|---|")
    for g in goals:
        w("| %s | %s | %s |" % g)
    w("")

    # Per scanner level (issue 11): sluice's six-window pipeline and the simdjson program, both
    # forced to the same instruction set, in the same round-robin.
    def per_cpu(rid):
        return 1.0 / stats[rid]["cpu_per_frame"] if rid in stats and stats[rid]["cpu_per_frame"] else None

    level_rows = []
    for lv in levels:
        sl, sj = stats.get("L-" + lv), stats.get("J-" + lv)
        if not sl:
            continue
        rw = sl["rate"] / sj["rate"] if sj else None
        rc = per_cpu("L-" + lv) / per_cpu("J-" + lv) if sj else None
        level_rows.append((lv, sl, sj, rw, rc))
    if level_rows:
        w("## Per scanner level: sluice against simdjson on the same instruction set")
        w("")
        w("Row 1a (six windows, json-extract's defaults: `validate = full`) with "
          "`SLUICE_JX_SCANNER=<level>`, and the simdjson program (4l, one `iterate` per line) with "
          "`SIMDJSON_FORCE_IMPLEMENTATION` set to the same instruction set, taken in the same "
          "round-robin as the rows above. Frames per CPU second count the whole process (for "
          "sluice both threads: the pipeline and the stdin source's read-ahead).")
        w("")
        w("| level | sluice frames/s | sluice frames/CPU-s | simdjson | simdjson frames/s | simdjson frames/CPU-s | × frames/s | × frames/CPU-s | sluice peak RSS MB |")
        w("|---|--:|--:|---|--:|--:|--:|--:|--:|")
        for lv, sl, sj, rw, rc in level_rows:
            w("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                LEVEL_NAMES.get(lv, lv), fmt_int(sl["rate"]), fmt_int(per_cpu("L-" + lv)),
                meta.get("simdjson_impl_" + lv, "—") if sj else "—",
                fmt_int(sj["rate"]) if sj else "—", fmt_int(per_cpu("J-" + lv)) if sj else "—",
                fmt_ratio(rw), fmt_ratio(rc), fmt_num(sl["rss_max"], 1)))
        w("")
        dom_rows = [(lv, sl, stats.get("D-" + lv)) for lv, sl, _, _, _ in level_rows]
        if any(sd for _, _, sd in dom_rows):
            w("Against simdjson's DOM parser (D-<level>, one `parse` per line, forced the same way, "
              "same round-robin): it checks every byte of a frame, as sluice's default does and "
              "as jansson does, where On Demand (above, and the goals) checks the grammar, numbers "
              "and literals only of the values it reads: a frame with a trailing comma in a field "
              "nobody asks for passes On Demand and is refused by both of these.")
            w("")
            w("| level | sluice frames/s | sluice frames/CPU-s | simdjson DOM | DOM frames/s | DOM frames/CPU-s | × frames/s | × frames/CPU-s |")
            w("|---|--:|--:|---|--:|--:|--:|--:|")
            for lv, sl, sd in dom_rows:
                w("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    LEVEL_NAMES.get(lv, lv), fmt_int(sl["rate"]), fmt_int(per_cpu("L-" + lv)),
                    meta.get("simdjson_impl_" + lv, "—") if sd else "—",
                    fmt_int(sd["rate"]) if sd else "—", fmt_int(per_cpu("D-" + lv)) if sd else "—",
                    fmt_ratio(sl["rate"] / sd["rate"]) if sd else "—",
                    fmt_ratio(per_cpu("L-" + lv) / per_cpu("D-" + lv)) if sd else "—"))
            w("")
        single = [(lv, stats["S-" + lv]) for lv, _, _, _, _ in level_rows if "S-" + lv in stats]
        if single:
            w("On one thread (S-<level>: `threads = 1` and the stdin source's `read_ahead = false`, "
              "same round-robin): the same work without the default's parallelism, the stdin "
              "source's read-ahead thread and json-extract's second scanning thread, which buy "
              "wall time with CPU (the price of keeping both cores busy, bench/SCANNER.md session 15; "
              "row 1t keeps the read-ahead and drops the second scanning thread, which tells the "
              "two apart). The last column is the default's CPU a frame over this row's.")
            w("")
            w("| level | frames/s | frames/CPU-s | × On Demand frames/s | × On Demand per CPU-s | × DOM per CPU-s | default's CPU a frame ÷ this |")
            w("|---|--:|--:|--:|--:|--:|--:|")
            for lv, ss in single:
                sj, sd = stats.get("J-" + lv), stats.get("D-" + lv)
                w("| %s | %s | %s | %s | %s | %s | %s |" % (
                    LEVEL_NAMES.get(lv, lv), fmt_int(ss["rate"]), fmt_int(per_cpu("S-" + lv)),
                    fmt_ratio(ss["rate"] / sj["rate"]) if sj else "—",
                    fmt_ratio(per_cpu("S-" + lv) / per_cpu("J-" + lv)) if sj else "—",
                    fmt_ratio(per_cpu("S-" + lv) / per_cpu("D-" + lv)) if sd else "—",
                    fmt_ratio(per_cpu("S-" + lv) / per_cpu("L-" + lv))))
            w("")

    # Goals of issue 11.
    g11 = []

    def level_goal(lv, need):
        row = [r for r in level_rows if r[0] == lv]
        if not row or row[0][3] is None:
            return ("%s level ≥ %.1f× the simdjson program on the same level, frames/s and frames "
                    "per CPU second" % (LEVEL_NAMES.get(lv, lv), need), "—", verdict(None))
        _, sl, sj, rw, rc = row[0]
        return ("%s level ≥ %.1f× the simdjson program (%s), frames/s and frames per CPU second"
                % (LEVEL_NAMES.get(lv, lv), need, meta.get("simdjson_impl_" + lv)),
                "%s frames/s (%s vs %s); %s per CPU second (%s vs %s)" % (
                    fmt_ratio(rw), fmt_int(sl["rate"]), fmt_int(sj["rate"]), fmt_ratio(rc),
                    fmt_int(per_cpu("L-" + lv)), fmt_int(per_cpu("J-" + lv))),
                verdict(rw >= need and rc >= need))

    g11.append(level_goal("avx2", 1.0))
    g11.append(level_goal("avx512", 1.5))
    if "avx512bw" in levels:
        g11.append(level_goal("avx512bw", 1.5))
    # The two rows run next to each other in each round: the ratio within a round leaves out
    # the machine's drift between rounds (shown beside the ratio of the medians, which decides).
    paired = ""
    if "5" in stats and "6" in stats:
        b5, b6 = stats["5"]["rate_by_run"], stats["6"]["rate_by_run"]
        per_round = sorted(b6[r] / b5[r] for r in b6 if r in b5)
        if per_round:
            paired = "; within each round: median %.0f%%, %.0f–%.0f%% (%d rounds)" % (
                100 * statistics.median(per_round), 100 * per_round[0], 100 * per_round[-1],
                len(per_round))
    g11.append(("Kafka pipeline (6) ≥ 100% of the raw kcat consume rate (5)",
                "%.0f%% (%s vs %s frames/s)%s" % (100 * r6 / r5, fmt_int(r6), fmt_int(r5), paired)
                if r6 and r5 else "—",
                verdict(r6 / r5 >= 1.0 if r6 and r5 else None)))
    rss_all = [stats[x]["rss_max"] for x in ["1a"] + [p + lv for lv in levels for p in ("L-", "S-")]
               if x in stats]
    g11.append(("Peak RSS ≤ 64 MB, file pipeline, six windows (every level, highest run)",
                "%.1f MB" % max(rss_all) if rss_all else "—",
                verdict(max(rss_all) <= 64 if rss_all else None)))
    w("## Goals (issue 11: the default refuses every frame jansson refuses)")
    w("")
    if quick:
        w("A quick run is too short to judge the goals; these are indicative only.")
        w("")
    w("| goal | measured | verdict |")
    w("|---|---|---|")
    for g in g11:
        w("| %s | %s | %s |" % g)
    w("")

    if problems:
        w("## Runs that failed or gave a wrong answer (left out of the medians)")
        w("")
        for p in problems:
            w("- " + p)
        w("")
    if skips:
        w("## Skipped")
        w("")
        for g, why in skips.items():
            w("- %s: %s" % (g, why))
        w("")

    w("## All runs (wall seconds, in run order; Faust: seconds from its first to its last frame)")
    w("")
    w("| # | runs | wall s each |")
    w("|---|--:|---|")
    for rid in [r[0] for r in ROWS] + level_ids:
        if rid in stats:
            w("| %s | %d | %s |" % (rid, stats[rid]["n"], " ".join("%.2f" % x for x in stats[rid]["walls"])))
    w("")

    w("## Machine and versions")
    w("")
    items = [
        ("CPU", "%s, %s cores visible (flags: %s)" % (meta.get("cpu_model", "?"), meta.get("cpu_count", "?"),
                                                     meta.get("cpu_flags", "").strip())),
        ("memory", meta.get("memory")),
        ("OS", "%s, %s" % (meta.get("os"), meta.get("kernel"))),
        ("load average (1/5/15 min) at start / end", "%s / %s" % (meta.get("loadavg_start"), meta.get("loadavg_end"))),
        ("run", "%s → %s" % (meta.get("started"), meta.get("finished"))),
        ("page cache", meta.get("page_cache")),
        ("sluice", "%s, git %s%s, built with CFLAGS `%s` (configure's default; no -march=native)"
         % (meta.get("sluice_version"), meta.get("git"),
            " (the work tree as it was, with %s uncommitted paths outside bench/)" % meta["git_changes"]
            if meta.get("git_changes", "0") != "0" else "", meta.get("cflags"))),
        ("compiler", meta.get("gcc_version")),
        ("jq", meta.get("jq_version")),
        ("simdjson", "%s (Debian libsimdjson-dev), `%s`, runtime-dispatched kernel shown in the answer, "
         "single-threaded (no -pthread)" % (meta.get("simdjson_version"), meta.get("simdjson_compile"))),
        ("kcat", meta.get("kcat_version")),
        ("Kafka broker", "Apache Kafka %s (tests/kafka/broker.sh: one KRaft node on loopback, "
         "JVM -Xmx512m), topic with 1 partition" % meta.get("kafka_version", "?")),
        ("Faust", "%s, %s" % (meta.get("faust_version"), meta.get("python_version"))),
    ]
    for k, v in items:
        if v and v != "None":
            w("- **%s**: %s" % (k, v))
    if meta.get("produce_seconds"):
        ps = float(meta["produce_seconds"])
        w("- producing the topic (kcat -P, linger 100 ms, 10,000-message batches): %.1f s, %s frames/s"
          % (ps, fmt_int(frames / ps)))
    w("")
    w("## How the numbers are taken")
    w("")
    w("- Each run is one process tree under GNU `/usr/bin/time -f '%e %U %S %M'`: wall time, "
      "user + system CPU of the whole tree (for the jq pipeline: jq, sort and wc together), and "
      "the peak RSS of its largest process. frames/s = frames / wall; MB/s counts the frames' "
      "bytes (1 MB = 10^6 bytes).")
    w("- The file contenders read the same file from the page cache (kept there as \"page cache\" "
      "under Machine and versions says); sluice reads it with the stdin source's `path =`; "
      "outputs are a few KB.")
    w("- simdjson (4) runs its stage 1 (structural index and UTF-8 check) over each whole frame "
      "and then walks the root object only as far as it needs for `uid` and `ts`; uids are "
      "hashed with XXH3 into an open-addressing set, as sluice hashes once. sluice's fast "
      "scanner runs with its defaults (`validate = full`: every frame judged as jansson judges "
      "it, whole; see plugins/json-extract/README.md); row 1s asks for `validate = structure` "
      "by name (brackets, strings, escapes and control bytes of the whole frame, the wanted "
      "values in full). json-extract scans each batch's frames on one thread per CPU by "
      "default (`threads = 0`; the records are filled in order afterwards), row 1t on the "
      "pipeline's thread only (`threads = 1`); simdjson is single-threaded. The stdin source "
      "reads ahead on a thread of its own (the kernel's copy from the page cache and the "
      "newline search); CPU s counts every thread of the process. "
      "Row 4d and the D- rows run simdjson's DOM parser instead, which checks every byte. "
      "The L-/J-/D- rows force both programs to one instruction set each (SLUICE_JX_SCANNER, "
      "SIMDJSON_FORCE_IMPLEMENTATION); every forced simdjson run is checked to have run the "
      "implementation asked for, and json-extract's level is checked once before the runs.")
    w("- Kafka contenders read the same topic from the local broker; the broker's own CPU (a JVM "
      "on the other core) is not counted. sluice's pipeline (6) uses a new consumer group per "
      "run, `start = earliest`, `stop_at_end = true`, and writes its results to a new topic, read "
      "back afterwards to check the answer. kcat (5) writes every frame to /dev/null; that the "
      "topic reads back whole is checked once, untimed.")
    w("- Faust runs `faust_app.py worker` for a fixed time and is then stopped; its rate is the "
      "frames it processed divided by the time from its first to its last processed frame "
      "(start-up excluded). Its CPU s is for the whole bounded run, start-up included, and its "
      "CPU µs/frame divides that by the frames processed. Tumbling tables write every update to "
      "a changelog topic; the set variant keeps plain Python sets (not fault tolerant). The "
      "table variant's pace is set by faust-streaming itself: table writes go through a "
      "producer buffer of 100 messages, and when it is full the agent waits for it to drain "
      "(\"producer buffer full\" warnings, waits of up to 0.1 s), so it processes the same "
      "number of frames in every run.")
    w("- Answers are checked on every run: sluice's minute windows must count every frame once "
      "(Σ frames = %s), the year window's distinct count is the sketch's estimate (UltraLogLog, "
      "±0.84%% RSE); simdjson must see every frame with no bad one; jq's count is exact." % fmt_int(frames))
    w("- A 2-core VM: the load averages above show whether anything else ran at the same time.")
    w("")
    w("## Rerun")
    w("")
    w("```sh")
    w("bench/run.sh            # full run, ~30 min: writes bench/RESULTS.md")
    w("bench/run.sh --quick    # 100k frames, a few minutes: bench/out/RESULTS-quick.md")
    w("bench/profile.sh        # where the file pipeline's time goes: bench/PROFILE.md")
    w("```")
    w("")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    where = os.path.abspath(rundir)
    if where.startswith(repo + os.sep):
        where = os.path.relpath(where, repo)
    w("Raw data of this run: `%s` (raw.tsv, meta.tsv, every output)." % where)
    with open(results + ".tmp", "w") as f:
        f.write("\n".join(L) + "\n")
    os.replace(results + ".tmp", results)


if __name__ == "__main__":
    main()
