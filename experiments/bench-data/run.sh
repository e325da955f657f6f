#!/usr/bin/env bash
# Data-layer benchmark (not a test): Electronics-scale synthetic data (192,403 users, 63,001
# items, 801 categories, 1,689,188 events), timed import + example building + cache write,
# then loading from the cache and one epoch of training batches.
#
#   experiments/bench-data/run.sh [BUILD_DIR] [extra `atrank data bench` flags]
set -euo pipefail
build="${1:-build}"
shift || true
ninja -C "$build" atrank >/dev/null
"$build/atrank" data bench "$@"
