#!/usr/bin/env python3
"""Two atrank binaries side by side on one machine, in one run: `atrank bench`
of each configuration by one binary and right after by the other (which goes
first alternates round after round), so that a noisy machine slows both
alike. Prints a Markdown table: medians over rounds of training examples/s
and evaluation cases/s, ratios as the median of each round's after/before
pair, useful GFLOP/s as a share of the sgemm peak each bench measured in its
own process, and peak resident memory.

  experiments/bench-train/compare.py --before OLD/atrank --after build/atrank \\
      --electronics datasets/synthetic/electronics --movielens DIR [--rounds 3]

--electronics: generated Electronics-scale data (`atrank data synth
--electronics --out DIR`); --movielens: a MovieLens 100K folder (u.data,
u.item), read with specs/movielens.toml (history capped at 50). Either may be
left out. Batch sizes 32 and 256, 1 and 2 threads unless --batch/--threads.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROW = re.compile(r"^batch\s+(\d+) threads (\d+) \| train\s+(\d+) ex/s.*\| eval\s+(\d+) cases/s.*\| "
                 r"([\d.e+]+) MFLOP/ex useful")
PEAK = re.compile(r"^sgemm peak: ([\d.]+) GFLOP/s on one thread")


def bench(binary, spec, data, batch, threads, examples, stretches):
    """One `atrank bench` process: {(batch, threads): (train ex/s, eval cases/s, useful GFLOP/s, % of peak)},
    the useful work (real history positions) against the sgemm peak the process measured, times the threads."""
    cmd = [binary, "bench", spec, "--set", f"data.path={data}", "--batch", *map(str, batch),
           "--threads", *map(str, threads), "--examples", str(examples), "--stretches", str(stretches)]
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout
    if proc.returncode != 0:
        sys.exit(f"compare.py: {' '.join(cmd)} failed:\n{out}")
    rows, peak = {}, None
    for line in out.splitlines():
        p = PEAK.match(line)
        if p:
            peak = float(p[1])
        m = ROW.match(line)
        if m:
            threads, train = int(m[2]), int(m[3])
            useful = float(m[5]) * train / 1e3  # MFLOP/ex x ex/s -> GFLOP/s
            rows[(int(m[1]), threads)] = (train, int(m[4]), useful, 100 * useful / (threads * peak))
    return rows


def peak_rss_mib(binary, spec, data, batch, threads, examples):
    """Peak resident memory of one bench process (GNU time's maximum resident set size)."""
    cmd = ["/usr/bin/time", "-f", "%M", binary, "bench", spec, "--set", f"data.path={data}", "--batch", str(batch),
           "--threads", str(threads), "--examples", str(examples), "--stretches", "1"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return int(out.stderr.strip().splitlines()[-1]) / 1024


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True, help="the binary before the change")
    ap.add_argument("--after", required=True, help="the binary after it")
    ap.add_argument("--electronics", help="generated Electronics data folder")
    ap.add_argument("--movielens", help="MovieLens 100K folder")
    ap.add_argument("--batch", type=int, nargs="+", default=[32, 256])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds (medians over them)")
    ap.add_argument("--examples", type=int, default=20000, help="training examples per timed stretch")
    ap.add_argument("--stretches", type=int, default=3, help="timed stretches per configuration and round")
    args = ap.parse_args(argv)
    datasets = [(name, spec, path) for name, spec, path in
                [("Electronics (generated)", "specs/quickstart.toml", args.electronics),
                 ("MovieLens 100K, cap 50", "specs/movielens.toml", args.movielens)] if path]
    if not datasets:
        ap.error("give --electronics and/or --movielens")
    binaries = {"before": os.path.abspath(args.before), "after": os.path.abspath(args.after)}

    print("| data | batch | threads | train ex/s before | after | ratio | eval cases/s before | after | ratio "
          "| useful GFLOP/s, % of sgemm peak: before | after |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    memory = []
    for name, spec, path in datasets:
        path = os.path.abspath(path)
        for b in args.batch:
            for th in args.threads:
                results = {"before": [], "after": []}  # per round: (train, eval, useful GFLOP/s, % of peak)
                for r in range(args.rounds):
                    for which in (["before", "after"] if r % 2 == 0 else ["after", "before"]):
                        rows = bench(binaries[which], spec, path, [b], [th], args.examples, args.stretches)
                        results[which].append(rows[(b, th)])
                med = {w: [statistics.median(row[i] for row in results[w]) for i in range(4)] for w in results}
                ratio = [statistics.median(a[i] / z[i] for z, a in zip(results["before"], results["after"]))
                         for i in range(2)]
                print(f"| {name} | {b} | {th} | {med['before'][0]:.0f} | {med['after'][0]:.0f} | {ratio[0]:.2f}x | "
                      f"{med['before'][1]:.0f} | {med['after'][1]:.0f} | {ratio[1]:.2f}x | "
                      f"{med['before'][2]:.1f}, {med['before'][3]:.1f}% | "
                      f"{med['after'][2]:.1f}, {med['after'][3]:.1f}% |", flush=True)
        b, th = max(args.batch), max(args.threads)
        memory.append((name, b, th, peak_rss_mib(binaries["before"], spec, path, b, th, args.examples),
                       peak_rss_mib(binaries["after"], spec, path, b, th, args.examples)))
    print()
    print("| data | batch | threads | peak resident memory before (MiB) | after (MiB) |")
    print("|---|---:|---:|---:|---:|")
    for name, b, th, before, after in memory:
        print(f"| {name} | {b} | {th} | {before:.0f} | {after:.0f} |")


if __name__ == "__main__":
    main()
