// Inference scores (infer/scoring: catalogue and candidate blocks) against
// the training graph (Model::forward) for every encoder and for a
// multi-group, multi-task model: the same logits within 1e-5.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "atrank/infer/scoring.hpp"
#include "atrank/nn/attention_block.hpp"
#include "test/model/fixtures.hpp"

using namespace atrank;
using autodiff::Tape;
using test::group_batch;

namespace {

// One user's history: per group the object lists (the fixtures' behaviors
// and buckets), user row 2 (the bpr encoder's table row).
data::Batch one_history(const std::vector<std::vector<std::int32_t>>& groups) {
  data::Batch b;
  b.size = 1;
  for (const auto& ids : groups) b.groups.push_back(group_batch({ids}));
  b.users = {2};
  return b;
}

// The batch the training graph scores `ids` with: for a pointwise task one
// example per candidate (the same history repeated), for a pairwise task one
// example with all candidates.
data::Batch training_batch(const data::Batch& one, int task, bool pairwise, const std::vector<std::int32_t>& ids) {
  data::Batch b;
  const std::size_t n = ids.size();
  if (pairwise) {
    b = one;
    b.task = {task};
    b.candidates_per_example = std::int64_t(n);
    b.candidates = ids;
    return b;
  }
  b.size = std::int64_t(n);
  for (const auto& g : one.groups) {
    data::GroupBatch r = g;
    r.lengths.assign(n, g.lengths[0]);
    r.objects.clear(), r.behaviors.clear(), r.buckets.clear();
    for (std::size_t e = 0; e < n; ++e) {
      r.objects.insert(r.objects.end(), g.objects.begin(), g.objects.end());
      r.behaviors.insert(r.behaviors.end(), g.behaviors.begin(), g.behaviors.end());
      r.buckets.insert(r.buckets.end(), g.buckets.begin(), g.buckets.end());
    }
    b.groups.push_back(r);
  }
  b.users.assign(n, one.users[0]);
  b.task.assign(n, task);
  b.targets = ids;
  b.labels.assign(n, 0.0f);
  return b;
}

// The logits Model::forward computes for `ids` (rows of task `task`'s targets).
std::vector<float> training_logits(model::Model<float>& m, const data::Batch& one, int task,
                                   const std::vector<std::int32_t>& ids) {
  const bool pairwise = m.tasks()[std::size_t(task)].plan.loss == spec::Loss::Bpr;
  const data::Batch b = training_batch(one, task, pairwise, ids);
  Tape<float> t;
  std::mt19937_64 rng(0);
  const auto r = m.forward(t, b, /*training=*/false, rng);
  return std::vector<float>(t.value(r.logits), t.value(r.logits) + ids.size());
}

// Every object of every task scored by the catalogue and by candidate blocks
// equals the training graph's logit.
void check_against_training(model::Model<float>& m, const data::Vocabulary& vocab, const data::Batch& one) {
  for (int task = 0; task < int(m.tasks().size()); ++task) {
    const std::string& space = m.plan().groups[std::size_t(m.tasks()[std::size_t(task)].plan.group)].object;
    const std::int64_t n = vocab.size(space);
    std::vector<std::int32_t> ids(static_cast<std::size_t>(n));
    std::iota(ids.begin(), ids.end(), 0);
    const std::vector<float> expected = training_logits(m, one, task, ids);

    Tape<float> t;
    const infer::Catalogue<float> c = infer::make_catalogue(m, t, task, n);
    // ATRank catalogues are scored by the candidate kernels, every variant this CPU runs.
    BOOST_TEST((c.attention != nullptr) == (m.plan().encoder.kind == spec::EncoderKind::Atrank));
    if (c.attention)
      for (const std::string& variant : infer::CandidateAttention<float>::variants()) {
        t.clear();
        const model::EncodedHistory h = m.encode_history(t, one);
        std::vector<float> scores(static_cast<std::size_t>(n));
        c.attention->score(t, h, c.bias.empty() ? nullptr : c.bias.data(), scores.data(), variant);
        for (std::int64_t j = 0; j < n; ++j)
          BOOST_TEST(std::fabs(scores[std::size_t(j)] - expected[std::size_t(j)]) <= 1e-5f,
                     variant << " task " << task << " object " << j << ": " << scores[std::size_t(j)] << " vs "
                             << expected[std::size_t(j)]);
      }
    std::vector<float> catalogue(static_cast<std::size_t>(n)), candidates(static_cast<std::size_t>(n));
    infer::score_catalogue(m, t, c, one, catalogue.data());
    std::vector<std::int32_t> reversed(ids.rbegin(), ids.rend());  // any order, any subset
    infer::score_candidates(m, t, task, one, reversed.data(), n, candidates.data());
    std::reverse(candidates.begin(), candidates.end());
    for (std::int64_t j = 0; j < n; ++j) {
      const auto i = std::size_t(j);
      BOOST_TEST_CONTEXT("task " << task << " object " << j) {
        BOOST_TEST(std::fabs(catalogue[i] - expected[i]) <= 1e-5f, catalogue[i] << " vs " << expected[i]);
        BOOST_TEST(std::fabs(candidates[i] - expected[i]) <= 1e-5f, candidates[i] << " vs " << expected[i]);
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scoring)

BOOST_AUTO_TEST_CASE(atrank_scores_equal_training_logits) {
  for (const std::int64_t blocks : {1, 2}) {
    auto spec = test::tiny_spec();
    spec.encoder.blocks = blocks;
    auto m = test::build_model<float>(spec, test::tiny_vocab());
    test::randomize(m, 7);
    check_against_training(m, test::tiny_vocab(), one_history({{3, 1, 4, 1, 5}}));
    check_against_training(m, test::tiny_vocab(), one_history({{6}}));
    check_against_training(m, test::tiny_vocab(), one_history({{}}));  // no history: no NaN
  }
}

// The candidate kernels with the other Q/K/V activations (a second block's Q
// projection runs in the kernels), one head and four, a long history, and
// sharp attention: the vanilla blocks' Q and K kernels scaled up so that
// the scores spread over several units and the softmax's exp matters (with
// the fixtures' small weights every event gets about the same weight).
BOOST_AUTO_TEST_CASE(atrank_kernels_follow_the_spec_s_activation_and_heads) {
  for (const std::string activation : {"relu", "none"})
    for (const std::int64_t heads : {1, 4}) {
      BOOST_TEST_CONTEXT(activation << ", " << heads << " heads") {
        auto spec = test::tiny_spec();
        spec.encoder.blocks = 2;
        spec.encoder.heads = heads;
        spec.encoder.qkv_activation = activation;
        auto m = test::build_model<float>(spec, test::tiny_vocab());
        test::randomize(m, 29);
        for (const auto& b : *m.encoder().vanilla_blocks())
          for (const int id : {b.attention.q.kernel, b.attention.k.kernel, b.attention.v.kernel}) m.dense().tensor(id) *= 6.0f;
        std::vector<std::int32_t> events;
        for (std::int32_t i = 0; i < 40; ++i) events.push_back((i * 5) % 7);
        check_against_training(m, test::tiny_vocab(), one_history({events}));
      }
    }
}

BOOST_AUTO_TEST_CASE(baseline_encoders_score_as_in_training) {
  for (const std::string kind : {"bilstm", "bilstm_att", "cnn"}) {
    BOOST_TEST_CONTEXT(kind) {
      auto m = test::build_model<float>(test::baseline_spec(kind), test::tiny_vocab());
      test::randomize(m, 11);
      check_against_training(m, test::tiny_vocab(), one_history({{3, 1, 4, 1, 5, 2}}));
    }
  }
  auto spec = test::baseline_spec("bpr");
  spec.encoder.user_table = "user";
  spec.tables.push_back(test::table("user", "user", 8));
  spec.tasks[0].loss = "bpr";
  auto vocab = test::tiny_vocab();
  vocab.sizes["user"] = 5;
  auto m = test::build_model<float>(spec, vocab);
  test::randomize(m, 13);
  check_against_training(m, vocab, one_history({{3, 1}}));
}

// The softmax's exponential in the candidate kernels against std::exp: a few
// ulp over the range a softmax after its maximum meets (the logits above
// hardly move when the softmax weights are off by a percent).
BOOST_AUTO_TEST_CASE(kernel_exp_is_within_a_few_ulp_of_std_exp) {
  double worst = 0;
  for (float x = 0.0f; x > -87.0f; x -= 0.0137f) {
    const double want = std::exp(double(x));
    worst = std::max(worst, std::fabs(double(infer::kernel_exp(x)) - want) / want);
  }
  BOOST_TEST(worst < 4e-7, worst);
  BOOST_TEST(infer::kernel_exp(0.0f) == 1.0f);
  BOOST_TEST(infer::kernel_exp(-1000.0f) < 1e-37f);  // e^-87 at most, never NaN or garbage
  BOOST_TEST(infer::kernel_exp(-1000.0f) >= 0.0f);
}

BOOST_AUTO_TEST_CASE(multi_group_multi_task_scores_equal_training_logits) {
  auto m = test::build_model<float>(test::multi_spec(), test::multi_vocab());
  test::randomize(m, 17);
  check_against_training(m, test::multi_vocab(), one_history({{1, 4, 2}, {3, 6}, {0, 4}}));
  check_against_training(m, test::multi_vocab(), one_history({{5}, {}, {2}}));
}

BOOST_AUTO_TEST_CASE(a_catalogue_larger_than_a_block_is_scored_block_by_block) {
  auto spec = test::tiny_spec();
  data::Vocabulary vocab = test::tiny_vocab();
  const std::int64_t items = infer::kCandidateBlock * 2 + 5;
  vocab.sizes["item"] = items;
  auto& category = vocab.attributes["item"]["category"];
  category.resize(std::size_t(items));
  for (std::size_t i = 0; i < category.size(); ++i) category[i] = std::int32_t(i % 3);
  vocab.attributes["item"]["brand"].assign(std::size_t(items), 1);
  auto m = test::build_model<float>(spec, vocab);
  test::randomize(m, 19);
  check_against_training(m, vocab, one_history({{1, 900, std::int32_t(items - 1), 2}}));
}

BOOST_AUTO_TEST_CASE(scoring_threads_give_every_user_the_one_thread_scores) {
  auto m = test::build_model<float>(test::tiny_spec(), test::tiny_vocab());
  test::randomize(m, 23);
  Tape<float> t;
  const auto c = infer::make_catalogue(m, t, 0, 7);
  std::vector<data::Batch> users;
  for (std::int32_t u = 0; u < 20; ++u) users.push_back(one_history({{u % 7, (u * 3) % 7, 1}}));
  std::vector<std::vector<float>> one(users.size(), std::vector<float>(7)), two = one;
  for (std::size_t u = 0; u < users.size(); ++u) infer::score_catalogue(m, t, c, users[u], one[u].data());
  infer::ScoringThreads<float> threads(2);
  threads.run(std::int64_t(users.size()), [&](std::int64_t i, infer::ScoringScratch<float>& s) {
    infer::score_catalogue(m, s.tape, c, users[std::size_t(i)], two[std::size_t(i)].data());
  });
  BOOST_TEST(one == two);
}

BOOST_AUTO_TEST_SUITE_END()
