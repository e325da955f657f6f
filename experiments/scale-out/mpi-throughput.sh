#!/usr/bin/env bash
# Training throughput of data parallelism on one machine: 1 process x 1
# thread, 1 process x 2 threads and 2 MPI ranks x 1 thread, one run each, on
# the quickstart model (the authors' Amazon ATRank on generated data).
#
#   experiments/scale-out/mpi-throughput.sh [BUILD_DIR [EXAMPLES [BATCH...]]]
#
# Prints one Markdown row per configuration: training examples/s (evaluation
# excluded), the bytes rank 0 received per step from the other rank, and
# the seconds per step spent exchanging (waiting for the slower rank included).
set -euo pipefail
build=${1:-build}
examples=${2:-32000}
shift $(( $# > 2 ? 2 : $# )) || true
batches=("$@")
[ ${#batches[@]} -gt 0 ] || batches=(32 256)
out=runs/scale-out/mpi
mkdir -p "$out"
"$build/atrank" data stats specs/quickstart.toml >/dev/null  # the data and its cache, before any timing

echo "| batch | configuration | train examples/s | bytes received per step | exchange s per step |"
echo "|---|---|---|---|---|"
for batch in "${batches[@]}"; do
  steps=$(( examples / batch ))
  args=(run specs/quickstart.toml --quiet --set train.batch_size=$batch --set train.max_steps=$steps
        --set train.eval_every=0 --set train.checkpoint_every=0)
  for config in "1 process x 1 thread" "1 process x 2 threads" "2 ranks x 1 thread"; do
    dir="$out/b$batch-${config// /-}"
    rm -rf "$dir"
    case "$config" in
      "1 process x 1 thread") "$build/atrank" "${args[@]}" --out "$dir" --threads 1 ;;
      "1 process x 2 threads") "$build/atrank" "${args[@]}" --out "$dir" --threads 2 ;;
      "2 ranks x 1 thread") mpirun --allow-run-as-root -np 2 "$build/atrank" "${args[@]}" --out "$dir" --threads 1 ;;
    esac
    python3 - "$dir/summary.json" "$batch" "$config" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["train"]
print(f"| {sys.argv[2]} | {sys.argv[3]} | {t['examples_per_second']:,.0f} | "
      f"{t.get('exchanged_bytes_per_step', 0):,} | {t.get('exchange_seconds_per_step', 0):.4f} |")
PY
  done
done
