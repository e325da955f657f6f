"""Reads run directories of `atrank run` (one per method and model seed) and
writes the paper's comparison: table.md and table.csv (per method: mean and
standard deviation over seeds), runs.csv (per run) and the pictures
auc_time.png / auc_time.svg (test AUC over wall-clock time, as the authors'
figure) and curves.png (training loss, valid and test AUC per epoch), drawn
by experiments/plot_runs.py. Used by run_table.py and table_test.py.
"""
import csv
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import plot_runs  # noqa: E402

# Read off the authors' README plot for Amazon Electronics (approximate).
PAPER_ELECTRONICS = {
    "bpr": 0.80,
    "bilstm": 0.87,
    "bilstm_att": 0.87,
    "cnn": 0.88,
    "atrank": 0.89,
}

RUN_COLUMNS = [
    "method", "seed", "selected_on", "best_valid_auc", "test_auc_at_best", "best_test_auc_any_step",
    "user_spread", "collapsed", "best_step", "best_seconds", "final_step", "train_examples_per_second",
    "params",
]
# The per-run figures that table.md and table.csv give as mean and standard deviation over seeds.
SPREAD_OVER_SEEDS = ["best_valid_auc", "test_auc_at_best", "best_test_auc_any_step"]
COLUMNS = (["method", "seeds", "selected_on"]
           + [c + s for c in SPREAD_OVER_SEEDS for s in ("_mean", "_sd")]
           + ["user_spread", "collapsed", "collapsed_seeds", "best_step", "best_seconds",
              "train_examples_per_second", "params", "budget", "paper_electronics_auc_approx"])


