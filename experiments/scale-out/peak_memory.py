#!/usr/bin/env python3
"""Runs a command and reports the peak memory of its process tree, split into anonymous memory
(heap: what the program allocated) and file-backed pages (the memory-mapped data cache, which the
kernel may drop and re-read at any time), by sampling /proc every 0.05 s.

Usage: peak_memory.py [--label NAME] [--trace FILE] -- COMMAND [ARGS...]

Prints one line: label, wall seconds, peak RssAnon, peak RssFile and peak VmRSS (all MiB) of the
largest process in the tree; --trace writes every sample (seconds, anon MiB, file-backed MiB)
to FILE, to see which phase of a run holds the memory. Wrap the command in `/usr/bin/time -v` as well for the kernel's own
maximum resident set size and CPU times (the README does both). Exits with the command's status.
"""
import os
import subprocess
import sys
import time


def tree(pid):
    """pid and its descendants (via /proc/PID/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def memory_kib(pid):
    """RssAnon, RssFile, VmRSS of one process in KiB (zeros once it is gone)."""
    values = {"RssAnon": 0, "RssFile": 0, "VmRSS": 0}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key = line.split(":")[0]
                if key in values:
                    values[key] = int(line.split()[1])
    except OSError:
        pass
    return values


def main(argv):
    label, trace = "command", None
    while argv[:1] in (["--label"], ["--trace"]):
        if argv[0] == "--label":
            label = argv[1]
        else:
            trace = open(argv[1], "w")
        argv = argv[2:]
    if argv[:1] != ["--"] or len(argv) < 2:
        sys.exit(__doc__)
    start = time.monotonic()
    child = subprocess.Popen(argv[1:])
    peak = {"RssAnon": 0, "RssFile": 0, "VmRSS": 0}
    while child.poll() is None:
        largest = {"RssAnon": 0, "RssFile": 0, "VmRSS": 0}
        for pid in tree(child.pid):
            for key, value in memory_kib(pid).items():
                peak[key] = max(peak[key], value)
                largest[key] = max(largest[key], value)
        if trace:
            trace.write(f"{time.monotonic() - start:.2f} {largest['RssAnon'] / 1024:.0f} {largest['RssFile'] / 1024:.0f}\n")
        time.sleep(0.05)
    wall = time.monotonic() - start
    mib = {k: v / 1024 for k, v in peak.items()}
    print(f"peak-memory {label}: {wall:.1f} s wall, anon {mib['RssAnon']:.0f} MiB, "
          f"file-backed {mib['RssFile']:.0f} MiB, resident {mib['VmRSS']:.0f} MiB", file=sys.stderr)
    sys.exit(child.returncode)


if __name__ == "__main__":
    main(sys.argv[1:])
