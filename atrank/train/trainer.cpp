// The training loop: batches -> forward on a reused tape -> backward ->
// global-norm clipping -> optimizer, with evaluations, checkpoints, the best
// parameters, early stopping, stop signals and resume. Everything that must
// survive a stop lives in RunState.
#include "atrank/train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "atrank/data/dataset.hpp"
#include "atrank/data/ensure_synthetic.hpp"
#include "atrank/data/id_maps.hpp"
#include "atrank/spec/load.hpp"
#include "atrank/spec/spec_diff.hpp"
#include "atrank/tensor/gemm.hpp"
#include "atrank/train/best_checkpoint.hpp"
#include "atrank/train/checked_file.hpp"
#include "atrank/train/checkpoint.hpp"
#include "atrank/train/evaluate.hpp"
#include "atrank/train/fingerprint.hpp"
#include "atrank/train/metrics_log.hpp"
#include "atrank/train/parameter_check.hpp"
#include "atrank/train/progress.hpp"
#include "atrank/train/ranks.hpp"
#include "atrank/train/run_directory.hpp"
#include "atrank/train/run_lock.hpp"
#include "atrank/train/run_state.hpp"
#include "atrank/train/setup.hpp"
#include "atrank/train/stop_signals.hpp"
#include "atrank/train/user_spread.hpp"

namespace atrank::train {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

// Divides rates by at least this many seconds (no step timed yet: no division by zero).
constexpr double kMinSeconds = 1e-9;

// `text` as one shell word.
std::string shell_word(const std::string& text) {
  const bool plain = !text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                             "0123456789_./=:@%+,-") == std::string::npos;
  if (plain) return text;
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The command that continues the run in `dir`: the same spec, overrides and threads.
std::string resume_command(const RunOptions& o, const std::string& dir) {
  std::string cmd = shell_word(o.program) + " run " + shell_word(o.spec_path);
  for (const auto& s : o.overrides) cmd += " --set " + shell_word(s);
  if (o.threads > 0) cmd += " --threads " + std::to_string(o.threads);
  return cmd + " --out " + shell_word(dir) + " --resume";
}

// A --resume with a spec other than the run's is refused naming the keys that
// differ (the run's spec.toml against this one, both resolved). When the
// run's spec cannot be read, the checkpoint's fingerprint still decides.
void refuse_other_spec(const RunFiles& files, const spec::Spec& now) {
  spec::Spec before;
  try {
    before = spec::load_spec(files.spec());
  } catch (const std::exception&) {
    return;
  }
  const auto diff = spec::differing_keys(without_run_length(before), without_run_length(now));
  if (diff.empty()) return;
  std::string rows;
  for (const auto& d : diff)
    rows += fmt::format("\n  {}: {} in the run, {} now", d.key, d.before.empty() ? "absent" : d.before,
                        d.after.empty() ? "absent" : d.after);
  throw std::runtime_error(fmt::format(
      "--resume: this spec differs from the run's ({}) in {} key{}:{}\nresume with the run's spec, or start "
      "another run (another --out, or --force); between a stop and a resume only train.epochs, max_steps, "
      "eval_every, checkpoint_every, threads and early_stop may change",
      files.spec(), diff.size(), diff.size() == 1 ? "" : "s", rows));
}

enum class StopReason { Budget, EarlyStop, MaxSteps, Signal };

const char* name_of(StopReason r) {
  switch (r) {
    case StopReason::Budget: return "budget";
    case StopReason::EarlyStop: return "early_stop";
    case StopReason::MaxSteps: return "max_steps";
    case StopReason::Signal: return "signal";
  }
  return "?";
}

class Run {
 public:
  Run(const RunOptions& options, spec::Plan plan, RunFiles files, std::optional<Checkpoint> checkpoint,
      dist::Communicator& comm)
      : options_(options),
        plan_(std::move(plan)),
        files_(std::move(files)),
        comm_(comm),
        data_(load_on_every_rank(plan_.spec, comm_)),
        setup_(plan_, data_, comm_),
        progress_(stderr, stdout),
        fingerprint_(spec_fingerprint(plan_.spec)),
        select_split_(plan_.eval.select == spec::Selection::Valid ? data::Split::valid : data::Split::test),
        checkpoint_(std::move(checkpoint)),
        best_(files_) {
    if (select_split_ == data::Split::valid && data_.num_cases(data::Split::valid) == 0)
      throw std::invalid_argument(plan_.spec.file + ": eval.select = \"valid\" needs data.split = \"valid\"");
    const auto& stop = plan_.train.early_stop;
    if (stop && stop->split == spec::Selection::Valid && data_.num_cases(data::Split::valid) == 0)
      throw std::invalid_argument(plan_.spec.file + ": train.early_stop.metric = \"" + stop->name +
                                  "\" but the data has no validation cases");
  }

