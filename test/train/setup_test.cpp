// TrainingSetup, what `atrank run` trains and `atrank bench` times: the
// optimizer settings, the batching scheme and the learning rates all come
// from the spec (the benchmark once ignored beta1/beta2/adam_eps/adagrad_init
// and one_task_per_batch, and so timed another configuration).
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "atrank/data/synth.hpp"
#include "atrank/spec/load.hpp"
#include "atrank/train/setup.hpp"

using namespace atrank;
namespace fs = std::filesystem;

namespace {

const std::string kShippedSpec = std::string(ATRANK_SOURCE_DIR) + "/specs/multi-behavior.toml";

// Tiny generated multi-behavior data and the shipped multi-task spec shrunk to it.
struct Fixture {
  fs::path root = fs::temp_directory_path() / ("atrank-setup-test-" + std::to_string(::getpid()));

  Fixture() {
    fs::remove_all(root);
    data::SynthOptions o;
    o.kind = spec::SyntheticKind::Multi;
    o.users = 100;
    o.items = 150;
    o.categories = 5;
    o.events = 2500;
    data::write_synthetic((root / "data").string(), o);
  }
  ~Fixture() { fs::remove_all(root); }

  spec::Plan plan(const std::string& spec_path, std::vector<std::string> extra) const {
    std::vector<std::string> o = {"data.path=" + (root / "data").string(),
                                  "data.cache_dir=" + (root / "cache").string(), "encoder.hidden=16",
                                  "encoder.heads=2", "groups.item.projection.width=16",
                                  "groups.query.projection.width=16", "groups.coupon.projection.width=16"};
    for (const char* t : {"item", "query", "coupon", "shop", "category", "brand", "behavior"})
      o.push_back(std::string("tables.") + t + ".width=4");
    o.insert(o.end(), extra.begin(), extra.end());
    return spec::load_plan(spec_path, o);
  }
};

data::Dataset load(const spec::Plan& plan) {
  std::ostringstream log;  // import warnings: not this test's subject
  data::LoadOptions o;
  o.log = &log;
  return data::Dataset::load(plan.spec, o);
}

// The tasks of the first `n` training batches, one set per batch.
std::vector<std::set<int>> batch_tasks(train::TrainingSetup& s, int n) {
  std::vector<std::set<int>> out;
  data::Batch batch;
  while (int(out.size()) < n && s.batcher.next(batch)) out.emplace_back(batch.task.begin(), batch.task.end());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(setup)

BOOST_AUTO_TEST_CASE(optimizer_settings_come_from_the_spec) {
  Fixture f;
  const spec::Plan plan = f.plan(kShippedSpec, {"train.optimizer=adam", "train.beta1=0.5", "train.beta2=0.75",
                                                "train.adam_eps=0.001", "train.adagrad_init=0.25"});
  const data::Dataset data = load(plan);
  train::TrainingSetup s(plan, data);
  const train::OptimizerConfig& c = s.optimizer.config();
  BOOST_TEST((c.kind == train::OptimizerKind::Adam));
  BOOST_TEST((c.beta1 == 0.5 && c.beta2 == 0.75 && c.eps == 0.001 && c.adagrad_init == 0.25));
  // Adam keeps moments for every dense parameter.
  BOOST_TEST(s.optimizer.state_buffers()[0]->size() == s.model.dense().values().size());
}

BOOST_AUTO_TEST_CASE(interleaved_batches_hold_one_task_at_its_rate) {
  Fixture f;
  const spec::Plan plan = f.plan(kShippedSpec, {});
  const data::Dataset data = load(plan);
  train::TrainingSetup s(plan, data);
  std::set<int> seen;
  data::Batch batch;
  const std::vector<double> rates = {0.1, 0.04, 0.08};  // tasks item, query, coupon
  for (int i = 0; i < 40 && s.batcher.next(batch); ++i) {
    const std::set<int> tasks(batch.task.begin(), batch.task.end());
    BOOST_REQUIRE(tasks.size() == 1u);
    seen.insert(*tasks.begin());
    BOOST_TEST(s.learning_rate(batch, 0) == rates[std::size_t(*tasks.begin())]);
  }
  BOOST_TEST(seen.size() == 3u);
}

BOOST_AUTO_TEST_CASE(mixed_batches_mix_tasks_at_the_schedule_rate) {
  Fixture f;
  // The shipped spec without its per-task rates (they need interleaved batches).
  std::ifstream in(kShippedSpec);
  std::string text, line;
  bool in_task = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') in_task = line.rfind("[tasks.", 0) == 0;
    if (!(in_task && line.rfind("learning_rate", 0) == 0)) text += line + "\n";
  }
  const fs::path path = f.root / "mixed.toml";
  std::ofstream(path) << text;
  const spec::Plan plan = f.plan(path.string(), {"train.multitask=mixed", "train.schedule=[{step = 5, learning_rate = 0.5}]"});
  const data::Dataset data = load(plan);
  train::TrainingSetup s(plan, data);
  bool mixed = false;
  for (const auto& tasks : batch_tasks(s, 20)) mixed = mixed || tasks.size() > 1;
  BOOST_TEST(mixed);
  data::Batch batch;
  BOOST_REQUIRE(s.batcher.next(batch));
  BOOST_TEST(s.learning_rate(batch, 4) == 0.1);
  BOOST_TEST(s.learning_rate(batch, 5) == 0.5);
}

BOOST_AUTO_TEST_SUITE_END()
