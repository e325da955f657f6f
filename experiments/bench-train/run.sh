#!/usr/bin/env bash
# Training benchmark (not a test): the authors' Amazon ATRank model
# (specs/quickstart.toml = specs/amazon.toml's model on CSV input) on generated
# Electronics-scale data (192,403 users, 63,001 items, 1,689,188 events, mean
# history about 9), training and evaluation examples/s at batch 32 and 256
# with 1 and 2 threads, medians of timed stretches in one process.
#
#   experiments/bench-train/run.sh [BUILD_DIR] [extra `atrank bench` flags]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
shift || true
data="$root/datasets/synthetic/electronics"
ninja -C "$build" atrank >/dev/null
[ -f "$data/events.csv" ] || "$build/atrank" data synth --electronics --out "$data"
cd "$root"
"$build/atrank" bench specs/quickstart.toml --set "data.path=$data" --batch 32 256 --threads 1 2 "$@"
