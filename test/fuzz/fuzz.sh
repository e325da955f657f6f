#!/usr/bin/env bash
# Runs the libFuzzer harnesses of a fuzz build (README.md here), one after another:
#   test/fuzz/fuzz.sh [--build DIR] [--seconds N] [--runs N] [HARNESS...]   (default: all harnesses)
# (at least one limit; with both, whichever comes first ends a harness)
# Each starts from its seeds in test/fuzz/corpus/<harness> (read only) and the inputs it kept in
# earlier runs, DIR/fuzz-corpus/<harness>; a crash, leak, timeout, sanitizer report or allocation
# over the limits stops it and leaves the input in DIR/fuzz-artifacts/. Exits 1 if any harness
# reported a finding. Prints one line per harness: executions, seconds, result.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=build-fuzz limit=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --seconds) limit+=(-max_total_time="$2"); shift 2 ;;
    --runs) limit+=(-runs="$2"); shift 2 ;;
    *) break ;;
  esac
done
[ ${#limit[@]} -gt 0 ] || { echo "fuzz.sh: give --seconds N and/or --runs N" >&2; exit 2; }
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(spec csv amazon python_literal movielens cache checkpoint score)

status=0
mkdir -p "$build/fuzz-artifacts" "$build/fuzz-logs"
for h in "${harnesses[@]}"; do
  exe="$build/test/fuzz/fuzz_$h"
  [ -x "$exe" ] || { echo "fuzz.sh: no $exe (meson compile -C $build fuzzers)" >&2; exit 2; }
  mkdir -p "$build/fuzz-corpus/$h"
  log="$build/fuzz-logs/$h.log"
  # Allocation limits: one malloc over 1 GiB or 2 GiB resident is a finding (sizes must be
  # refused with an error before they are allocated). -timeout: one input over 20 s is a hang.
  "$exe" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=20 "${limit[@]}" -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/$h-" "$build/fuzz-corpus/$h" "test/fuzz/corpus/$h" >"$log" 2>&1
  rc=$?
  runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  secs=$(awk '/^Done [0-9]+ runs in/ {print $5}' "$log")
  if [ $rc -eq 0 ]; then
    echo "fuzz $h: ${runs:-?} executions in ${secs:-?} s, no finding"
  else
    status=1
    echo "fuzz $h: FINDING (exit $rc) after ${runs:-?} executions; input in $build/fuzz-artifacts/, log $log:"
    grep -E -A30 '^==[0-9]+==ERROR|runtime error|^SUMMARY|deadly signal|out-of-memory|timeout|uncaught|terminate' "$log" | head -60
  fi
done
exit $status
