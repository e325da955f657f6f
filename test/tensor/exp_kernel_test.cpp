// kernels::exp_nonpositive against std::exp over its whole range, and the
// softmax row kernels built on it (the row-grouped ones bit-identical to
// the single-row ones).
#include <boost/test/unit_test.hpp>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "atrank/kernels/exp.hpp"
#include "atrank/kernels/softmax.hpp"
#include "atrank/kernels/softmax_rows.hpp"

using atrank::kernels::exp_nonpositive;

namespace {

// Max relative error of exp_nonpositive against std::exp in higher precision
// over `n` evenly spaced points of [lo, 0], plus the points next to 0.
template <class T, class Wide>
double max_relative_error(T lo, int n) {
  double worst = 0;
  auto check = [&](T x) {
    const Wide want = std::exp(Wide(x));
    const double err = double(std::abs((Wide(exp_nonpositive(x)) - want) / want));
    if (!(err <= worst)) worst = err;  // NaN counts as the worst
  };
  for (int i = 0; i <= n; ++i) check(lo * T(i) / T(n));
  T x = 0;
  for (int i = 0; i < 1000; ++i) check(x = std::nextafter(x, T(-1)));
  return worst;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(exp_kernel)

BOOST_AUTO_TEST_CASE(float_within_two_ulp_of_std_exp) {
  // ln(FLT_MIN) = -87.3365: the smallest normal result.
  const double worst = max_relative_error<float, double>(-87.33f, 2000000);
  BOOST_TEST_MESSAGE("float exp_nonpositive: max relative error " << worst);
  BOOST_TEST(worst < 2.5e-7);  // 2 ulp of float: 2 * 2^-23 = 2.4e-7
}

BOOST_AUTO_TEST_CASE(double_within_a_few_ulp_of_std_exp) {
  const double worst = max_relative_error<double, long double>(-708.39, 2000000);
  BOOST_TEST_MESSAGE("double exp_nonpositive: max relative error " << worst);
  BOOST_TEST(worst < 1e-15);  // a few ulp of double (2^-52 = 2.2e-16)
}

BOOST_AUTO_TEST_CASE(below_the_normal_range_is_zero) {
  for (const float x : {-87.34f, -88.f, -103.f, -104.f, -1e4f, -1e30f, -FLT_MAX,
                        -std::numeric_limits<float>::infinity()}) {
    BOOST_TEST(exp_nonpositive(x) == 0.f);
    BOOST_TEST(std::exp(x) < FLT_MIN);  // what std::exp gives there is at most a denormal
  }
  for (const double x : {-708.4, -745.2, -1e300, -std::numeric_limits<double>::infinity()}) {
    BOOST_TEST(exp_nonpositive(x) == 0.0);
    BOOST_TEST(std::exp(x) < DBL_MIN);
  }
  BOOST_TEST(exp_nonpositive(0.f) == 1.f);
  BOOST_TEST(exp_nonpositive(-0.f) == 1.f);
  BOOST_TEST(exp_nonpositive(0.0) == 1.0);
}

BOOST_AUTO_TEST_CASE(finite_everywhere_and_nan_stays_nan) {
  // Every 97th float from 0 down to -inf (bit patterns 0x80000000 ..
  // 0xff800000): never NaN or inf, never above 1, never negative.
  bool ok = true;
  for (std::uint32_t bits = 0x80000000u; bits <= 0xff800000u; bits += 97) {
    float x;
    std::memcpy(&x, &bits, sizeof x);
    const float y = exp_nonpositive(x);
    ok = ok && std::isfinite(y) && y >= 0.f && y <= 1.f;
  }
  BOOST_TEST(ok);
  BOOST_TEST(std::isnan(exp_nonpositive(std::numeric_limits<float>::quiet_NaN())));
  BOOST_TEST(std::isnan(exp_nonpositive(std::numeric_limits<double>::quiet_NaN())));
}

BOOST_AUTO_TEST_CASE(softmax_row_matches_std_exp) {
  // Scores over a wide range (some far below the maximum), a masked tail.
  const std::int64_t L = 40, len = 33;
  std::vector<float> x(L), p(L);
  for (std::int64_t j = 0; j < L; ++j) x[j] = float(std::sin(double(j) * 1.7) * 30.0 - double(j));
  atrank::kernels::softmax_row(x.data(), len, L, p.data());
  // The reference takes the exponentials of the same float differences.
  float m = x[0];
  for (std::int64_t j = 0; j < len; ++j) m = std::max(m, x[j]);
  double s = 0, total = 0;
  for (std::int64_t j = 0; j < len; ++j) s += std::exp(double(x[j] - m));
  for (std::int64_t j = 0; j < len; ++j) {
    const double want = std::exp(double(x[j] - m)) / s;
    BOOST_TEST(std::abs(p[j] - want) <= 1e-6 * want + 1e-30);
    total += p[j];
  }
  BOOST_TEST(std::abs(total - 1) < 1e-6);
  for (std::int64_t j = len; j < L; ++j) BOOST_TEST(p[j] == 0.f);
}

// 19 rows: two groups of kRowGroup and a tail of three; row stride 40, 33 valid entries.
BOOST_AUTO_TEST_CASE(grouped_softmax_rows_are_bit_identical_to_single_rows) {
  const std::int64_t rows = 19, ld = 40, len = 33;
  static_assert(19 > 2 * atrank::kernels::kRowGroup);
  std::vector<float> x(std::size_t(rows * ld)), g(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = float(std::sin(double(i) * 1.3) * 20.0);
    g[i] = float(std::cos(double(i) * 0.7));
  }
  std::vector<float> grouped = x, single = x;
  atrank::kernels::softmax_rows(grouped.data(), rows, ld, len);
  for (std::int64_t r = 0; r < rows; ++r)
    atrank::kernels::softmax_row(single.data() + r * ld, len, len, single.data() + r * ld);
  BOOST_TEST(std::memcmp(grouped.data(), single.data(), x.size() * sizeof(float)) == 0);

  std::vector<float> g_grouped = g, g_single = g;
  atrank::kernels::softmax_rows_backward(single.data(), g_grouped.data(), rows, ld, len, 0.25f);
  for (std::int64_t r = 0; r < rows; ++r)
    atrank::kernels::softmax_row_backward<false>(single.data() + r * ld, g_single.data() + r * ld, len, 0.25f,
                                                 g_single.data() + r * ld);
  BOOST_TEST(std::memcmp(g_grouped.data(), g_single.data(), g.size() * sizeof(float)) == 0);
  BOOST_TEST(g_grouped != g);  // the gradient was written

  for (const std::string& variant : atrank::kernels::softmax_rows_variants()) {
    std::vector<float> v = x;
    atrank::kernels::softmax_rows_f32(variant, v.data(), rows, ld, len);
    BOOST_TEST_INFO("variant " << variant);
    BOOST_TEST(std::memcmp(v.data(), single.data(), x.size() * sizeof(float)) == 0);
  }
  std::vector<float> v = x;
  BOOST_CHECK_THROW(atrank::kernels::softmax_rows_f32("sse9", v.data(), rows, ld, len), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
