// The training loop: batches -> forward on a reused tape -> backward ->
// global-norm clipping -> optimizer, with evaluations, checkpoints and
// resume. Everything that must survive a stop lives in TrainState.
#include "atrank/train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "atrank/data/dataset.hpp"
#include "atrank/data/ensure_synthetic.hpp"
#include "atrank/data/id_maps.hpp"
#include "atrank/spec/load.hpp"
#include "atrank/tensor/gemm.hpp"
#include "atrank/train/checkpoint.hpp"
#include "atrank/train/evaluate.hpp"
#include "atrank/train/fingerprint.hpp"
#include "atrank/train/progress.hpp"
#include "atrank/train/run_state.hpp"
#include "atrank/train/setup.hpp"

namespace atrank::train {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

// Divides rates by at least this many seconds (no step timed yet: no division by zero).
constexpr double kMinSeconds = 1e-9;

std::string default_run_dir(const spec::Spec& spec) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  return (fs::path("runs") / (fs::path(spec.file).stem().string() + "-" + stamp)).string();
}

void write_file_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("cannot write " + tmp.string());
    f << text;
    if (!f.flush()) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

class Run {
 public:
  Run(const RunOptions& options, spec::Plan plan, std::string dir)
      : options_(options),
        plan_(std::move(plan)),
        dir_(std::move(dir)),
        data_(data::Dataset::load(plan_.spec)),
        setup_(plan_, data_),
        progress_(stderr, stdout),
        fingerprint_(spec_fingerprint(plan_.spec)),
        select_split_(plan_.eval.select == spec::Selection::Valid ? data::Split::valid : data::Split::test) {
    if (select_split_ == data::Split::valid && data_.num_cases(data::Split::valid) == 0)
      throw std::invalid_argument(plan_.spec.file + ": eval.select = \"valid\" needs data.split = \"valid\"");
    data::write_id_maps(data_.vocab(), data_.behavior_space(), (fs::path(dir_) / "ids").string());
  }

  RunResult go() {
    const auto& tr = plan_.spec.train;
    data::Batcher& batcher = setup_.batcher;
    const std::int64_t per_epoch = batcher.batches_per_epoch();
    const std::int64_t total_steps = tr.max_steps > 0 ? tr.max_steps : per_epoch * tr.epochs;
    if (options_.resume) restore();
    say(fmt::format("data: {} training examples, {} validation and {} test cases{}",
                    batcher.examples_per_epoch(), data_.num_cases(data::Split::valid),
                    data_.num_cases(data::Split::test),
                    data_.from_cache() ? " (from cache " + data_.cache_path() + ")" : ""));
    say(fmt::format("model: {} parameters; run directory {}", setup_.model.param_count(), dir_));

    metrics_log_.open(fs::path(dir_) / "metrics.jsonl", std::ios::app);
    data::Batch batch;
    while (state_.step < total_steps && state_.position.epoch < tr.epochs) {
      if (!batcher.next(batch)) {  // end of an epoch
        state_.position = batcher.position();
        if (tr.eval_every == 0) evaluate_now();
        continue;
      }
      train_on(batch, total_steps);
      if (tr.eval_every > 0 && state_.step % tr.eval_every == 0) evaluate_now();
      if (tr.checkpoint_every > 0 && state_.step % tr.checkpoint_every == 0) save_checkpoint();
    }
    // Checkpoint first: it then holds the same state a periodic checkpoint at
    // this step would, so a resumed run continues exactly like an uninterrupted one.
    save_checkpoint();
    if (state_.last_eval_step != state_.step) evaluate_now();
    return finish();
  }

