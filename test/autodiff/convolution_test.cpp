// conv1d and masked_max_pool: gradient checks and values against direct sums.
#include <boost/test/unit_test.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

#include "atrank/autodiff/ops/convolution.hpp"
#include "test/autodiff/op_test_util.hpp"
#include "test/tensor/expect_close.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_SUITE(gradcheck)

BOOST_AUTO_TEST_CASE(conv1d_op) {
  std::mt19937_64 rng(103);
  ParamArena<double> p;
  const int x = random_param(p, "x", {2, 5, 3}, rng);
  const int w = random_param(p, "w", {2, 3, 4}, rng);
  const int b = random_param(p, "b", {4}, rng);
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    return conv1d(t, p.on(t, x), p.on(t, w), p.on(t, b));
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(conv1d_kernel_spans_sequence_no_bias) {
  std::mt19937_64 rng(104);
  ParamArena<double> p;
  const int x = random_param(p, "x", {2, 3, 2}, rng);
  const int w = random_param(p, "w", {3, 2, 2}, rng);
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    return conv1d(t, p.on(t, x), p.on(t, w), Var{});
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(conv1d_sequence_length_1) {
  std::mt19937_64 rng(105);
  ParamArena<double> p;
  const int x = random_param(p, "x", {2, 1, 3}, rng);
  const int w = random_param(p, "w", {1, 3, 2}, rng);
  const int b = random_param(p, "b", {2}, rng);
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    return conv1d(t, p.on(t, x), p.on(t, w), p.on(t, b));
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(masked_max_pool_op_with_empty_sequence) {
  // Lengths (4, 1, 0, 9): a full, a length-1, an empty and a clamped sequence.
  std::mt19937_64 rng(106);
  ParamArena<double> p;
  const int x = random_param(p, "x", {4, 4, 3}, rng);
  const std::int32_t len[4] = {4, 1, 0, 9};
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    return masked_max_pool(t, p.on(t, x), len);
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(convolution_forward)

BOOST_AUTO_TEST_CASE(conv1d_matches_sum_of_shifted_products) {
  // out[b] = bias + sum_k x[b, k:k+To] w_k: the definition, one product per tap.
  std::mt19937_64 rng(108);
  const std::int64_t B = 2, T = 6, C = 3, K = 3, F = 2, To = T - K + 1;
  ParamArena<double> p;
  const int x = random_param(p, "x", {B, T, C}, rng);
  const int w = random_param(p, "w", {K, C, F}, rng);
  const int b = random_param(p, "b", {F}, rng);
  Tape<double> t;
  Var y = conv1d(t, p.on(t, x), p.on(t, w), p.on(t, b));
  BOOST_TEST(t.shape(y) == Shape({B, To, F}));
  const auto xs = p.tensor(x), ws = p.tensor(w);
  for (std::int64_t bb = 0; bb < B; ++bb) {
    xt::xtensor<double, 2> want = xt::zeros<double>({To, F}) + p.tensor(b);
    for (std::int64_t k = 0; k < K; ++k) {
      const xt::xtensor<double, 2> window = xt::view(xs, bb, xt::range(k, k + To), xt::all());
      const xt::xtensor<double, 2> wk = xt::view(ws, k);
      want += xt::linalg::dot(window, wk);
    }
    expect_close(xt::view(t.tensor(y), bb), want);
  }
  BOOST_CHECK_THROW(conv1d(t, t.constant({1, 2, 3}, p.value(x)), t.constant({3, 3, 2}, p.value(w)), Var{}),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(masked_max_pool_values_and_empty_sequence) {
  ParamArena<double> p;
  const int x = p.add("x", {3, 3, 2});
  // Example 0 (length 2): max over steps 0-1 only, the large step 2 is padding.
  // Example 1 (length 0): zeros, no gradient. Example 2 (length 3): all steps.
  const double xv[18] = {1, -5, 3, -6, 100, 100,  //
                         7, 8, 9, 10, 11, 12,     //
                         -1, -2, -3, 4, -0.5, -9};
  std::copy(xv, xv + 18, p.value(x));
  Tape<double> t;
  const std::int32_t len[3] = {2, 0, 3};
  Var y = masked_max_pool(t, p.on(t, x), len);
  const std::vector<double> want = {3, -5, 0, 0, -0.5, 4};
  BOOST_TEST(values_of(t, y) == want, tt::per_element());
  const double seed[6] = {1, 2, 3, 4, 5, 6};
  t.backward_from(y, seed);
  std::vector<double> gwant(18, 0.0);
  gwant[2] = 1;   // (b0, t1, f0)
  gwant[1] = 2;   // (b0, t0, f1)
  gwant[16] = 5;  // (b2, t2, f0)
  gwant[15] = 6;  // (b2, t1, f1)
  BOOST_TEST(p.grads() == gwant, tt::per_element());
  for (int i = 6; i < 12; ++i) BOOST_TEST(p.grad(x)[i] == 0.0);  // the empty sequence
}

BOOST_AUTO_TEST_SUITE_END()
