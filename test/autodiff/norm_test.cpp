#include <cmath>

#include <boost/test/unit_test.hpp>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/norm.hpp"
#include "test/autodiff/op_test_util.hpp"
#include "test/tensor/expect_close.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;
namespace tt = boost::test_tools;

namespace {

GradCheckReport check_layer_norm(const Shape& s, double eps, unsigned seed) {
  std::mt19937_64 rng(seed);
  ParamArena<double> p;
  const int x = random_param(p, "x", s, rng, -2, 2);
  const int g = random_param(p, "gamma", {s.last()}, rng, 0.5, 1.5);
  const int b = random_param(p, "beta", {s.last()}, rng);
  return check_gradients(p, {}, [&](Tape<double>& t) {
    return layer_norm(t, p.on(t, x), p.on(t, g), p.on(t, b), eps);
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gradcheck)

BOOST_AUTO_TEST_CASE(layer_norm_op) { ATRANK_CHECK_GRADIENTS(check_layer_norm({2, 3, 5}, 1e-8, 80)); }
BOOST_AUTO_TEST_CASE(layer_norm_large_eps) { ATRANK_CHECK_GRADIENTS(check_layer_norm({3, 4}, 0.5, 81)); }
BOOST_AUTO_TEST_CASE(layer_norm_sequence_length_1) { ATRANK_CHECK_GRADIENTS(check_layer_norm({2, 1, 4}, 1e-8, 82)); }

BOOST_AUTO_TEST_CASE(dropout_op) {
  std::mt19937_64 init(83);
  ParamArena<double> p;
  const int x = random_param(p, "x", {4, 6}, init);
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    std::mt19937_64 rng(7);  // the same mask for every evaluation
    return dropout(t, p.on(t, x), 0.4, rng, true);
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(norm_forward)

BOOST_AUTO_TEST_CASE(layer_norm_hand_computed_values) {
  Tape<double> t;
  const double x[4] = {1, 2, 3, 4};  // mean 2.5, biased variance 1.25
  const double gamma[4] = {1, 2, 1, 1};
  const double beta[4] = {0, 0, 1, 0};
  Var xv = t.constant({1, 4}, x), gv = t.constant({4}, gamma), bv = t.constant({4}, beta);
  // eps = 0.75 inside the sqrt: rstd = 1/sqrt(1.25 + 0.75) = 1/sqrt(2).
  Var y = layer_norm(t, xv, gv, bv, 0.75);
  const double want[4] = {-1.0606601717798212, 2 * -0.35355339059327373,
                          0.35355339059327373 + 1, 1.0606601717798212};
  for (int i = 0; i < 4; ++i) BOOST_TEST(t.value(y)[i] == want[i], tt::tolerance(1e-12));
  // eps = 0: plain standardisation.
  Var z = layer_norm(t, xv, gv, bv, 0.0);
  const double wz[4] = {-1.3416407864998738, 2 * -0.4472135954999579, 0.4472135954999579 + 1,
                        1.3416407864998738};
  for (int i = 0; i < 4; ++i) BOOST_TEST(t.value(z)[i] == wz[i], tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(layer_norm_matches_xtensor_per_row) {
  std::mt19937_64 rng(84);
  ParamArena<double> p;
  const int x = random_param(p, "x", {2, 3, 5}, rng, -2, 2);
  const int g = random_param(p, "gamma", {5}, rng, 0.5, 1.5);
  const int b = random_param(p, "beta", {5}, rng);
  const double eps = 1e-3;
  Tape<double> t;
  const Var y = layer_norm(t, p.on(t, x), p.on(t, g), p.on(t, b), eps);
  const xt::xtensor<double, 2> rows = xt::reshape_view(p.tensor(x), {6, 5});
  // Reductions evaluated before they broadcast (see the xtensor canary test).
  const xt::xtensor<double, 2> mean = xt::mean(rows, {1}, xt::keep_dims);
  const xt::xtensor<double, 2> var = xt::mean(xt::square(rows - mean), {1}, xt::keep_dims);
  const xt::xtensor<double, 2> want = (rows - mean) / xt::sqrt(var + eps) * p.tensor(g) + p.tensor(b);
  expect_close(t.tensor(y), xt::reshape_view(want, {2, 3, 5}));
}

BOOST_AUTO_TEST_CASE(layer_norm_constant_row_is_finite) {
  Tape<float> t;
  const float x[3] = {5, 5, 5};
  const float one[3] = {1, 1, 1}, zero[3] = {0, 0, 0};
  Var y = layer_norm(t, t.constant({3}, x), t.constant({3}, one), t.constant({3}, zero), 1e-8f);
  for (int i = 0; i < 3; ++i) BOOST_TEST(t.value(y)[i] == 0.f);
}

BOOST_AUTO_TEST_CASE(layer_norm_shape_errors) {
  Tape<double> t;
  const double a[8] = {};
  BOOST_CHECK_THROW(layer_norm(t, t.constant({2, 4}, a), t.constant({3}, a), t.constant({4}, a), 1e-8),
                    std::invalid_argument);
  BOOST_CHECK_THROW(layer_norm(t, t.constant({2, 4}, a), t.constant({4}, a), t.constant({2, 2}, a), 1e-8),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(dropout_identity_at_evaluation) {
  Tape<float> t;
  const float x[4] = {1, 2, 3, 4};
  Var xv = t.constant({4}, x);
  std::mt19937_64 rng(5), untouched(5);
  Var y = dropout(t, xv, 0.5f, rng, false);
  BOOST_TEST(y.id == xv.id);
  Var z = dropout(t, xv, 0.0f, rng, true);
  BOOST_TEST(z.id == xv.id);
  BOOST_TEST((rng == untouched));  // no draws
  BOOST_CHECK_THROW(dropout(t, xv, 1.0f, rng, true), std::invalid_argument);
  BOOST_CHECK_THROW(dropout(t, xv, -0.1f, rng, true), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(dropout_same_seed_same_mask_and_inverted_scaling) {
  std::vector<double> x(4000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 1.0 + double(i % 7);
  Tape<double> t;
  Var xv = t.constant({4000}, x.data());
  std::mt19937_64 r1(42), r2(42), r3(43);
  const auto a = values_of(t, dropout(t, xv, 0.3, r1, true));
  const auto b = values_of(t, dropout(t, xv, 0.3, r2, true));
  const auto c = values_of(t, dropout(t, xv, 0.3, r3, true));
  BOOST_TEST(a == b, tt::per_element());
  BOOST_TEST((a != c));
  std::size_t kept = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (a[i] != 0.0) {
      ++kept;
      BOOST_TEST(a[i] == x[i] / 0.7, tt::tolerance(1e-12));
    }
  }
  BOOST_TEST(double(kept) / 4000.0 == 0.7, tt::tolerance(0.05));
}

BOOST_AUTO_TEST_SUITE_END()
