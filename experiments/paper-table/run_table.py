#!/usr/bin/env python3
"""The paper's comparison in one command: BPR, Bi-LSTM, Bi-LSTM+Attention,
CNN+Pooling and ATRank (specs/paper/*.toml) plus three ATRank ablations (no
time encoding, 1 head instead of 8, time added instead of concatenated), each
trained with its own budget on one dataset and with --seeds N model seeds
(train.seed = 1234, 1235, ...: the first is the specs' own; the data split and
the sampled negatives stay fixed), then in --out: table.md and table.csv (per
method the mean and standard deviation over seeds, each run's user_spread,
collapsed runs marked), runs.csv (per run), auc_time.png/.svg (test AUC over
wall-clock time) and curves.png.

  run_table.py                       generated Electronics-shaped data (made on first use)
  run_table.py --movielens DIR       MovieLens 100K (u.data, u.item), histories capped at 50
  run_table.py --amazon DIR          reviews_Electronics_5.json[.gz] + meta_Electronics.json[.gz]

Every dataset uses the validation protocol (second-to-last event held out,
model selected on validation AUC); the table also shows the best test AUC
over all evaluations (the authors' protocol). Budgets: see BUDGETS below and
README.md. Runs already finished in --out (summary.json present and not
stopped by a signal) are not re-run unless --force; an interrupted run
continues from its checkpoint (atrank run --resume). Pictures need matplotlib (python3-matplotlib).
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import paper_table  # noqa: E402

# name, spec under specs/paper/, paper figure key, extra --set overrides
METHODS = [
    ("bpr", "bpr", "bpr", []),
    ("bilstm", "bilstm", "bilstm", []),
    ("bilstm_att", "bilstm_att", "bilstm_att", []),
    ("cnn", "cnn", "cnn", []),
    ("atrank", "atrank", "atrank", []),
    ("atrank-no-time", "atrank", None, ["groups.item.time.encoding=none"]),
    ("atrank-1-head", "atrank", None, ["encoder.heads=1"]),
    ("atrank-time-add", "atrank", None, ["groups.item.time.combine=add"]),
]

# Per dataset and method family: overrides that set the budget. Steps are of
# batch 32. MovieLens 100K (cap 50, validation split) has 194,342 training
# examples (~6,073 steps) per epoch: every history model gets 4 epochs
# (PyTorch's ATRank reached 0.886 test AUC after 3), BPR its 50 cheap epochs;
# with 2 threads the whole table takes about 45 minutes on an idle 2-core
# machine. Amazon (~2.2 M examples per epoch) gets a fraction of an epoch:
# the authors' budgets take days on 2 cores (README.md).
# --scale X multiplies every budget (epochs, max_steps) and evaluation interval.
BUDGETS = {
    "movielens": {
        "bpr": ["train.epochs=50", "train.eval_every=0"],
        "rnn": ["train.epochs=4", "train.eval_every=1000"],
        "atrank": ["train.epochs=4", "train.eval_every=1000"],
    },
    "amazon": {
        "bpr": ["train.epochs=5", "train.eval_every=0"],
        "rnn": ["train.max_steps=20000", "train.eval_every=5000"],
        "atrank": ["train.max_steps=30000", "train.eval_every=5000"],
    },
}
BUDGETS["synthetic"] = BUDGETS["amazon"]


def family(method):
    if method == "bpr":
        return "bpr"
    if method.startswith("atrank"):
        return "atrank"
    return "rnn"  # bilstm, bilstm_att, cnn


def with_checkpoints(budget):
    """The budget plus a checkpoint at every evaluation (train.checkpoint_every
    = eval_every), so that an interrupted run resumes from its last evaluation."""
    every = [kv.split("=", 1)[1] for kv in budget if kv.startswith("train.eval_every=")]
    return budget + ["train.checkpoint_every=" + every[0]] if every and every[0] != "0" else budget


def scaled(kv, scale):
    """`train.epochs|max_steps|eval_every=N` times scale (N > 0, at least 1); others unchanged."""
    key, value = kv.split("=", 1)
    if scale == 1.0 or key not in ("train.epochs", "train.max_steps", "train.eval_every") or int(value) == 0:
        return kv
    return "%s=%d" % (key, max(1, int(round(int(value) * scale))))


def data_block(text):
    """The [data] block of a spec (up to its first [tables.*] header)."""
    m = re.search(r"^\[data\]\n.*?(?=^\[tables\.)", text, re.S | re.M)
    if not m:
        raise SystemExit("spec has no [data] block followed by [tables.*]")
    return m.group(0)


def set_key(block, key, value):
    """Replaces `key = ...` in the first table of block (adds it when absent)."""
    pat = re.compile(r"^%s\s*=.*$" % re.escape(key), re.M)
    if pat.search(block):
        return pat.sub("%s = %s" % (key, value), block, count=1)
    return block.replace("[data]\n", "[data]\n%s = %s\n" % (key, value), 1)


def dataset_block(args):
    if args.movielens:
        with open(os.path.join(ROOT, "specs", "movielens.toml")) as f:
            b = data_block(f.read())
        b = set_key(b, "path", '"%s"' % os.path.abspath(args.movielens))
        return "movielens", set_key(b, "history_cap", str(args.history_cap or 50))
    if args.amazon:
        with open(os.path.join(ROOT, "specs", "paper", "atrank.toml")) as f:
            b = data_block(f.read())
        b = set_key(b, "path", '"%s"' % os.path.abspath(args.amazon))
        b = set_key(b, "history_cap", str(args.history_cap or 0))
        return "amazon", b
    synth = os.path.abspath(args.synthetic_dir)
    if not os.path.exists(os.path.join(synth, "events.csv")):
        cmd = [args.atrank, "data", "synth", "--out", synth]
        if not args.small:
            cmd.append("--electronics")
        print("generating data:", " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
    with open(os.path.join(ROOT, "specs", "quickstart.toml")) as f:
        b = data_block(f.read())
    b = re.sub(r"^synthetic\s*=.*\n", "", b, flags=re.M)
    b = set_key(b, "path", '"%s"' % synth)
    return "synthetic", set_key(b, "history_cap", str(args.history_cap or 0))


def derived_spec(method_spec, block, out_dir):
    with open(os.path.join(ROOT, "specs", "paper", method_spec + ".toml")) as f:
        text = f.read()
    text = text.replace(data_block(text), block, 1)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, method_spec + ".toml")
    with open(path, "w") as f:
        f.write(text)
    return path


FIRST_SEED = 1234  # train.seed of every shipped spec: --seeds 1 is the specs' own run


def run_dir_of(out, method, seed):
    return os.path.join(out, method, "seed-%d" % seed)


def run_command(atrank, spec_path, run_dir, threads, overrides, seed):
    """`atrank run` for one method and model seed; --resume when an interrupted
    run left a checkpoint (the table continues where it stopped)."""
    cmd = [atrank, "run", spec_path, "--out", run_dir, "--threads", str(threads), "--quiet"]
    if os.path.exists(os.path.join(run_dir, "checkpoint.ckpt")):
        cmd.append("--resume")
    for kv in overrides + ["train.seed=%d" % seed]:
        cmd += ["--set", kv]
    return cmd


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--movielens", metavar="DIR", help="MovieLens 100K folder (u.data, u.item; "
                     "datasets/movielens/download.sh fetches it)")
    src.add_argument("--amazon", metavar="DIR", help="folder with the Amazon Electronics files "
                     "(datasets/amazon/download.sh)")
    ap.add_argument("--synthetic-dir", default=os.path.join(ROOT, "datasets", "synthetic", "electronics"),
                    help="where generated data lives (default datasets/synthetic/electronics)")
    ap.add_argument("--small", action="store_true", help="generate the small default synthetic set, "
                    "not Electronics scale")
    ap.add_argument("--out", default=None, help="output folder (default runs/paper-table-<dataset>)")
    ap.add_argument("--atrank", default=os.path.join(ROOT, "build", "atrank"), help="atrank binary")
    ap.add_argument("--seeds", type=int, default=1, metavar="N",
                    help="model seeds per method: train.seed = 1234, 1235, ... (default 1: the specs' seed)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                    help="threads per run (atrank run --threads; default: the number of CPUs)")
    ap.add_argument("--jobs", type=int, default=1,
                    help="runs trained at the same time (then give each fewer --threads)")
    ap.add_argument("--history-cap", type=int, default=None)
    ap.add_argument("--only", default="", help="comma-separated methods (default: all)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="extra override for every run (e.g. train.max_steps=100)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply the budgets (epochs, max_steps, eval_every) by this")
    ap.add_argument("--full", action="store_true",
                    help="the specs' own budgets (epochs) instead of BUDGETS")
    ap.add_argument("--force", action="store_true", help="re-run runs already finished in --out")
    ap.add_argument("--table-only", action="store_true", help="only rewrite the table from --out")
    args = ap.parse_args(argv)

    if args.seeds < 1:
        ap.error("--seeds must be at least 1")
    if any(kv.split("=", 1)[0].strip() == "train.seed" for kv in args.set):
        ap.error("--set train.seed=...: the model seeds are chosen by --seeds")
    known = [m[0] for m in METHODS]
    only = [m for m in args.only.split(",") if m]
    unknown = [m for m in only if m not in known]
    if unknown:
        ap.error("--only: unknown method %s (known: %s)" % (", ".join(unknown), ", ".join(known)))
    if not args.table_only and not os.access(args.atrank, os.X_OK):
        raise SystemExit("no atrank binary at %s (build it: meson setup build && meson compile -C build, "
                         "or pass --atrank)" % args.atrank)
    kind, block = dataset_block(args) if not args.table_only else (
        "movielens" if args.movielens else "amazon" if args.amazon else "synthetic", "")
    out = os.path.abspath(args.out or os.path.join(ROOT, "runs", "paper-table-" + kind))
    os.makedirs(out, exist_ok=True)
    methods = [m for m in METHODS if not only or m[0] in only]
    seeds = [FIRST_SEED + k for k in range(args.seeds)]
    common = ["data.split=valid", "eval.select=valid"]

    title = "Paper comparison on %s (%d model seed%s)" % (kind, len(seeds), "s" if len(seeds) > 1 else "")
    notes, jobs, labels = [], [], {}
    for name, spec, paper_key, extra in methods:
        budget = [] if args.full else [scaled(kv, args.scale) for kv in BUDGETS[kind][family(name)]]
        labels[name] = " ".join(b.replace("train.", "") for b in budget if "eval_every" not in b) or "spec"
        if args.table_only:
            continue
        spec_path = derived_spec(spec, block, os.path.join(out, "specs"))
        for seed in seeds:
            run_dir = run_dir_of(out, name, seed)
            if paper_table.finished(run_dir) and not args.force:
                continue
            stopped_early = not os.path.exists(os.path.join(run_dir, "checkpoint.ckpt"))
            if os.path.exists(run_dir) and (args.force or stopped_early):
                shutil.rmtree(run_dir)  # re-run, or stopped before its first checkpoint
            jobs.append((name, seed, run_command(args.atrank, spec_path, run_dir, args.threads,
                                                 common + with_checkpoints(budget) + extra + args.set, seed)))

    def collect():
        return [paper_table.aggregate(n, [paper_table.summarize_run(n, s, run_dir_of(out, n, s)) for s in seeds],
                                      seeds, k, labels[n]) for n, _, k, _ in methods]

    def run(job):
        name, seed, cmd = job
        print("[%s] %s" % (time.strftime("%H:%M:%S"), " ".join(cmd)), flush=True)
        t0 = time.time()
        r = subprocess.run(cmd)
        print("[%s] %s seed %d finished in %.0f s (exit %d)" % (time.strftime("%H:%M:%S"), name, seed,
                                                                  time.time() - t0, r.returncode), flush=True)
        with lock:  # a partial table after every run
            if r.returncode != 0:
                notes.append("%s seed %d failed with exit code %d." % (name, seed, r.returncode))
            paper_table.write_all(collect(), out, title, notes)

    lock = threading.Lock()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(run, jobs))
    paper_table.write_all(collect(), out, title, notes)
    with open(os.path.join(out, "table.md")) as f:
        print(f.read())
    if notes:
        raise SystemExit("\n".join(notes))


if __name__ == "__main__":
    main()
