"""Reads run directories of `atrank run` and writes the paper's comparison
table (table.md, table.csv) and a test-AUC-over-wall-clock plot (auc_time.svg).

Python 3 standard library only. Used by run_table.py and by table_test.py.
"""
import csv
import json
import math
import os

# Read off the authors' README plot for Amazon Electronics (approximate).
PAPER_ELECTRONICS = {
    "bpr": 0.80,
    "bilstm": 0.87,
    "bilstm_att": 0.87,
    "cnn": 0.88,
    "atrank": 0.89,
}

COLUMNS = [
    "method", "selected_on", "best_valid_auc", "test_auc_at_best", "best_step",
    "best_seconds", "best_test_auc_any_step", "final_step", "train_examples_per_second",
    "params", "budget", "paper_electronics_auc_approx",
]


def read_metrics(run_dir):
    """The evaluation lines of run_dir/metrics.jsonl, in file order."""
    path = os.path.join(run_dir, "metrics.jsonl")
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def auc_of(entry, split):
    part = entry.get(split) or {}
    v = part.get("auc")
    return None if v is None else float(v)


def summarize(method, run_dir, paper_key=None, budget=""):
    """One table row for the run in run_dir (None when it has no evaluation)."""
    metrics = read_metrics(run_dir)
    summary = {}
    spath = os.path.join(run_dir, "summary.json")
    if os.path.exists(spath):
        with open(spath) as f:
            summary = json.load(f)
    if not metrics:
        return None
    has_valid = any(auc_of(m, "valid") is not None for m in metrics)
    key = "valid" if has_valid else "test"
    best = None
    for m in metrics:  # first maximum wins, as the trainer keeps the first best
        a = auc_of(m, key)
        if a is not None and (best is None or a > auc_of(best, key)):
            best = m
    tests = [auc_of(m, "test") for m in metrics if auc_of(m, "test") is not None]
    train = summary.get("train", {})
    return {
        "method": method,
        "selected_on": key + ".auc",
        "best_valid_auc": auc_of(best, "valid") if has_valid else None,
        "test_auc_at_best": auc_of(best, "test"),
        "best_step": best.get("step"),
        "best_seconds": best.get("seconds"),
        "best_test_auc_any_step": max(tests) if tests else None,
        "final_step": metrics[-1].get("step"),
        "train_examples_per_second": train.get("examples_per_second"),
        "params": (summary.get("params") or {}).get("total"),
        "budget": budget,
        "paper_electronics_auc_approx": PAPER_ELECTRONICS.get(paper_key or method),
        "curve": [(float(m.get("seconds", 0.0)), auc_of(m, "test")) for m in metrics
                  if auc_of(m, "test") is not None],
    }


def _fmt(v, digits=4):
    if v is None:
        return ""
    if isinstance(v, float):
        if v >= 100:
            return "%.0f" % v
        return ("%." + str(digits) + "f") % v
    return str(v)


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow(["" if r.get(c) is None else r.get(c) for c in COLUMNS])


def write_markdown(rows, path, title, notes=()):
    lines = ["# " + title, ""]
    lines.append("| method | valid AUC (best) | test AUC at best | best step | wall s at best "
                 "| best test AUC (any step) | steps run | train ex/s | params | budget "
                 "| paper, Electronics (approx.) |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for r in rows:
        paper = r.get("paper_electronics_auc_approx")
        lines.append("| " + " | ".join([
            r["method"],
            _fmt(r.get("best_valid_auc")),
            _fmt(r.get("test_auc_at_best")),
            _fmt(r.get("best_step")),
            _fmt(r.get("best_seconds"), 1),
            _fmt(r.get("best_test_auc_any_step")),
            _fmt(r.get("final_step")),
            _fmt(r.get("train_examples_per_second"), 0),
            _fmt(r.get("params")),
            r.get("budget") or "",
            ("~%.2f" % paper) if paper is not None else "",
        ]) + " |")
    lines.append("")
    lines.append("Paper figures are read off the authors' test-AUC plot on Amazon Electronics "
                 "(approximate, a different dataset and budget than these runs).")
    for n in notes:
        lines.append("")
        lines.append(n)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]


def _esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_svg(rows, path, title="Test AUC over wall-clock time"):
    """Line plot of each method's test AUC against training wall-clock seconds."""
    curves = [(r["method"], r.get("curve") or []) for r in rows]
    pts = [p for _, c in curves for p in c]
    W, H, L, R, T, B = 760, 460, 70, 190, 40, 50
    if pts:
        xmax = max(p[0] for p in pts) or 1.0
        ymin = min(p[1] for p in pts)
        ymax = max(p[1] for p in pts)
    else:
        xmax, ymin, ymax = 1.0, 0.5, 1.0
    ymin = math.floor(ymin * 20) / 20.0
    ymax = math.ceil(ymax * 20) / 20.0
    if ymax <= ymin:
        ymax = ymin + 0.05

    def sx(x):
        return L + (W - L - R) * x / xmax

    def sy(y):
        return T + (H - T - B) * (1.0 - (y - ymin) / (ymax - ymin))

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (W, H),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="15">%s</text>' % (L, _esc(title))]
    # axes and grid
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (L, H - B, W - R, H - B))
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (L, T, L, H - B))
    steps = int(round((ymax - ymin) / 0.05))
    for i in range(steps + 1):
        y = ymin + i * 0.05
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>'
                   % (L, sy(y), W - R, sy(y)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%.2f</text>' % (L - 6, sy(y) + 4, y))
    for i in range(6):
        x = xmax * i / 5.0
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%.0f</text>' % (sx(x), H - B + 18, x))
    out.append('<text x="%d" y="%d" text-anchor="middle">training wall-clock seconds</text>'
               % ((L + W - R) // 2, H - 12))
    out.append('<text x="16" y="%d" transform="rotate(-90 16 %d)" text-anchor="middle">test AUC</text>'
               % ((T + H - B) // 2, (T + H - B) // 2))
    for k, (name, c) in enumerate(curves):
        color = _COLORS[k % len(_COLORS)]
        if c:
            d = " ".join("%.1f,%.1f" % (sx(x), sy(y)) for x, y in c)
            out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (color, d))
            for x, y in c:
                out.append('<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>' % (sx(x), sy(y), color))
        ly = T + 10 + 18 * k
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>'
                   % (W - R + 12, ly, W - R + 32, ly, color))
        out.append('<text x="%d" y="%d">%s</text>' % (W - R + 38, ly + 4, _esc(name)))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def write_all(rows, out_dir, title, notes=()):
    rows = [r for r in rows if r is not None]
    write_csv(rows, os.path.join(out_dir, "table.csv"))
    write_markdown(rows, os.path.join(out_dir, "table.md"), title, notes)
    write_svg(rows, os.path.join(out_dir, "auc_time.svg"), title + ": test AUC over wall-clock time")
    return rows
