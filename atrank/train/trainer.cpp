// The training loop: batches -> forward on a reused tape -> backward ->
// global-norm clipping -> optimizer, with evaluations, checkpoints and
// resume. Everything that must survive a stop lives in TrainState.
#include "atrank/train/trainer.hpp"

#include <xxhash.h>

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

#include "atrank/data/batcher.hpp"
#include "atrank/data/dataset.hpp"
#include "atrank/data/ensure_synthetic.hpp"
#include "atrank/model/model.hpp"
#include "atrank/spec/load.hpp"
#include "atrank/tensor/gemm.hpp"
#include "atrank/train/batch_runner.hpp"
#include "atrank/train/checkpoint.hpp"
#include "atrank/train/evaluate.hpp"
#include "atrank/train/optimizer.hpp"
#include "atrank/train/progress.hpp"
#include "atrank/train/schedule.hpp"

namespace atrank::train {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

// What a checkpoint restores besides parameters and optimizer state.
struct TrainState {
  std::int64_t step = 0;
  data::BatchPosition position;
  std::int64_t examples = 0;     // examples trained on so far
  double train_seconds = 0;      // time in training steps (evaluation excluded)
  double loss_sum = 0;           // since the last evaluation
  std::int64_t loss_count = 0;
  std::int64_t last_eval_step = -1;
  double best_score = -std::numeric_limits<double>::infinity();
  std::int64_t best_step = -1, best_epoch = -1;
  json best_metrics = json::object();
};

// Fingerprint of what a checkpoint depends on: the resolved spec minus the
// keys that only say how long or how often (so a run can be extended).
std::uint64_t spec_fingerprint(spec::Spec s) {
  s.train.epochs = 0;
  s.train.max_steps = 0;
  s.train.eval_every = 0;
  s.train.checkpoint_every = 0;
  s.train.threads = 0;
  s.file.clear();
  const std::string text = spec::to_toml(s);
  return XXH64(text.data(), text.size(), 0);
}

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
  Run(const RunOptions& options, spec::Spec spec, std::string dir)
      : options_(options),
        spec_(std::move(spec)),
        dir_(std::move(dir)),
        data_(data::Dataset::load(spec_)),
        model_(model::Model<float>::build(spec_, data_.vocab())),
        runner_(model_, int(spec_.train.threads)),
        optimizer_(optimizer_config(spec_.train)),
        batcher_(data_, batcher_options(spec_)),
        progress_(stderr, stdout),
        fingerprint_(spec_fingerprint(spec_)) {
    optimizer_.attach(model_.dense(), model_.tables());
    dropout_rng_.seed(spec_.train.seed ^ 0x5eedULL);
    select_split_ = spec_.eval.select == "valid" ? data::Split::valid : data::Split::test;
    if (select_split_ == data::Split::valid && data_.num_cases(data::Split::valid) == 0)
      throw std::invalid_argument(spec_.file + ": eval.select = \"valid\" needs data.split = \"valid\"");
    select_metric_ = spec_.eval.metrics.empty() ? "auc" : spec_.eval.metrics.front();
    for (const auto& m : spec_.eval.metrics)
      if (m == "auc") select_metric_ = m;
  }

  RunResult go() {
    const auto& tr = spec_.train;
    const std::int64_t per_epoch = batcher_.batches_per_epoch();
    const std::int64_t total_steps = tr.max_steps > 0 ? tr.max_steps : per_epoch * tr.epochs;
    if (options_.resume) restore();
    say(fmt::format("data: {} training examples, {} validation and {} test cases{}",
                    batcher_.examples_per_epoch(), data_.num_cases(data::Split::valid),
                    data_.num_cases(data::Split::test),
                    data_.from_cache() ? " (from cache " + data_.cache_path() + ")" : ""));
    say(fmt::format("model: {} parameters; run directory {}", model_.param_count(), dir_));

    metrics_log_.open(fs::path(dir_) / "metrics.jsonl", std::ios::app);
    data::Batch batch;
    const std::int64_t ckpt_every = tr.checkpoint_every;

    while (state_.step < total_steps && state_.position.epoch < tr.epochs) {
      if (!batcher_.next(batch)) {  // end of an epoch
        state_.position = batcher_.position();
        if (tr.eval_every == 0) evaluate_now();
        continue;
      }
      const auto t0 = Clock::now();
      const double lr = learning_rate(batch);
      const StepResult step = runner_.train_step(batch, optimizer_, lr, tr.clip_norm, dropout_rng_);
      if (!std::isfinite(step.loss) || !std::isfinite(step.grad_norm))
        throw std::runtime_error(fmt::format(
            "training diverged: {} is {} at step {} (epoch {}); the last good checkpoint is kept "
            "in {} — lower train.learning_rate or set train.clip_norm",
            std::isfinite(step.loss) ? "the gradient norm" : "the loss",
            std::isfinite(step.loss) ? step.grad_norm : double(step.loss), state_.step,
            state_.position.epoch + 1, dir_));
      const float loss = step.loss;

      state_.train_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
      state_.step += 1;
      state_.examples += batch.size;
      state_.loss_sum += loss;
      state_.loss_count += 1;
      state_.position = batcher_.position();
      last_lr_ = lr;

      progress_state_ = {state_.position.epoch, tr.epochs, state_.step, total_steps,
                         state_.examples / std::max(state_.train_seconds, 1e-9),
                         state_.loss_sum / double(std::max<std::int64_t>(state_.loss_count, 1)),
                         state_.train_seconds / double(state_.step)};
      if (!options_.quiet) progress_.update(progress_state_);
      if (tr.eval_every > 0 && state_.step % tr.eval_every == 0) evaluate_now();
      if (ckpt_every > 0 && state_.step % ckpt_every == 0) save_checkpoint();
    }
    // Checkpoint first: it then holds the same state a periodic checkpoint at
    // this step would, so a resumed run continues exactly like an uninterrupted one.
    save_checkpoint();
    if (state_.last_eval_step != state_.step) evaluate_now();
    return finish();
  }