 private:
  // One step on `batch`; stops the run when the loss or gradient norm is not finite.
  void train_on(const data::Batch& batch, std::int64_t total_steps) {
    const auto t0 = Clock::now();
    const double lr = setup_.learning_rate(batch, state_.step);
    const StepResult step = setup_.train_step(batch, lr);
    if (!std::isfinite(step.loss) || !std::isfinite(step.grad_norm))
      throw std::runtime_error(fmt::format(
          "training diverged: {} is {} at step {} (epoch {}); the last good checkpoint is kept "
          "in {} — lower train.learning_rate or set train.clip_norm",
          std::isfinite(step.loss) ? "the gradient norm" : "the loss",
          std::isfinite(step.loss) ? step.grad_norm : double(step.loss), state_.step,
          state_.position.epoch + 1, dir_));
    state_.train_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    state_.step += 1;
    state_.examples += batch.size;
    state_.loss_sum += step.loss;
    state_.loss_count += 1;
    state_.position = setup_.batcher.position();
    last_lr_ = lr;

    progress_state_ = {state_.position.epoch, plan_.spec.train.epochs, state_.step, total_steps,
                       state_.examples / std::max(state_.train_seconds, kMinSeconds),
                       state_.loss_sum / double(std::max<std::int64_t>(state_.loss_count, 1)),
                       state_.train_seconds / double(state_.step)};
    if (!options_.quiet) progress_.update(progress_state_);
  }

  // Wall-clock seconds of the run, earlier runs of a resumed one included.
  double wall_seconds() const {
    return std::chrono::duration<double>(Clock::now() - start_).count() + seconds_before_;
  }

  void evaluate_now() {
    const auto t0 = Clock::now();
    // The epoch the last step belongs to: at an epoch's end the position has
    // already moved to the next epoch's first batch.
    const std::int64_t epoch = state_.position.batch == 0 ? state_.position.epoch : state_.position.epoch + 1;
    json line;
    line["step"] = state_.step;
    line["epoch"] = epoch;
    line["seconds"] = wall_seconds();
    line["learning_rate"] = last_lr_;
    line["train_loss"] = state_.loss_count ? state_.loss_sum / double(state_.loss_count) : 0.0;
    std::map<std::string, std::map<std::string, double>> shown;
    for (auto split : {data::Split::valid, data::Split::test}) {
      if (data_.num_cases(split) == 0) continue;
      const auto metrics = evaluate(setup_.runner, data_, split, plan_.eval.metrics, plan_.spec.train.eval_batch_size);
      line[data::split_name(split)] = metrics;
      shown[data::split_name(split)] = metrics;
    }
    line["eval_seconds"] = std::chrono::duration<double>(Clock::now() - t0).count();
    metrics_log_ << line.dump() << "\n";
    metrics_log_.flush();
    progress_state_.loss = line["train_loss"];
    progress_state_.step = state_.step;
    if (!options_.quiet) progress_.evaluation(progress_state_, shown);

    const std::string sel = data::split_name(select_split_);
    const std::string& metric = plan_.eval.select_metric;
    if (line.contains(sel) && line[sel].contains(metric)) {
      const double score = line[sel][metric];
      if (score > state_.best_score) {
        state_.best_score = score;
        state_.best_step = state_.step;
        state_.best_epoch = epoch;
        state_.best_metrics = line;
      }
    }
    state_.loss_sum = 0;
    state_.loss_count = 0;
    state_.last_eval_step = state_.step;
  }

  // Everything a checkpoint holds, each with its section: saving and
  // restoring walk this one list.
  template <class F>
  void checkpoint_fields(F&& f) {
    model::Model<float>& model = setup_.model;
    f("dense", model.dense().values());
    for (auto* t : model.tables()) f("table/" + t->name, t->values);
    const auto buffers = setup_.optimizer.state_buffers();
    for (std::size_t i = 0; i < buffers.size(); ++i) f("optimizer/" + std::to_string(i), *buffers[i]);
    f("optimizer/steps", setup_.optimizer.step_count());
    f("rng/dropout", setup_.dropout_rng);
    state_.fields(f);
  }

  void save_checkpoint() {
    state_.seconds = wall_seconds();
    Checkpoint c;
    c.spec_fingerprint = fingerprint_;
    checkpoint_fields(PutSection{c});
    c.save((fs::path(dir_) / "checkpoint.ckpt").string());
  }

