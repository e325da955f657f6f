#!/usr/bin/env python3
"""A model of data-parallel scaling to 2..64 nodes (issue 14), printed as Markdown.

    python3 experiments/scale-out/scaling_model.py [--per-rank-batch 32] [--nodes 2,4,8,16,32,64]

One step of `mpirun -np N atrank run` on N nodes (every rank holds the
model, per-rank batch b, global batch N*b) takes

    compute   b / r                      r: one node's training examples/s
    dense     (k + N - 2) (D / k / BW + a)  +  D / BW + log2(N) a
              the fold of the dense gradients (D bytes) along the chain of
              ranks in k chunks (k = N, chunks of at least 16 KB: the
              chain fills in N - 2 chunk transfers), then the broadcast of
              the result from the last rank (pipelined: about D / BW)
    sparse    (N - 1) b s / BW + log2(N) a
              every rank receives every other rank's embedding-gradient rows
              (s bytes per example: 4 + 4 * width per row looked up)

with no overlap of computation and exchange (atrank exchanges after the
backward pass). Efficiency = compute / (compute + dense + sparse); speedup =
N * efficiency. The sparse term grows with N: it is where scaling stops.
"""
import argparse
import math

# Per model: one node's training examples/s (2 threads, batch 32), dense parameters, sparse bytes per example.
MODELS = {
    # The authors' Electronics model (specs/amazon.toml = specs/quickstart.toml's model): the rate is
    # `atrank bench` on Electronics-scale data, batch 32, 2 threads, on a quiet 2-core machine (README,
    # Speed); 134,848 dense parameters (`atrank check`); s from the 2-rank runs (mpi-throughput.sh).
    "Electronics (specs/amazon.toml model)": dict(rate=10_654, dense_params=134_848, sparse_per_example=6_378),
    # specs/taobao-scale.toml: 29.7 MFLOP per training example against 6.78 for Electronics (`atrank bench`,
    # both at ~11 GFLOP/s), so the rate is 10,654 x 6.78 / 29.7; D (`atrank check`) and s measured with 2
    # ranks on the same model at 1/100 of the data.
    "Taobao-scale (specs/taobao-scale.toml)": dict(rate=2_432, dense_params=143_040, sparse_per_example=30_500),
}
MIN_CHUNK = 4 * (1 << 12)  # bytes: the smallest fold chunk (atrank/dist/mpi_communicator.cpp)


def step_seconds(n, b, m, bw, alpha):
    compute = b / m["rate"]
    d = 4 * m["dense_params"]
    chunk = max(MIN_CHUNK, d / n)
    k = math.ceil(d / chunk)
    dense = (k + n - 2) * (chunk / bw + alpha) + d / bw + math.log2(n) * alpha
    sparse = (n - 1) * b * m["sparse_per_example"] / bw + math.log2(n) * alpha
    return compute, dense, sparse


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--per-rank-batch", type=int, default=32)
    p.add_argument("--nodes", default="2,4,8,16,32,64")
    p.add_argument("--latency-us", type=float, default=20.0, help="per message (TCP over Ethernet: 10-50)")
    a = p.parse_args()
    nodes = [int(x) for x in a.nodes.split(",")]
    b = a.per_rank_batch
    for name, m in MODELS.items():
        print(f"\n{name}: one node {m['rate']:,} examples/s, dense gradients {4 * m['dense_params'] / 1e6:.2f} MB, "
              f"sparse {m['sparse_per_example'] / 1e3:.1f} KB per example; per-rank batch {b}\n")
        print("| nodes | link | compute ms | dense ms | sparse ms | efficiency | speedup | examples/s |")
        print("|---|---|---|---|---|---|---|---|")
        for gbit in (10, 100):
            bw = gbit * 1e9 / 8
            for n in nodes:
                c, d, s = step_seconds(n, b, m, bw, a.latency_us * 1e-6)
                eff = c / (c + d + s)
                print(f"| {n} | {gbit} Gbit/s | {1e3 * c:.1f} | {1e3 * d:.2f} | {1e3 * s:.2f} | {eff:.0%} | "
                      f"{n * eff:.1f} | {n * b / (c + d + s):,.0f} |")


if __name__ == "__main__":
    main()