 private:
  static OptimizerConfig optimizer_config(const spec::TrainSpec& t) {
    OptimizerConfig c;
    c.kind = optimizer_kind(t.optimizer);
    c.beta1 = t.beta1;
    c.beta2 = t.beta2;
    c.eps = t.adam_eps;
    c.adagrad_init = t.adagrad_init;
    return c;
  }

  static data::BatcherOptions batcher_options(const spec::Spec& s) {
    data::BatcherOptions o;
    o.split = data::Split::train;
    o.mode = !s.tasks.empty() && s.tasks.front().loss == "bpr" ? data::BatchMode::pairwise
                                                                : data::BatchMode::pointwise;
    o.batch_size = s.train.batch_size;
    o.seed = s.train.seed;
    o.one_task_per_batch = s.train.multitask == "interleave";
    return o;
  }

  // The schedule's rate, or with interleaved multi-task batches the batch's
  // task rate when the spec gives one (the authors' per-task learning rates).
  double learning_rate(const data::Batch& batch) const {
    if (spec_.train.multitask == "interleave" && !batch.task.empty()) {
      const auto& task = spec_.tasks.at(std::size_t(batch.task.front()));
      if (task.learning_rate) return *task.learning_rate;
    }
    return learning_rate_at(spec_.train.learning_rate, spec_.train.schedule, state_.step);
  }

