#include <cmath>

#include <boost/test/unit_test.hpp>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "test/autodiff/op_test_util.hpp"
#include "test/tensor/expect_close.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;

namespace {

// Gradient check of a binary op with a: sa and b: sb (both parameters).
template <class F>
GradCheckReport check_binary(F f, const Shape& sa, const Shape& sb, unsigned seed) {
  std::mt19937_64 rng(seed);
  ParamArena<double> p;
  const int a = random_param(p, "a", sa, rng);
  const int b = random_param(p, "b", sb, rng);
  return check_gradients(p, {}, [&](Tape<double>& t) { return f(t, p.on(t, a), p.on(t, b)); });
}

auto add_f = [](Tape<double>& t, Var a, Var b) { return add(t, a, b); };
auto sub_f = [](Tape<double>& t, Var a, Var b) { return sub(t, a, b); };
auto mul_f = [](Tape<double>& t, Var a, Var b) { return mul(t, a, b); };

}  // namespace

BOOST_AUTO_TEST_SUITE(gradcheck)

BOOST_AUTO_TEST_CASE(add_same_shape) { ATRANK_CHECK_GRADIENTS(check_binary(add_f, {2, 3, 4}, {2, 3, 4}, 1)); }
BOOST_AUTO_TEST_CASE(add_broadcast_bias) { ATRANK_CHECK_GRADIENTS(check_binary(add_f, {2, 3, 4}, {4}, 2)); }
BOOST_AUTO_TEST_CASE(add_broadcast_trailing_2d) { ATRANK_CHECK_GRADIENTS(check_binary(add_f, {2, 3, 4}, {3, 4}, 3)); }
BOOST_AUTO_TEST_CASE(add_broadcast_scalar) { ATRANK_CHECK_GRADIENTS(check_binary(add_f, {3, 4}, {1}, 4)); }
BOOST_AUTO_TEST_CASE(sub_same_shape) { ATRANK_CHECK_GRADIENTS(check_binary(sub_f, {3, 4}, {3, 4}, 5)); }
BOOST_AUTO_TEST_CASE(sub_broadcast_bias) { ATRANK_CHECK_GRADIENTS(check_binary(sub_f, {2, 3, 4}, {4}, 6)); }
BOOST_AUTO_TEST_CASE(mul_same_shape) { ATRANK_CHECK_GRADIENTS(check_binary(mul_f, {3, 4}, {3, 4}, 7)); }
BOOST_AUTO_TEST_CASE(mul_broadcast_bias) { ATRANK_CHECK_GRADIENTS(check_binary(mul_f, {2, 3, 4}, {4}, 8)); }

BOOST_AUTO_TEST_CASE(mul_same_var_twice) {
  // x * x: both input slots point at one node; the gradient is 2x.
  auto r = check_unary([](Tape<double>& t, Var x) { return mul(t, x, x); }, {3, 4}, 9);
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(scale_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return scale(t, x, -0.7); }, {3, 4}, 10));
}

BOOST_AUTO_TEST_CASE(relu_op) {
  std::mt19937_64 rng(11);
  ParamArena<double> p;
  const int x = random_param_away_from_zero(p, "x", {4, 5}, rng);
  auto r = check_gradients(p, {}, [&](Tape<double>& t) { return relu(t, p.on(t, x)); });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(tanh_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return autodiff::tanh(t, x); }, {3, 4}, 12, -2, 2));
}
BOOST_AUTO_TEST_CASE(sigmoid_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return sigmoid(t, x); }, {3, 4}, 13, -3, 3));
}
BOOST_AUTO_TEST_CASE(exp_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return autodiff::exp(t, x); }, {3, 4}, 14));
}
BOOST_AUTO_TEST_CASE(log_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return autodiff::log(t, x); }, {3, 4}, 15, 0.2, 3.0));
}

