// The single-group ATRank model: the authors' parameter count, gradient
// checks of the whole forward pass (tables included), scoring consistency.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "atrank/autodiff/gradcheck.hpp"
#include "test/autodiff/gradcheck_util.hpp"
#include "test/model/fixtures.hpp"

using namespace atrank;
using autodiff::Tape;
using autodiff::Var;
using test::group_batch;

namespace {

data::Batch tiny_batch() {
  data::Batch b;
  b.size = 3;
  // Full history, a length-1 history and an empty one.
  b.groups = {group_batch({{1, 2, 3, 4}, {5}, {}})};
  b.users = {0, 1, 2};
  b.targets = {1, 6, 3};
  b.labels = {1, 0, 1};
  return b;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(atrank_model)

BOOST_AUTO_TEST_CASE(amazon_parameter_count_is_the_authors) {
  const auto m = test::build_model<float>(test::amazon_spec(63001, 801), data::Vocabulary{});
  // item 63001x64 + item_bias 63001 + category 801x64 + projection 140x128+128
  // + self-attention block 58,400 + vanilla-attention block 58,400.
  BOOST_TEST(m.param_count() == 4281177);
  const auto& s = m.summary();
  BOOST_TEST(s.total_params == 4281177);
  BOOST_TEST(s.table_params == 63001 * 64 + 63001 + 801 * 64);
  BOOST_REQUIRE(s.blocks.size() == 3u);
  BOOST_TEST(s.blocks[0].name == "group/item/projection");
  BOOST_TEST(s.blocks[0].params == 140 * 128 + 128);
  BOOST_TEST(s.blocks[1].name == "encoder/self_attention_0");
  BOOST_TEST(s.blocks[1].params == 58400);
  BOOST_TEST(s.blocks[2].name == "encoder/vanilla_attention_0");
  BOOST_TEST(s.blocks[2].params == 58400);
  BOOST_REQUIRE(s.groups.size() == 1u);
  BOOST_TEST(s.groups[0].input_width == 140);
  BOOST_TEST(s.groups[0].time_width == 12);
}

BOOST_AUTO_TEST_CASE(tf_default_initialization) {
  auto m = test::build_model<float>(test::tiny_spec(), test::tiny_vocab());
  auto& p = m.dense();
  for (const auto& s : p.slices()) {
    const float* v = p.values().data() + s.offset;
    const bool bias = s.name.size() > 5 && s.name.substr(s.name.size() - 5) == "/bias";
    const bool beta = s.name.size() > 5 && s.name.substr(s.name.size() - 5) == "/beta";
    const bool gamma = s.name.size() > 6 && s.name.substr(s.name.size() - 6) == "/gamma";
    for (std::int64_t i = 0; i < s.numel(); ++i) {
      if (bias || beta) BOOST_TEST(v[i] == 0.0f, s.name);
      if (gamma) BOOST_TEST(v[i] == 1.0f, s.name);
      if (!bias && !beta && !gamma)  // Glorot-uniform kernel
        BOOST_TEST(std::abs(v[i]) <= std::sqrt(6.0 / double(s.shape[0] + s.shape[1])) + 1e-6, s.name);
    }
  }
  for (float v : test::table_named(m, "item_bias").values) BOOST_TEST(v == 0.0f);
  const auto& item = test::table_named(m, "item");
  for (float v : item.values) BOOST_TEST(std::abs(v) <= std::sqrt(6.0 / (7 + 4)) + 1e-6);
}

BOOST_AUTO_TEST_CASE(whole_forward_gradients_with_tables) {
  auto m = test::build_model<double>(test::tiny_spec(), test::tiny_vocab());
  test::randomize(m, 11);
  const data::Batch batch = tiny_batch();
  std::mt19937_64 rng(0);
  auto r = autodiff::check_gradients(m.dense(), m.tables(), [&](Tape<double>& t) {
    return m.forward(t, batch, true, rng).loss;
  });
  ATRANK_CHECK_GRADIENTS(r);
  // The logits too (not only the scalar loss).
  auto r2 = autodiff::check_gradients(m.dense(), m.tables(), [&](Tape<double>& t) {
    return m.forward(t, batch, false, rng).logits;
  });
  ATRANK_CHECK_GRADIENTS(r2);
}

BOOST_AUTO_TEST_CASE(loss_is_mean_cross_entropy_plus_l2_of_the_output_vectors) {
  auto m = test::build_model<double>(test::tiny_spec(), test::tiny_vocab());
  test::randomize(m, 12);
  const data::Batch batch = tiny_batch();
  std::mt19937_64 rng(0);
  Tape<double> t;
  const auto r = m.forward(t, batch, false, rng);
  // Recompute with l2 = 0 and compare the difference with 0.01 * (l2(u) + l2(i)) > 0.
  auto spec0 = test::tiny_spec();
  spec0.tasks[0].l2 = 0;
  auto m0 = test::build_model<double>(spec0, test::tiny_vocab());
  test::randomize(m0, 12);
  Tape<double> t0;
  const auto r0 = m0.forward(t0, batch, false, rng);
  double ce = 0;
  for (int b = 0; b < 3; ++b) {
    const double x = t0.value(r0.logits)[b], z = batch.labels[std::size_t(b)];
    ce += std::max(x, 0.0) - x * z + std::log1p(std::exp(-std::abs(x)));
  }
  BOOST_TEST(std::abs(t0.value(r0.loss)[0] - ce / 3) < 1e-12);
  BOOST_TEST(t.value(r.loss)[0] > t0.value(r0.loss)[0]);
  for (int b = 0; b < 3; ++b) BOOST_TEST(t.value(r.logits)[b] == t0.value(r0.logits)[b]);
}

BOOST_AUTO_TEST_CASE(scores_encode_the_history_once_and_match_pointwise_logits) {
  auto m = test::build_model<double>(test::tiny_spec(), test::tiny_vocab());
  test::randomize(m, 13);
  data::Batch batch = tiny_batch();
  batch.candidates_per_example = 3;
  batch.candidates = {1, 2, 3, 6, 0, 4, 3, 5, 2};
  Tape<double> t;
  const auto scores = m.scores(t, batch);
  BOOST_REQUIRE(scores.size() == 9u);
  std::mt19937_64 rng(0);
  for (int c = 0; c < 3; ++c) {
    data::Batch one = tiny_batch();
    for (int b = 0; b < 3; ++b) one.targets[std::size_t(b)] = batch.candidates[std::size_t(b * 3 + c)];
    Tape<double> t1;
    const auto r = m.forward(t1, one, false, rng);
    for (int b = 0; b < 3; ++b)
      BOOST_TEST(std::abs(t1.value(r.logits)[b] - scores[std::size_t(b * 3 + c)]) < 1e-12);
  }
}

BOOST_AUTO_TEST_CASE(bpr_loss_gradients) {
  auto spec = test::tiny_spec();
  spec.tasks[0].loss = "bpr";
  auto m = test::build_model<double>(spec, test::tiny_vocab());
  test::randomize(m, 14);
  data::Batch batch = tiny_batch();
  batch.candidates_per_example = 3;
  batch.candidates = {1, 2, 3, 6, 0, 4, 3, 5, 2};
  std::mt19937_64 rng(0);
  auto r = autodiff::check_gradients(m.dense(), m.tables(), [&](Tape<double>& t) {
    return m.forward(t, batch, true, rng).loss;
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(dropout_training_is_seeded) {
  auto spec = test::tiny_spec();
  spec.encoder.dropout = 0.5;
  auto m = test::build_model<double>(spec, test::tiny_vocab());
  const data::Batch batch = tiny_batch();
  auto run = [&](unsigned seed, bool training) {
    std::mt19937_64 rng(seed);
    Tape<double> t;
    return t.value(m.forward(t, batch, training, rng).loss)[0];
  };
  BOOST_TEST(run(1, true) == run(1, true));
  BOOST_TEST(run(1, false) == run(2, false));
  BOOST_TEST(run(1, true) != run(1, false));
  std::mt19937_64 rng(3);
  auto r = autodiff::check_gradients(m.dense(), m.tables(), [&](Tape<double>& t) {
    std::mt19937_64 fixed(5);  // same mask on every evaluation
    return m.forward(t, batch, true, fixed).loss;
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(time_added_as_the_authors_option) {
  // combine = "add": tanh(dense(bucket)) added to the features, then projected.
  auto spec = test::tiny_spec();
  spec.groups[0].time.combine = "add";
  auto m = test::build_model<double>(spec, test::tiny_vocab());
  BOOST_TEST(m.summary().groups[0].input_width == 8);
  BOOST_TEST(m.dense().find("group/item/time/kernel") >= 0);
  test::randomize(m, 15);
  const data::Batch batch = tiny_batch();
  std::mt19937_64 rng(0);
  auto r = autodiff::check_gradients(m.dense(), m.tables(), [&](Tape<double>& t) {
    return m.forward(t, batch, true, rng).loss;
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(float_model_trains_one_step_without_nan) {
  auto m = test::build_model<float>(test::tiny_spec(), test::tiny_vocab());
  const data::Batch batch = tiny_batch();
  std::mt19937_64 rng(0);
  Tape<float> t;
  const auto r = m.forward(t, batch, true, rng);
  m.zero_grad();
  t.backward(r.loss);
  BOOST_TEST(std::isfinite(t.value(r.loss)[0]));
  for (float g : m.dense().grads()) BOOST_TEST(std::isfinite(g));
  BOOST_TEST(!test::table_named(m, "item").grad.rows.empty());
}

BOOST_AUTO_TEST_SUITE_END()
