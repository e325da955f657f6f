// Canary: Debian 12's xtensor 0.24.3 returns wrong values from xt::tile,
// xt::pad and strided views when built as C++20 with GCC 12 (correct under
// C++17, which the build uses). These cases fail if that ever comes back.
// It also broadcasts a lazy reduction with keep_dims wrongly under either
// standard (x / xt::sum(x, {1}, xt::keep_dims) reads garbage): evaluate a
// reduction into a container before it takes part in a broadcast, as the
// last case here does.
#include <vector>

#include <boost/test/unit_test.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xpad.hpp>
#include <xtensor/xsort.hpp>
#include <xtensor/xstrided_view.hpp>
#include <xtensor/xtensor.hpp>

namespace {

template <class E>
std::vector<double> flat(const E& e) {
  xt::xarray<double> a = e;  // evaluate, then read in row-major order
  return std::vector<double>(a.begin(), a.end());
}

template <class E>
std::vector<std::size_t> shape_of(const E& e) {
  return std::vector<std::size_t>(e.shape().begin(), e.shape().end());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(xtensor_canary)

BOOST_AUTO_TEST_CASE(tile_values) {
  xt::xtensor<double, 2> a = {{1, 2}, {3, 4}};
  auto t = xt::tile(a, {2, 3});
  BOOST_TEST(shape_of(t) == (std::vector<std::size_t>{4, 6}), boost::test_tools::per_element());
  const std::vector<double> want = {1, 2, 1, 2, 1, 2,  //
                                    3, 4, 3, 4, 3, 4,  //
                                    1, 2, 1, 2, 1, 2,  //
                                    3, 4, 3, 4, 3, 4};
  BOOST_TEST(flat(t) == want, boost::test_tools::per_element());
  xt::xtensor<double, 1> v = {1, 2, 3};
  const std::vector<double> want1 = {1, 2, 3, 1, 2, 3};
  BOOST_TEST(flat(xt::tile(v, std::size_t(2))) == want1, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(pad_values_all_modes) {
  xt::xtensor<double, 1> v = {1, 2, 3};
  const std::vector<std::vector<std::size_t>> pw = {{2, 2}};
  const std::vector<double> constant = {0, 0, 1, 2, 3, 0, 0};
  const std::vector<double> symmetric = {2, 1, 1, 2, 3, 3, 2};
  const std::vector<double> reflect = {3, 2, 1, 2, 3, 2, 1};
  const std::vector<double> wrap = {2, 3, 1, 2, 3, 1, 2};
  BOOST_TEST(flat(xt::pad(v, pw)) == constant, boost::test_tools::per_element());
  BOOST_TEST(flat(xt::pad(v, pw, xt::pad_mode::symmetric)) == symmetric, boost::test_tools::per_element());
  BOOST_TEST(flat(xt::pad(v, pw, xt::pad_mode::reflect)) == reflect, boost::test_tools::per_element());
  BOOST_TEST(flat(xt::pad(v, pw, xt::pad_mode::wrap)) == wrap, boost::test_tools::per_element());

  xt::xtensor<double, 2> a = {{1, 2}, {3, 4}};
  auto p = xt::pad(a, {{1, 0}, {0, 2}}, xt::pad_mode::constant, 9.0);
  BOOST_TEST(shape_of(p) == (std::vector<std::size_t>{3, 4}), boost::test_tools::per_element());
  const std::vector<double> want = {9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9};
  BOOST_TEST(flat(p) == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(strided_view_values) {
  xt::xtensor<double, 2> a = xt::reshape_view(xt::arange<double>(12), {3, 4});
  auto v = xt::strided_view(a, {xt::range(0, 3, 2), xt::range(1, 4, 2)});
  BOOST_TEST(shape_of(v) == (std::vector<std::size_t>{2, 2}), boost::test_tools::per_element());
  const std::vector<double> want = {1, 3, 9, 11};
  BOOST_TEST(flat(v) == want, boost::test_tools::per_element());

  auto row = xt::strided_view(a, {1, xt::all()});
  const std::vector<double> want_row = {4, 5, 6, 7};
  BOOST_TEST(flat(row) == want_row, boost::test_tools::per_element());

  auto col = xt::strided_view(a, {xt::ellipsis(), 2});
  const std::vector<double> want_col = {2, 6, 10};
  BOOST_TEST(flat(col) == want_col, boost::test_tools::per_element());

  auto nx = xt::strided_view(a, {xt::all(), xt::newaxis(), xt::range(0, 2)});
  BOOST_TEST(shape_of(nx) == (std::vector<std::size_t>{3, 1, 2}), boost::test_tools::per_element());
  const std::vector<double> want_nx = {0, 1, 4, 5, 8, 9};
  BOOST_TEST(flat(nx) == want_nx, boost::test_tools::per_element());

  // Writing through a strided view changes exactly the selected elements.
  v = xt::zeros<double>({2, 2});
  const std::vector<double> after = {0, 0, 2, 0, 4, 5, 6, 7, 8, 0, 10, 0};
  BOOST_TEST(flat(a) == after, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(evaluated_keep_dims_reductions_broadcast) {
  const xt::xtensor<double, 2> s = {{1, 2, 3}, {0, 5, 1}};
  const xt::xtensor<double, 2> row_max = xt::amax(s, {1}, xt::keep_dims);
  const xt::xtensor<double, 2> e = xt::exp(s - row_max);
  const xt::xtensor<double, 2> row_sum = xt::sum(e, {1}, xt::keep_dims);
  const xt::xtensor<double, 2> p = e / row_sum;  // row softmax
  for (std::size_t r = 0; r < 2; ++r) {
    double total = 0;
    for (std::size_t j = 0; j < 3; ++j) {
      BOOST_TEST(p(r, j) == std::exp(s(r, j) - row_max(r, 0)) / row_sum(r, 0), boost::test_tools::tolerance(1e-15));
      total += p(r, j);
    }
    BOOST_TEST(total == 1.0, boost::test_tools::tolerance(1e-15));
  }
  BOOST_TEST(row_max(1, 0) == 5.0);
  BOOST_TEST(row_sum(0, 0) == std::exp(-2.0) + std::exp(-1.0) + 1.0, boost::test_tools::tolerance(1e-15));
}

BOOST_AUTO_TEST_SUITE_END()