BOOST_AUTO_TEST_CASE(elementwise_chain_constant_input) {
  // A constant operand gets no gradient; the parameter still gets the right one.
  std::mt19937_64 rng(16);
  ParamArena<double> p;
  const int x = random_param(p, "x", {2, 3}, rng);
  const double c[3] = {0.5, -1.5, 2.0};
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    Var k = t.constant({3}, c);
    return sigmoid(t, mul(t, add(t, p.on(t, x), k), k));
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(elementwise_forward)

BOOST_AUTO_TEST_CASE(broadcast_bias_values) {
  Tape<double> t;
  const double a[6] = {1, 2, 3, 4, 5, 6};
  const double b[3] = {10, 20, 30};
  Var y = add(t, t.constant({2, 3}, a), t.constant({3}, b));
  const std::vector<double> want = {11, 22, 33, 14, 25, 36};
  BOOST_TEST(values_of(t, y) == want, boost::test_tools::per_element());
  Var z = mul(t, t.constant({2, 3}, a), t.constant({3}, b));
  const std::vector<double> wantz = {10, 40, 90, 40, 100, 180};
  BOOST_TEST(values_of(t, z) == wantz, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(binary_ops_broadcast_as_xtensor_does) {
  // b is a's shape, its trailing dimensions, or one element: numpy broadcasting.
  std::mt19937_64 rng(17);
  ParamArena<double> p;
  const int a = random_param(p, "a", {2, 3, 4}, rng);
  for (const Shape& sb : {Shape{2, 3, 4}, Shape{3, 4}, Shape{4}, Shape{1}}) {
    const int b = random_param(p, "b" + sb.str(), sb, rng);
    Tape<double> t;
    const auto av = p.tensor(a), bv = p.tensor(b);
    expect_close(t.tensor(add(t, p.on(t, a), p.on(t, b))), av + bv);
    expect_close(t.tensor(sub(t, p.on(t, a), p.on(t, b))), av - bv);
    expect_close(t.tensor(mul(t, p.on(t, a), p.on(t, b))), av * bv);
  }
}

BOOST_AUTO_TEST_CASE(unary_ops_match_xtensor) {
  std::mt19937_64 rng(18);
  ParamArena<double> p;
  const int x = random_param(p, "x", {3, 4}, rng, -3, 3);
  const auto xv = p.tensor(x);
  Tape<double> t;
  expect_close(t.tensor(scale(t, p.on(t, x), -0.7)), -0.7 * xv);
  expect_close(t.tensor(relu(t, p.on(t, x))), xt::maximum(xv, 0.0));
  expect_close(t.tensor(autodiff::tanh(t, p.on(t, x))), xt::tanh(xv));
  expect_close(t.tensor(sigmoid(t, p.on(t, x))), 1.0 / (1.0 + xt::exp(-xv)));
  expect_close(t.tensor(autodiff::exp(t, p.on(t, x))), xt::exp(xv));
  expect_close(t.tensor(autodiff::log(t, autodiff::exp(t, p.on(t, x)))), xv);
}

BOOST_AUTO_TEST_CASE(sigmoid_large_inputs_finite) {
  Tape<float> t;
  const float x[4] = {-1000.f, -50.f, 50.f, 1000.f};
  Var y = sigmoid(t, t.constant({4}, x));
  const float* v = t.value(y);
  BOOST_TEST(v[0] == 0.f);
  BOOST_TEST(v[1] >= 0.f);
  BOOST_TEST(v[1] < 1e-20f);
  BOOST_TEST(v[2] == 1.f);
  BOOST_TEST(v[3] == 1.f);
}

BOOST_AUTO_TEST_CASE(shape_mismatch_throws) {
  Tape<double> t;
  const double a[6] = {};
  Var x = t.constant({2, 3}, a);
  Var y = t.constant({2}, a);
  BOOST_CHECK_THROW(add(t, x, y), std::invalid_argument);
  BOOST_CHECK_THROW(mul(t, x, t.constant({3, 2}, a)), std::invalid_argument);
  try {
    sub(t, x, y);
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("(2,3)") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
