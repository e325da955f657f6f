// The single-group ATRank model: the authors' parameter count, gradient
// checks of the whole forward pass (tables included), scoring consistency.
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xsort.hpp>
#include <xtensor/xview.hpp>

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
  auto ends_with = [](const std::string& name, const std::string& tail) {
    return name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
  };
  for (std::size_t id = 0; id < p.slices().size(); ++id) {
    const auto& s = p.slice(int(id));
    const auto v = p.tensor(int(id));
    if (ends_with(s.name, "/bias") || ends_with(s.name, "/beta"))
      BOOST_TEST(xt::all(xt::equal(v, 0.f)), s.name);
    else if (ends_with(s.name, "/gamma"))
      BOOST_TEST(xt::all(xt::equal(v, 1.f)), s.name);
    else  // Glorot-uniform kernel
      BOOST_TEST(xt::amax(xt::abs(v))() <= std::sqrt(6.0 / double(s.shape[0] + s.shape[1])) + 1e-6, s.name);
  }
  BOOST_TEST(xt::all(xt::equal(test::table_named(m, "item_bias").tensor(), 0.f)));
  BOOST_TEST(xt::amax(xt::abs(test::table_named(m, "item").tensor()))() <= std::sqrt(6.0 / (7 + 4)) + 1e-6);
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
  // Stable sigmoid cross-entropy of the logits, as an xtensor expression.
  const auto x = t0.tensor(r0.logits);
  const auto z = xt::cast<double>(xt::adapt(batch.labels));
  const double ce = xt::mean(xt::maximum(x, 0.0) - x * z + xt::log1p(xt::exp(-xt::abs(x))))();
  BOOST_TEST(std::abs(t0.tensor(r0.loss)(0) - ce) < 1e-12);
  BOOST_TEST(t.tensor(r.loss)(0) > t0.tensor(r0.loss)(0));
  BOOST_TEST(xt::all(xt::equal(t.tensor(r.logits), x)));
}

BOOST_AUTO_TEST_CASE(scores_encode_the_history_once_and_match_pointwise_logits) {
  auto m = test::build_model<double>(test::tiny_spec(), test::tiny_vocab());
  test::randomize(m, 13);
  data::Batch batch = tiny_batch();
  batch.candidates_per_example = 3;
  batch.candidates = {1, 2, 3, 6, 0, 4, 3, 5, 2};
  Tape<double> t;
  const auto scores = m.scores(t, batch);
  BOOST_REQUIRE((scores.shape() == std::array<std::size_t, 2>{3, 3}));
  std::mt19937_64 rng(0);
  for (int c = 0; c < 3; ++c) {
    data::Batch one = tiny_batch();
    for (int b = 0; b < 3; ++b) one.targets[std::size_t(b)] = batch.candidates[std::size_t(b * 3 + c)];
    Tape<double> t1;
    const auto r = m.forward(t1, one, false, rng);
    const xt::xtensor<double, 1> column = xt::view(scores, xt::all(), c);
    BOOST_TEST(xt::allclose(t1.tensor(r.logits), column, 0.0, 1e-12));
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

BOOST_AUTO_TEST_CASE(packed_rows_give_the_loss_and_gradients_of_the_padded_history) {
  // The same step over the history as packed rows (the default) and padded
  // (B,T,C): a full, a length-1 and an empty history, two blocks.
  spec::Spec s = test::tiny_spec();
  s.encoder.blocks = 2;
  auto m = test::build_model<double>(s, test::tiny_vocab());
  test::randomize(m, 31);
  const data::Batch batch = tiny_batch();
  const test::StepResult packed = test::training_step(m, batch);
  m.use_padded_history(true);
  const test::StepResult padded = test::training_step(m, batch);
  BOOST_TEST(test::largest_relative_difference(packed, padded) < 1e-6);
  // The comparison can fail: another batch's step differs.
  data::Batch other = batch;
  other.groups[0].objects[1] = 6;
  BOOST_TEST(test::largest_relative_difference(packed, test::training_step(m, other)) > 1e-3);
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
