#include <cmath>

#include <boost/test/unit_test.hpp>
#include <xtensor/xview.hpp>

#include "atrank/autodiff/ops/attention.hpp"
#include "atrank/autodiff/ops/matmul.hpp"
#include "test/autodiff/op_test_util.hpp"
#include "test/tensor/expect_close.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_SUITE(gradcheck)

BOOST_AUTO_TEST_CASE(masked_softmax_op) {
  // Scores (B*H=4, Tq=3, Tk=5) with key lengths (B=2): rows_per_length = H*Tq = 6.
  const std::int32_t len[2] = {5, 2};
  auto r = check_unary([&](Tape<double>& t, Var x) { return masked_softmax(t, x, len, 6); },
                       {4, 3, 5}, 70, -2, 2);
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(masked_softmax_sequence_length_1) {
  const std::int32_t len[3] = {1, 3, 1};
  auto r = check_unary([&](Tape<double>& t, Var x) { return masked_softmax(t, x, len, 1); },
                       {3, 3}, 71);
  ATRANK_CHECK_GRADIENTS(r);
  // Tk = 1: every row is the constant 1.
  const std::int32_t one[2] = {1, 1};
  auto r1 = check_unary([&](Tape<double>& t, Var x) { return masked_softmax(t, x, one, 1); },
                        {2, 1}, 72);
  ATRANK_CHECK_GRADIENTS(r1);
}

BOOST_AUTO_TEST_CASE(masked_softmax_fully_masked_sequence) {
  const std::int32_t len[2] = {0, 4};
  auto r = check_unary([&](Tape<double>& t, Var x) { return masked_softmax(t, x, len, 2); },
                       {4, 4}, 73);
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(masked_softmax_inside_attention) {
  // softmax(q k^T) v for two examples, the second with one valid key.
  std::mt19937_64 rng(74);
  ParamArena<double> p;
  const int q = random_param(p, "q", {2, 2, 3}, rng);
  const int k = random_param(p, "k", {2, 4, 3}, rng);
  const int v = random_param(p, "v", {2, 4, 2}, rng);
  const std::int32_t len[2] = {4, 1};
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    Var s = batched_matmul(t, p.on(t, q), p.on(t, k), Trans::No, Trans::Yes);  // (2,2,4)
    Var a = masked_softmax(t, s, len, 2);
    return batched_matmul(t, a, p.on(t, v));
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(mask_sequence_op) {
  // x (B*H=4, T=3, C=2) with lengths (B=2), rows_per_length = H = 2.
  const std::int32_t len[2] = {3, 1};
  auto r = check_unary([&](Tape<double>& t, Var x) { return mask_sequence(t, x, len, 2); },
                       {4, 3, 2}, 75);
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(mask_sequence_fully_masked_and_length_1) {
  const std::int32_t len[3] = {0, 1, 2};
  auto r = check_unary([&](Tape<double>& t, Var x) { return mask_sequence(t, x, len); },
                       {3, 2}, 76);
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(attention_forward)

BOOST_AUTO_TEST_CASE(softmax_hand_computed_values) {
  Tape<double> t;
  // Row 0: full length; row 1: length 2 with a huge masked score; row 2: large
  // scores (stability); row 3: length 0.
  const double x[12] = {1, 2, 3, 1, 2, 1e30, 1000, 1001, -1e30, 5, 6, 7};
  const std::int32_t len[4] = {3, 2, 2, 0};
  Var y = masked_softmax(t, t.constant({4, 3}, x), len, 1);
  const double* p = t.value(y);
  const double want[12] = {0.09003057317038046, 0.24472847105479764, 0.6652409557748219,
                           0.2689414213699951,  0.7310585786300049,  0.0,
                           0.2689414213699951,  0.7310585786300049,  0.0,
                           0.0, 0.0, 0.0};
  for (int i = 0; i < 12; ++i) BOOST_TEST(p[i] == want[i], tt::tolerance(1e-12));
  BOOST_TEST(p[5] == 0.0);  // masked: exactly zero
  BOOST_TEST(p[8] == 0.0);
  for (int i = 9; i < 12; ++i) BOOST_TEST(p[i] == 0.0);
}

BOOST_AUTO_TEST_CASE(softmax_matches_xtensor_over_the_valid_prefix) {
  // Scores (B*H = 4, Tq = 2, Tk = 5) grouped H*Tq = 4 rows per key length (B = 2).
  std::mt19937_64 rng(78);
  ParamArena<double> p;
  const int x = random_param(p, "x", {4, 2, 5}, rng, -3, 3);
  const std::int32_t len[2] = {5, 3};
  Tape<double> t;
  const auto y = t.tensor(masked_softmax(t, p.on(t, x), len, 4));
  const auto rows = xt::reshape_view(p.tensor(x), {8, 5});
  for (std::size_t r = 0; r < 8; ++r) {
    const auto n = std::size_t(len[r / 4]);
    const auto valid = xt::view(rows, r, xt::range(0, n));
    const xt::xtensor<double, 1> e = xt::exp(valid - xt::amax(valid)());
    xt::xtensor<double, 1> want = xt::zeros<double>({5});
    xt::view(want, xt::range(0, n)) = e / xt::sum(e)();
    expect_close(xt::view(xt::reshape_view(y, {8, 5}), r), want);
  }
}

BOOST_AUTO_TEST_CASE(fully_masked_row_is_zero_and_passes_zero_gradient) {
  ParamArena<float> p;
  const int x = p.add("x", {2, 3, 4});
  for (std::size_t i = 0; i < p.size(); ++i) p.values()[i] = float(i) * 0.3f - 2.f;
  Tape<float> t;
  const std::int32_t len[2] = {0, 3};
  Var y = masked_softmax(t, p.on(t, x), len, 3);
  std::vector<float> seed(24);
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = 1.f + float(i);
  p.zero_grad();
  t.backward_from(y, seed.data());
  for (int i = 0; i < 12; ++i) {
    BOOST_TEST(std::isfinite(t.value(y)[i]));
    BOOST_TEST(t.value(y)[i] == 0.f);
    BOOST_TEST(p.grad(x)[i] == 0.f);  // example 0 is fully masked
  }
  for (int r = 3; r < 6; ++r) {
    BOOST_TEST(p.grad(x)[r * 4 + 3] == 0.f);  // masked key of example 1
    float s = 0;
    for (int j = 0; j < 4; ++j) s += t.value(y)[r * 4 + j];
    BOOST_TEST(s == 1.f, tt::tolerance(1e-6f));
  }
}

BOOST_AUTO_TEST_CASE(mask_sequence_values_and_zero_gradient) {
  ParamArena<double> p;
  const int x = p.add("x", {2, 3, 1});
  for (int i = 0; i < 6; ++i) p.value(x)[i] = i + 1;
  Tape<double> t;
  const std::int32_t len[2] = {2, 0};
  Var y = mask_sequence(t, p.on(t, x), len);
  const std::vector<double> want = {1, 2, 0, 0, 0, 0};
  BOOST_TEST(values_of(t, y) == want, tt::per_element());
  const double seed[6] = {1, 1, 1, 1, 1, 1};
  t.backward_from(y, seed);
  const std::vector<double> gwant = {1, 1, 0, 0, 0, 0};
  BOOST_TEST(p.grads() == gwant, tt::per_element());
}

BOOST_AUTO_TEST_CASE(bad_lengths_throw) {
  Tape<double> t;
  const double x[6] = {};
  Var v = t.constant({2, 3}, x);
  const std::int32_t too_long[2] = {1, 4};
  const std::int32_t negative[2] = {-1, 1};
  BOOST_CHECK_THROW(masked_softmax(t, v, too_long, 1), std::invalid_argument);
  BOOST_CHECK_THROW(masked_softmax(t, v, negative, 1), std::invalid_argument);
  BOOST_CHECK_THROW(masked_softmax(t, v, too_long, 4), std::invalid_argument);  // 2 rows, groups of 4
  BOOST_CHECK_THROW(mask_sequence(t, v, too_long, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
