// TF default initializers and the table store.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <vector>

#include <xtensor/xmath.hpp>
#include <xtensor/xsort.hpp>
#include <xtensor/xtensor.hpp>

#include "atrank/nn/init.hpp"
#include "atrank/nn/params.hpp"

using namespace atrank;
using autodiff::Shape;

BOOST_AUTO_TEST_SUITE(init)

BOOST_AUTO_TEST_CASE(glorot_uses_tf_fans) {
  // (63001, 64) embedding: limit sqrt(6 / (63001 + 64)), as TF's get_variable default.
  std::mt19937_64 rng(1);
  xt::xtensor<float, 2> v = xt::zeros<float>({63001, 64});
  nn::initialize(tensor_view(v), nn::Init::glorot(), rng);
  const double limit = std::sqrt(6.0 / (63001 + 64));
  BOOST_TEST(xt::amin(v)() >= -limit * (1 + 1e-6));  // float rounding of the bound
  BOOST_TEST(xt::amax(v)() <= limit * (1 + 1e-6));
  BOOST_TEST(xt::amax(v)() > 0.99 * limit);
  BOOST_TEST(std::abs(xt::mean(xt::cast<double>(v))()) < 1e-4);
  // A 3-D kernel (k, in, out): fans are in*k and out*k.
  xt::xtensor<double, 3> w = xt::zeros<double>({3, 4, 5});
  nn::initialize(tensor_view(w), nn::Init::glorot(), rng);
  BOOST_TEST(xt::amax(xt::abs(w))() <= std::sqrt(6.0 / (12 + 15)));
}

BOOST_AUTO_TEST_CASE(truncated_normal_redraws_beyond_two_sigma_as_tf) {
  // tf.truncated_normal(stddev=0.1): normal(0, 0.1) with draws beyond 0.2
  // drawn again. Its standard deviation is 0.1 * sqrt(1 - 4 phi(2) / (2 Phi(2) - 1))
  // = 0.08796 (a clipped normal would give 0.096, a plain one 0.1), and
  // 28.48% of the values lie beyond one sigma (a plain normal: 31.73%).
  const double sigma = 0.1;
  std::mt19937_64 rng(5);
  xt::xtensor<double, 1> v = xt::zeros<double>({1000000});
  nn::initialize(tensor_view(v), nn::Init::truncated_normal(sigma), rng);
  double mean = 0, sq = 0, worst = 0, beyond_one = 0, at_edge = 0;
  for (double x : v) {
    mean += x;
    sq += x * x;
    worst = std::max(worst, std::abs(x));
    beyond_one += std::abs(x) > sigma;
    at_edge += std::abs(x) > 1.99 * sigma;
  }
  const double n = double(v.size());
  mean /= n;
  const double sd = std::sqrt(sq / n - mean * mean);
  BOOST_TEST(worst <= 2 * sigma);
  BOOST_TEST(worst > 1.99 * sigma);           // the tails reach the bound
  // Within 0.01 sigma of the bound: 0.11% of a truncated normal; clipping
  // would pile the 4.55% beyond it there.
  BOOST_TEST(at_edge / n < 0.002, "near the bound " << at_edge / n);
  BOOST_TEST(std::abs(mean) < 2e-4);
  BOOST_TEST(std::abs(sd - 0.087963) < 2e-4, "std " << sd);
  BOOST_TEST(std::abs(beyond_one / n - 0.2848) < 0.002, "beyond one sigma " << beyond_one / n);
  BOOST_TEST(nn::Init::truncated_normal(sigma).str() == "truncated_normal(0.1)");
}

BOOST_AUTO_TEST_CASE(params_initialize_biases_and_norms) {
  nn::Params<float> p;
  const int k = p.add("d/kernel", Shape{4, 3}, nn::Init::glorot());
  const int b = p.add("d/bias", Shape{3}, nn::Init::zeros());
  const int g = p.add("ln/gamma", Shape{3}, nn::Init::ones());
  p.initialize(7);
  BOOST_TEST(xt::all(xt::equal(p.dense.tensor(b), 0.0f)));
  BOOST_TEST(xt::all(xt::equal(p.dense.tensor(g), 1.0f)));
  BOOST_TEST(xt::any(xt::not_equal(p.dense.tensor(k), 0.0f)));
  // Same seed, same values; float and double agree up to rounding.
  nn::Params<double> q;
  q.add("d/kernel", Shape{4, 3}, nn::Init::glorot());
  q.add("d/bias", Shape{3}, nn::Init::zeros());
  q.add("ln/gamma", Shape{3}, nn::Init::ones());
  q.initialize(7);
  BOOST_TEST(xt::allclose(q.dense.tensor(0), xt::cast<double>(p.dense.tensor(k)), 0.0, 1e-7));
}

BOOST_AUTO_TEST_CASE(table_store_creates_each_table_once) {
  nn::TableStore<float> s;
  const int a = s.add("shop", "shop", 10, 8, nn::Init::glorot(), {"group `item` feature shop", "group `coupon` feature shop"});
  BOOST_TEST(a == 0);
  BOOST_TEST(s.at(a).slot == 0);
  BOOST_TEST(s.info(a).users.size() == 2u);
  BOOST_CHECK_THROW(s.add("shop", "shop", 10, 8, nn::Init::glorot(), {"again"}), std::logic_error);
  BOOST_CHECK_THROW(s.add("empty", "item", 0, 8, nn::Init::glorot(), {"group `item`"}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