def number(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def finished(run_dir):
    """True when the run in run_dir ended (its budget, early stopping, a step
    limit): atrank writes summary.json also when a signal stops it, and
    such a run continues with --resume."""
    try:
        with open(os.path.join(run_dir, "summary.json")) as f:
            summary = json.load(f)
    except (OSError, ValueError):
        return False
    return ((summary.get("stop") or {}).get("reason")) != "signal"


def summarize_run(method, seed, run_dir):
    """One finished run (see finished()) as a dict of RUN_COLUMNS plus its
    plot_runs.Run; None while it has not finished or has no evaluation."""
    if not finished(run_dir):
        return None
    try:
        run = plot_runs.Run(run_dir, method)
    except plot_runs.RunError:
        return None
    sel = run.selected()
    if sel is None:
        return None
    best = run.evals[sel]
    split = run.selected_on().split(".", 1)[0]
    tests = [number((e.get("test") or {}).get("auc")) for e in run.evals]
    tests = [t for t in tests if t is not None]
    # user_spread of the selected evaluation: on the test cases, else validation.
    spread = number((best.get("test") or {}).get("user_spread"))
    if spread is None:
        spread = number((best.get("valid") or {}).get("user_spread"))
    collapsed = run.summary.get("collapsed")
    train = run.summary.get("train") or {}
    return {
        "method": method,
        "seed": seed,
        "selected_on": run.selected_on(),
        "best_valid_auc": number((best.get("valid") or {}).get("auc")) if split == "valid" else None,
        "test_auc_at_best": number((best.get("test") or {}).get("auc")),
        "best_test_auc_any_step": max(tests) if tests else None,
        "user_spread": spread,
        "collapsed": collapsed if isinstance(collapsed, bool) else None,
        "best_step": best.get("step"),
        "best_seconds": number(best.get("seconds")),
        "final_step": run.evals[-1].get("step"),
        "train_examples_per_second": number(train.get("examples_per_second")),
        "params": (run.summary.get("params") or {}).get("total"),
        "run": run,
    }


def mean_sd(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else None


def aggregate(method, runs, seeds, paper_key=None, budget=""):
    """The table row of one method over its finished runs (None without any)."""
    runs = [r for r in runs if r is not None]
    if not runs:
        return None
    row = {"method": method, "seeds": "%d/%d" % (len(runs), len(seeds)),
           "selected_on": " ".join(sorted({r["selected_on"] for r in runs})),
           "runs": runs, "budget": budget,
           "paper_electronics_auc_approx": PAPER_ELECTRONICS.get(paper_key or method)}
    for c in SPREAD_OVER_SEEDS:
        row[c + "_mean"], row[c + "_sd"] = mean_sd([r[c] for r in runs])
    row["user_spread"] = [r["user_spread"] for r in runs]
    flags = [r["collapsed"] for r in runs]
    row["collapsed_seeds"] = [r["seed"] for r in runs if r["collapsed"]]
    row["collapsed"] = None if all(f is None for f in flags) else bool(row["collapsed_seeds"])
    for c in ("best_step", "best_seconds", "train_examples_per_second"):
        row[c] = mean_sd([number(r[c]) for r in runs])[0]
    row["params"] = runs[0]["params"]
    return row


def fmt(v, digits=4):
    if v is None:
        return ""
    if isinstance(v, float):
        return "%.0f" % v if abs(v) >= 100 else ("%." + str(digits) + "f") % v
    return str(v)


def fmt_spread(mean, sd):
    """`0.8759 ± 0.0032` (a single seed has no standard deviation)."""
    if mean is None:
        return ""
    return fmt(mean) + ("" if sd is None else " ± " + fmt(sd))


def fmt_user_spread(values):
    return ", ".join("n/a" if v is None else "%.4f" % v for v in values)


def fmt_collapsed(row):
    if row["collapsed"] is None:
        return "n/a"
    if row["collapsed"]:
        return "**yes**: seed " + ", ".join(str(s) for s in row["collapsed_seeds"])
    return "no"


def csv_value(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list):  # per seed; empty when no run reports it
        return ";".join("%.6g" % x if isinstance(x, float) else str(csv_value(x)) for x in v) \
            if any(x is not None for x in v) else ""
    return v


def write_csv(rows, path, columns):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in rows:
            w.writerow([csv_value(r.get(c)) for c in columns])


def write_markdown(rows, path, title, notes=()):
    lines = ["# " + title, "",
             "| method | seeds | valid AUC (selected) | test AUC at selected | best test AUC (any step) "
             "| user_spread per seed | collapsed | best step | wall s at best | train ex/s | params | budget "
             "| paper, Electronics (approx.) |",
             "|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|---|---:|"]
    for r in rows:
        paper = r.get("paper_electronics_auc_approx")
        lines.append("| " + " | ".join([
            r["method"] + (" (collapsed run)" if r["collapsed"] else ""),
            r["seeds"],
            fmt_spread(r["best_valid_auc_mean"], r["best_valid_auc_sd"]),
            fmt_spread(r["test_auc_at_best_mean"], r["test_auc_at_best_sd"]),
            fmt_spread(r["best_test_auc_any_step_mean"], r["best_test_auc_any_step_sd"]),
            fmt_user_spread(r["user_spread"]),
            fmt_collapsed(r),
            fmt(r.get("best_step")),
            fmt(r.get("best_seconds"), 1),
            fmt(r.get("train_examples_per_second"), 0),
            fmt(r.get("params")),
            r.get("budget") or "",
            ("~%.2f" % paper) if paper is not None else "",
        ]) + " |")
    lines += ["",
              "Figures with ± are the mean and standard deviation (n - 1) over the model seeds "
              "(`train.seed`; the data split and the sampled negatives are the same for every seed); "
              "best step, wall seconds and examples/s are means. `user_spread` is that of the "
              "selected evaluation on the test cases (n/a: the run does not report it); a run is "
              "collapsed when its summary.json says so (user vectors nearly identical for every "
              "user, so the scores ignore the history; n/a: not reported).",
              "",
              "Paper figures are read off the authors' test-AUC plot on Amazon Electronics "
              "(approximate, a different dataset and budget than these runs).",
              "", "## Runs", "",
              "| method | seed | valid AUC (selected) | test AUC at selected | best test AUC (any step) "
              "| user_spread | collapsed | best step | steps run | wall s at best | train ex/s |",
              "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"]
    for row in rows:
        for r in row["runs"]:
            lines.append("| " + " | ".join([
                r["method"], str(r["seed"]), fmt(r["best_valid_auc"]), fmt(r["test_auc_at_best"]),
                fmt(r["best_test_auc_any_step"]), "n/a" if r["user_spread"] is None else "%.4f" % r["user_spread"],
                "n/a" if r["collapsed"] is None else ("**yes**" if r["collapsed"] else "no"),
                fmt(r["best_step"]), fmt(r["final_step"]), fmt(r["best_seconds"], 1),
                fmt(r["train_examples_per_second"], 0)]) + " |")
    for n in notes:
        lines += ["", n]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_plots(rows, out_dir, title):
    """auc_time.png/.svg: test AUC over wall-clock seconds of every run;
    curves.png: loss, valid and test AUC per epoch of the history models (BPR
    trains many more, cheap epochs of another loss: its curve is in auc_time)."""
    runs = [r["run"] for row in rows for r in row["runs"]]
    if not runs:
        return
    order = [row["method"] for row in rows]  # a method keeps its colour in both pictures
    for ext in (".png", ".svg"):
        plot_runs.plot(runs, os.path.join(out_dir, "auc_time" + ext), ["test.auc"], "seconds", loss=False,
                       title=title + ": test AUC over wall-clock time", label_order=order)
    history = [r for r in runs if r.label != "bpr"]
    if history:
        plot_runs.plot(history, os.path.join(out_dir, "curves.png"), ["auc"], "epoch",
                       title=title + ": learning curves", label_order=order)


def write_all(rows, out_dir, title, notes=()):
    rows = [r for r in rows if r is not None]
    write_csv(rows, os.path.join(out_dir, "table.csv"), COLUMNS)
    write_csv([r for row in rows for r in row["runs"]], os.path.join(out_dir, "runs.csv"), RUN_COLUMNS)
    write_markdown(rows, os.path.join(out_dir, "table.md"), title, notes)
    write_plots(rows, out_dir, title)
    return rows
