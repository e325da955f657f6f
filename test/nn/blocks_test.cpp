// Gradient checks (double, tolerance 1e-6) of the nn blocks, including fully
// masked examples and length-1 histories, and the forward semantics of masks.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>
#include <vector>

#include <xtensor/xio.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "atrank/autodiff/gradcheck.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/ops/select_rows.hpp"
#include "atrank/nn/attention_block.hpp"
#include "atrank/nn/dense.hpp"
#include "atrank/nn/feedforward.hpp"
#include "atrank/nn/multihead_attention.hpp"
#include "test/autodiff/gradcheck_util.hpp"

using namespace atrank;
using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;

namespace {

// Every dense parameter uniform in [-0.5, 0.5): non-zero biases and layer-norm
// parameters exercise every gradient path.
void randomize(nn::Params<double>& p, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  for (double& v : p.dense.values()) v = u(rng);
}

// The padded layout (B,T,C) of examples with these lengths.
autodiff::Sequences padded(const std::vector<std::int32_t>& lengths, std::int64_t t) {
  return autodiff::Sequences::padded(std::int64_t(lengths.size()), t, lengths.data());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(blocks)

BOOST_AUTO_TEST_CASE(dense_and_prefix_gradients) {
  nn::Params<double> p;
  const int x = p.add("x", Shape{2, 3, 5}, nn::Init::zeros());
  const int xs = p.add("x_short", Shape{2, 3}, nn::Init::zeros());
  const auto d = nn::Dense<double>::make(p, "d", 5, 4, nn::Activation::Tanh);
  randomize(p, 1);
  auto r = autodiff::check_gradients(p.dense, {}, [&](Tape<double>& t) {
    return d(t, p, p.on(t, x));
  });
  ATRANK_CHECK_GRADIENTS(r);
  auto r2 = autodiff::check_gradients(p.dense, {}, [&](Tape<double>& t) {
    return d.prefix(t, p, p.on(t, xs));  // only kernel rows 0..2
  });
  ATRANK_CHECK_GRADIENTS(r2);
}

BOOST_AUTO_TEST_CASE(self_attention_with_empty_and_length_one_histories) {
  for (int act = 0; act < 2; ++act) {
    nn::Params<double> p;
    const int x = p.add("x", Shape{3, 4, 8}, nn::Init::zeros());  // (B,T,C)
    const auto m = nn::MultiheadAttention<double>::make(
        p, "mha", 8, 8, 8, 2, act ? nn::Activation::Relu : nn::Activation::None, 0.0, 1e-8);
    randomize(p, 2 + act);
    const std::vector<std::int32_t> lengths{4, 1, 0};  // full, length 1, fully masked
    std::mt19937_64 rng(0);
    auto r = autodiff::check_gradients(p.dense, {}, [&](Tape<double>& t) {
      const Var in = p.on(t, x);
      return m(t, p, in, padded(lengths, 4), in, padded(lengths, 4), false, rng);
    });
    ATRANK_CHECK_GRADIENTS(r);
  }
}

BOOST_AUTO_TEST_CASE(fully_masked_example_outputs_layer_norm_of_the_residual) {
  // Key length 0: the attention adds nothing (not NaN); the row is LN(queries).
  nn::Params<double> p;
  const int x = p.add("x", Shape{1, 2, 4}, nn::Init::zeros());
  const auto m = nn::MultiheadAttention<double>::make(p, "mha", 4, 4, 4, 2, nn::Activation::Relu,
                                                      0.0, 1e-8);
  randomize(p, 5);
  p.dense.tensor(m.norm.gamma).fill(1);
  p.dense.tensor(m.norm.beta).fill(0);
  const std::vector<std::int32_t> lengths{0};
  std::mt19937_64 rng(0);
  Tape<double> t;
  const Var in = p.on(t, x);
  const Var out = m(t, p, in, padded(lengths, 2), in, padded(lengths, 2), false, rng);
  const xt::xtensor<double, 2> xv = xt::view(p.dense.tensor(x), 0);  // (T,C)
  const xt::xtensor<double, 2> mean = xt::mean(xv, {1}, xt::keep_dims);
  const xt::xtensor<double, 2> var = xt::mean(xt::square(xv - mean), {1}, xt::keep_dims);
  const xt::xtensor<double, 2> want = (xv - mean) / xt::sqrt(var + 1e-8);
  BOOST_TEST(xt::allclose(xt::view(t.tensor(out), 0), want, 0.0, 1e-9), xt::xarray<double>(t.tensor(out)) << " vs " << want);
}

BOOST_AUTO_TEST_CASE(padded_keys_do_not_change_valid_outputs) {
  // Changing the values at padded positions must not move the valid outputs.
  nn::Params<double> p;
  const int x = p.add("x", Shape{1, 5, 8}, nn::Init::zeros());
  const auto b = nn::AttentionBlock<double>::make(p, "blk", {8, 2, 4, 0.0, nn::Activation::Relu, 1e-8});
  randomize(p, 6);
  const std::vector<std::int32_t> lengths{3};
  std::mt19937_64 rng(0);
  auto run = [&]() {
    Tape<double> t;
    const Var out = b.self(t, p, p.on(t, x), padded(lengths, 5), false, rng);
    return xt::xtensor<double, 2>(xt::view(t.tensor(out), 0, xt::range(0, 3)));  // valid rows only
  };
  const auto before = run();
  xt::view(p.dense.tensor(x), 0, xt::range(3, 5)) += 10.0;  // the padded positions
  BOOST_TEST(xt::allclose(run(), before, 0.0, 1e-12));
}

BOOST_AUTO_TEST_CASE(vanilla_attention_several_queries_over_masked_keys) {
  nn::Params<double> p;
  const int q = p.add("q", Shape{3, 2, 8}, nn::Init::zeros());  // 2 candidates per example
  const int k = p.add("k", Shape{3, 5, 8}, nn::Init::zeros());
  const auto b = nn::AttentionBlock<double>::make(p, "blk", {8, 4, 6, 0.0, nn::Activation::Relu, 1e-8});
  randomize(p, 7);
  const std::vector<std::int32_t> lengths{5, 1, 0};
  std::mt19937_64 rng(0);
  auto r = autodiff::check_gradients(p.dense, {}, [&](Tape<double>& t) {
    return b.vanilla(t, p, p.on(t, q), p.on(t, k), padded(lengths, 5), false, rng);
  });
  ATRANK_CHECK_GRADIENTS(r);

  // Each candidate attends on its own: scoring it alone gives the same row.
  Tape<double> t;
  const Var both = b.vanilla(t, p, p.on(t, q), p.on(t, k), padded(lengths, 5), false, rng);
  Tape<double> t1;
  const Var q1 = autodiff::slice(t1, p.on(t1, q), 1, 1, 1);  // candidate 1 only
  const Var one = b.vanilla(t1, p, q1, p.on(t1, k), padded(lengths, 5), false, rng);
  BOOST_TEST(xt::allclose(t1.tensor(one), xt::view(t.tensor(both), xt::all(), xt::range(1, 2)), 0.0, 1e-12));
}

BOOST_AUTO_TEST_CASE(feedforward_gradients) {
  nn::Params<double> p;
  const int x = p.add("x", Shape{2, 3, 8}, nn::Init::zeros());
  const auto f = nn::FeedForward<double>::make(p, "ffn", 8, 2, 1e-8);
  randomize(p, 8);
  auto r = autodiff::check_gradients(p.dense, {}, [&](Tape<double>& t) {
    return f(t, p, p.on(t, x));
  });
  ATRANK_CHECK_GRADIENTS(r);
  BOOST_TEST(f.param_count() == 8 * 2 + 2 + 2 * 8 + 8 + 16);
}

BOOST_AUTO_TEST_CASE(attention_with_dropout_has_exact_gradients_for_a_fixed_mask) {
  nn::Params<double> p;
  const int x = p.add("x", Shape{2, 3, 4}, nn::Init::zeros());
  const auto m = nn::MultiheadAttention<double>::make(p, "mha", 4, 4, 4, 2, nn::Activation::Relu,
                                                      0.3, 1e-8);
  randomize(p, 9);
  const std::vector<std::int32_t> lengths{3, 2};
  auto r = autodiff::check_gradients(p.dense, {}, [&](Tape<double>& t) {
    std::mt19937_64 rng(42);  // the same mask on every evaluation
    const Var in = p.on(t, x);
    return m(t, p, in, padded(lengths, 3), in, padded(lengths, 3), true, rng);
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(attention_with_dropout_over_packed_rows_equals_the_padded_layout) {
  // Dropout takes the composed ops, on the padded layout: packed rows are
  // unpacked for it and packed again; the same mask gives the same rows.
  nn::Params<double> p;
  const int x = p.add("x", Shape{2, 3, 4}, nn::Init::zeros());  // padded (B,T,C)
  const auto m = nn::MultiheadAttention<double>::make(p, "mha", 4, 4, 4, 2, nn::Activation::Relu, 0.3, 1e-8);
  randomize(p, 10);
  const std::vector<std::int32_t> lengths{3, 2}, starts{0, 3};
  const std::int32_t packed_rows[] = {0, 1, 2, 3, 4}, padded_rows[] = {0, 1, 2, 3, 4, -1};
  std::mt19937_64 rng_padded(42), rng_packed(42);
  Tape<double> t;
  const Var in = p.on(t, x);
  const Var padded_out = m(t, p, in, padded(lengths, 3), in, padded(lengths, 3), true, rng_padded);
  const Var rows = autodiff::select_rows(t, in, packed_rows, Shape{5, 4});
  const autodiff::Sequences packed{2, 3, starts.data(), lengths.data()};
  const Var packed_out = m(t, p, rows, packed, rows, packed, true, rng_packed);
  const Var back = autodiff::select_rows(t, packed_out, padded_rows, Shape{2, 3, 4});
  for (std::int64_t i = 0; i < 5 * 4; ++i)  // the valid rows (example 1's third row is padding)
    BOOST_TEST(t.value(back)[i] == t.value(padded_out)[i], boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(block_parameter_count_matches_the_authors) {
  // hidden 128, ffn 32: Q,K,V 3 x (128x128+128), LN 256, FFN 128x32+32+32x128+128, LN 256.
  nn::Params<float> p;
  const auto b = nn::AttentionBlock<float>::make(p, "blk", {128, 8, 32, 0.0, nn::Activation::Relu, 1e-8});
  BOOST_TEST(b.param_count() == 58400);
  BOOST_TEST(p.dense_count() == 58400);
}

BOOST_AUTO_TEST_SUITE_END()
