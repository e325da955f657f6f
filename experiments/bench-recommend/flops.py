"""FLOP/s of an `atrank recommend` run of an ATRank model, from its spec and log.

Counted per (user, candidate), multiply-add = 2 FLOPs, products only (the
layer norms, softmax and additions are left out): per vanilla-attention block
the attention scores and weighted sum over L history events (2*L*H each)
and the feed-forward (2*H*F*2); then the dot product with the target (2*H).
The target-side projections are computed once per catalogue, not per user,
and the history's self-attention once per user: both are left out.
"""
import re
import sys
import tomllib

spec_path, log_path = sys.argv[1], sys.argv[2]
with open(spec_path, "rb") as f:
    spec = tomllib.load(f)
enc = spec["encoder"]
hidden, ffn, blocks = enc["hidden"], enc["ffn"], enc["blocks"]
log = open(log_path).read()
m = re.search(r"recommended for (\d+) user\(s\) among (\d+) object\(s\) in ([\d.]+) s \(([\d.]+) users/s, (\d+) "
              r"thread\(s\), mean history ([\d.]+) events", log)
if not m:
    sys.exit(f"{log_path}: no recommend summary line")
users, objects, seconds, rate, threads, history = (int(m[1]), int(m[2]), float(m[3]), float(m[4]), int(m[5]),
                                                   float(m[6]))
cpu = re.search(r"([\d.]+) CPU ms per user", log)
per_candidate = blocks * (2 * 2 * history * hidden + 2 * 2 * hidden * ffn) + 2 * hidden
flops = per_candidate * objects * users / seconds
print(f"{rate:.1f} users/s with {threads} thread(s): {objects:,} candidates x {per_candidate:,.0f} FLOPs "
      f"(mean history {history:.1f}) = {per_candidate * objects / 1e9:.2f} GFLOP per user, {flops / 1e9:.1f} GFLOP/s")
if cpu:
    # CPU time does not grow when other programs share the cores: the rate one busy core gives.
    ms = float(cpu[1])
    print(f"{ms:.1f} CPU ms per user: {1e3 / ms:.1f} users/s and {per_candidate * objects / ms / 1e6:.1f} GFLOP/s "
          f"per busy core, {threads * 1e3 / ms:.1f} users/s on {threads} free core(s)")
