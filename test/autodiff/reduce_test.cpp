#include <cmath>

#include <boost/test/unit_test.hpp>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/reduce.hpp"
#include "test/autodiff/op_test_util.hpp"
#include "test/tensor/expect_close.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_SUITE(gradcheck)

BOOST_AUTO_TEST_CASE(sum_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return sum(t, x); }, {2, 3, 2}, 90));
}
BOOST_AUTO_TEST_CASE(mean_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return mean(t, x); }, {2, 3}, 91));
}
BOOST_AUTO_TEST_CASE(sum_last_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return sum_last(t, x); }, {2, 3, 4}, 92));
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return sum_last(t, x); }, {5}, 93));
}
BOOST_AUTO_TEST_CASE(sigmoid_cross_entropy_op) {
  const double z[8] = {1, 0, 1, 0, 0.3, 1, 0, 0.5};
  ATRANK_CHECK_GRADIENTS(check_unary(
      [&](Tape<double>& t, Var x) { return sigmoid_cross_entropy(t, x, z); }, {2, 4}, 94, -4, 4));
}
BOOST_AUTO_TEST_CASE(log_sigmoid_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return log_sigmoid(t, x); }, {2, 4}, 95, -5, 5));
}
BOOST_AUTO_TEST_CASE(l2_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return l2(t, x); }, {3, 4}, 96));
}
BOOST_AUTO_TEST_CASE(scalar_loss_through_backward) {
  // The scalar path: backward() from mean(sigmoid CE) + 0.1 * l2, as in training.
  std::mt19937_64 rng(97);
  ParamArena<double> p;
  const int x = random_param(p, "x", {6}, rng, -3, 3);
  const double z[6] = {1, 0, 0, 1, 1, 0};
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    Var xv = p.on(t, x);
    return add(t, mean(t, sigmoid_cross_entropy(t, xv, z)), scale(t, l2(t, xv), 0.1));
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(reduce_forward)

BOOST_AUTO_TEST_CASE(sigmoid_cross_entropy_hand_computed_and_large_inputs) {
  Tape<float> t;
  const float x[7] = {0.f, 2.f, -2.f, 100.f, -100.f, 1000.f, -1000.f};
  const float z[7] = {1.f, 1.f, 0.f, 0.f, 1.f, 1.f, 0.f};
  Var y = sigmoid_cross_entropy(t, t.constant({7}, x), z);
  const float* v = t.value(y);
  BOOST_TEST(v[0] == 0.6931472f, tt::tolerance(1e-6f));   // log 2
  BOOST_TEST(v[1] == 0.12692801f, tt::tolerance(1e-6f));  // log(1 + e^-2)
  BOOST_TEST(v[2] == 0.12692801f, tt::tolerance(1e-6f));
  BOOST_TEST(v[3] == 100.f);  // wrong with certainty: -log(1 - sigmoid(100))
  BOOST_TEST(v[4] == 100.f);
  BOOST_TEST(v[5] >= 0.f);     // right with certainty: ~0, never negative or NaN
  BOOST_TEST(v[5] < 1e-30f);
  BOOST_TEST(v[6] < 1e-30f);
  for (int i = 0; i < 7; ++i) BOOST_TEST(std::isfinite(v[i]));
  // Gradient sigmoid(x) - z stays finite and exact at the extremes.
  ParamArena<float> p;
  const int xp = p.add("x", {7});
  std::copy(x, x + 7, p.value(xp));
  Tape<float> t2;
  Var loss = sum(t2, sigmoid_cross_entropy(t2, p.on(t2, xp), z));
  t2.backward(loss);
  const float want[7] = {-0.5f, -0.11920292f, 0.11920292f, 1.f, -1.f, 0.f, 0.f};
  for (int i = 0; i < 7; ++i) BOOST_TEST(p.grad(xp)[i] == want[i], tt::tolerance(1e-5f));
}

BOOST_AUTO_TEST_CASE(log_sigmoid_hand_computed_and_large_inputs) {
  Tape<double> t;
  const double x[5] = {0, 1, -1, 1000, -1000};
  Var y = log_sigmoid(t, t.constant({5}, x));
  const double* v = t.value(y);
  BOOST_TEST(v[0] == -0.6931471805599453, tt::tolerance(1e-12));
  BOOST_TEST(v[1] == -0.31326168751822286, tt::tolerance(1e-12));
  BOOST_TEST(v[2] == -1.3132616875182228, tt::tolerance(1e-12));
  BOOST_TEST(v[3] == 0.0);
  BOOST_TEST(v[4] == -1000.0);
}

BOOST_AUTO_TEST_CASE(reductions_and_losses_match_xtensor) {
  std::mt19937_64 rng(98);
  ParamArena<double> p;
  const int x = random_param(p, "x", {2, 3, 4}, rng, -4, 4);
  const auto xv = p.tensor(x);
  std::vector<double> labels(24);
  for (auto& z : labels) z = double(rng() % 2);
  const auto z = xt::adapt(labels, {2, 3, 4});
  Tape<double> t;
  expect_close(t.tensor(sum(t, p.on(t, x))), xt::xtensor<double, 1>{xt::sum(xv)()});
  expect_close(t.tensor(mean(t, p.on(t, x))), xt::xtensor<double, 1>{xt::mean(xv)()});
  expect_close(t.tensor(l2(t, p.on(t, x))), xt::xtensor<double, 1>{xt::sum(xt::square(xv))() / 2});
  expect_close(t.tensor(sum_last(t, p.on(t, x))), xt::sum(xv, {2}));
  // -z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x)), fine in double for |x| <= 4.
  const xt::xtensor<double, 3> s = 1.0 / (1.0 + xt::exp(-xv));
  expect_close(t.tensor(sigmoid_cross_entropy(t, p.on(t, x), labels.data())),
               -z * xt::log(s) - (1.0 - z) * xt::log(1.0 - s));
  expect_close(t.tensor(log_sigmoid(t, p.on(t, x))), xt::log(s));
}

BOOST_AUTO_TEST_CASE(reduction_values_and_shapes) {
  Tape<double> t;
  const double x[6] = {1, 2, 3, 4, 5, 6};
  Var xv = t.constant({2, 3}, x);
  BOOST_TEST(t.value(sum(t, xv))[0] == 21.0);
  BOOST_TEST(t.value(mean(t, xv))[0] == 3.5);
  BOOST_TEST(t.value(l2(t, xv))[0] == 45.5);
  Var s = sum_last(t, xv);
  BOOST_TEST(t.shape(s) == Shape({2}));
  const std::vector<double> want = {6, 15};
  BOOST_TEST(values_of(t, s) == want, tt::per_element());
  BOOST_TEST(t.shape(sum(t, xv)) == Shape({1}));
}

BOOST_AUTO_TEST_SUITE_END()
