// What a run does with its run directory when things go wrong or are asked
// of it: refusals change no file, best.ckpt holds the selected evaluation,
// early stopping stops at the right evaluation and survives a resume,
// diverged parameters are never checkpointed, and messages say what exists.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "atrank/train/checkpoint.hpp"
#include "atrank/train/run_lock.hpp"
#include "test/train/tiny_run.hpp"

using namespace atrank;
namespace fs = std::filesystem;
using atrank::test::metric_lines;
using atrank::test::TinyData;

namespace {

// Every file under `dir` with its bytes: what "changes no file" compares.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    out[fs::relative(e.path(), dir).string()] =
        std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  return out;
}

std::string error_of(const train::RunOptions& o) {
  try {
    train::run_training(o);
  } catch (const std::exception& e) {
    return e.what();
  }
  BOOST_ERROR("expected the run to be refused");
  return "";
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::vector<float> floats(const std::string& bytes) {
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(refused_runs_change_no_file) {
  TinyData d;
  const auto o = d.options("r", {"train.max_steps=20", "train.checkpoint_every=10", "train.eval_every=10"});
  train::run_training(o);
  const auto before = snapshot(o.out_dir);
  BOOST_REQUIRE(before.count("checkpoint.ckpt"));

  // A new run into it: refused, naming the way on.
  std::string e = error_of(o);
  BOOST_TEST(has(e, "already holds a run"), e);
  BOOST_TEST(has(e, "--out " + o.out_dir + " --resume"), e);
  BOOST_TEST(has(e, "--force"), e);
  BOOST_TEST((snapshot(o.out_dir) == before));

  // A resume with another spec: refused naming the keys, the run's spec.toml untouched.
  auto other = d.options("r", {"train.max_steps=20", "encoder.heads=2", "train.learning_rate=0.25"});
  other.resume = true;
  e = error_of(other);
  BOOST_TEST(has(e, "differs from the run's (" + o.out_dir + "/spec.toml) in 2 keys:"), e);
  BOOST_TEST(has(e, "\n  encoder.heads: 4 in the run, 2 now\n  train.learning_rate: 0.5 in the run, 0.25 now"), e);
  BOOST_TEST(!has(e, "fingerprint"), e);
  BOOST_TEST((snapshot(o.out_dir) == before));

  // While another run holds the directory: refused at once, naming its pid.
  {
    train::RunLock held(o.out_dir);
    const auto locked = snapshot(o.out_dir);
    auto resume = o;
    resume.resume = true;
    for (auto attempt : {resume, o}) {
      e = error_of(attempt);
      BOOST_TEST(has(e, "in use by another atrank run (pid " + std::to_string(::getpid()) + " holds"), e);
      BOOST_TEST((snapshot(o.out_dir) == locked));
    }
  }

  // --force starts over; the old run's files are set aside, not deleted.
  auto force = o;
  force.force = true;
  const auto r = train::run_training(force);
  BOOST_TEST(r.summary["stop"]["reason"] == "max_steps");
  std::string aside;
  for (const auto& entry : fs::directory_iterator(o.out_dir))
    if (entry.path().filename().string().rfind("replaced-", 0) == 0) aside = entry.path().string();
  BOOST_REQUIRE(!aside.empty());
  BOOST_TEST(snapshot(aside).at("checkpoint.ckpt") == before.at("checkpoint.ckpt"));
  BOOST_TEST(metric_lines(o.out_dir).size() == 2u);  // this run's evaluations only, not both runs'
}

// best.ckpt holds the parameters of the evaluation summary.json selects: those a run
// stopped at that step ends with.
BOOST_AUTO_TEST_CASE(best_ckpt_holds_the_selected_evaluation) {
  TinyData d;
  const auto full = train::run_training(d.options("full", {"train.eval_every=20"}));
  const std::int64_t best = full.summary["best"]["step"];
  BOOST_TEST(full.summary["best"]["checkpoint"] == "best.ckpt");
  const train::Checkpoint kept = train::Checkpoint::load(full.dir + "/best.ckpt", 0);
  BOOST_TEST(kept.get_scalar<std::int64_t>("best/step") == best);
  BOOST_TEST(nlohmann::json::parse(kept.bytes("best/metrics"))["test"] == full.summary["test"]);
  BOOST_TEST(!fs::exists(full.dir + "/best-at-checkpoint.ckpt"));  // the last evaluation is not the best here

  const auto stopped = train::run_training(d.options("stopped", {"train.eval_every=20",
                                                                 "train.max_steps=" + std::to_string(best)}));
  const train::Checkpoint at = train::Checkpoint::load(stopped.dir + "/checkpoint.ckpt", 0);
  BOOST_TEST(kept.bytes("dense").size() > 0u);
  BOOST_TEST((kept.bytes("dense") == at.bytes("dense")));
  for (const char* table : {"table/item", "table/category", "table/item_bias"})
    BOOST_TEST((kept.bytes(table) == at.bytes(table)), table);
}

namespace {

// The step at which train.early_stop (patience, min_delta) stops, replayed from the values logged.
std::int64_t expected_stop(const std::vector<nlohmann::json>& lines, const std::string& split,
                           std::int64_t patience, double min_delta) {
  double best = 0;
  std::int64_t stale = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const double v = lines[i][split]["auc"];
    if (i == 0 || v > best + min_delta) {
      best = v;
      stale = 0;
    } else if (++stale >= patience) {
      return lines[i]["step"];
    }
  }
  return -1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(early_stopping_stops_at_the_right_evaluation_and_resumes_with_its_state) {
  TinyData d;
  const std::vector<std::string> stop = {"data.split=valid", "train.eval_every=10", "train.checkpoint_every=10",
                                         "train.early_stop={ metric = \"valid.auc\", patience = 3, min_delta = 0.01 }"};
  const auto full = train::run_training(d.options("full", stop));
  const auto lines = metric_lines(full.dir);
  const std::int64_t at = expected_stop(lines, "valid", 3, 0.01);
  BOOST_REQUIRE(at > 0);
  BOOST_TEST(lines.back()["step"].get<std::int64_t>() == at);  // no evaluation after the stopping one
  BOOST_TEST(full.summary["stop"]["reason"] == "early_stop");
  BOOST_TEST(full.summary["stop"]["step"].get<std::int64_t>() == at);
  BOOST_TEST(full.summary["stop"]["early_stop"]["metric"] == "valid.auc");
  BOOST_TEST(full.summary["stop"]["early_stop"]["evaluations_without_improvement"] == 3);
  BOOST_TEST(full.summary["train"]["steps"].get<std::int64_t>() == at);

  // Stopped after the first evaluation without improvement, then resumed: the count goes on
  // from its checkpoint (starting afresh would stop later).
  std::int64_t stale_at = -1;
  for (std::size_t i = 1; i < lines.size() && stale_at < 0; ++i)
    if (lines[i]["valid"]["auc"].get<double>() <= lines[i - 1]["valid"]["auc"].get<double>() + 0.01)
      stale_at = lines[i]["step"];
  BOOST_REQUIRE(stale_at > 0);
  BOOST_REQUIRE(stale_at < at);
  auto part = stop;
  part.push_back("train.max_steps=" + std::to_string(stale_at));
  const auto first = train::run_training(d.options("part", part));
  BOOST_TEST(first.summary["stop"]["reason"] == "max_steps");
  auto resume = d.options("part", stop);
  resume.resume = true;
  const auto resumed = train::run_training(resume);
  BOOST_TEST(resumed.summary["stop"]["reason"] == "early_stop");
  BOOST_TEST(metric_lines(resumed.dir) == lines);
  // Resuming a run that stopped early stops again at once.
  const auto again = train::run_training(resume);
  BOOST_TEST(again.summary["stop"]["reason"] == "early_stop");
  BOOST_TEST(again.summary["train"]["steps"].get<std::int64_t>() == at);
}

BOOST_AUTO_TEST_CASE(diverged_parameters_are_never_checkpointed) {
  TinyData d;
  // One step at a rate of 1e8 (clipped at norm 5) moves weights past 1e6 while the loss stays finite.
  auto o = d.options("a", {"train.learning_rate=1e8", "train.checkpoint_every=1"});
  std::string e = error_of(o);
  BOOST_TEST(has(e, "training diverged: "), e);
  BOOST_TEST(has(e, "at step 1 (epoch 1)"), e);
  BOOST_TEST(has(e, o.out_dir + "/checkpoint.ckpt was not written. No checkpoint was written."), e);
  BOOST_TEST(!fs::exists(o.out_dir + "/checkpoint.ckpt"));

  // A blow-up after a checkpoint: the message names the checkpoint that is kept, and it is sound.
  o = d.options("b", {"train.schedule=[{ step = 6, learning_rate = 1e30 }]", "train.clip_norm=0.0",
                      "train.checkpoint_every=3"});
  e = error_of(o);
  BOOST_TEST(has(e, "training diverged: "), e);
  BOOST_TEST(has(e, "The checkpoint of step 6 is kept in " + o.out_dir + "/checkpoint.ckpt"), e);
  const train::Checkpoint kept = train::Checkpoint::load(o.out_dir + "/checkpoint.ckpt", 0);
  BOOST_TEST(kept.get_scalar<std::int64_t>("state/step") == 6);
  for (const float v : floats(kept.bytes("dense"))) BOOST_REQUIRE(std::isfinite(v));
}
