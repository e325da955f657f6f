#!/usr/bin/env python3
"""Checks that synthetic data has the structure the README promises, with model-free scorers.

Usage: check_signal.py DIR   (DIR holds events.csv from `atrank data synth --kind single`)

For every user the last event is the test case (as in the authors' build_dataset.py); its
negative is an item the user never touched. Each scorer ranks the positive against the
negative; AUC = fraction of users whose positive scores higher (ties count one half).
Expected: random 0.5 < popularity < whole-history category share (order-agnostic)
< recency-weighted category share (order-aware) <= recency and time-gap weighted (time-aware).
Pure Python (no numpy), seeded.
"""
import csv
import math
import random
import sys
from collections import Counter, defaultdict


def main(directory):
    events = defaultdict(list)
    category = {}
    with open(directory + "/events.csv", newline="") as f:
        for row in csv.DictReader(f):
            events[row["user"]].append((int(row["timestamp"]), row["item"]))
            category[row["item"]] = row["category"]
    items = sorted(category)
    rng = random.Random(1234)
    popularity = Counter()
    cases = []
    for user, evs in events.items():
        evs.sort(key=lambda e: e[0])  # stable: ties keep file order
        if len(evs) < 2:
            continue
        touched = {i for _, i in evs}
        neg = rng.choice(items)
        while neg in touched:
            neg = rng.choice(items)
        popularity.update(i for _, i in evs[:-1])
        cases.append((evs[:-1], evs[-1], neg))

    def agnostic(hist, t, item):
        return sum(category[i] == category[item] for _, i in hist) / len(hist)

    def recency(hist, t, item):
        w = [0.5 ** (len(hist) - 1 - k) for k in range(len(hist))]
        return sum(wk for wk, (_, i) in zip(w, hist) if category[i] == category[item]) / sum(w)

    def time_aware(hist, t, item):
        # short gap since the last event: the session goes on (the last event's category);
        # long gap: a new session from the user's (recency-weighted, drifting) tastes
        p = math.exp(-(t - hist[-1][0]) / 86400 / 30)
        last = float(category[hist[-1][1]] == category[item])
        return p * last + (1 - p) * recency(hist, t, item) + 1e-3 * recency(hist, t, item)

    # Item-to-item similarity from adjacent training events (what item embeddings can learn).
    cooc = Counter()
    for hist, _, _ in cases:
        for k in range(1, len(hist)):
            a, b = hist[k - 1][1], hist[k][1]
            if a != b:
                cooc[(a, b)] += 1
                cooc[(b, a)] += 1

    def sim(a, b):
        return cooc[(a, b)] / math.sqrt((popularity[a] + 1) * (popularity[b] + 1))

    def item_agnostic(hist, t, item):
        return sum(sim(i, item) for _, i in hist) / len(hist) + 1e-3 * agnostic(hist, t, item)

    def item_recency(hist, t, item):
        w = [0.5 ** (len(hist) - 1 - k) for k in range(len(hist))]
        return sum(wk * sim(i, item) for wk, (_, i) in zip(w, hist)) / sum(w) + 1e-3 * recency(hist, t, item)

    def item_time(hist, t, item):
        p = math.exp(-(t - hist[-1][0]) / 86400 / 30)
        return p * sim(hist[-1][1], item) + (1 - p) * item_recency(hist, t, item) + 1e-3 * item_recency(hist, t, item)

    scorers = [
        ("random", lambda h, t, i: rng.random()),
        ("popularity", lambda h, t, i: popularity[i]),
        ("category share, whole history (order-agnostic)", agnostic),
        ("category share, recency-weighted (order-aware)", recency),
        ("recency and time-gap weighted (time-aware)", time_aware),
        ("item similarity, whole history (order-agnostic)", item_agnostic),
        ("item similarity, recency-weighted (order-aware)", item_recency),
        ("item similarity, recency and time-gap weighted (time-aware)", item_time),
    ]
    print("%d test cases" % len(cases))
    for name, score in scorers:
        wins = 0.0
        for hist, (t, pos), neg in cases:
            sp, sn = score(hist, t, pos), score(hist, t, neg)
            wins += 1.0 if sp > sn else 0.5 if sp == sn else 0.0
        print("AUC %.4f  %s" % (wins / len(cases), name))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