  void restore() {
    const auto path = fs::path(dir_) / "checkpoint.ckpt";
    if (!fs::exists(path))
      throw std::runtime_error("--resume: no checkpoint at " + path.string());
    const Checkpoint c = Checkpoint::load(path.string(), fingerprint_);
    checkpoint_fields(GetSection{c});
    seconds_before_ = state_.seconds;
    setup_.batcher.seek(state_.position);
    // Evaluations after the checkpoint were lost with the stop: drop their lines.
    truncate_metrics_after(state_.last_eval_step);
    say(fmt::format("resumed from {} at step {} (epoch {})", path.string(), state_.step,
                    state_.position.epoch + 1));
  }

  void truncate_metrics_after(std::int64_t step) {
    const auto path = fs::path(dir_) / "metrics.jsonl";
    if (!fs::exists(path)) return;
    std::ifstream in(path);
    std::string kept, line;
    while (std::getline(in, line))
      if (!line.empty() && json::parse(line).value("step", std::int64_t(0)) <= step) kept += line + "\n";
    in.close();
    write_file_atomically(path, kept);
  }

  RunResult finish() {
    json s;
    s["spec"] = plan_.spec.file;
    s["params"]["total"] = setup_.model.param_count();
    s["train"]["steps"] = state_.step;
    s["train"]["epochs"] = double(state_.examples) / double(std::max<std::int64_t>(setup_.batcher.examples_per_epoch(), 1));
    s["train"]["examples"] = state_.examples;
    s["train"]["seconds"] = state_.train_seconds;
    s["train"]["examples_per_second"] = state_.examples / std::max(state_.train_seconds, kMinSeconds);
    s["train"]["threads"] = plan_.spec.train.threads;
    s["best"]["step"] = state_.best_step;
    s["best"]["epoch"] = state_.best_epoch;
    s["best"]["selected_on"] = fmt::format("{}.{}", data::split_name(select_split_), plan_.eval.select_metric);
    for (const char* split : {"valid", "test"})
      if (state_.best_metrics.contains(split)) s[split] = state_.best_metrics[split];
    write_file_atomically(fs::path(dir_) / "summary.json", s.dump(2) + "\n");
    if (!options_.quiet) {
      std::string line = fmt::format("done: best {} {} at step {}", s["best"]["selected_on"].get<std::string>(),
                                     state_.best_score, state_.best_step);
      if (s.contains("test") && s["test"].contains("auc"))
        line += fmt::format(" | test auc {:.4f}", s["test"]["auc"].get<double>());
      line += fmt::format(" | {:.0f} ex/s | summary {}", s["train"]["examples_per_second"].get<double>(),
                          (fs::path(dir_) / "summary.json").string());
      say(line);
    }
    return {dir_, s};
  }

  void say(const std::string& text) {
    if (!options_.quiet) progress_.message(text);
  }

  const RunOptions& options_;
  const spec::Plan plan_;
  const std::string dir_;
  const data::Dataset data_;
  TrainingSetup setup_;
  Progress progress_;
  ProgressState progress_state_;
  const std::uint64_t fingerprint_;
  const data::Split select_split_;
  RunState state_;
  double last_lr_ = 0;
  double seconds_before_ = 0;
  Clock::time_point start_ = Clock::now();
  std::ofstream metrics_log_;
};

}  // namespace

RunResult run_training(const RunOptions& options) {
  std::vector<std::string> overrides = options.overrides;
  if (options.threads > 0) overrides.push_back("train.threads=" + std::to_string(options.threads));
  spec::Plan plan = spec::load_plan(options.spec_path, overrides);
  // BLAS stays on one thread per training thread: on 2 cores its threads
  // made training 17x slower (batch 32, atrank bench); the products here are
  // small, and the training threads already split every batch (BatchRunner).
  set_blas_threads(1);

  const std::string dir = options.out_dir.empty() ? default_run_dir(plan.spec) : options.out_dir;
  if (options.resume && !fs::exists(fs::path(dir) / "checkpoint.ckpt"))
    throw std::runtime_error("--resume: no checkpoint in " + dir + " (pass the run directory with --out)");
  data::ensure_synthetic(plan.spec, std::cout);
  fs::create_directories(dir);
  write_file_atomically(fs::path(dir) / "spec.toml", spec::to_toml(plan.spec));
  Run run(options, std::move(plan), dir);
  return run.go();
}

}  // namespace atrank::train
