// Compares two xtensor expressions element by element in Boost.Test, with the
// shapes checked first and the index of every mismatch in the message.
#pragma once

#include <cstddef>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <xtensor/xarray.hpp>

namespace atrank::test {

template <class A, class B>
void expect_close(const A& actual, const B& expected, double tolerance = 1e-12) {
  const xt::xarray<double> a = actual, e = expected;  // evaluate both in row-major order
  const std::vector<std::size_t> sa(a.shape().begin(), a.shape().end());
  const std::vector<std::size_t> se(e.shape().begin(), e.shape().end());
  BOOST_TEST_REQUIRE(sa == se, boost::test_tools::per_element());
  for (std::size_t i = 0; i < a.size(); ++i) {
    BOOST_TEST_INFO("flat index " << i);
    BOOST_TEST(a.flat(i) == e.flat(i), boost::test_tools::tolerance(tolerance));
  }
}

}  // namespace atrank::test
