// The small-product kernel in every variant this CPU runs, against a double
// product: both transposes of a, row counts around its 6-row blocks and column
// counts around its 8- and 16-column tiles (the masked ones included), k = 0
// and 1, operands inside wider buffers, alpha, and beta 0 (c never read: it
// holds NaN), 1 and 2. Entries of c outside the product must keep their value.
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "atrank/kernels/small_gemm.hpp"

namespace {

using atrank::kernels::small_gemm_f32;

struct Case {
  bool ta;
  std::size_t m, n, k;
  float alpha, beta;
};

void check(const std::string& variant, const Case& s, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  const std::size_t pad = 3;  // every operand is a block inside a wider buffer
  const std::size_t a_rows = s.ta ? s.k : s.m, a_cols = s.ta ? s.m : s.k;
  const std::size_t lda = a_cols + pad, ldb = s.n + pad, ldc = s.n + pad;
  std::vector<float> a(a_rows * lda + 1), b(s.k * ldb + 1), c((s.m + 1) * ldc);
  for (auto& x : a) x = u(rng);
  for (auto& x : b) x = u(rng);
  const float unread = std::numeric_limits<float>::quiet_NaN(), outside = 7.f;
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = (i / ldc < s.m && i % ldc < s.n) ? (s.beta == 0.f ? unread : u(rng)) : outside;
  const std::vector<float> c0 = c;
  small_gemm_f32(variant, s.ta, s.m, s.n, s.k, s.alpha, a.data(), lda, b.data(), ldb, s.beta, c.data(), ldc);
  for (std::size_t i = 0; i < c.size(); ++i) {
    const std::size_t r = i / ldc, j = i % ldc;
    BOOST_TEST_INFO(variant << (s.ta ? " a^T" : " a") << " m " << s.m << " n " << s.n << " k " << s.k << " beta "
                            << s.beta << " at (" << r << "," << j << ")");
    if (r >= s.m || j >= s.n) {
      BOOST_TEST(c[i] == outside);
      continue;
    }
    double want = s.beta == 0.f ? 0.0 : double(s.beta) * double(c0[i]);
    double sum = 0.0;
    for (std::size_t p = 0; p < s.k; ++p) sum += double(s.ta ? a[p * lda + r] : a[r * lda + p]) * double(b[p * ldb + j]);
    want += double(s.alpha) * sum;
    BOOST_TEST(std::abs(double(c[i]) - want) <= 1e-5 * (1.0 + double(s.k)));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(small_gemm)

BOOST_AUTO_TEST_CASE(every_variant_equals_the_double_product) {
  std::mt19937_64 rng(3);
  const auto variants = atrank::kernels::small_gemm_variants();
  BOOST_TEST(variants.back() == "baseline");
  for (const std::string& variant : variants)
    for (bool ta : {false, true})
      for (std::size_t m : {0, 1, 5, 6, 7, 13, 50})
        for (std::size_t n : {0, 1, 7, 8, 9, 16, 17, 25, 50})
          for (std::size_t k : {0, 1, 16, 50})
            for (float beta : {0.f, 1.f, 2.f}) check(variant, {ta, m, n, k, beta == 2.f ? 0.5f : 1.f, beta}, rng);
}

BOOST_AUTO_TEST_CASE(an_unknown_variant_is_refused) {
  float x = 0.f;
  BOOST_CHECK_THROW(small_gemm_f32("sse9", false, 1, 1, 1, 1.f, &x, 1, &x, 1, 0.f, &x, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
