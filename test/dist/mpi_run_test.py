#!/usr/bin/env python3
"""Data-parallel training over MPI, run as a user runs it (issue 14).

    mpi_run_test.py ATRANK MPIRUN   2 ranks on this machine (loopback / shared memory)
    mpi_run_test.py ATRANK          a build without MPI: a start by mpirun is refused

With MPI: `mpirun -np 2 atrank run --threads 1` trains exactly as one process
with `--threads 2` (every metric, bitwise: dropout and a clipping norm that
clips make slices, seeds and the global norm matter), and 2 ranks x 2
threads as 1 process x 4 threads; rank 0 alone writes the
run directory; an error ends every rank; killing one rank ends the job with
an error naming it, and `--resume` from the last checkpoint then finishes the
run exactly as an uninterrupted one. Every command has a time limit: a hang
fails the test.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

ATRANK = os.path.abspath(sys.argv[1])
MPIRUN = sys.argv[2] if len(sys.argv) > 2 else None
LIMIT = 240  # seconds for any one command

SPEC = """name = "tiny"
[data]
source = "csv"
path = "data"
files = ["events.csv"]
[[data.attributes]]
name = "category"
object_space = "item"
column = "category"
[tables.item]
width = 8
[tables.category]
width = 8
[groups.item]
object = "item"
features = ["item", { table = "category", through = "category" }]
time = { encoding = "one_hot", edges = "log2", count = 12, combine = "concat" }
projection = { width = 16, activation = "none" }
[encoder]
kind = "atrank"
hidden = 16
heads = 2
blocks = 1
ffn = 8
dropout = 0.2
[tasks.item]
target = "item"
[train]
batch_size = 32
epochs = 6
threads = 1
clip_norm = 0.5
checkpoint_every = 10
eval_every = 0                   # at the end of each epoch
[eval]
metrics = ["auc", "gauc", "logloss", "roc_auc"]
"""

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def env():
    e = dict(os.environ)
    # Containers (CI) often forbid the cross-memory attach Open MPI's shared
    # memory uses by default, and have no network but loopback.
    e.setdefault("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
    e.setdefault("OMPI_MCA_btl_tcp_if_include", "lo")
    e.setdefault("OMPI_MCA_oob_tcp_if_include", "lo")
    return e


def mpi(n):
    return [MPIRUN, "--allow-run-as-root", "--oversubscribe", "-np", str(n)]


def run(args, cwd, extra_env=None):
    e = env()
    e.update(extra_env or {})
    return subprocess.run(args, cwd=cwd, env=e, capture_output=True, text=True, timeout=LIMIT)


def lines(path):
    """metrics.jsonl without the timings (which differ between any two runs)."""
    out = []
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            d.pop("seconds")
            d.pop("eval_seconds")
            out.append(d)
    return out


def ranks_of(launcher_pid):
    """pid of each rank that mpirun `launcher_pid` started on this machine."""
    ranks = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid != launcher_pid:
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                for var in f.read().split(b"\0"):
                    if var.startswith(b"OMPI_COMM_WORLD_RANK="):
                        ranks[int(var.split(b"=")[1])] = int(pid)
        except (OSError, IndexError, ValueError):
            pass
    return ranks


def with_mpi(w):
    one = run([ATRANK, "run", "tiny.toml", "--out", "one", "--threads", "2", "--quiet"], w)
    check(one.returncode == 0, "one process, 2 threads: " + one.stderr[-2000:])
    two = run(mpi(2) + [ATRANK, "run", "tiny.toml", "--out", "two", "--threads", "1"], w)
    check(two.returncode == 0, "2 ranks x 1 thread: " + two.stderr[-2000:])
    a, b = lines(f"{w}/one/metrics.jsonl"), lines(f"{w}/two/metrics.jsonl")
    check(len(a) == 6 and a == b, f"2 ranks x 1 thread give one process's metrics, bitwise ({len(a)} evaluations)")
    sa, sb = (json.load(open(f"{w}/{d}/summary.json")) for d in ("one", "two"))
    check(sa["test"] == sb["test"] and sa["best"] == sb["best"], "and its summary")
    check(sb["train"]["ranks"] == 2 and sb["train"]["exchanged_bytes_per_step"] > 0,
          "summary.json: ranks and bytes exchanged per step")
    check(two.stdout.count("\ndone") + two.stdout.startswith("done") == 1, "rank 0 alone reports progress: " + two.stdout[-500:])
    check(sorted(os.listdir(f"{w}/two")) == sorted(os.listdir(f"{w}/one")), "rank 0 alone writes the run directory")

    # Ranks and threads together: 2 ranks x 2 threads = 1 process x 4 threads.
    short = ["--set", "train.epochs=2", "--quiet"]
    four = run([ATRANK, "run", "tiny.toml", "--out", "four", "--threads", "4"] + short, w)
    two_two = run(mpi(2) + ["--bind-to", "none", ATRANK, "run", "tiny.toml", "--out", "two-two", "--threads", "2"] + short, w)
    check(four.returncode == 0 and two_two.returncode == 0, "2 ranks x 2 threads: " + two_two.stderr[-2000:])
    check(lines(f"{w}/four/metrics.jsonl") == lines(f"{w}/two-two/metrics.jsonl"),
          "2 ranks x 2 threads give one process x 4 threads' metrics, bitwise")

    # Batches of n - 1 examples: each epoch ends with a batch of one, a single
    # slice on rank 0, whose dropout masks come from the generator itself; the
    # other ranks must take over its state for the next epoch's seeds.
    examples = int(re.search(r"data: (\d+) training examples", two.stdout).group(1))
    steps = ["--set", f"train.batch_size={examples - 1}", "--set", "train.epochs=3"]
    one = run([ATRANK, "run", "tiny.toml", "--out", "one-b1", "--threads", "2", "--quiet"] + steps, w)
    two = run(mpi(2) + [ATRANK, "run", "tiny.toml", "--out", "two-b1", "--threads", "1", "--quiet"] + steps, w)
    check(one.returncode == 0 and two.returncode == 0, "batches of one example: " + two.stderr[-2000:])
    check(lines(f"{w}/one-b1/metrics.jsonl") == lines(f"{w}/two-b1/metrics.jsonl"),
          "epochs ending with a batch of one example: the same metrics")

    # An error on the ranks ends the job: no hang, the message, no run directory.
    bad = run(mpi(2) + [ATRANK, "run", "tiny.toml", "--out", "bad", "--set", "encoder.heads=zero"], w)
    check(bad.returncode != 0 and "encoder.heads=zero" in bad.stderr and not os.path.exists(f"{w}/bad"),
          "a refused spec ends every rank: " + bad.stderr[-1000:])

    # Kill rank 1 after the first evaluation (and checkpoints): the job ends with an error, and
    # --resume finishes it as the uninterrupted run.
    job = subprocess.Popen(mpi(2) + [ATRANK, "run", "tiny.toml", "--out", "killed", "--threads", "1", "--quiet"],
                           cwd=w, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + LIMIT
    metrics = f"{w}/killed/metrics.jsonl"
    while (not os.path.exists(metrics) or os.path.getsize(metrics) == 0) and job.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    victim = ranks_of(job.pid).get(1)
    check(victim is not None, "found rank 1 of the running job")
    if victim is not None:
        os.kill(victim, signal.SIGKILL)
    try:
        out, err = job.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        job.kill()
        out, err = job.communicate()
        check(False, "the job ended after a rank was killed (it hung)")
    check(job.returncode != 0 and "rank 1" in err, f"killing rank 1 ends the job with an error naming it (exit {job.returncode}): "
          + err[-1500:])
    before = len(lines(f"{w}/killed/metrics.jsonl"))
    check(before < 6, f"the job was stopped before its end ({before} of 6 evaluations)")
    resumed = run(mpi(2) + [ATRANK, "run", "tiny.toml", "--out", "killed", "--threads", "1", "--resume", "--quiet"], w)
    check(resumed.returncode == 0, "--resume with 2 ranks: " + resumed.stderr[-2000:])
    check(lines(f"{w}/killed/metrics.jsonl") == lines(f"{w}/one/metrics.jsonl"),
          "the resumed run ends as the uninterrupted one")


def without_mpi(w):
    r = run([ATRANK, "run", "tiny.toml", "--out", "r"], w, {"OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "0"})
    check(r.returncode == 1 and "built without MPI" in r.stderr and not os.path.exists(f"{w}/r"),
          "started as one of 2 ranks without MPI built in: refused, nothing written: " + r.stderr)
    r = run([ATRANK, "run", "tiny.toml", "--out", "r", "--quiet", "--set", "train.epochs=1"], w)
    check(r.returncode == 0, "a plain run is unchanged: " + r.stderr)


def main():
    with tempfile.TemporaryDirectory(prefix="atrank-mpi-test-") as w:
        r = run([ATRANK, "data", "synth", "--out", "data", "--users", "80", "--items", "120", "--categories", "6",
                 "--events", "1200"], w)
        if r.returncode != 0:
            sys.exit("data synth failed: " + r.stderr)
        with open(f"{w}/tiny.toml", "w") as f:
            f.write(SPEC)
        (with_mpi if MPIRUN else without_mpi)(w)
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")


if __name__ == "__main__":
    main()