  // The id maps (ids/): a run directory usable without its data (atrank recommend, score, export).
  void write_id_maps() const { data::write_id_maps(data_.vocab(), data_.behavior_space(), files_.ids()); }

  RunResult go() {
    const auto& tr = plan_.spec.train;
    data::Batcher& batcher = setup_.batcher;
    const std::int64_t per_epoch = batcher.batches_per_epoch();
    // Saturates: a huge train.epochs runs until max_steps, early stopping or a signal.
    const std::int64_t by_epochs = per_epoch > 0 && tr.epochs > std::numeric_limits<std::int64_t>::max() / per_epoch
                                       ? std::numeric_limits<std::int64_t>::max()
                                       : per_epoch * tr.epochs;
    const std::int64_t total_steps = tr.max_steps > 0 ? tr.max_steps : by_epochs;
    if (checkpoint_) restore();
    say(fmt::format("data: {} training examples, {} validation and {} test cases{}",
                    batcher.examples_per_epoch(), data_.num_cases(data::Split::valid),
                    data_.num_cases(data::Split::test),
                    data_.from_cache() ? " (from cache " + data_.cache_path() + ")" : ""));
    say(fmt::format("model: {} parameters; run directory {}", setup_.model.param_count(), files_.dir));

    if (comm_.root()) metrics_.emplace(files_.metrics());  // rank 0 alone writes the run directory
    const StopSignals signals;
    StopReason reason = StopReason::Budget;
    int signal = 0;  // the stop signal any rank received
    data::Batch batch;
    for (;;) {
      if (plan_.train.early_stop && state_.early_stop.exhausted(*plan_.train.early_stop)) {
        reason = StopReason::EarlyStop;
        break;
      }
      if ((signal = comm_.largest(signals.received())) != 0) {  // every rank stops at the same step
        reason = StopReason::Signal;
        break;
      }
      if (state_.step >= total_steps) {
        reason = tr.max_steps > 0 ? StopReason::MaxSteps : StopReason::Budget;
        break;
      }
      if (state_.position.epoch >= tr.epochs) break;
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
    if (reason == StopReason::Signal) return stopped_by(signal);
    if (state_.last_eval_step != state_.step) evaluate_now();
    return finish(reason);
  }

 private:
  // One step on `batch`; stops the run when the loss or gradient norm is not finite.
  void train_on(const data::Batch& batch, std::int64_t total_steps) {
    const auto t0 = Clock::now();
    const double lr = setup_.learning_rate(batch, state_.step);
    const StepResult step = setup_.train_step(batch, lr);
    if (!std::isfinite(step.loss) || !std::isfinite(step.grad_norm))
      throw std::runtime_error(fmt::format(
          "training diverged: {} is {} at step {} (epoch {}). {}. Lower train.learning_rate or set "
          "train.clip_norm, and start a new run",
          std::isfinite(step.loss) ? "the gradient norm" : "the loss",
          std::isfinite(step.loss) ? step.grad_norm : double(step.loss), state_.step, state_.position.epoch + 1,
          what_is_kept()));
    state_.train_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    exchanged_ += step.bytes_received;
    exchange_seconds_ += step.exchange_seconds;
    steps_here_ += 1;
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

  // What a stopped run leaves to go on from, said exactly.
  std::string what_is_kept() const {
    std::string kept = checkpoint_step_ >= 0
                           ? fmt::format("The checkpoint of step {} is kept in {}", checkpoint_step_, files_.checkpoint())
                           : std::string("No checkpoint was written");
    if (best_.step() >= 0)
      kept += fmt::format("; the best evaluation so far (step {}) is in {}", best_.step(), files_.best());
    return kept;
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
    Progress::SplitMetrics shown;
    for (auto split : {data::Split::valid, data::Split::test}) {
      if (data_.num_cases(split) == 0) continue;
      std::vector<std::string> same_as_auc;
      auto metrics = evaluate(setup_.runner, data_, split, plan_.eval.metrics, plan_.spec.train.eval_batch_size,
                              &same_as_auc);
      line[data::split_name(split)] = metrics;
      for (const auto& key : same_as_auc) metrics.erase(key);
      shown.emplace_back(data::split_name(split), std::move(metrics));
    }
    line["eval_seconds"] = std::chrono::duration<double>(Clock::now() - t0).count();
    if (metrics_) metrics_->append(line);
    progress_state_.loss = line["train_loss"];
    progress_state_.step = state_.step;
    if (!options_.quiet) progress_.evaluation(progress_state_, shown);

    if (const auto value = value_of(line, data::split_name(select_split_), plan_.eval.select_metric)) {
      if (state_.best_step < 0 || improves(*value, state_.best_score, plan_.eval.select_lower_is_better)) {
        state_.best_score = *value;
        state_.best_step = state_.step;
        state_.best_epoch = epoch;
        state_.best_metrics = line;
        if (comm_.root()) save_best(line);
      }
    }
    if (const auto& stop = plan_.train.early_stop)
      if (const auto value = value_of(line, stop->split == spec::Selection::Valid ? "valid" : "test", stop->metric))
        state_.early_stop.observe(*stop, *value, state_.step);
    state_.loss_sum = 0;
    state_.loss_count = 0;
    state_.last_eval_step = state_.step;
  }

  static std::optional<double> value_of(const json& line, const std::string& split, const std::string& metric) {
    if (!line.contains(split) || !line[split].contains(metric)) return std::nullopt;
    return line[split][metric].get<double>();
  }

  // Everything a checkpoint holds, each with its section: saving and
  // restoring walk this one list.
  template <class F>
  void checkpoint_fields(F&& f) {
    parameter_fields(setup_.model, f);
    const auto buffers = setup_.optimizer.state_buffers();
    for (std::size_t i = 0; i < buffers.size(); ++i) f("optimizer/" + std::to_string(i), *buffers[i]);
    f("optimizer/steps", setup_.optimizer.step_count());
    f("rng/dropout", setup_.dropout_rng);
    state_.fields(f);
  }

  // Diverged parameters are never written (parameter_check.hpp): the run stops instead.
  void refuse_bad_parameters(const std::string& file) {
    const auto bad = find_bad_parameter(setup_.model);
    if (!bad) return;
    throw std::runtime_error(fmt::format(
        "training diverged: {} is {} at step {} (epoch {}), beyond what a model that still trains holds (a "
        "finite value of magnitude at most {:g}); {} was not written. {}. Lower train.learning_rate or set "
        "train.clip_norm, and start a new run",
        bad->where, bad->value, state_.step, state_.position.epoch + 1, kExplodedBound, file, what_is_kept()));
  }

  void save_checkpoint() {
    refuse_bad_parameters(files_.checkpoint());
    state_.seconds = wall_seconds();
    if (comm_.root()) {  // every rank holds the same state
      Checkpoint c;
      c.spec_fingerprint = fingerprint_;
      checkpoint_fields(PutSection{c});
      c.save(files_.checkpoint());
      best_.committed();
    }
    checkpoint_step_ = state_.step;
  }

  void save_best(const json& line) {
    refuse_bad_parameters(files_.best());
    Checkpoint c;
    c.spec_fingerprint = fingerprint_;
    parameter_fields(setup_.model, PutSection{c});
    best_.save(c, state_.step, line.dump());
  }

  void restore() {
    checkpoint_fields(GetSection{*checkpoint_});
    checkpoint_.reset();
    seconds_before_ = state_.seconds;
    checkpoint_step_ = state_.step;
    setup_.batcher.seek(state_.position);
    // Evaluations after the checkpoint were lost with the stop: put the files back in step with it.
    if (comm_.root()) {
      MetricsLog::keep_until(files_.metrics(), state_.last_eval_step, std::cerr);
      best_.restore(state_.best_step, std::cerr);
    }
    say(fmt::format("resumed from {} at step {} (epoch {})", files_.checkpoint(), state_.step,
                    state_.position.epoch + 1));
  }

  json summary(StopReason reason) const {
    json s;
    s["spec"] = plan_.spec.file;
    s["params"]["total"] = setup_.model.param_count();
    s["train"]["steps"] = state_.step;
    s["train"]["epochs"] = double(state_.examples) / double(std::max<std::int64_t>(setup_.batcher.examples_per_epoch(), 1));
    s["train"]["examples"] = state_.examples;
    s["train"]["seconds"] = state_.train_seconds;
    s["train"]["examples_per_second"] = state_.examples / std::max(state_.train_seconds, kMinSeconds);
    s["train"]["threads"] = plan_.spec.train.threads;
    s["train"]["ranks"] = comm_.size();
    s["train"]["exchanged_bytes_per_step"] = steps_here_ ? exchanged_ / steps_here_ : 0;
    s["train"]["exchange_seconds_per_step"] = steps_here_ ? exchange_seconds_ / double(steps_here_) : 0.0;
    s["best"]["step"] = state_.best_step;
    s["best"]["epoch"] = state_.best_epoch;
    s["best"]["selected_on"] = fmt::format("{}.{}", data::split_name(select_split_), plan_.eval.select_metric);
    s["best"]["checkpoint"] = best_.step() >= 0 && best_.step() == state_.best_step ? json("best.ckpt") : json();
    s["collapsed"] = false;  // the selected evaluation's user_spread below kCollapsedUserSpread
    for (const char* split : {"valid", "test"})
      if (state_.best_metrics.contains(split)) {
        s[split] = state_.best_metrics[split];
        if (!collapsed_entries(s[split].get<std::map<std::string, double>>()).empty()) s["collapsed"] = true;
      }
    s["stop"]["reason"] = name_of(reason);
    s["stop"]["step"] = state_.step;
    if (const auto& stop = plan_.train.early_stop) {
      const EarlyStopState& e = state_.early_stop;
      s["stop"]["early_stop"] = {{"metric", stop->name},         {"patience", stop->patience},
                                 {"min_delta", stop->min_delta}, {"best", e.best_step >= 0 ? json(e.best) : json()},
                                 {"best_step", e.best_step},     {"evaluations_without_improvement", e.stale}};
    }
    return s;
  }

  RunResult finish(StopReason reason) {
    const json s = summary(reason);
    if (comm_.root()) write_file_atomically(files_.summary(), s.dump(2) + "\n");
    if (!options_.quiet) {
      std::string line = fmt::format("done ({}): best {} {:.4f} at step {}", name_of(reason),
                                     s["best"]["selected_on"].get<std::string>(), state_.best_score,
                                     state_.best_step);
      if (s.contains("test") && s["test"].contains("auc"))
        line += fmt::format(" | test auc {:.4f}", s["test"]["auc"].get<double>());
      line += fmt::format(" | {:.0f} ex/s | summary {}", s["train"]["examples_per_second"].get<double>(),
                          files_.summary());
      say(line);
    }
    return {files_.dir, s, 0};
  }

  // A signal stopped the run after a step: the checkpoint is written; say how to go on.
  RunResult stopped_by(int signal) {
    const json s = summary(StopReason::Signal);
    if (!comm_.root()) return {files_.dir, s, signal};
    write_file_atomically(files_.summary(), s.dump(2) + "\n");
    std::cerr << fmt::format("atrank: stopped by {} at step {} (epoch {}); checkpoint {} written. Continue with:\n  {}\n",
                             signal_name(signal), state_.step, state_.position.epoch + 1, files_.checkpoint(),
                             (comm_.size() > 1 ? fmt::format("mpirun -np {} ", comm_.size()) : std::string()) +
                                 resume_command(options_, files_.dir));
    return {files_.dir, s, signal};
  }

  void say(const std::string& text) {
    if (!options_.quiet) progress_.message(text);
  }

  const RunOptions& options_;
  const spec::Plan plan_;
  const RunFiles files_;
  dist::Communicator& comm_;
  const data::Dataset data_;
  TrainingSetup setup_;
  Progress progress_;
  ProgressState progress_state_;
  const std::uint64_t fingerprint_;
  const data::Split select_split_;
  std::optional<Checkpoint> checkpoint_;  // to resume from
  BestCheckpoint best_;
  std::optional<MetricsLog> metrics_;
  RunState state_;
  std::int64_t checkpoint_step_ = -1;  // the step of the checkpoint on disk, -1 when there is none
  double last_lr_ = 0;
  double seconds_before_ = 0;
  Clock::time_point start_ = Clock::now();
  // This process's steps: bytes received from the other ranks, seconds spent exchanging with them.
  std::int64_t exchanged_ = 0, steps_here_ = 0;
  double exchange_seconds_ = 0;
};

}  // namespace

RunResult run_training(const RunOptions& options) {
  dist::Communicator& comm = dist::Communicator::world();
  return or_end_job(comm, [&] { return run_training(options, comm); });
}

RunResult run_training(const RunOptions& all_options, dist::Communicator& comm) {
  RunOptions options = all_options;
  options.quiet = options.quiet || !comm.root();  // rank 0 speaks for the job
  std::vector<std::string> overrides = options.overrides;
  if (options.threads > 0) overrides.push_back("train.threads=" + std::to_string(options.threads));
  spec::Plan plan = spec::load_plan(options.spec_path, overrides);
  // BLAS stays on one thread per training thread: on 2 cores its threads
  // made training 17x slower (batch 32, atrank bench); the products here are
  // small, and the training threads already split every batch (BatchRunner).
  set_blas_threads(1);
  if (options.resume && options.force)
    throw std::invalid_argument("--resume continues the run in --out and --force starts it over: pass one of them");
  warn_if_bound_below(int(plan.spec.train.threads), comm);

  // Rank 0 alone checks and writes the run directory; every rank reads the checkpoint.
  const RunFiles files{options.out_dir.empty() ? default_run_dir(plan.spec.file) : options.out_dir};
  // Every refusal comes before the first write: a refused command changes no file.
  std::optional<RunLock> lock;
  std::optional<Checkpoint> checkpoint;
  if (options.resume) {
    if (!fs::exists(files.checkpoint()))
      throw std::runtime_error("--resume: no checkpoint in " + files.dir + " (pass the run directory with --out)");
    if (comm.root()) {
      lock.emplace(files.dir);
      refuse_other_spec(files, plan.spec);
    }
    checkpoint = Checkpoint::load(files.checkpoint(), spec_fingerprint(plan.spec));
  } else if (comm.root() && fs::exists(files.dir)) {
    RunLock::check_free(files.dir);
    if (!options.force) refuse_existing_run(files, resume_command(options, files.dir));
  }
  if (comm.root()) data::ensure_synthetic(plan.spec, std::cout);
  const std::string resolved = spec::to_toml(plan.spec);
  // Data and model before the directory: a run that cannot start leaves nothing behind.
  Run run(options, std::move(plan), files, std::move(checkpoint), comm);
  if (comm.root()) {
    fs::create_directories(files.dir);
    if (!lock) lock.emplace(files.dir);
    if (options.force)
      if (const std::string moved = set_aside_old_run(files); !moved.empty() && !options.quiet)
        std::cout << "--force: the earlier run's files are in " << moved << "\n";
    write_file_atomically(files.spec(), resolved);
    write_origin(files);
    run.write_id_maps();
  }
  return run.go();
}

}  // namespace atrank::train
