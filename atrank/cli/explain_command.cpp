// `atrank explain RUN (--user ID | --history FILE [--line N]) [--target OBJ] [--task T] [--from best|last]
// [--out DIR]`:
// the attention of a trained ATRank model for one user of the run's data
// (its held-out test case, or another target at that moment) or for one
// history given as a line of `atrank score`'s input, written as
// DIR/explain.json and drawn by experiments/plot_explain.py.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "atrank/cli/commands.hpp"
#include "atrank/data/batcher.hpp"
#include "atrank/data/dataset.hpp"
#include "atrank/infer/explain.hpp"
#include "atrank/infer/files.hpp"
#include "atrank/infer/history.hpp"
#include "atrank/infer/score_input.hpp"
#include "atrank/infer/trained_run.hpp"
#include "atrank/tensor/gemm.hpp"
#include "atrank/train/checked_file.hpp"
#include "atrank_version.hpp"  // ATRANK_SOURCE_DIR: where experiments/plot_explain.py lives

namespace atrank::cli {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

struct ExplainOptions {
  std::string run, user, history, target, task, from, out;
  std::int64_t line = 0;  // --line: 1-based line of --history; 0 = the file's only history
  bool no_pictures = false;
};

// One example to explain: a history, the target scored against it, and where it came from.
struct Subject {
  std::string user;  // the raw user id, or the line's `user` label ("" when it has none)
  int task = 0;
  std::int32_t target = 0;
  data::Batch batch;  // one example whose single candidate is `target`
  json input;         // for a --history line: {"file", "line"}; null for a dataset user
};

// Raw id `raw` of `space` as a row of the run's id maps, for flag `flag`.
std::int32_t row_of(const infer::TrainedRun& run, const std::string& space, const std::string& raw,
                    const std::string& flag) {
  const auto it = run.ids.vocab.original_ids.find(space);
  const std::int32_t row = it == run.ids.vocab.original_ids.end() ? -1 : data::row_lookup(it->second, space).find(raw);
  if (row < 0) throw std::runtime_error(fmt::format("{} {}: no such {} in the run's data", flag, raw, space));
  return row;
}

std::string raw_of(const data::Vocabulary& vocab, const std::string& space, std::int32_t row) {
  const auto it = vocab.original_ids.find(space);
  return it != vocab.original_ids.end() && row >= 0 && std::size_t(row) < it->second.size()
             ? it->second[std::size_t(row)]
             : std::to_string(row);
}

void make_target(std::int32_t target, Subject& s) {
  s.target = target;
  s.batch.task = {s.task};
  s.batch.candidates_per_example = 1;
  s.batch.candidates = {target};
  s.batch.targets = {target};
}

// --user: the user's held-out test case of the task, as evaluation batches it
// (the events before it, time buckets against its time).
Subject dataset_subject(const ExplainOptions& o, const infer::TrainedRun& run, int task) {
  const std::int32_t user = row_of(run, "user", o.user, "--user");
  const std::int32_t target = o.target.empty() ? -1 : row_of(run, run.target_space(task), o.target, "--target");
  const data::Dataset data = data::Dataset::load(run.plan.spec);
  data::check_same_ids(run.ids.vocab, data.vocab(), run.dir);
  std::int64_t test_case = -1;
  for (std::int64_t c = 0; c < data.num_cases(data::Split::test) && test_case < 0; ++c)
    if (data.user(data::Split::test, c) == user && data.task(data::Split::test, c) == task) test_case = c;
  if (test_case < 0)
    throw std::runtime_error(
        fmt::format("--user {}: no test case of task {} (too few events)", o.user,
                    run.layout.tasks[std::size_t(task)].name));
  data::BatcherOptions bo;
  bo.split = data::Split::test;
  bo.mode = data::BatchMode::eval;
  bo.shuffle = false;
  Subject s;
  s.user = o.user;
  s.task = task;
  data::Batcher(data, bo).fill(&test_case, 1, s.batch);
  make_target(target >= 0 ? target : data.positive(data::Split::test, test_case), s);
  return s;
}

// --history: line --line (or the file's only line) read by `atrank score`'s
// reader, fed as score feeds it; the target is --target, else the line's first candidate.
Subject input_subject(const ExplainOptions& o, const infer::TrainedRun& run, int task) {
  const infer::ScoreSchema schema(run.ids, run.layout, /*candidates=*/true, /*candidates_required=*/false);
  std::vector<std::int64_t> lines;  // of every history in the file
  infer::ScoreRequest chosen;
  infer::read_score_input(infer::read_bytes(o.history), schema, task, o.history, false, [&](infer::ScoreRequest&& r) {
    lines.push_back(r.line);
    if (r.line == o.line || (o.line == 0 && lines.size() == 1)) chosen = std::move(r);
  });
  auto listed = [&] {
    std::string s;
    for (std::size_t i = 0; i < lines.size() && i < 10; ++i) s += (i ? ", " : "") + std::to_string(lines[i]);
    return s + (lines.size() > 10 ? ", ..." : "");
  };
  if (lines.empty()) throw std::runtime_error(o.history + ": no input lines (one JSON history per line)");
  if (o.line == 0 && lines.size() > 1)
    throw std::runtime_error(fmt::format("{} holds {} histories (lines {}): pick one with --line N", o.history,
                                         lines.size(), listed()));
  if (o.line > 0 && chosen.line != o.line)
    throw std::runtime_error(
        fmt::format("--line {}: {} has no history on line {} (its histories: lines {})", o.line, o.history,
                    o.line, listed()));
  Subject s;
  s.user = chosen.user;
  s.task = chosen.task;
  s.input = {{"file", o.history}, {"line", chosen.line}};
  std::int32_t target = -1;
  if (!o.target.empty()) target = row_of(run, run.target_space(s.task), o.target, "--target");
  else if (!chosen.candidates.empty()) target = chosen.candidates.front();
  else
    throw infer::ScoreInputError(o.history, chosen.line, "candidates",
                                 "missing: name the object to explain with --target OBJ or as the line's "
                                 "first candidate");
  infer::fill_batch(
      run.layout, infer::input_history(run.layout, std::move(chosen.history), chosen.has_time, chosen.time), s.batch);
  make_target(target, s);
  return s;
}

json report(const infer::TrainedRun& run, const Subject& s, const infer::Explanation& e) {
  const data::Vocabulary& v = run.ids.vocab;
  const data::Layout& layout = run.layout;
  json j;
  j["run"] = run.dir;
  j["checkpoint"] = run.checkpoint;
  j["user"] = s.user.empty() ? json(nullptr) : json(s.user);
  if (!s.input.is_null()) j["input"] = s.input;
  j["task"] = layout.tasks[std::size_t(s.task)].name;
  j["target"] = {{"object", raw_of(v, run.target_space(s.task), s.target)}, {"logit", e.logit}};
  j["heads"] = e.heads;
  std::vector<std::string> groups;
  for (const auto& g : layout.groups) groups.push_back(g.name);
  j["groups"] = groups;
  j["behaviors"] = v.behaviors;
  std::vector<int> by_group, by_behavior;
  j["history"] = json::array();
  for (std::size_t p = 0; p < e.history.size(); ++p) {
    const infer::ExplainedEvent& ev = e.history[p];
    const auto& g = layout.groups[std::size_t(ev.group)];
    j["history"].push_back({{"position", p}, {"group", g.name}, {"index", ev.index},
                            {"object", raw_of(v, g.object_space, ev.object)},
                            {"behavior", v.behaviors.at(std::size_t(ev.behavior))}, {"time_bucket", ev.bucket}});
    by_group.push_back(ev.group);
    by_behavior.push_back(ev.behavior);
  }
  const auto t = std::int64_t(e.history.size());
  auto heads_of = [&](const std::vector<float>& w, std::int64_t rows) {
    json out = json::array();
    for (std::int64_t h = 0; h < e.heads; ++h) {
      json head = json::array();
      for (std::int64_t q = 0; q < rows; ++q)
        head.push_back(std::vector<float>(w.begin() + (h * rows + q) * t, w.begin() + (h * rows + q + 1) * t));
      out.push_back(rows == 1 ? head[0] : head);
    }
    return out;
  };
  auto named = [](const std::vector<std::vector<double>>& mass, const std::vector<std::string>& names) {
    json out = json::array();
    for (const auto& head : mass) {
      json m = json::object();
      for (std::size_t k = 0; k < names.size(); ++k) m[names[k]] = head[k];
      out.push_back(m);
    }
    return out;
  };
  j["self_attention"] = json::array();
  for (const auto& w : e.self) j["self_attention"].push_back(heads_of(w, t));
  j["vanilla_attention"] = json::array();
  j["mass_by_group"] = json::array();
  j["mass_by_behavior"] = json::array();
  for (const auto& w : e.vanilla) {
    j["vanilla_attention"].push_back(heads_of(w, 1));
    j["mass_by_group"].push_back(named(infer::attention_mass(w, e.heads, by_group, int(groups.size())), groups));
    j["mass_by_behavior"].push_back(
        named(infer::attention_mass(w, e.heads, by_behavior, int(v.behaviors.size())), v.behaviors));
  }
  return j;
}

void explain_command(const ExplainOptions& o) {
  if (o.user.empty() == o.history.empty())
    throw std::invalid_argument("explain needs one of --user ID (a user of the run's data) or --history FILE");
  if (o.line != 0 && o.history.empty()) throw std::invalid_argument("--line picks a line of --history FILE");
  infer::TrainedRun run(o.run, checkpoint_choice(o.from));
  const int task = run.task(o.task);
  set_blas_threads(1);
  const Subject s = o.history.empty() ? dataset_subject(o, run, task) : input_subject(o, run, task);
  const infer::Explanation e = infer::explain(run.model, s.batch);
  const std::string who =
      o.history.empty() ? "user " + o.user : fmt::format("{} line {}", o.history, s.input["line"].get<std::int64_t>());
  if (e.history.empty()) throw std::runtime_error(who + ": the history is empty: no attention to explain");

  const fs::path out = !o.out.empty() ? fs::path(o.out)
                       : o.history.empty()
                           ? fs::path(o.run) / ("explain-" + o.user)
                           : fs::path(o.run) / fmt::format("explain-{}-{}", fs::path(o.history).stem().string(),
                                                           s.input["line"].get<std::int64_t>());
  fs::create_directories(out);
  const fs::path file = out / "explain.json";
  train::write_file_atomically(file.string(), report(run, s, e).dump(1) + "\n");
  std::cout << fmt::format("explain: {} target {} ({} history positions, {} heads, logit {:.4f}) -> {}\n", who,
                           raw_of(run.ids.vocab, run.target_space(s.task), s.target), e.history.size(), e.heads,
                           e.logit, file.string());
  std::cout.flush();  // before the plotting script writes its lines
  if (o.no_pictures) return;
  const std::string draw = fmt::format("python3 {}/experiments/plot_explain.py {} --out {}", ATRANK_SOURCE_DIR,
                                       file.string(), out.string());
  if (std::system(draw.c_str()) != 0)
    throw std::runtime_error("explain.json is written, but drawing its pictures failed; run: " + draw);
}

}  // namespace

