// The pieces that keep a run directory safe, one by one: checked writes (a
// full device is an error, never a shorter file), metrics.jsonl put back in
// step on resume, the run lock, --force setting old files aside, the
// parameter check before a checkpoint, and the early-stopping state.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>

#include "atrank/spec/load.hpp"
#include "atrank/train/best_checkpoint.hpp"
#include "atrank/train/checked_file.hpp"
#include "atrank/train/early_stopping.hpp"
#include "atrank/train/metrics_log.hpp"
#include "atrank/train/parameter_check.hpp"
#include "atrank/train/run_directory.hpp"
#include "atrank/train/run_lock.hpp"

using namespace atrank;
using namespace atrank::train;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("atrank-rundir-test-" + std::to_string(::getpid()));
  TempDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  BOOST_ERROR("expected an exception");
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run_directory)

// /dev/full fails every write with ENOSPC, as a full disk does.
BOOST_AUTO_TEST_CASE(append_to_a_full_device_is_an_error_naming_the_file) {
  AppendFile full("/dev/full");
  const std::string e = error_of([&] { full.append("{\"step\": 1}\n"); });
  BOOST_TEST(has(e, "cannot write /dev/full: No space left on device"), e);
  MetricsLog log("/dev/full");
  BOOST_CHECK_THROW(log.append({{"step", 1}}), WriteError);
}

BOOST_AUTO_TEST_CASE(atomic_write_that_fails_leaves_the_old_file) {
  TempDir d;
  const std::string path = d.file("summary.json");
  write_file_atomically(path, "old\n");
  BOOST_TEST(read(path) == "old\n");
  // Its temp file on a full device: the write fails, the old file stays, the temp file goes.
  fs::create_symlink("/dev/full", path + ".tmp");
  const std::string e = error_of([&] { write_file_atomically(path, "new\n"); });
  BOOST_TEST(has(e, "cannot write " + path + ": No space left on device"), e);
  BOOST_TEST(read(path) == "old\n");
  BOOST_TEST(!fs::exists(fs::symlink_status(path + ".tmp")));
  BOOST_CHECK_THROW(write_file_atomically(d.file("missing/x.json"), "x"), WriteError);
}

BOOST_AUTO_TEST_CASE(resume_drops_later_evaluations_and_a_torn_tail_with_a_warning) {
  TempDir d;
  const std::string path = d.file("metrics.jsonl");
  write_text(path, "{\"step\":10}\n{\"step\":20}\n{\"step\":30}\n{\"step\":4");  // the last write was cut short
  std::ostringstream warnings;
  MetricsLog::keep_until(path, 20, warnings);
  BOOST_TEST(read(path) == "{\"step\":10}\n{\"step\":20}\n");
  BOOST_TEST(warnings.str() == "atrank: warning: " + path +
                                   ": dropped 1 evaluation after step 20, the last the checkpoint knows of, and a torn last line (9 "
                                   "bytes, a write cut short)\n");
  // A whole line without its newline is torn too; nothing to drop: no warning, the file is not rewritten.
  write_text(path, "{\"step\":10}\n{\"step\":20}");
  std::ostringstream w2;
  MetricsLog::keep_until(path, 20, w2);
  BOOST_TEST(read(path) == "{\"step\":10}\n");
  struct stat before {}, after {};
  ::stat(path.c_str(), &before);
  std::ostringstream w3;
  MetricsLog::keep_until(path, 20, w3);
  ::stat(path.c_str(), &after);
  BOOST_TEST(w3.str().empty());
  BOOST_TEST(before.st_ino == after.st_ino);
  // A damaged line before the last: the file was edited; an error naming the line.
  write_text(path, "{\"step\":10}\nnot json\n{\"step\":20}\n");
  const std::string e = error_of([&] { MetricsLog::keep_until(path, 20, w3); });
  BOOST_TEST(has(e, path + ":2: not an evaluation line"), e);
}