  void evaluate_now() {
    const auto t0 = Clock::now();
    // The epoch the last step belongs to: at an epoch's end the position has
    // already moved to the next epoch's first batch.
    const std::int64_t epoch = state_.position.batch == 0 ? state_.position.epoch : state_.position.epoch + 1;
    json line;
    line["step"] = state_.step;
    line["epoch"] = epoch;
    line["seconds"] = std::chrono::duration<double>(Clock::now() - start_).count() + seconds_before_;
    line["learning_rate"] = last_lr_;
    line["train_loss"] = state_.loss_count ? state_.loss_sum / double(state_.loss_count) : 0.0;
    std::map<std::string, std::map<std::string, double>> shown;
    for (auto split : {data::Split::valid, data::Split::test}) {
      if (data_.num_cases(split) == 0) continue;
      const auto metrics = evaluate(runner_, data_, split, spec_.eval, spec_.train.eval_batch_size);
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
    if (line.contains(sel) && line[sel].contains(select_metric_)) {
      const double score = line[sel][select_metric_];
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

  void save_checkpoint() {
    Checkpoint c;
    c.spec_fingerprint = fingerprint_;
    c.put("dense", model_.dense().values());
    const auto tables = model_.tables();
    for (std::size_t i = 0; i < tables.size(); ++i) c.put("table/" + tables[i]->name, tables[i]->values);
    const auto state = optimizer_.state_buffers();
    for (std::size_t i = 0; i < state.size(); ++i) c.put("optimizer/" + std::to_string(i), *state[i]);
    c.put_scalar("optimizer/steps", optimizer_.step_count());
    std::ostringstream rng;
    rng << dropout_rng_;
    c.put_string("rng/dropout", rng.str());
    c.put_scalar("state/step", state_.step);
    c.put_scalar("state/epoch", state_.position.epoch);
    c.put_scalar("state/batch", state_.position.batch);
    c.put_scalar("state/examples", state_.examples);
    c.put_scalar("state/train_seconds", state_.train_seconds);
    c.put_scalar("state/seconds", std::chrono::duration<double>(Clock::now() - start_).count() + seconds_before_);
    c.put_scalar("state/loss_sum", state_.loss_sum);
    c.put_scalar("state/loss_count", state_.loss_count);
    c.put_scalar("state/last_eval_step", state_.last_eval_step);
    c.put_scalar("state/best_score", state_.best_score);
    c.put_scalar("state/best_step", state_.best_step);
    c.put_scalar("state/best_epoch", state_.best_epoch);
    c.put_string("state/best_metrics", state_.best_metrics.dump());
    c.save((fs::path(dir_) / "checkpoint.ckpt").string());
  }

  void restore() {
    const auto path = fs::path(dir_) / "checkpoint.ckpt";
    if (!fs::exists(path))
      throw std::runtime_error("--resume: no checkpoint at " + path.string());
    const Checkpoint c = Checkpoint::load(path.string(), fingerprint_);
    c.get_into("dense", model_.dense().values());
    for (auto* t : model_.tables()) c.get_into("table/" + t->name, t->values);
    const auto state = optimizer_.state_buffers();
    for (std::size_t i = 0; i < state.size(); ++i) c.get_into("optimizer/" + std::to_string(i), *state[i]);
    optimizer_.step_count() = c.get_scalar<std::int64_t>("optimizer/steps");
    std::istringstream rng(c.bytes("rng/dropout"));
    rng >> dropout_rng_;
    state_.step = c.get_scalar<std::int64_t>("state/step");
    state_.position.epoch = c.get_scalar<std::int64_t>("state/epoch");
    state_.position.batch = c.get_scalar<std::int64_t>("state/batch");
    state_.examples = c.get_scalar<std::int64_t>("state/examples");
    state_.train_seconds = c.get_scalar<double>("state/train_seconds");
    seconds_before_ = c.get_scalar<double>("state/seconds");
    state_.loss_sum = c.get_scalar<double>("state/loss_sum");
    state_.loss_count = c.get_scalar<std::int64_t>("state/loss_count");
    state_.last_eval_step = c.get_scalar<std::int64_t>("state/last_eval_step");
    state_.best_score = c.get_scalar<double>("state/best_score");
    state_.best_step = c.get_scalar<std::int64_t>("state/best_step");
    state_.best_epoch = c.get_scalar<std::int64_t>("state/best_epoch");
    state_.best_metrics = json::parse(c.bytes("state/best_metrics"));
    batcher_.seek(state_.position);
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
    s["spec"] = spec_.file;
    s["params"]["total"] = model_.param_count();
    s["train"]["steps"] = state_.step;
    s["train"]["epochs"] = double(state_.examples) / double(std::max<std::int64_t>(batcher_.examples_per_epoch(), 1));
    s["train"]["examples"] = state_.examples;
    s["train"]["seconds"] = state_.train_seconds;
    s["train"]["examples_per_second"] = state_.examples / std::max(state_.train_seconds, 1e-9);
    s["train"]["threads"] = spec_.train.threads;
    s["best"]["step"] = state_.best_step;
    s["best"]["epoch"] = state_.best_epoch;
    s["best"]["selected_on"] = fmt::format("{}.{}", data::split_name(select_split_), select_metric_);
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
  spec::Spec spec_;
  std::string dir_;
  data::Dataset data_;
  model::Model<float> model_;
  BatchRunner runner_;
  Optimizer optimizer_;
  data::Batcher batcher_;
  Progress progress_;
  ProgressState progress_state_;
  std::uint64_t fingerprint_;
  std::mt19937_64 dropout_rng_;
  TrainState state_;
  data::Split select_split_ = data::Split::test;
  std::string select_metric_ = "auc";
  double last_lr_ = 0;
  double seconds_before_ = 0;
  Clock::time_point start_ = Clock::now();
  std::ofstream metrics_log_;
};

}  // namespace

RunResult run_training(const RunOptions& options) {
  std::vector<std::string> overrides = options.overrides;
  if (options.threads > 0) overrides.push_back("train.threads=" + std::to_string(options.threads));
  spec::Spec spec = spec::load_spec(options.spec_path, overrides);
  // BLAS stays on one thread per training thread: on 2 cores its threads
  // made training 17x slower (batch 32, atrank bench); the products here are
  // small, and the training threads already split every batch (BatchRunner).
  set_blas_threads(1);

  const std::string dir = options.out_dir.empty() ? default_run_dir(spec) : options.out_dir;
  if (options.resume && !fs::exists(fs::path(dir) / "checkpoint.ckpt"))
    throw std::runtime_error("--resume: no checkpoint in " + dir + " (pass the run directory with --out)");
  data::ensure_synthetic(spec, std::cout);
  fs::create_directories(dir);
  write_file_atomically(fs::path(dir) / "spec.toml", spec::to_toml(spec));
  Run run(options, std::move(spec), dir);
  return run.go();
}

}  // namespace atrank::train
