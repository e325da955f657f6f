#!/usr/bin/env bash
# Taobao-scale data on one machine (README.md in this folder): generation, import + example
# building + cache write, cache load and a short training, each under `/usr/bin/time -v` and
# peak_memory.py (anonymous vs. file-backed memory). Slow: about 20 minutes on 2 cores.
#
#   experiments/scale-out/taobao-scale.sh [BUILD_DIR [STEPS]]     # defaults: build 2000
#
# Writes datasets/synthetic/taobao-scale/UserBehavior.csv (3.3 GB; kept if it exists: the
# generator is deterministic), a 4.5 GB cache file in .cache/scale-out/ (rebuilt every time, so
# that the import is cold) and runs/scale-out/ (a 1.1 GB checkpoint and one log per stage).
# Remove them afterwards: rm -rf datasets/synthetic/taobao-scale .cache/scale-out runs/scale-out
set -euo pipefail
build="${1:-build}"
steps="${2:-2000}"
here="$(dirname "$0")"
data=datasets/synthetic/taobao-scale
cache=.cache/scale-out
out=runs/scale-out
ninja -C "$build" atrank >/dev/null
mkdir -p "$out"

# stage NAME COMMAND...: runs the command measured, keeps its whole output in $out/NAME.log and
# prints the lines with the figures.
stage() {
  local name="$1"
  shift
  echo "== $name: $*"
  if ! python3 "$here/peak_memory.py" --label "$name" -- /usr/bin/time -v "$@" >"$out/$name.log" 2>&1; then
    cat "$out/$name.log"
    exit 1
  fi
  tr '\r' '\n' <"$out/$name.log" |
    grep -E '^(wrote|kind|prepared|steps|data:|eval |done)|(User|System) time|Elapsed|Maximum resident|peak-memory'
}

spec=(specs/taobao-scale.toml --set "data.path=$data" --set "data.cache_dir=$cache")
if [[ -e "$data/UserBehavior.csv" ]]; then
  echo "== generate: skipped ($data/UserBehavior.csv exists)"
else
  stage generate "$build/atrank" data synth --taobao-scale --out "$data"
fi
ls -l "$data/UserBehavior.csv"
rm -rf "$cache"
stage import-build "$build/atrank" data stats "${spec[@]}"
ls -l "$cache"
stage cache-load "$build/atrank" data stats "${spec[@]}"
rm -rf "$out/run"
stage train "$build/atrank" run "${spec[@]}" --set "train.max_steps=$steps" --out "$out/run"
