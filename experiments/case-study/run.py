#!/usr/bin/env python3
"""The paper's attention case study, reproduced on generated data (issue 12).

One command: generates the multi-behavior data (items with pv/cart/fav/buy,
searches, coupons; the generator plants cross-type signal: a search names
the cluster of the user's next session with probability 0.85, a coupon of a
shop pulls the next item events to that shop), trains the shipped
specs/multi-behavior.toml on it as experiments/multi-task's unified model
(width 64, Adam, 3 epochs), runs `atrank explain` on a seeded sample of
users' held-out item targets and writes to --out:

  summary.json  per head of the last vanilla block: mean attention mass on
                each behavior type, the mean share of history positions of
                that type (what uniform attention would give), and the
                planted-signal test below
  heads.png|svg mass per head and behavior type against that chance level
  signal.png|svg the planted-signal tests below, per head
                (both drawn by experiments/plot_explain.py)
  explain/<user>/  explain.json of every sampled user; pictures for the first

Planted signals, each tested on the last event of its type in the history:
- search: the generated files do not name clusters, so a query's category
  is read off the data (the category most of the item events right after a
  search of that query fall in, over all users). An item target "matches"
  the last search of its history when that search's category is the
  target's.
- coupon: an item target "matches" the last coupon of its history when the
  coupon's shop (coupons.csv) is the target's shop (items.csv).
For matching and for other targets the script reports, per head of the last
vanilla block, the weight on that position over chance (1 / history length:
uniform attention), its median and the share of cases above chance. The
signal is found when matching events get well above chance and above the
non-matching ones.

  experiments/case-study/run.py [--build build] [--out runs/case-study] [--users 300] [--epochs 3] [--hidden 64]
"""
import argparse
import collections
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import plot_explain  # noqa: E402  (a missing matplotlib stops here, before training)

SPEC = os.path.join(ROOT, "specs", "multi-behavior.toml")
MIN_BUCKET_CASES = 5  # a time bucket compares matching and other events when both have this many


def run(cmd, log):
    with open(log, "w") as f:
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        sys.exit("failed (%d): %s\nsee %s" % (r.returncode, " ".join(cmd), log))


def column(path, key, value):
    with open(path) as f:
        return {row[key]: row[value] for row in csv.DictReader(f)}


def query_categories(data):
    """query id -> category of most item events that directly follow a search of it."""
    category = column(os.path.join(data, "items.csv"), "item", "category")
    events = collections.defaultdict(list)
    with open(os.path.join(data, "events.csv")) as f:
        for row in csv.DictReader(f):
            events[row["user"]].append((int(row["timestamp"]), row["behavior"], row["object"]))
    votes = collections.defaultdict(collections.Counter)
    for evs in events.values():
        evs.sort(key=lambda e: e[0])
        for (_, b, o), (_, b2, o2) in zip(evs, evs[1:]):
            if b == "search" and b2 in ("pv", "cart", "fav", "buy"):
                votes[o][category[o2]] += 1
    return {q: c.most_common(1)[0][0] for q, c in votes.items()}, category, events


def planted_signal(explained, behavior, heads, matches):
    """Per head, the weight on the last `behavior` event of each history over
    chance, split by whether that event matches the target (matches(event,
    target)); and the same comparison at equal recency, since matching events
    tend to be the recent ones and attention favours recent events anyway."""
    split = {"matching": [], "other": []}  # (time bucket of the event, ratio per head)
    for j in explained:
        events = [e for e in j["history"] if e["behavior"] == behavior]
        if not events:
            continue
        last = max(events, key=lambda e: e["index"])  # oldest first within a group
        ratios = [j["vanilla_attention"][-1][h][last["position"]] * len(j["history"]) for h in range(heads)]
        split["matching" if matches(last, j["target"]["object"]) else "other"].append((last["time_bucket"], ratios))

    def stats(cases):
        per_head = [[c[1][h] for c in cases] for h in range(heads)]
        return {"cases": len(cases),
                "weight_over_chance_mean": [statistics.mean(r) if r else None for r in per_head],
                "weight_over_chance_se": [statistics.stdev(r) / len(r) ** 0.5 if len(r) > 1 else None
                                          for r in per_head],
                "weight_over_chance_median": [statistics.median(r) if r else None for r in per_head],
                "share_above_chance": [sum(x > 1 for x in r) / len(r) if r else None for r in per_head],
                "mean_time_bucket": statistics.mean(c[0] for c in cases) if cases else None}

    result = {k: stats(v) for k, v in split.items()}
    result["same_recency"] = same_recency(split["matching"], split["other"], heads)
    return result


