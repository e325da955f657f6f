#!/usr/bin/env bash
# Recommendation benchmark (not a test): `atrank recommend` ranks all 63,001
# items of generated Electronics-scale data (192,403 users, mean history
# about 9) for a spread of dataset users, top-10, with 2 threads, and prints
# users/s and the FLOP/s that implies, and the CPU time per user (which other
# programs on the machine do not inflate) with the rate it gives per core.
# The model is the authors' Amazon ATRank (specs/quickstart.toml), trained
# for 300 steps (speed does not depend on how well it is trained) into
# runs/bench-recommend/ on first use.
#
#   experiments/bench-recommend/run.sh [BUILD_DIR] [USERS (default 400)] [THREADS (default 2)]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
users="${2:-400}"
threads="${3:-2}"
ninja -C "$build" atrank >/dev/null
build="$(cd "$build" && pwd)"
cd "$root"
data="datasets/synthetic/electronics"
run="runs/bench-recommend"
[ -f "$data/events.csv" ] || "$build/atrank" data synth --electronics --out "$data"
if [ ! -f "$run/checkpoint.ckpt" ]; then
  rm -rf "$run"
  "$build/atrank" run specs/quickstart.toml --set "data.path=$data" --set train.max_steps=300 \
    --set train.eval_every=0 --threads 2 --out "$run" --quiet
fi
# Every n-th user of the id map: a spread of history lengths.
total=$(wc -l < "$run/ids/user.tsv")
awk -v step=$((total / users)) -v n="$users" 'NR % step == 1 && c < n { print; c++ }' "$run/ids/user.tsv" > "$run/users.txt"
"$build/atrank" recommend "$run" --users "$run/users.txt" --k 10 --threads "$threads" \
  > "$run/recommendations.tsv" 2> "$run/recommend.log"
cat "$run/recommend.log"
python3 "$here/flops.py" "$run/spec.toml" "$run/recommend.log"
