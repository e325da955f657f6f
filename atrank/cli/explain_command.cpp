// `atrank explain RUN --user ID [--target OBJ] [--task T] [--from best|last] [--out DIR]`:
// the attention of a trained ATRank model for one user of the run's data
// (its held-out test case, or another target at that moment), written as
// DIR/explain.json and drawn by experiments/plot_explain.py.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "atrank/cli/commands.hpp"
#include "atrank/data/batcher.hpp"
#include "atrank/data/dataset.hpp"
#include "atrank/infer/explain.hpp"
#include "atrank/spec/load.hpp"
#include "atrank/tensor/gemm.hpp"
#include "atrank/train/checkpoint.hpp"
#include "atrank/train/run_directory.hpp"
#include "atrank/train/run_state.hpp"
#include "atrank_version.hpp"  // ATRANK_SOURCE_DIR: where experiments/plot_explain.py lives

namespace atrank::cli {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

struct ExplainOptions {
  std::string run, user, target, task, from = "", out;
  bool no_pictures = false;
};

// --from best: best.ckpt (the evaluation summary.json selected); last:
// checkpoint.ckpt; neither: best.ckpt when the run has one.
std::string checkpoint_of(const ExplainOptions& o) {
  const train::RunFiles files{o.run};
  if (o.from == "best" && !fs::exists(files.best()))
    throw std::runtime_error("--from best: " + files.best() + " does not exist (a run keeps it from its first evaluation)");
  if (o.from != "last" && fs::exists(files.best())) return files.best();
  if (!fs::exists(files.checkpoint()))
    throw std::runtime_error(o.run + ": no checkpoint.ckpt (not a finished `atrank run` directory?)");
  return files.checkpoint();
}

std::int32_t row_of(const data::Vocabulary& vocab, const std::string& space, const std::string& raw,
                    const std::string& flag) {
  const auto it = vocab.original_ids.find(space);
  if (it != vocab.original_ids.end())
    for (std::size_t i = 0; i < it->second.size(); ++i)
      if (it->second[i] == raw) return std::int32_t(i);
  throw std::runtime_error(fmt::format("{} {}: no such {} in the run's data", flag, raw, space));
}

const std::string& target_space(const data::Layout& layout, int task) {
  return layout.groups[std::size_t(layout.tasks[std::size_t(task)].group)].object_space;
}

std::string raw_of(const data::Vocabulary& vocab, const std::string& space, std::int32_t row) {
  const auto it = vocab.original_ids.find(space);
  return it != vocab.original_ids.end() && row >= 0 && std::size_t(row) < it->second.size()
             ? it->second[std::size_t(row)]
             : std::to_string(row);
}

json report(const ExplainOptions& o, const std::string& checkpoint, const data::Dataset& data,
            const model::Model<float>& model, int task, std::int32_t user, std::int32_t target,
            const infer::Explanation& e) {
  const data::Vocabulary& v = data.vocab();
  const data::Layout& layout = data.layout();
  json j;
  j["run"] = o.run;
  j["checkpoint"] = checkpoint;
  j["user"] = raw_of(v, "user", user);
  j["task"] = model.tasks()[std::size_t(task)].plan.name;
  j["target"] = {{"object", raw_of(v, target_space(layout, task), target)}, {"logit", e.logit}};
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

void write_checked(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.flush()) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

void explain_command(const ExplainOptions& o) {
  const train::RunFiles files{o.run};
  if (!fs::exists(files.spec())) throw std::runtime_error(o.run + ": no spec.toml (not an `atrank run` directory?)");
  const std::string checkpoint = checkpoint_of(o);
  const spec::Plan plan = spec::load_plan(files.spec(), {});
  set_blas_threads(1);
  const data::Dataset data = data::Dataset::load(plan.spec);
  model::Model<float> model = model::Model<float>::build(plan, data.vocab());
  train::parameter_fields(model, train::GetSection{train::Checkpoint::load(checkpoint, 0)});

  int task = 0;
  if (!o.task.empty()) {
    task = -1;
    std::string names;
    for (std::size_t k = 0; k < model.tasks().size(); ++k) {
      if (model.tasks()[k].plan.name == o.task) task = int(k);
      names += (k ? ", " : "") + model.tasks()[k].plan.name;
    }
    if (task < 0) throw std::runtime_error("--task " + o.task + ": the run's tasks are " + names);
  }
  const std::int32_t user = row_of(data.vocab(), "user", o.user, "--user");
  std::int64_t test_case = -1;
  for (std::int64_t c = 0; c < data.num_cases(data::Split::test) && test_case < 0; ++c)
    if (data.user(data::Split::test, c) == user && data.task(data::Split::test, c) == task) test_case = c;
  if (test_case < 0)
    throw std::runtime_error(fmt::format("--user {}: no test case of task {} (too few events)", o.user,
                                         model.tasks()[std::size_t(task)].plan.name));
  data::BatcherOptions bo;
  bo.split = data::Split::test;
  bo.mode = data::BatchMode::eval;
  bo.shuffle = false;
  data::Batch batch;
  data::Batcher(data, bo).fill(&test_case, 1, batch);
  std::int32_t target = data.positive(data::Split::test, test_case);
  if (!o.target.empty()) target = row_of(data.vocab(), target_space(data.layout(), task), o.target, "--target");
  batch.candidates_per_example = 1;
  batch.candidates = {target};
  batch.targets = {target};
  const infer::Explanation e = infer::explain(model, batch);

  const fs::path out = o.out.empty() ? fs::path(o.run) / ("explain-" + o.user) : fs::path(o.out);
  fs::create_directories(out);
  const fs::path file = out / "explain.json";
  write_checked(file, report(o, checkpoint, data, model, task, user, target, e).dump(1) + "\n");
  std::cout << fmt::format("explain: user {} target {} ({} history positions, {} heads, logit {:.4f}) -> {}\n",
                           o.user, raw_of(data.vocab(), target_space(data.layout(), task), target),
                           e.history.size(), e.heads, e.logit, file.string());
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
  CLI::App* c = app.add_subcommand("explain", "Show what a trained ATRank model attends to for one user");
  c->add_option("run", o->run, "Run directory (atrank run --out)")->required();
  c->add_option("--user", o->user, "User id as in the data")->required();
  c->add_option("--target", o->target, "Object to score (default: the user's held-out test object)");
  c->add_option("--task", o->task, "Task (default: the spec's first)");
  c->add_option("--from", o->from, "best (best.ckpt) or last (checkpoint.ckpt); default best when present")
      ->check(CLI::IsMember({"best", "last"}));
  c->add_option("--out", o->out, "Output directory (default RUN/explain-<user>)");
  c->add_flag("--no-pictures", o->no_pictures, "Write explain.json only");
  c->callback([o] { explain_command(*o); });
}

}  // namespace atrank::cli
