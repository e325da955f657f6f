// `atrank run`: trains the model a spec describes, evaluates it, and keeps a
// run directory (resolved spec, metrics.jsonl, summary.json, checkpoint.ckpt,
// best.ckpt), locked while the run lasts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace atrank::train {

struct RunOptions {
  std::string spec_path;
  std::vector<std::string> overrides;  // --set key=value
  std::string out_dir;                 // empty: runs/<spec stem>-<YYYYmmdd-HHMMSS>
  std::int64_t threads = 0;            // 0: the spec's train.threads
  bool resume = false;                 // continue from <out_dir>/checkpoint.ckpt
  bool force = false;                  // start over in an out_dir that holds a run (its files are set aside)
  bool quiet = false;                  // no progress lines (tests)
  std::string program = "atrank";      // how the binary was called, for the resume command it prints
};

struct RunResult {
  std::string dir;
  nlohmann::json summary;  // what summary.json holds
  int signal = 0;          // the SIGINT/SIGTERM that stopped the run after a checkpoint, or 0
};

// Throws on any error (spec, data, divergence, a refused run directory, a
// failed write), saying what the run directory still holds. Refusals come
// before any file is written.
RunResult run_training(const RunOptions& options);

}  // namespace atrank::train
