#!/usr/bin/env python3
"""Draws what `atrank explain` wrote (DIR/explain.json): the pictures of the
paper's attention case study, each as PNG and SVG in --out (default: the
folder of explain.json).

  plot_explain.py DIR/explain.json [--out DIR]

  vanilla.png|svg  per vanilla block a heatmap heads x history positions: the
                   target's attention over the history (labelled with object
                   id, behavior and time bucket; groups separated by lines)
  self.png|svg     per self-attention block and head the query x key matrix
  mass.png|svg     per head the attention mass on each group and on each
                   behavior type (the last vanilla block), with the values

draw_head_behavior() and draw_planted_signal() draw experiments/case-study's
summary pictures.

Part of the plot_runs.py family (same matplotlib setup; every picture of the
project is drawn by these scripts). Needs matplotlib (python3-matplotlib).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot_runs  # noqa: E402  (matplotlib, Agg backend, the system-python fallback)

plt = plot_runs.plt
CMAP = "viridis"
MAX_LABELS = 60  # more history positions than this: every k-th one labelled


def position_labels(history):
    return ["%s\n%s b%d" % (e["object"], e["behavior"], e["time_bucket"]) for e in history]


def group_edges(history):
    """Positions where a new group starts (after the first), for separators."""
    return [i for i in range(1, len(history)) if history[i]["group"] != history[i - 1]["group"]]


def label_axis(ax, labels, axis="x"):
    step = max(1, (len(labels) + MAX_LABELS - 1) // MAX_LABELS)
    ticks = list(range(0, len(labels), step))
    size = 7 if len(labels) <= 25 else 5.5
    if axis == "x":
        ax.set_xticks(ticks)
        ax.set_xticklabels([labels[i] for i in ticks], rotation=90, fontsize=size)
    else:
        ax.set_yticks(ticks)
        ax.set_yticklabels([labels[i].replace("\n", " ") for i in ticks], fontsize=size)


def separate_groups(ax, edges, both=False):
    for e in edges:
        ax.axvline(e - 0.5, color="white", linewidth=1.5)
        if both:
            ax.axhline(e - 0.5, color="white", linewidth=1.5)


def save(fig, out, name):
    paths = []
    for ext in plot_runs.FORMATS:
        path = os.path.join(out, name + ext)
        fig.savefig(path, dpi=130)
        paths.append(path)
    plt.close(fig)
    return paths


def title_of(j):
    who = "user %s" % j["user"]
    if "input" in j:  # explain --history: a line of a file, perhaps labelled with a user
        who = "%s line %d" % (os.path.basename(j["input"]["file"]), j["input"]["line"])
        who += " (user %s)" % j["user"] if j["user"] is not None else ""
    return "%s, %s target %s (logit %.3f), %d positions" % (
        who, j["task"], j["target"]["object"], j["target"]["logit"], len(j["history"]))


def draw_vanilla(j, out):
    blocks, h, t = j["vanilla_attention"], j["heads"], len(j["history"])
    labels, edges = position_labels(j["history"]), group_edges(j["history"])
    width = min(22, max(7, 0.28 * t + 3))
    fig, axes = plt.subplots(len(blocks), 1, figsize=(width, 1.0 + (0.45 * h + 1.6) * len(blocks)),
                             layout="constrained", squeeze=False)
    for b, (ax, w) in enumerate(zip(axes[:, 0], blocks)):
        im = ax.imshow(w, aspect="auto", cmap=CMAP, vmin=0, interpolation="nearest")
        ax.set_yticks(range(h))
        ax.set_yticklabels(["head %d" % k for k in range(h)], fontsize=8)
        label_axis(ax, labels)
        separate_groups(ax, edges)
        ax.set_title("vanilla attention, block %d (groups: %s)" % (b, ", ".join(
            dict.fromkeys(e["group"] for e in j["history"]))), fontsize=9)
        fig.colorbar(im, ax=ax, shrink=0.9, label="weight")
    fig.suptitle(title_of(j), fontsize=10)
    return save(fig, out, "vanilla")


def draw_self(j, out):
    blocks, h = j["self_attention"], j["heads"]
    labels, edges = position_labels(j["history"]), group_edges(j["history"])
    cols = min(h, 4)
    rows = len(blocks) * ((h + cols - 1) // cols)
    side = 3.2 if len(labels) <= 30 else 4.5
    fig, axes = plt.subplots(rows, cols, figsize=(side * cols + 0.8, side * rows + 0.6),
                             layout="constrained", squeeze=False)
    for ax in axes.flat:
        ax.set_visible(False)
    for b, block in enumerate(blocks):
        for k, m in enumerate(block):
            ax = axes[b * ((h + cols - 1) // cols) + k // cols, k % cols]
            ax.set_visible(True)
            im = ax.imshow(m, cmap=CMAP, vmin=0, interpolation="nearest")
            separate_groups(ax, edges, both=True)
            ax.set_title("block %d head %d" % (b, k), fontsize=9)
            ax.set_xlabel("key position", fontsize=8)
            ax.set_ylabel("query position", fontsize=8)
            ax.tick_params(labelsize=7)
    fig.colorbar(im, ax=axes, shrink=0.6, label="weight")
    fig.suptitle("self-attention: " + title_of(j), fontsize=10)
    return save(fig, out, "self")


def draw_mass(j, out):
    by_group, by_behavior = j["mass_by_group"][-1], j["mass_by_behavior"][-1]
    h = j["heads"]
    # Only the groups and behaviors the history holds.
    groups = [g for g in j["groups"] if any(e["group"] == g for e in j["history"])]
    behaviors = [b for b in j["behaviors"] if any(e["behavior"] == b for e in j["history"])]
    fig, axes = plt.subplots(1, 2, figsize=(3.2 + 0.9 * (len(groups) + len(behaviors)), 1.6 + 0.42 * h),
                             layout="constrained", width_ratios=[max(len(groups), 1), max(len(behaviors), 1)])
    for ax, names, mass, what in ((axes[0], groups, by_group, "group"), (axes[1], behaviors, by_behavior, "behavior")):
        m = [[head[n] for n in names] for head in mass]
        ax.imshow(m, cmap=CMAP, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
        for r in range(h):
            for c in range(len(names)):
                v = m[r][c]
                ax.text(c, r, "%.2f" % v, ha="center", va="center", fontsize=8,
                        color="black" if v > 0.6 else "white")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, fontsize=8)
        ax.set_yticks(range(h))
        ax.set_yticklabels(["head %d" % k for k in range(h)], fontsize=8)
        ax.set_title("attention mass per %s" % what, fontsize=9)
    counts = {}
    for e in j["history"]:
        counts[e["behavior"]] = counts.get(e["behavior"], 0) + 1
    fig.suptitle("%s\n(history: %s; last vanilla block)" % (title_of(j), ", ".join(
        "%d %s" % (counts[b], b) for b in behaviors)), fontsize=9)
    return save(fig, out, "mass")


def draw_head_behavior(mass, share, behaviors, out_stem, subtitle):
    """The case study's picture (experiments/case-study): per head the mean
    attention mass on each behavior type, next to the mean share of history
    positions of that type (uniform attention); numbers in the cells."""
    heads = len(mass)
    rows = mass + [share]
    labels = ["head %d" % h for h in range(heads)] + ["share of positions"]
    fig, ax = plt.subplots(figsize=(2.2 + 1.1 * len(behaviors), 1.3 + 0.45 * len(rows)), layout="constrained")
    ax.imshow(rows, cmap=CMAP, vmin=0, vmax=max(max(r) for r in rows), aspect="auto", interpolation="nearest")
    top = max(max(r) for r in rows)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ax.text(c, r, "%.3f" % v, ha="center", va="center", fontsize=8, color="black" if v > 0.6 * top else "white")
    ax.axhline(heads - 0.5, color="white", linewidth=3)
    ax.set_xticks(range(len(behaviors)))
    ax.set_xticklabels(behaviors, fontsize=9)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels, fontsize=9)
    ax.set_title("attention mass per behavior type\n" + subtitle, fontsize=9)
    return save(fig, os.path.dirname(out_stem), os.path.basename(out_stem))


def draw_planted_signal(signals, heads, out_stem, subtitle):
    """The case study's test of the planted signals (experiments/case-study):
    per signal (behavior type) and head, the mean weight on the last event
    of that type over chance (1 / history length), for targets that event
    matches and for the others (with standard errors), and both again at
    equal recency (time buckets both sides fill, the others re-weighted to
    the matching events' buckets); 1 = uniform attention."""
    fig, axes = plt.subplots(1, len(signals), figsize=(5.4 * len(signals), 4.0), layout="constrained", sharey=True,
                             squeeze=False)
    width = 0.2
    top = max((m or 0) + (e or 0) for split in signals.values() for s in (split["matching"], split["other"])
              for m, e in zip(s["weight_over_chance_mean"], s["weight_over_chance_se"]))
    for ax, (behavior, split) in zip(axes[0], signals.items()):
        same, none = split["same_recency"], [None] * heads
        bars = [("matching, all (%d)" % split["matching"]["cases"], "#1f77b4",
                 split["matching"]["weight_over_chance_mean"], split["matching"]["weight_over_chance_se"]),
                ("other, all (%d)" % split["other"]["cases"], "#bbbbbb",
                 split["other"]["weight_over_chance_mean"], split["other"]["weight_over_chance_se"]),
                ("matching, equal recency (%d)" % same["matching_cases"], "#9ecae1", same["matching_mean"], none),
                ("other, equal recency (%d)" % same["other_cases"], "#ff7f0e", same["other_mean"], none)]
        for k, (label, colour, means, errors) in enumerate(bars):
            xs = [h + (k - 1.5) * width for h in range(heads)]
            means = [m if m is not None else 0 for m in means]
            errors = [e if e is not None else 0 for e in errors]
            ax.bar(xs, means, width, yerr=errors if any(errors) else None, capsize=2, color=colour, label=label)
            for x, m, e in zip(xs, means, errors):
                ax.text(x, m + e + 0.01 * top, "%.1f" % m, ha="center", va="bottom", fontsize=6)
        ax.axhline(1.0, color="black", linestyle="--", linewidth=1)
        ax.set_ylim(0, 1.35 * top)
        ax.set_xticks(range(heads))
        ax.set_xticklabels(["head %d" % h for h in range(heads)], fontsize=9)
        ax.set_title("last %s in the history" % behavior, fontsize=9)
        ax.legend(fontsize=7.5, loc="upper center", ncol=2, title="target vs. that event", title_fontsize=8)
    axes[0][0].set_ylabel("weight / chance (mean \u00b1 s.e.; dashed: 1 = uniform)", fontsize=8)
    fig.suptitle("planted signal: the target's attention on the event that announces it\n" + subtitle, fontsize=9)
    return save(fig, os.path.dirname(out_stem), os.path.basename(out_stem))


def draw(explain_json, out=None):
    with open(explain_json, encoding="utf-8") as f:
        j = json.load(f)
    out = out or os.path.dirname(os.path.abspath(explain_json))
    os.makedirs(out, exist_ok=True)
    if not j["history"]:
        raise SystemExit("%s: the history is empty: no attention to draw" % explain_json)
    return draw_vanilla(j, out) + draw_self(j, out) + draw_mass(j, out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("explain_json")
    ap.add_argument("--out", default=None, help="folder for the pictures (default: that of explain.json)")
    args = ap.parse_args(argv)
    for p in draw(args.explain_json, args.out):
        print("wrote", p)


if __name__ == "__main__":
    main()
