// Gradient checks (double, tolerance 1e-6) of the nn blocks, including fully
// masked examples and length-1 histories, and the forward semantics of masks.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "atrank/autodiff/gradcheck.hpp"
#include "atrank/autodiff/ops/layout.hpp"
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
  for (auto& v : p.dense.values()) v = u(rng);
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
      return m(t, p, in, lengths.data(), in, lengths.data(), false, rng);
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
  const int gamma = m.norm.gamma, beta = m.norm.beta;
  for (int i = 0; i < 4; ++i) {
    p.dense.value(gamma)[i] = 1;
    p.dense.value(beta)[i] = 0;
  }
  const std::vector<std::int32_t> lengths{0};
  std::mt19937_64 rng(0);
  Tape<double> t;
  const Var in = p.on(t, x);
  const Var out = m(t, p, in, lengths.data(), in, lengths.data(), false, rng);
  const double* xv = p.dense.value(x);
  for (int row = 0; row < 2; ++row) {
    double mean = 0, var = 0;
    for (int c = 0; c < 4; ++c) mean += xv[row * 4 + c] / 4;
    for (int c = 0; c < 4; ++c) var += (xv[row * 4 + c] - mean) * (xv[row * 4 + c] - mean) / 4;
    for (int c = 0; c < 4; ++c) {
      const double want = (xv[row * 4 + c] - mean) / std::sqrt(var + 1e-8);
      BOOST_TEST(std::abs(t.value(out)[row * 4 + c] - want) < 1e-9);
    }
  }
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
    const Var out = b.self(t, p, p.on(t, x), lengths.data(), false, rng);
    return std::vector<double>(t.value(out), t.value(out) + 3 * 8);  // valid rows only
  };
  const auto before = run();
  for (int i = 3 * 8; i < 5 * 8; ++i) p.dense.value(x)[i] += 10.0;
  const auto after = run();
  for (std::size_t i = 0; i < before.size(); ++i) BOOST_TEST(std::abs(before[i] - after[i]) < 1e-12);
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
    return b.vanilla(t, p, p.on(t, q), p.on(t, k), lengths.data(), false, rng);
  });
  ATRANK_CHECK_GRADIENTS(r);

  // Each candidate attends on its own: scoring it alone gives the same row.
  Tape<double> t;
  const Var both = b.vanilla(t, p, p.on(t, q), p.on(t, k), lengths.data(), false, rng);
  const std::vector<double> all(t.value(both), t.value(both) + 3 * 2 * 8);
  nn::Params<double>& pp = p;
  Tape<double> t1;
  const Var q1 = autodiff::slice(t1, pp.on(t1, q), 1, 1, 1);  // candidate 1 only
  const Var one = b.vanilla(t1, pp, q1, pp.on(t1, k), lengths.data(), false, rng);
  for (int e = 0; e < 3; ++e)
    for (int c = 0; c < 8; ++c)
      BOOST_TEST(std::abs(t1.value(one)[e * 8 + c] - all[std::size_t((e * 2 + 1) * 8 + c)]) < 1e-12);
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
    return m(t, p, in, lengths.data(), in, lengths.data(), true, rng);
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(block_parameter_count_matches_the_authors) {
  // hidden 128, ffn 32: Q,K,V 3 x (128x128+128), LN 256, FFN 128x32+32+32x128+128, LN 256.
  nn::Params<float> p;
  const auto b = nn::AttentionBlock<float>::make(p, "blk", {128, 8, 32, 0.0, nn::Activation::Relu, 1e-8});
  BOOST_TEST(b.param_count() == 58400);
  BOOST_TEST(p.dense_count() == 58400);
}

BOOST_AUTO_TEST_SUITE_END()
