// End-to-end training runs on tiny generated data: learning happens,
// runs are deterministic, resume equals an uninterrupted run, corrupt and
// foreign checkpoints are refused.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "atrank/data/synth.hpp"
#include "atrank/train/checkpoint.hpp"
#include "atrank/train/trainer.hpp"

using namespace atrank;
namespace fs = std::filesystem;

namespace {

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

std::vector<std::string> read_lines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// metrics.jsonl lines without the wall-clock fields.
std::vector<nlohmann::json> metric_lines(const fs::path& dir) {
  std::vector<nlohmann::json> out;
  for (const auto& l : read_lines(dir / "metrics.jsonl")) {
    auto j = nlohmann::json::parse(l);
    j.erase("seconds");
    j.erase("eval_seconds");
    out.push_back(j);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(tiny_run_learns_and_writes_its_files) {
  TinyData d;
  const auto r = train::run_training(d.options("a"));
  const auto lines = metric_lines(r.dir);
  BOOST_REQUIRE(lines.size() >= 3);
  const double first_loss = lines.front()["train_loss"];
  const double last_loss = lines.back()["train_loss"];
  BOOST_TEST(last_loss < first_loss);
  BOOST_TEST(r.summary["test"]["auc"].get<double>() > 0.65);
  BOOST_TEST(r.summary["params"]["total"].get<std::int64_t>() > 0);
  BOOST_TEST(r.summary["train"]["examples_per_second"].get<double>() > 0);
  BOOST_TEST(r.summary["best"]["step"].get<std::int64_t>() > 0);
  BOOST_TEST(r.summary["train"]["epochs"].get<double>() == 2.0);  // the spec's 2 epochs, all trained
  BOOST_TEST(fs::exists(fs::path(r.dir) / "spec.toml"));
  BOOST_TEST(fs::exists(fs::path(r.dir) / "checkpoint.ckpt"));
  BOOST_TEST(fs::exists(fs::path(r.dir) / "summary.json"));
}

BOOST_AUTO_TEST_CASE(same_seed_one_thread_gives_identical_metrics) {
  TinyData d;
  const auto a = train::run_training(d.options("a", {"train.epochs=1"}));
  const auto b = train::run_training(d.options("b", {"train.epochs=1"}));
  BOOST_TEST(metric_lines(a.dir) == metric_lines(b.dir));
}

BOOST_AUTO_TEST_CASE(resumed_run_equals_uninterrupted_run) {
  TinyData d;
  const auto full = train::run_training(d.options("full", {"train.checkpoint_every=30"}));
  // A run stopped at step 60 (its last checkpoint), then resumed to the end.
  auto part = d.options("part", {"train.checkpoint_every=30", "train.max_steps=60"});
  train::run_training(part);
  auto resume = d.options("part", {"train.checkpoint_every=30"});
  resume.resume = true;
  const auto resumed = train::run_training(resume);
  BOOST_TEST(metric_lines(resumed.dir) == metric_lines(full.dir));
  BOOST_TEST(resumed.summary["test"] == full.summary["test"]);
}

// Two threads split every batch; each slice draws its dropout masks from a
// generator seeded from the run's: still deterministic, resumable, learning.
BOOST_AUTO_TEST_CASE(two_threads_with_dropout_are_deterministic_and_resume_exactly) {
  TinyData d;
  const std::vector<std::string> two = {"train.threads=2", "encoder.dropout=0.1",
                                        "train.checkpoint_every=30"};
  const auto a = train::run_training(d.options("a", two));
  const auto b = train::run_training(d.options("b", two));
  BOOST_TEST(metric_lines(a.dir) == metric_lines(b.dir));
  BOOST_TEST(a.summary["train"]["threads"].get<std::int64_t>() == 2);
  BOOST_TEST(a.summary["test"]["auc"].get<double>() > 0.65);

  auto part = two;
  part.push_back("train.max_steps=60");
  train::run_training(d.options("part", part));
  auto resume = d.options("part", two);
  resume.resume = true;
  const auto resumed = train::run_training(resume);
  BOOST_TEST(metric_lines(resumed.dir) == metric_lines(a.dir));
}

BOOST_AUTO_TEST_CASE(corrupt_checkpoint_is_reported_on_resume) {
  TinyData d;
  auto o = d.options("c", {"train.max_steps=20"});
  train::run_training(o);
  const fs::path ckpt = fs::path(o.out_dir) / "checkpoint.ckpt";
  {
    std::fstream f(ckpt, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.put('\x55');
  }
  o.resume = true;
  try {
    train::run_training(o);
    BOOST_FAIL("expected a checksum error");
  } catch (const train::CheckpointError& e) {
    BOOST_TEST(std::string(e.what()).find("checksum") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(checkpoint_of_a_different_spec_is_refused) {
  TinyData d;
  auto o = d.options("d", {"train.max_steps=10"});
  train::run_training(o);
  auto other = d.options("d", {"encoder.heads=2"});
  other.resume = true;
  try {
    train::run_training(other);
    BOOST_FAIL("expected a spec mismatch error");
  } catch (const train::CheckpointError& e) {
    BOOST_TEST(std::string(e.what()).find("different spec") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(nan_loss_stops_with_a_clear_error) {
  TinyData d;
  auto o = d.options("e", {"train.learning_rate=1e30", "train.clip_norm=0.0"});
  try {
    train::run_training(o);
    BOOST_FAIL("expected divergence to be reported");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("diverged") != std::string::npos);
  }
}