BOOST_AUTO_TEST_CASE(the_lock_names_its_holder) {
  TempDir d;
  const std::string dir = d.path.string();
  {
    RunLock held(dir);
    BOOST_TEST(read(d.file("run.lock")) == std::to_string(::getpid()) + "\n");
    // flock locks belong to open files: a second open in this process conflicts as another process would.
    const std::string e = error_of([&] { RunLock second(dir); });
    BOOST_TEST(has(e, "run directory " + dir + " is in use by another atrank run (pid " + std::to_string(::getpid())),
               e);
    BOOST_CHECK_THROW(RunLock::check_free(dir), std::runtime_error);
  }
  RunLock::check_free(dir);  // released with its holder
  RunLock again(dir);
}

BOOST_AUTO_TEST_CASE(force_sets_the_old_run_aside_and_deletes_nothing) {
  TempDir d;
  const RunFiles files{d.path.string()};
  BOOST_TEST(files.present().empty());
  refuse_existing_run(files, "atrank run x.toml --out d --resume");  // an empty directory is fine
  write_text(files.spec(), "spec");
  write_text(files.metrics(), "{\"step\":1}\n");
  write_text(d.file("notes.txt"), "mine");
  write_text(d.file("run.lock"), "1\n");
  std::string e = error_of([&] { refuse_existing_run(files, "atrank run x.toml --out d --resume"); });
  BOOST_TEST(has(e, "already holds a run (spec.toml, metrics.jsonl)"), e);
  BOOST_TEST(!has(e, "--resume"), e);  // no checkpoint: nothing to resume
  BOOST_TEST(has(e, "--force"), e);
  write_text(files.checkpoint(), "ckpt");
  e = error_of([&] { refuse_existing_run(files, "atrank run x.toml --out d --resume"); });
  BOOST_TEST(has(e, "continue it with\n  atrank run x.toml --out d --resume\n"), e);

  const std::string moved = set_aside_old_run(files);
  BOOST_TEST(fs::path(moved).parent_path() == d.path);
  BOOST_TEST(fs::path(moved).filename().string().rfind("replaced-", 0) == 0);
  BOOST_TEST(read(moved + "/spec.toml") == "spec");
  BOOST_TEST(read(moved + "/checkpoint.ckpt") == "ckpt");
  BOOST_TEST(read(moved + "/notes.txt") == "mine");
  BOOST_TEST(files.present().empty());
  BOOST_TEST(fs::exists(d.file("run.lock")));
  // A second --force keeps the first set aside where it is.
  write_text(files.spec(), "spec 2");
  const std::string moved2 = set_aside_old_run(files);
  BOOST_TEST(moved2 != moved);
  BOOST_TEST(read(moved + "/spec.toml") == "spec");
  BOOST_TEST(read(moved2 + "/spec.toml") == "spec 2");
}

// best.ckpt always matches the best evaluation of the state a run resumes from.
BOOST_AUTO_TEST_CASE(best_checkpoint_follows_the_checkpoints) {
  TempDir d;
  const RunFiles files{d.path.string()};
  const auto params = [](float v) {
    Checkpoint c;
    c.put<float>("dense", {v, v});
    return c;
  };
  const auto held = [&](const std::string& path) { return Checkpoint::load(path, 0).get_scalar<std::int64_t>("best/step"); };
  {
    BestCheckpoint best(files);
    Checkpoint c = params(1);
    best.save(c, 10, "{}");
    best.committed();  // a checkpoint at step 10
    c = params(2);
    best.save(c, 20, "{}");  // a better evaluation after it: the checkpoint's best is kept aside
    BOOST_TEST(held(files.best()) == 20);
    BOOST_TEST(held(files.best_at_checkpoint()) == 10);
    c = params(3);
    best.save(c, 30, "{}");
    BOOST_TEST(held(files.best_at_checkpoint()) == 10);
    BOOST_TEST(best.step() == 30);
  }  // the run stops before its next checkpoint
  std::ostringstream warnings;
  BestCheckpoint resumed(files);
  resumed.restore(10, warnings);  // the checkpoint's best evaluation was step 10
  BOOST_TEST(held(files.best()) == 10);
  BOOST_TEST(!fs::exists(files.best_at_checkpoint()));
  BOOST_TEST(resumed.step() == 10);
  BOOST_TEST(warnings.str().empty());
  // A checkpoint that had no best yet: a later best.ckpt is removed, with a warning.
  BestCheckpoint again(files);
  again.restore(-1, warnings);
  BOOST_TEST(!fs::exists(files.best()));
  BOOST_TEST(has(warnings.str(), files.best() + ": removed: it holds the evaluation of step 10"), warnings.str());
  BOOST_TEST(again.step() == -1);
}

