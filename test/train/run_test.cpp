// End-to-end training runs on tiny generated data: learning happens,
// runs are deterministic, resume equals an uninterrupted run, corrupt and
// foreign checkpoints are refused.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "atrank/train/checkpoint.hpp"
#include "test/train/tiny_run.hpp"

using namespace atrank;
namespace fs = std::filesystem;

using atrank::test::metric_lines;
using atrank::test::TinyData;

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
  BOOST_TEST(r.summary["stop"]["reason"] == "budget");
  BOOST_TEST(r.summary["best"]["checkpoint"] == "best.ckpt");
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
  // A run stopped at step 80 (its last checkpoint), then resumed to the end. Its last evaluation (step
  // 80, after that checkpoint) is its best: best.ckpt holds it, the checkpoint's best (step 50) is aside.
  auto part = d.options("part", {"train.checkpoint_every=30", "train.max_steps=80"});
  const auto stopped = train::run_training(part);
  BOOST_TEST(stopped.summary["best"]["step"] == 80);
  BOOST_TEST(fs::exists(stopped.dir + "/best-at-checkpoint.ckpt"));
  auto resume = d.options("part", {"train.checkpoint_every=30"});
  resume.resume = true;
  const auto resumed = train::run_training(resume);
  BOOST_TEST(metric_lines(resumed.dir) == metric_lines(full.dir));
  BOOST_TEST(resumed.summary["test"] == full.summary["test"]);
  // best.ckpt too: resuming put the checkpoint's best back before going on.
  const auto best = [](const std::string& dir) { return train::Checkpoint::load(dir + "/best.ckpt", 0).bytes("dense"); };
  BOOST_TEST((best(resumed.dir) == best(full.dir)));
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

// The run's spec.toml names the keys that differ (run_safety_test); without it the checkpoint's
// fingerprint still refuses another spec.
BOOST_AUTO_TEST_CASE(checkpoint_of_a_different_spec_is_refused) {
  TinyData d;
  auto o = d.options("d", {"train.max_steps=10"});
  train::run_training(o);
  fs::remove(fs::path(o.out_dir) / "spec.toml");
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
    BOOST_TEST(std::string(e.what()).find("No checkpoint was written") != std::string::npos, e.what());
  }
}
