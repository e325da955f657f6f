// Attention weights as `atrank explain` reads them (Model::score with a
// ScoreTrace, infer::explain): each row is a distribution over the valid
// positions and 0 on padding, and they are the very numbers the training
// forward pass computes for the same input; single-group, multi-group and
// every task of a multi-task model.
#include <boost/test/unit_test.hpp>

#include <string_view>

#include "atrank/autodiff/ops/fused_attention.hpp"
#include "atrank/infer/explain.hpp"
#include "atrank/nn/multihead_attention.hpp"
#include "test/model/fixtures.hpp"

using namespace atrank;
using test::group_batch;

namespace {

// Three examples: histories of several groups, one group empty, none at all.
data::Batch batch_of(const spec::Spec& s, int task) {
  data::Batch b;
  b.size = 3;
  if (s.groups.size() == 1) {
    b.groups = {group_batch({{1, 2, 3, 4}, {5}, {}})};
  } else {
    b.groups = {group_batch({{1, 2, 3}, {0, 4}, {}}), group_batch({{}, {1, 2}, {}}, /*pad=*/5),
                group_batch({{0, 1}, {2, 3, 4}, {}})};
  }
  b.users = {0, 1, 2};
  b.task = {task, task, task};
  b.targets = {1, 2, 3};  // valid in every target space of the fixtures
  b.labels = {1, 0, 1};
  return b;
}

std::int32_t history_length(const data::Batch& b, std::int64_t e) {
  std::int32_t n = 0;
  for (const auto& g : b.groups) n += g.lengths[std::size_t(e)];
  return n;
}

struct Case {
  std::string name;
  spec::Spec spec;
  data::Vocabulary vocab;
};

std::vector<Case> cases() {
  auto two_blocks = test::tiny_spec();
  two_blocks.encoder.blocks = 2;
  return {{"single group", test::tiny_spec(), test::tiny_vocab()},
          {"single group, 2 blocks", two_blocks, test::tiny_vocab()},
          {"multi group, multi task", test::multi_spec(), test::multi_vocab()}};
}

// The weights (B,H,Tq,Tk) of every fused_attention node on the tape, in order.
std::vector<TensorView<const float>> fused_weights(const autodiff::Tape<float>& t) {
  std::vector<TensorView<const float>> out;
  for (int i = 0; i < t.size(); ++i)
    if (std::string_view(t.node(autodiff::Var{i}).op) == "fused_attention")
      out.push_back(autodiff::fused_attention_weights(t, autodiff::Var{i}));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(explain)

BOOST_AUTO_TEST_CASE(attention_rows_sum_to_one_over_valid_positions_and_are_zero_on_padding) {
  for (const Case& c : cases())
    for (int task = 0; task < int(c.spec.tasks.size()); ++task) {
      auto m = test::build_model<float>(c.spec, c.vocab);
      test::randomize(m, 7);
      data::Batch b = batch_of(c.spec, task);
      b.candidates_per_example = 2;
      b.candidates = {1, 2, 3, 0, 2, 1};
      autodiff::Tape<float> t;
      model::ScoreTrace trace;
      m.score(t, b, &trace);
      BOOST_TEST_REQUIRE(trace.attention.self.size() == std::size_t(c.spec.encoder.blocks), c.name);
      BOOST_TEST_REQUIRE(trace.attention.vanilla.size() == std::size_t(c.spec.encoder.blocks), c.name);
      std::vector<TensorView<const float>> all;
      for (auto v : trace.attention.self) all.push_back(nn::attention_weights(t, v, c.spec.encoder.heads));
      for (auto v : trace.attention.vanilla) all.push_back(nn::attention_weights(t, v, c.spec.encoder.heads));
      for (std::size_t k = 0; k < all.size(); ++k) {
        const auto& w = all[k];
        const bool self = k < trace.attention.self.size();
        BOOST_TEST_REQUIRE(w.shape(1) == std::size_t(c.spec.encoder.heads));
        for (std::size_t e = 0; e < w.shape(0); ++e) {
          const auto len = std::size_t(history_length(b, std::int64_t(e)));
          for (std::size_t h = 0; h < w.shape(1); ++h)
            for (std::size_t q = 0; q < w.shape(2); ++q) {
              double valid = 0, padding = 0;
              for (std::size_t j = 0; j < w.shape(3); ++j) (j < len ? valid : padding) += std::abs(w(e, h, q, j));
              // Padded query rows (self-attention) and empty histories attend to nothing.
              const bool attends = len > 0 && (!self || q < len);
              BOOST_TEST(valid == (attends ? 1.0 : 0.0), boost::test_tools::tolerance(1e-5));
              BOOST_TEST(padding == 0.0, c.name << " task " << task << " example " << e);
            }
        }
      }
    }
}

BOOST_AUTO_TEST_CASE(explain_reports_the_weights_of_the_training_forward_pass) {
  for (const Case& c : cases())
    for (int task = 0; task < int(c.spec.tasks.size()); ++task) {
      auto m = test::build_model<float>(c.spec, c.vocab);
      test::randomize(m, 11);
      const data::Batch three = batch_of(c.spec, task);
      // Example 1: events in every group.
      data::Batch one;
      one.size = 1;
      for (const auto& g : three.groups) {
        data::GroupBatch s;
        s.max_len = g.lengths[1];
        s.lengths = {g.lengths[1]};
        for (std::int64_t i = 0; i < s.max_len; ++i) {
          const auto at = std::size_t(g.max_len + i);
          s.objects.push_back(g.objects[at]);
          s.behaviors.push_back(g.behaviors[at]);
          s.buckets.push_back(g.buckets[at]);
        }
        one.groups.push_back(s);
      }
      one.users = {1};
      one.task = {task};
      one.targets = {2};
      one.labels = {1};

      // The training step's forward pass (no dropout in these specs).
      autodiff::Tape<float> t;
      std::mt19937_64 rng(3);
      const auto fwd = m.forward(t, one, /*training=*/true, rng);
      const auto trained = fused_weights(t);

      data::Batch scored = one;
      scored.candidates_per_example = 1;
      scored.candidates = {2};
      const infer::Explanation e = infer::explain(m, scored);
      const auto blocks = std::size_t(c.spec.encoder.blocks);
      BOOST_TEST_REQUIRE(trained.size() == 2 * blocks, c.name);
      BOOST_TEST_REQUIRE(e.self.size() == blocks);
      BOOST_TEST_REQUIRE(e.vanilla.size() == blocks);
      const auto len = std::size_t(history_length(three, 1));
      BOOST_TEST_REQUIRE(e.history.size() == len);
      BOOST_TEST(e.logit == t.value(fwd.logits)[0], c.name << " task " << task);
      for (std::size_t k = 0; k < 2 * blocks; ++k) {
        const bool self = k < blocks;
        const std::vector<float>& got = self ? e.self[k] : e.vanilla[k - blocks];
        const auto& want = trained[k];
        const std::size_t rows = self ? len : 1;
        BOOST_TEST_REQUIRE(got.size() == std::size_t(e.heads) * rows * len);
        std::size_t i = 0, different = 0;
        for (std::size_t h = 0; h < std::size_t(e.heads); ++h)
          for (std::size_t q = 0; q < rows; ++q)
            for (std::size_t j = 0; j < len; ++j) different += got[i++] != want(0, h, q, j);
        BOOST_TEST(different == 0u, c.name << " task " << task << " node " << k);
      }
      // Positions follow the groups in spec order, each oldest first.
      std::size_t p = 0;
      for (std::size_t g = 0; g < one.groups.size(); ++g)
        for (std::int32_t i = 0; i < one.groups[g].lengths[0]; ++i, ++p) {
          BOOST_TEST(e.history[p].group == int(g));
          BOOST_TEST(e.history[p].object == one.groups[g].objects[std::size_t(i)]);
          BOOST_TEST(e.history[p].bucket == one.groups[g].buckets[std::size_t(i)]);
        }
    }
}

BOOST_AUTO_TEST_CASE(attention_mass_sums_weights_per_label_and_other_encoders_are_refused) {
  // 2 heads over positions labelled 0, 1, 0.
  const auto mass = infer::attention_mass({0.5f, 0.25f, 0.25f, 0.f, 1.f, 0.f}, 2, {0, 1, 0}, 3);
  BOOST_TEST(mass[0] == (std::vector<double>{0.75, 0.25, 0.0}), boost::test_tools::per_element());
  BOOST_TEST(mass[1] == (std::vector<double>{0.0, 1.0, 0.0}), boost::test_tools::per_element());

  auto spec = test::tiny_spec();
  spec.encoder.kind = "bilstm";
  spec.encoder.lstm_units = 8;
  auto m = test::build_model<float>(spec, test::tiny_vocab());
  data::Batch one;
  one.size = 1;
  one.groups = {group_batch({{1, 2}})};
  one.users = {0};
  one.candidates_per_example = 1;
  one.candidates = {2};
  BOOST_CHECK_EXCEPTION(infer::explain(m, one), std::invalid_argument, [](const std::invalid_argument& x) {
    return std::string(x.what()).find("explain needs \"atrank\"") != std::string::npos;
  });
}

BOOST_AUTO_TEST_SUITE_END()