def same_recency(matching, other, heads):
    """Both sides' mean ratio per head over the time buckets where both have
    at least MIN_BUCKET_CASES cases, each bucket weighted by its number of
    matching cases (the other events re-weighted to the matching ones' recency)."""
    by_bucket = collections.defaultdict(lambda: ([], []))
    for k, cases in enumerate((matching, other)):
        for bucket, ratios in cases:
            by_bucket[bucket][k].append(ratios)
    shared = {b: v for b, v in by_bucket.items() if min(len(v[0]), len(v[1])) >= MIN_BUCKET_CASES}
    weight = sum(len(m) for m, _ in shared.values())
    if not weight:
        return {"matching_cases": 0, "other_cases": 0, "matching_mean": [None] * heads, "other_mean": [None] * heads}
    mean = lambda side, h: sum(len(v[0]) * statistics.mean(r[h] for r in v[side])  # noqa: E731
                               for v in shared.values()) / weight
    return {"buckets": sorted(shared), "matching_cases": weight,
            "other_cases": sum(len(o) for _, o in shared.values()),
            "matching_mean": [mean(0, h) for h in range(heads)], "other_mean": [mean(1, h) for h in range(heads)]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(ROOT, "runs", "case-study"))
    ap.add_argument("--users", type=int, default=300, help="users explained (seeded sample)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--hidden", type=int, default=64, help="encoder.hidden = projection widths (ffn: a quarter)")
    ap.add_argument("--data-users", type=int, default=1500, help="users of the generated data")
    ap.add_argument("--items", type=int, default=1500)
    ap.add_argument("--events", type=int, default=30000)
    ap.add_argument("--seed", type=int, default=7, help="data and sample seed")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    atrank = os.path.join(a.build, "atrank")
    if not os.path.exists(atrank):
        sys.exit("no atrank binary in %s (meson compile -C %s)" % (a.build, a.build))
    os.makedirs(a.out, exist_ok=True)
    data = os.path.join(a.out, "data")
    if not os.path.exists(os.path.join(data, "events.csv")):
        run([atrank, "data", "synth", "--kind", "multi", "--out", data, "--users", str(a.data_users),
             "--items", str(a.items), "--events", str(a.events), "--seed", str(a.seed)],
            os.path.join(a.out, "synth.log"))
    # The unified model of experiments/multi-task (item test AUC 0.80 there):
    # hidden width 64, Adam with the authors' per-task rates x 0.02, histories
    # capped at 30 per group, selected on validation (the test case stays the
    # last event). At the shipped width 256 three epochs leave it near chance
    # (item AUC 0.54 after epoch 1): nothing to study.
    model = os.path.join(a.out, "run")
    if not os.path.exists(os.path.join(model, "summary.json")):
        sets = ["data.path=" + data, "data.cache_dir=" + os.path.join(a.out, "cache"), "data.history_cap=30",
                "data.split=valid", "eval.select=valid",
                "train.optimizer=adam", "train.epochs=%d" % a.epochs, "train.eval_every=0",
                "encoder.hidden=%d" % a.hidden, "encoder.ffn=%d" % max(a.hidden // 4, 1),
                "tasks.item.learning_rate=0.002", "tasks.query.learning_rate=0.0008",
                "tasks.coupon.learning_rate=0.0016"]
        sets += ["groups.%s.projection.width=%d" % (g, a.hidden) for g in ("item", "query", "coupon")]
        cmd = [atrank, "run", SPEC, "--out", model, "--threads", str(a.threads), "--quiet"]
        for s in sets:
            cmd += ["--set", s]
        run(cmd, os.path.join(a.out, "train.log"))
    summary = json.load(open(os.path.join(model, "summary.json")))

    t0 = time.time()
    query_cat, item_cat, events = query_categories(data)
    users = sorted(events, key=int)
    random.Random(a.seed).shuffle(users)
    explained = []
    for u in users:
        if len(explained) >= a.users:
            break
        out = os.path.join(a.out, "explain", u)
        cmd = [atrank, "explain", model, "--user", u, "--task", "item", "--out", out]
        if explained:
            cmd.append("--no-pictures")  # pictures of the first user only
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            if "no test case" in r.stderr:
                continue  # too few item events
            sys.exit("atrank explain failed: %s\n%s" % (" ".join(cmd), r.stderr))
        explained.append(json.load(open(os.path.join(out, "explain.json"))))
    if not explained:
        sys.exit("no sampled user has an item test case to explain")

    heads = explained[0]["heads"]
    behaviors = [b for b in explained[0]["behaviors"]]
    mass = [[statistics.mean(j["mass_by_behavior"][-1][h][b] for j in explained) for b in behaviors]
            for h in range(heads)]
    share = [statistics.mean(sum(e["behavior"] == b for e in j["history"]) / len(j["history"])
                             for j in explained if j["history"]) for b in behaviors]
    # The planted signals: does the target attend to the last search / coupon that announces it?
    item_shop = column(os.path.join(data, "items.csv"), "item", "shop")
    coupon_shop = column(os.path.join(data, "coupons.csv"), "coupon", "shop")
    signals = {
        "search": planted_signal(explained, "search", heads,
                                 lambda e, t: query_cat.get(e["object"]) == item_cat.get(t)),
        "coupon": planted_signal(explained, "coupon", heads,
                                 lambda e, t: coupon_shop.get(e["object"]) == item_shop.get(t)),
    }
    result = {
        "users": len(explained), "heads": heads, "behaviors": behaviors,
        "train_seconds": summary["train"]["seconds"], "explain_seconds": round(time.time() - t0, 1),
        "test": {k: summary["test"][k] for k in ("item.auc", "query.auc", "coupon.auc") if k in summary["test"]},
        "mean_history_length": statistics.mean(len(j["history"]) for j in explained),
        "mass_per_head": mass, "position_share": share,
        "planted_signal": signals,
    }
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump(result, f, indent=1)
    subtitle = "%d users' held-out item targets" % len(explained)
    paths = plot_explain.draw_head_behavior(mass, share, behaviors, os.path.join(a.out, "heads"),
                                            "last vanilla block, mean over " + subtitle)
    paths += plot_explain.draw_planted_signal(signals, heads, os.path.join(a.out, "signal"),
                                              "last vanilla block, " + subtitle)
    print(report(result))
    print("wrote", os.path.join(a.out, "summary.json"), *paths)


def report(r):
    """summary.json in a few readable lines."""
    cell = lambda x: "   -  " if x is None else "%6.3f" % x  # noqa: E731
    heads = range(r["heads"])
    lines = ["%d users, test %s, mean history %.1f positions" % (
        r["users"], " ".join("%s %.4f" % kv for kv in r["test"].items()), r["mean_history_length"]),
        "attention mass per behavior type (last vanilla block):",
        "          " + " ".join("%6s" % b for b in r["behaviors"])]
    lines += ["  head %d  " % h + " ".join(cell(m) for m in r["mass_per_head"][h]) for h in heads]
    lines.append("  share   " + " ".join(cell(m) for m in r["position_share"]))
    for behavior, split in r["planted_signal"].items():
        lines.append("last %s: weight / chance per head (mean, median, share above chance; mean time bucket):"
                     % behavior)
        for name in ("matching", "other"):
            s = split[name]
            lines.append("  %-8s (%3d cases) " % (name, s["cases"]) + " | ".join(
                "%s %s %s" % (cell(s["weight_over_chance_mean"][h]), cell(s["weight_over_chance_median"][h]),
                              cell(s["share_above_chance"][h])) for h in heads) + " ; %s" % cell(s["mean_time_bucket"]))
        same = split["same_recency"]
        lines.append("  at equal recency (buckets %s: %d matching, %d other cases): mean matching vs other per head: " % (
            same.get("buckets"), same["matching_cases"], same["other_cases"]) + " | ".join(
            "%s %s" % (cell(m), cell(o)) for m, o in zip(same["matching_mean"], same["other_mean"])))
    return "\n".join(lines)

if __name__ == "__main__":
    main()
