// The row-grouped layer norm kernels give the bits of the single-row ones:
// forward statistics and outputs, backward input, gamma and beta gradients,
// stored or accumulated.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "atrank/kernels/layer_norm.hpp"

using namespace atrank::kernels;

namespace {

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// 19 rows of 37: two groups of kRowGroup and a tail of three.
constexpr std::int64_t kRows = 19, kC = 37;

std::vector<float> wave(std::size_t n, double f, double a) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = float(a * std::sin(double(i) * f) + 0.1 * std::cos(double(i)));
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(layer_norm_kernels)

BOOST_AUTO_TEST_CASE(grouped_rows_are_bit_identical_to_single_rows) {
  static_assert(kRows > 2 * kRowGroup);
  const auto x = wave(std::size_t(kRows * kC), 1.3, 3.0), g = wave(x.size(), 0.7, 1.0);
  const auto gamma = wave(std::size_t(kC), 0.3, 1.5), beta = wave(std::size_t(kC), 0.9, 0.5);

  std::vector<float> y(x.size()), stats(2 * kRows), y1(x.size()), stats1(2 * kRows);
  layer_norm_rows(x.data(), kRows, gamma.data(), beta.data(), kC, 1e-8f, y.data(), stats.data());
  for (std::int64_t r = 0; r < kRows; ++r)
    layer_norm_row(x.data() + r * kC, gamma.data(), beta.data(), kC, 1e-8f, y1.data() + r * kC, &stats1[2 * r],
                   &stats1[2 * r + 1]);
  BOOST_TEST(same_bits(y, y1));
  BOOST_TEST(same_bits(stats, stats1));

  for (bool accumulate : {false, true}) {
    BOOST_TEST_CONTEXT((accumulate ? "accumulated" : "stored")) {
      const auto start = wave(x.size(), 2.1, 0.2);  // what gx holds before (accumulate adds to it)
      std::vector<float> gx = start, ggamma = wave(std::size_t(kC), 1.1, 0.3), gbeta = ggamma;
      std::vector<float> gx1 = gx, ggamma1 = ggamma, gbeta1 = gbeta;
      if (accumulate)
        layer_norm_rows_backward<true>(x.data(), kRows, gamma.data(), g.data(), kC, stats.data(), gx.data(),
                                       ggamma.data(), gbeta.data());
      else
        layer_norm_rows_backward<false>(x.data(), kRows, gamma.data(), g.data(), kC, stats.data(), gx.data(),
                                        ggamma.data(), gbeta.data());
      for (std::int64_t r = 0; r < kRows; ++r) {
        if (accumulate)
          layer_norm_row_backward<true>(x.data() + r * kC, gamma.data(), g.data() + r * kC, kC, stats[2 * r],
                                        stats[2 * r + 1], gx1.data() + r * kC, ggamma1.data(), gbeta1.data());
        else
          layer_norm_row_backward<false>(x.data() + r * kC, gamma.data(), g.data() + r * kC, kC, stats[2 * r],
                                         stats[2 * r + 1], gx1.data() + r * kC, ggamma1.data(), gbeta1.data());
      }
      BOOST_TEST(same_bits(gx, gx1));
      BOOST_TEST(same_bits(ggamma, ggamma1));
      BOOST_TEST(same_bits(gbeta, gbeta1));
      BOOST_TEST(!same_bits(gx, start));
    }
  }

  // No gamma/beta gradients asked for, no gx: the others are still right.
  std::vector<float> gx(x.size()), gx1(x.size());
  layer_norm_rows_backward<false, float>(x.data(), kRows, gamma.data(), g.data(), kC, stats.data(), gx.data(), nullptr,
                                  nullptr);
  for (std::int64_t r = 0; r < kRows; ++r)
    layer_norm_row_backward<false, float>(x.data() + r * kC, gamma.data(), g.data() + r * kC, kC, stats[2 * r],
                                   stats[2 * r + 1], gx1.data() + r * kC, nullptr, nullptr);
  BOOST_TEST(same_bits(gx, gx1));
  std::vector<float> ggamma(kC, 0.f), ggamma1(kC, 0.f);
  layer_norm_rows_backward<false, float>(x.data(), kRows, gamma.data(), g.data(), kC, stats.data(), nullptr,
                                  ggamma.data(), nullptr);
  for (std::int64_t r = 0; r < kRows; ++r)
    layer_norm_row_backward<false, float>(x.data() + r * kC, gamma.data(), g.data() + r * kC, kC, stats[2 * r],
                                   stats[2 * r + 1], nullptr, ggamma1.data(), nullptr);
  BOOST_TEST(same_bits(ggamma, ggamma1));
}

BOOST_AUTO_TEST_SUITE_END()
