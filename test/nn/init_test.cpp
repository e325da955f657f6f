// TF default initializers and the table store's sharing rules.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <vector>

#include "atrank/nn/init.hpp"
#include "atrank/nn/params.hpp"

using namespace atrank;
using autodiff::Shape;

BOOST_AUTO_TEST_SUITE(init)

BOOST_AUTO_TEST_CASE(glorot_uses_tf_fans) {
  // (63001, 64) embedding: limit sqrt(6 / (63001 + 64)), as TF's get_variable default.
  std::mt19937_64 rng(1);
  std::vector<float> v(63001 * 64);
  nn::initialize(v.data(), Shape{63001, 64}, nn::Init::glorot(), rng);
  const double limit = std::sqrt(6.0 / (63001 + 64));
  double lo = 1, hi = -1, mean = 0;
  for (float x : v) {
    lo = std::min(lo, double(x));
    hi = std::max(hi, double(x));
    mean += x;
  }
  mean /= double(v.size());
  BOOST_TEST(lo >= -limit * (1 + 1e-6));  // float rounding of the bound
  BOOST_TEST(hi <= limit * (1 + 1e-6));
  BOOST_TEST(hi > 0.99 * limit);
  BOOST_TEST(std::abs(mean) < 1e-4);
  // A 3-D kernel (k, in, out): fans are in*k and out*k.
  std::vector<double> w(3 * 4 * 5);
  nn::initialize(w.data(), Shape{3, 4, 5}, nn::Init::glorot(), rng);
  for (double x : w) BOOST_TEST(std::abs(x) <= std::sqrt(6.0 / (12 + 15)));
}

BOOST_AUTO_TEST_CASE(params_initialize_biases_and_norms) {
  nn::Params<float> p;
  const int k = p.add("d/kernel", Shape{4, 3}, nn::Init::glorot());
  const int b = p.add("d/bias", Shape{3}, nn::Init::zeros());
  const int g = p.add("ln/gamma", Shape{3}, nn::Init::ones());
  p.initialize(7);
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(p.dense.value(b)[i] == 0.0f);
    BOOST_TEST(p.dense.value(g)[i] == 1.0f);
  }
  bool nonzero = false;
  for (int i = 0; i < 12; ++i) nonzero = nonzero || p.dense.value(k)[i] != 0.0f;
  BOOST_TEST(nonzero);
  // Same seed, same values; float and double agree up to rounding.
  nn::Params<double> q;
  q.add("d/kernel", Shape{4, 3}, nn::Init::glorot());
  q.add("d/bias", Shape{3}, nn::Init::zeros());
  q.add("ln/gamma", Shape{3}, nn::Init::ones());
  q.initialize(7);
  for (int i = 0; i < 12; ++i) BOOST_TEST(std::abs(q.dense.value(0)[i] - p.dense.value(k)[i]) < 1e-7);
}

BOOST_AUTO_TEST_CASE(shared_table_width_mismatch_names_both_users) {
  nn::TableStore<float> s;
  const int a = s.use("shop", "shop", 10, 8, nn::Init::glorot(), "group `item` feature item -> shop");
  const int b = s.use("shop", "shop", 10, 8, nn::Init::glorot(), "group `coupon` feature coupon -> shop");
  BOOST_TEST(a == b);
  BOOST_TEST(s.info(a).users.size() == 2u);
  try {
    s.use("shop", "shop", 10, 4, nn::Init::glorot(), "group `query` time");
    BOOST_FAIL("expected a width mismatch");
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    BOOST_TEST(m.find("group `query` time") != std::string::npos, m);
    BOOST_TEST(m.find("group `item` feature item -> shop") != std::string::npos, m);
    BOOST_TEST(m.find("widths") != std::string::npos, m);
  }
}

BOOST_AUTO_TEST_SUITE_END()
