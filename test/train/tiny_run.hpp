// Tiny generated data and the quickstart spec shrunk to it, for end-to-end
// runs in tests; with readers of what a run directory holds.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "atrank/data/synth.hpp"
#include "atrank/train/trainer.hpp"

namespace atrank::test {

namespace fs = std::filesystem;

#ifndef ATRANK_SOURCE_DIR
#error "ATRANK_SOURCE_DIR must point at the source tree (set in test/train/meson.build)"
#endif

struct TinyData {
  fs::path root;
  fs::path data;
  TinyData() {
    root = fs::temp_directory_path() / ("atrank-run-test-" + std::to_string(::getpid()));
    fs::remove_all(root);
    data = root / "data";
    data::SynthOptions o;
    o.users = 300;
    o.items = 300;
    o.categories = 10;
    o.events = 4500;
    o.seed = 3;
    data::write_synthetic(data.string(), o);
  }
  ~TinyData() { fs::remove_all(root); }

  train::RunOptions options(const std::string& out, std::vector<std::string> extra = {}) const {
    train::RunOptions r;
    r.spec_path = std::string(ATRANK_SOURCE_DIR) + "/specs/quickstart.toml";
    r.overrides = {"data.path=" + data.string(), "data.cache_dir=" + (root / "cache").string(),
                   "tables.item.width=16", "tables.category.width=16",
                   "groups.item.projection.width=32", "encoder.hidden=32", "encoder.heads=4",
                   "encoder.ffn=8", "train.epochs=2", "train.eval_every=50",
                   "train.learning_rate=0.5"};
    r.overrides.insert(r.overrides.end(), extra.begin(), extra.end());
    r.out_dir = (root / out).string();
    r.quiet = true;
    return r;
  }
};

inline std::vector<std::string> read_lines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// metrics.jsonl lines without the wall-clock fields.
inline std::vector<nlohmann::json> metric_lines(const fs::path& dir) {
  std::vector<nlohmann::json> out;
  for (const auto& l : read_lines(dir / "metrics.jsonl")) {
    auto j = nlohmann::json::parse(l);
    j.erase("seconds");
    j.erase("eval_seconds");
    out.push_back(j);
  }
  return out;
}

}  // namespace atrank::test
