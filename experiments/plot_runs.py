#!/usr/bin/env python3
"""Draws the learning curves of one or more `atrank run` directories: the
training loss and the chosen metrics on the validation and test splits, the
selected evaluation of every run marked with a star, one row of panels per
task for multi-task runs. Every picture of the project is drawn here.

  plot_runs.py RUN... --out FILE.png|FILE.svg [--metric auc] [--x step|seconds|epoch]

--metric (repeatable or comma-separated): `auc` draws valid and test AUC;
`valid.auc` the validation split only; `item.auc` the task `item` only.
Default: auc. Runs are read from RUN/metrics.jsonl (one line per evaluation)
and RUN/summary.json (the selected evaluation, epochs trained), as
README.md "What a run writes" describes; a run still training has no
summary.json and is drawn up to its last evaluation.

Needs matplotlib (Debian: python3-matplotlib; .ci/install-deps installs it).
"""
import argparse
import json
import os
import sys
import tomllib

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import ticker
    from matplotlib.lines import Line2D
except ImportError as e:  # a clear message instead of a traceback
    # A python3 first on PATH (pyenv, a venv) may lack Debian's python3-matplotlib:
    # run the same command once more under the system interpreter that has it.
    _system_python = "/usr/bin/python3"
    if (os.access(_system_python, os.X_OK) and not os.environ.get("ATRANK_PLOT_REEXEC")
            and os.path.realpath(sys.executable) != os.path.realpath(_system_python)):
        os.environ["ATRANK_PLOT_REEXEC"] = "1"
        os.execv(_system_python, [_system_python] + sys.argv)
    raise SystemExit("plot_runs.py needs matplotlib (%s); on Debian: apt-get install python3-matplotlib "
                     "(.ci/install-deps installs it)" % e)
# Imported: the programs this one starts (atrank explain drawing its pictures) may re-run theirs.
os.environ.pop("ATRANK_PLOT_REEXEC", None)

SPLITS = ("valid", "test")
X_AXES = {"step": "training step", "seconds": "wall-clock seconds", "epoch": "epoch"}
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
          "#7f7f7f", "#bcbd22", "#17becf"]
# Seven styles and markers against ten colours: neighbouring runs (e.g. the
# ablations of one model) differ in all three.
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 2))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
FORMATS = (".png", ".svg")


class RunError(Exception):
    """A run directory that cannot be drawn (the message names the file)."""