void add_explain_command(CLI::App& app) {
  auto o = std::make_shared<ExplainOptions>();
  CLI::App* c = app.add_subcommand("explain", "Show what a trained ATRank model attends to for one user or history");
  c->footer(
      "Give one of --user or --history.\n"
      "--user ID: the user's held-out test case (the events before it); --target scores another object at\n"
      "  that moment.\n"
      "--history FILE: a history not in the data, in the JSON lines of `atrank score --input`\n"
      "  ({history, candidates, task, time, user}; candidates may be left out when --target is given).\n"
      "  The target is --target, else the line's first candidate; the task is the line's `task`, else\n"
      "  --task; time buckets measure gaps up to the line's `time`, else its last event. A file of\n"
      "  several lines needs --line N (N as in error messages: the file's line number); explain one line\n"
      "  per call (a loop over N explains them all, each into its own --out).");
  c->add_option("run", o->run, "Run directory (atrank run --out)")->required();
  c->add_option("--user", o->user, "User id as in the data");
  c->add_option("--history", o->history, "JSON lines as `atrank score --input` reads (see below)");
  c->add_option("--line", o->line, "The line of --history to explain (required when it has several)")
      ->check(CLI::PositiveNumber);
  c->add_option("--target", o->target,
                "Object to score (default: the user's test object / the line's first candidate)");
  c->add_option("--task", o->task, "Task (default: the spec's first; a --history line's `task` wins)");
  add_from_option(*c, o->from);
  c->add_option("--out", o->out, "Output directory (default RUN/explain-<user> or RUN/explain-<file stem>-<line>)");
  c->add_flag("--no-pictures", o->no_pictures, "Write explain.json only");
  c->callback([o] { explain_command(*o); });
}

}  // namespace atrank::cli