BOOST_AUTO_TEST_CASE(bad_parameters_are_found_and_named) {
  const spec::Plan plan = spec::load_plan(
      std::string(ATRANK_SOURCE_DIR) + "/specs/quickstart.toml",
      {"vocab.item=50", "vocab.category=5", "tables.item.width=8", "tables.category.width=8",
       "groups.item.projection.width=16", "encoder.hidden=16", "encoder.heads=2", "encoder.ffn=8"});
  auto model = model::build_model<float>(plan, data::Vocabulary{});
  BOOST_TEST(!find_bad_parameter(model).has_value());
  const auto& slice = model.dense().slices().at(2);
  model.dense().values()[slice.offset + 3] = std::nanf("");
  auto bad = find_bad_parameter(model);
  BOOST_REQUIRE(bad.has_value());
  BOOST_TEST(bad->where == "dense parameter `" + slice.name + "` element 3");
  BOOST_TEST(std::isnan(bad->value));
  model.dense().values()[slice.offset + 3] = 0.5f;
  model.dense().values().back() = -float(kExplodedBound);  // at the bound: still fine
  BOOST_TEST(!find_bad_parameter(model).has_value());
  autodiff::EmbeddingTable<float>& item = *model.tables().at(0);
  item.row(17)[5] = 2e6f;
  bad = find_bad_parameter(model);
  BOOST_REQUIRE(bad.has_value());
  BOOST_TEST(bad->where == "table `" + item.name + "` row 17");
  BOOST_TEST(bad->value == 2e6f);
}

BOOST_AUTO_TEST_CASE(early_stopping_counts_evaluations_without_improvement) {
  spec::EarlyStopPlan plan;
  plan.name = "valid.auc";
  plan.patience = 2;
  plan.min_delta = 0.01;
  EarlyStopState s;
  s.observe(plan, 0.70, 10);
  BOOST_TEST(!s.exhausted(plan));
  s.observe(plan, 0.705, 20);  // not above 0.70 + 0.01
  BOOST_TEST((s.best_step == 10 && s.stale == 1));
  s.observe(plan, 0.72, 30);   // an improvement resets the count
  BOOST_TEST((s.best_step == 30 && s.stale == 0 && s.best == 0.72));
  s.observe(plan, 0.71, 40);
  BOOST_TEST(!s.exhausted(plan));
  s.observe(plan, std::nan(""), 50);  // NaN never improves
  BOOST_TEST(s.exhausted(plan));
  // Saved and restored with a checkpoint.
  const EarlyStopState r = EarlyStopState::from_json(s.to_json());
  BOOST_TEST((r.metric == "valid.auc" && r.best == 0.72 && r.best_step == 30 && r.stale == 2));
  // A loss improves downwards; a run watching another metric starts afresh.
  spec::EarlyStopPlan loss = plan;
  loss.name = "valid.logloss";
  loss.lower_is_better = true;
  BOOST_TEST(!r.exhausted(loss));
  EarlyStopState l = r;
  l.observe(loss, 0.5, 60);
  l.observe(loss, 0.45, 70);
  BOOST_TEST((l.metric == "valid.logloss" && l.best_step == 70 && l.stale == 0));
}

BOOST_AUTO_TEST_SUITE_END()