def read_json_lines(path):
    """The objects of a .jsonl file. An unfinished last line (no newline: the
    run is writing it) is ignored; any other bad line is an error."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            if number == len(lines):  # no newline after it
                break
            raise RunError("%s:%d: not JSON (%s)" % (path, number, e.msg))
        if not isinstance(rows[-1], dict):
            raise RunError("%s:%d: not a JSON object" % (path, number))
    return rows


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise RunError("%s:%d: not JSON (%s)" % (path, e.lineno, e.msg))


class Run:
    """One run directory: its evaluations, summary and tasks."""

    def __init__(self, path, label=None):
        self.path = path
        self.label = label or os.path.basename(os.path.normpath(path))
        metrics = os.path.join(path, "metrics.jsonl")
        if not os.path.isfile(metrics):
            raise RunError("%s: no metrics.jsonl (not an `atrank run` directory?)" % path)
        self.evals = read_json_lines(metrics)
        if not self.evals:
            raise RunError("%s: no evaluation yet" % metrics)
        summary = os.path.join(path, "summary.json")
        self.summary = read_json(summary) if os.path.isfile(summary) else {}
        self.tasks = self._tasks()

    def _tasks(self):
        """Task names in the order of the spec: of a multi-task run from its
        metric keys `<task>.<metric>`; of a single-task run the one task its
        spec.toml names; else [None]."""
        named = self._spec_tasks()
        tasks = []
        for e in self.evals:
            for split in SPLITS:
                for key in e.get(split) or {}:
                    if "." in key and key.split(".", 1)[0] not in tasks:
                        tasks.append(key.split(".", 1)[0])
        self.task_keys = bool(tasks)
        if tasks:
            return sorted(tasks, key=lambda t: named.index(t) if t in named else len(named))
        return named if len(named) == 1 else [None]

    def _spec_tasks(self):
        """The [tasks.*] names of RUN/spec.toml, in file order ([] without one)."""
        spec = os.path.join(self.path, "spec.toml")
        if not os.path.isfile(spec):
            return []
        try:
            with open(spec, "rb") as f:
                return list((tomllib.load(f).get("tasks") or {}).keys())
        except tomllib.TOMLDecodeError as e:
            raise RunError("%s: %s" % (spec, e))

    def key(self, task, metric):
        """The metric's key inside a split object (task None: over all tasks),
        or None when the run lacks the task."""
        if task is None:
            return metric
        if self.task_keys:
            return "%s.%s" % (task, metric) if task in self.tasks else None
        return metric if task in self.tasks else None

    def xs(self, axis):
        if axis == "epoch":
            train = self.summary.get("train") or {}
            steps, epochs = train.get("steps"), train.get("epochs")
            if steps and epochs:  # fractional epochs: evaluations inside an epoch fall between
                return [e.get("step", 0) * epochs / steps for e in self.evals]
            return [e.get("epoch", 0) for e in self.evals]
        return [e.get(axis, 0) for e in self.evals]

    def series(self, axis, split, key):
        """(x, y) of the evaluations that have split.key, and the index of each."""
        pts = []
        for i, (x, e) in enumerate(zip(self.xs(axis), self.evals)):
            v = (e.get(split) or {}).get(key) if key else None
            if isinstance(v, (int, float)):
                pts.append((i, x, float(v)))
        return pts

    def selected_on(self):
        sel = (self.summary.get("best") or {}).get("selected_on")
        if sel:
            return sel
        return "valid.auc" if any("valid" in e for e in self.evals) else "test.auc"

    def selected(self):
        """Index of the selected evaluation: summary.json's best step, or, for a
        run still training, the first maximum of the selection metric."""
        step = (self.summary.get("best") or {}).get("step")
        if step is not None:
            for i, e in enumerate(self.evals):
                if e.get("step") == step:
                    return i
        split, metric = self.selected_on().split(".", 1)
        best = None
        for i, e in enumerate(self.evals):
            v = (e.get(split) or {}).get(metric)
            if isinstance(v, (int, float)) and (best is None or v > best[1]):
                best = (i, v)
        return best[0] if best else None


def parse_metrics(specs):
    """`[split.][task.]metric` strings -> list of (splits or None, task or None, metric)."""
    out = []
    for spec in specs:
        for item in filter(None, (s.strip() for s in spec.split(","))):
            parts = item.split(".")
            split = None
            if parts[0] in SPLITS:
                split = parts.pop(0)
            if len(parts) not in (1, 2) or not all(parts):
                raise SystemExit("--metric %r: expected [valid.|test.][TASK.]METRIC, e.g. valid.auc" % item)
            out.append((split, parts[0] if len(parts) == 2 else None, parts[-1]))
    return out


def unique_labels(runs):
    """Labels of runs that share a basename get their parent folder too."""
    names = [r.label for r in runs]
    for r in runs:
        if names.count(r.label) > 1 and r.label == os.path.basename(os.path.normpath(r.path)):
            parent = os.path.basename(os.path.dirname(os.path.normpath(r.path)))
            r.label = "%s/%s" % (parent, r.label)


def step_formatter(v, _pos=None):
    """Round step labels: 300, 5k, 20k, 1.5M."""
    a = abs(v)
    if a >= 1e6:
        return ("%g" % (v / 1e6)) + "M"
    if a >= 1e3:
        return ("%g" % (v / 1e3)) + "k"
    return "%g" % v


def style_axis(ax, x_axis):
    ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10],
                                                  integer=x_axis != "epoch" or None))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(step_formatter if x_axis == "step"
                                                      else lambda v, _pos=None: "%g" % v))
    ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(ticker.ScalarFormatter(useOffset=False))
    ax.grid(True, color="#e0e0e0", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel(X_AXES[x_axis])
    ax.set_xlim(left=0)  # after the lines: the right end stays autoscaled


def panels_of(runs, metrics):
    """The metric panels: (task, metric, split), tasks in first-seen order, then
    metrics, then splits; a panel is kept when at least one run has data for it."""
    tasks = []
    for r in runs:
        for t in r.tasks:
            if t not in tasks:
                tasks.append(t)
    if len(tasks) > 1 and None in tasks:  # single-task runs without a task name join no task panel
        tasks.remove(None)
    panels = []
    for task in tasks:
        for split_only, task_only, metric in metrics:
            if task_only is not None and task_only != task:
                continue
            for split in SPLITS:
                if split_only not in (None, split):
                    continue
                if any(r.series("step", split, r.key(task, metric)) for r in runs):
                    panels.append((task, metric, split))
    return panels


def layout(cells, legend_entries):
    """The figure, its (axes, cell) pairs, the legend's axes and whether that
    is a strip below the panels. Panels flow over two columns; with the loss
    panel and valid/test pairs the legend sits beside the loss panel (each
    pair then shares a row), a lone panel gets the legend beside it, otherwise
    the legend takes a free cell or a strip below."""
    metric_cells = [c for c in cells if c != "loss"]
    paired = all(sum(1 for d in metric_cells if d[:2] == c[:2]) == 2 for c in metric_cells)
    if len(cells) == 1:
        fig = plt.figure(figsize=(10, 4.2), layout="constrained")
        grid = fig.add_gridspec(1, 2, width_ratios=[2.4, 1])
        return fig, [(fig.add_subplot(grid[0, 0]), cells[0])], fig.add_subplot(grid[0, 1]), False
    slots = ["loss", "legend"] + metric_cells if cells[0] == "loss" and paired else list(cells)
    if "legend" not in slots and len(slots) % 2:
        slots.append("legend")
    rows = len(slots) // 2 + len(slots) % 2
    strip = "legend" not in slots
    strip_height = 0.25 * ((legend_entries + 2) // 3) + 0.3  # three entries a line
    fig = plt.figure(figsize=(11.2, 3.3 * rows + (strip_height if strip else 0)), layout="constrained")
    grid = fig.add_gridspec(rows + strip, 2, height_ratios=[3.3] * rows + ([strip_height] if strip else []))
    placed = [(fig.add_subplot(grid[i // 2, i % 2]), c) for i, c in enumerate(slots) if c != "legend"]
    legend_ax = fig.add_subplot(grid[rows, :] if strip else grid[slots.index("legend") // 2,
                                                                 slots.index("legend") % 2])
    return fig, placed, legend_ax, strip


def plot(runs, out, metrics=("auc",), x="step", loss=True, title=None, label_order=None):
    """Draws runs (Run objects; runs with the same label share a style and one
    legend entry, e.g. the seeds of one method) into out (.png or .svg).
    label_order (a superset of the labels) keeps each label's style the same
    across pictures that draw different subsets. Returns the number of lines
    drawn per panel."""
    if os.path.splitext(out)[1].lower() not in FORMATS:
        raise SystemExit("--out %s: the file name must end in .png or .svg" % out)
    if x not in X_AXES:
        raise SystemExit("--x %s: expected one of %s" % (x, ", ".join(X_AXES)))
    parsed = parse_metrics(metrics)
    panels = panels_of(runs, parsed)
    if not panels and not loss:
        raise SystemExit("no run has %s on any split" % ", ".join(metrics))

    labels = []
    for r in runs:
        if r.label not in labels:
            labels.append(r.label)
    order = list(label_order or []) + [lab for lab in labels if lab not in (label_order or [])]
    style = {lab: dict(color=COLORS[i % len(COLORS)], linestyle=LINESTYLES[i % len(LINESTYLES)],
                       marker=MARKERS[i % len(MARKERS)]) for i, lab in enumerate(order)}

    fig, placed, legend_ax, strip = layout((["loss"] if loss else []) + panels, len(labels) + 1)
    if title:
        fig.suptitle(title)

    drawn = {}
    pairs = {}  # (task, metric) -> its axes
    for ax, cell in placed:
        if cell == "loss":
            ax.set_title("training loss (mean since the previous evaluation)", fontsize=10)
            ax.set_ylabel("loss")
        else:
            task, metric, split = cell
            ax.set_title(("%s: " % task if task else "") + "%s %s" % (split, metric), fontsize=10)
            ax.set_ylabel(metric)
        name = "loss" if cell == "loss" else "%s.%s%s" % (cell[2], cell[0] + "." if cell[0] else "", cell[1])
        drawn[name] = 0
        for r in runs:
            if cell == "loss":
                pts = [(i, xv, float(e["train_loss"])) for i, (xv, e) in enumerate(zip(r.xs(x), r.evals))
                       if isinstance(e.get("train_loss"), (int, float)) and e.get("step", 0) > 0]
            else:
                pts = r.series(x, cell[2], r.key(cell[0], cell[1]))
            if not pts:
                continue
            st = style[r.label]
            ax.plot([p[1] for p in pts], [p[2] for p in pts], linewidth=1.6, markersize=3.5,
                    markevery=max(1, len(pts) // 12), gid="line:%s:%s" % (r.label, name), **st)
            drawn[name] += 1
            sel = r.selected()
            best = [p for p in pts if p[0] == sel]
            if cell != "loss" and best:
                ax.plot([best[0][1]], [best[0][2]], marker="*", markersize=13, color=st["color"],
                        markeredgecolor="black", markeredgewidth=0.7, linestyle="none", zorder=5,
                        gid="best:%s:%s" % (r.label, name))
                if len(runs) <= 3 and len(labels) == len(runs):  # few runs, no seeds: values legible
                    ax.annotate("%.4f" % best[0][2], (best[0][1], best[0][2]), xytext=(0, 8),
                                textcoords="offset points", ha="center", fontsize=8, color=st["color"],
                                annotation_clip=False,
                                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none",
                                          alpha=0.85))
        style_axis(ax, x)
        if cell != "loss":
            ax.margins(y=0.15)  # room for the stars and their values
            pairs.setdefault(cell[:2], []).append(ax)
    for same in pairs.values():  # valid and test of one metric on one scale
        lo = min(ax.get_ylim()[0] for ax in same)
        hi = max(ax.get_ylim()[1] for ax in same)
        for ax in same:
            ax.set_ylim(lo, hi)

    handles = [Line2D([], [], linewidth=1.6, markersize=4, **style[lab]) for lab in labels]
    handles.append(Line2D([], [], marker="*", markersize=12, color="white", markerfacecolor="#999999",
                          markeredgecolor="black", markeredgewidth=0.7))
    names = labels + ["selected evaluation (best %s)" % " / ".join(sorted({r.selected_on() for r in runs}))]
    legend_ax.axis("off")
    if strip:
        legend_ax.legend(handles, names, loc="center", frameon=False, ncol=3, fontsize=9)
    else:
        legend_ax.legend(handles, names, loc="center left", frameon=False,
                         ncol=1 if len(names) <= 12 else 2, fontsize=9 if len(names) <= 12 else 8)

    tmp = out + ".tmp"
    try:
        fig.savefig(tmp, format=os.path.splitext(out)[1][1:].lower(), dpi=110,
                    metadata={"Date": None} if out.lower().endswith(".svg") else {"Software": None})
        os.replace(tmp, out)
    except OSError as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise SystemExit("cannot write %s: %s" % (out, e.strerror or e))
    finally:
        plt.close(fig)
    return drawn


plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "atrank", "font.size": 9})


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", metavar="RUN", help="run directories (atrank run --out)")
    ap.add_argument("--out", required=True, metavar="FILE", help="picture to write: .png or .svg")
    ap.add_argument("--metric", action="append", default=[], metavar="M",
                    help="[valid.|test.][TASK.]METRIC, repeatable or comma-separated (default: auc)")
    ap.add_argument("--x", default="step", choices=sorted(X_AXES), help="x axis (default: step)")
    ap.add_argument("--label", action="append", default=[], metavar="NAME",
                    help="legend name of each run, in order (default: the folder name)")
    ap.add_argument("--title", default=None)
    ap.add_argument("--no-loss", action="store_true", help="leave out the training-loss panel")
    a = ap.parse_args(argv)
    if os.path.splitext(a.out)[1].lower() not in FORMATS:
        ap.error("--out %s: the file name must end in .png or .svg" % a.out)
    if a.label and len(a.label) != len(a.runs):
        ap.error("%d --label for %d runs" % (len(a.label), len(a.runs)))
    try:
        runs = [Run(p, a.label[i] if a.label else None) for i, p in enumerate(a.runs)]
    except (RunError, OSError) as e:
        raise SystemExit("plot_runs.py: %s" % e)
    if not a.label:
        unique_labels(runs)
    plot(runs, a.out, a.metric or ["auc"], a.x, not a.no_loss, a.title)
    print("wrote %s" % a.out)


if __name__ == "__main__":
    main()
