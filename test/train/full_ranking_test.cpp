// eval.ranking = "all": the ranking metrics of evaluate() against a brute
// force over the training graph (Model::scores with every object of the
// task's target space as candidates, the user's touched objects left out),
// per task of the shipped multi-task spec; eval.rank_users samples users.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <numeric>
#include <set>
#include <sstream>

#include "atrank/data/synth.hpp"
#include "atrank/spec/load.hpp"
#include "atrank/train/evaluate.hpp"
#include "atrank/train/setup.hpp"

using namespace atrank;
namespace fs = std::filesystem;
namespace tt = boost::test_tools;

namespace {

struct Fixture {
  fs::path root = fs::temp_directory_path() / ("atrank-full-ranking-test-" + std::to_string(::getpid()));
  Fixture() {
    fs::remove_all(root);
    data::SynthOptions o;
    o.kind = spec::SyntheticKind::Multi;
    o.users = 60;
    o.items = 90;
    o.categories = 5;
    o.events = 1500;
    data::write_synthetic((root / "data").string(), o);
  }
  ~Fixture() { fs::remove_all(root); }

  spec::Plan plan(std::vector<std::string> extra) const {
    std::vector<std::string> o = {"data.path=" + (root / "data").string(),
                                  "data.cache_dir=" + (root / "cache").string(), "encoder.hidden=16",
                                  "encoder.heads=2", "groups.item.projection.width=16",
                                  "groups.query.projection.width=16", "groups.coupon.projection.width=16",
                                  "eval.ranking=all", "train.threads=2"};
    for (const char* t : {"item", "query", "coupon", "shop", "category", "brand", "behavior"})
      o.push_back(std::string("tables.") + t + ".width=4");
    o.insert(o.end(), extra.begin(), extra.end());
    return spec::load_plan(std::string(ATRANK_SOURCE_DIR) + "/specs/multi-behavior.toml", o);
  }
};

data::Dataset load(const spec::Plan& plan) {
  std::ostringstream log;
  data::LoadOptions o;
  o.log = &log;
  return data::Dataset::load(plan.spec, o);
}

// Brute force: the rank of each test case's positive among the objects of its
// task's space the user never touched, scored by Model::scores.
std::vector<std::int64_t> brute_ranks(model::Model<float>& m, const data::Dataset& data, data::Split split) {
  const data::Layout& layout = data.layout();
  data::BatcherOptions opt;
  opt.split = split;
  opt.mode = data::BatchMode::eval;
  const data::Batcher batcher(data, opt);
  autodiff::Tape<float> tape;
  std::vector<std::int64_t> ranks;
  for (std::int64_t c = 0; c < data.num_cases(split); ++c) {
    const int task = data.task(split, c);
    const std::string& space = layout.groups[std::size_t(layout.tasks[std::size_t(task)].group)].object_space;
    const std::int64_t n = data.vocab().size(space);
    data::Batch b;
    batcher.fill(&c, 1, b);
    b.candidates_per_example = n;
    b.candidates.resize(std::size_t(n));
    std::iota(b.candidates.begin(), b.candidates.end(), 0);
    b.targets.clear();
    const xt::xtensor<float, 2> s = m.scores(tape, b);  // (1, n)
    std::set<std::int32_t> touched;
    const std::int32_t user = data.user(split, c);
    for (int g = 0; g < data.num_groups(); ++g) {
      if (layout.groups[std::size_t(g)].object_space != space) continue;
      const auto& seq = data.sequences(g);
      for (auto i = seq.offsets[std::size_t(user)]; i < seq.offsets[std::size_t(user) + 1]; ++i)
        touched.insert(seq.objects[std::size_t(i)]);
    }
    const std::int32_t positive = data.positive(split, c);
    std::int64_t rank = 0;
    for (std::int32_t j = 0; j < n; ++j)
      rank += j != positive && !touched.count(j) && s(0, std::size_t(j)) >= s(0, std::size_t(positive));
    ranks.push_back(rank);
  }
  return ranks;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(full_ranking, Fixture)

BOOST_AUTO_TEST_CASE(metrics_equal_a_brute_force_over_the_training_graph) {
  const spec::Plan p = plan({"eval.metrics=[\"auc\", \"hr@5\", \"ndcg@5\", \"mrr\", \"recall@5\"]"});
  const data::Dataset data = load(p);
  train::TrainingSetup s(p, data);
  const auto split = data::Split::test;
  const auto got = train::evaluate(s.runner, data, split, p.eval.metrics, 64);
  const std::vector<std::int64_t> ranks = brute_ranks(s.model, data, split);
  const char* names[] = {"item", "query", "coupon"};
  for (int task = -1; task < 3; ++task) {
    double hr = 0, ndcg = 0, mrr = 0;
    std::int64_t n = 0;
    for (std::size_t c = 0; c < ranks.size(); ++c) {
      if (task >= 0 && data.task(split, std::int64_t(c)) != task) continue;
      hr += ranks[c] < 5;
      ndcg += ranks[c] < 5 ? 1.0 / std::log2(double(ranks[c]) + 2) : 0.0;
      mrr += 1.0 / double(ranks[c] + 1);
      ++n;
    }
    BOOST_TEST_REQUIRE(n > 0);
    const std::string prefix = task < 0 ? "" : std::string(names[task]) + ".";
    BOOST_TEST_CONTEXT(prefix) {
      BOOST_TEST(got.at(prefix + "hr@5") == hr / double(n), tt::tolerance(1e-12));
      BOOST_TEST(got.at(prefix + "ndcg@5") == ndcg / double(n), tt::tolerance(1e-12));
      BOOST_TEST(got.at(prefix + "mrr") == mrr / double(n), tt::tolerance(1e-12));
      BOOST_TEST(got.count(prefix + "recall@5") == 1u);
      BOOST_TEST(got.count(prefix + "auc") == 1u);  // the sampled metrics stay
    }
  }
}

BOOST_AUTO_TEST_CASE(rank_users_samples_the_same_users_every_time) {
  const spec::Plan all = plan({"eval.metrics=[\"mrr\"]", "eval.rank_users=1000"});
  const spec::Plan some = plan({"eval.metrics=[\"mrr\"]", "eval.rank_users=7"});
  const data::Dataset data = load(all);
  train::TrainingSetup s(all, data);
  const auto split = data::Split::test;
  const double every = train::evaluate(s.runner, data, split, all.eval.metrics, 64).at("mrr");
  const std::vector<std::int64_t> ranks = brute_ranks(s.model, data, split);
  double mrr = 0;
  for (const auto r : ranks) mrr += 1.0 / double(r + 1);
  BOOST_TEST(every == mrr / double(ranks.size()), tt::tolerance(1e-12));  // more users than the data: all
  train::TrainingSetup t(some, data);
  const double a = train::evaluate(t.runner, data, split, some.eval.metrics, 64).at("mrr");
  const double b = train::evaluate(t.runner, data, split, some.eval.metrics, 64).at("mrr");
  BOOST_TEST(a == b);
  // 7 of the data's users: the mean over their cases, not over all.
  std::set<std::int32_t> users;
  for (std::size_t c = 0; c < ranks.size(); ++c) users.insert(data.user(split, std::int64_t(c)));
  BOOST_TEST(users.size() > 7u);
  BOOST_TEST(a != mrr / double(ranks.size()));
}

BOOST_AUTO_TEST_SUITE_END()
