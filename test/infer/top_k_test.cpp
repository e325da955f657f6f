// top_k: best first, ties broken by the lower row, NaN last, exclusions skipped.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "atrank/infer/top_k.hpp"

using atrank::infer::top_k;

namespace {

std::vector<std::int32_t> rows(const std::vector<atrank::infer::Ranked<float>>& r) {
  std::vector<std::int32_t> out;
  for (const auto& x : r) out.push_back(x.row);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(top_k_order)

BOOST_AUTO_TEST_CASE(highest_first_ties_by_row) {
  const std::vector<float> s = {0.5f, 2.0f, 0.5f, 2.0f, -1.0f, 0.5f};
  BOOST_TEST(rows(top_k(s.data(), 6, 4, {})) == (std::vector<std::int32_t>{1, 3, 0, 2}));
  BOOST_TEST(rows(top_k(s.data(), 6, 10, {})) == (std::vector<std::int32_t>{1, 3, 0, 2, 5, 4}));
  BOOST_TEST(top_k(s.data(), 6, 1, {})[0].score == 2.0f);
  BOOST_TEST(top_k(s.data(), 6, 0, {}).empty());
}

BOOST_AUTO_TEST_CASE(ties_are_stable_whatever_the_scan_order_meets) {
  // 1,000 equal scores: the top 5 are rows 0-4 however the heap fills.
  const std::vector<float> s(1000, 3.0f);
  BOOST_TEST(rows(top_k(s.data(), 1000, 5, {})) == (std::vector<std::int32_t>{0, 1, 2, 3, 4}));
}

BOOST_AUTO_TEST_CASE(excluded_rows_and_nan) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> s = {nan, 1.0f, 3.0f, 2.0f};
  const std::vector<char> seen = {0, 0, 1, 0};
  BOOST_TEST(rows(top_k(s.data(), 4, 3, seen)) == (std::vector<std::int32_t>{3, 1, 0}));
  BOOST_TEST(rows(top_k(s.data(), 4, 10, std::vector<char>(4, 1))).empty());
}

BOOST_AUTO_TEST_SUITE_END()
