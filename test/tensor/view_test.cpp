// tensor_view / matrix_view: xtensor views of memory owned elsewhere share it
// (no copy) in both directions and carry the shape they were given.
#include <vector>

#include <boost/test/unit_test.hpp>

#include "atrank/tensor/tensor.hpp"

BOOST_AUTO_TEST_SUITE(tensor_views)

BOOST_AUTO_TEST_CASE(views_share_memory_both_ways) {
  std::vector<float> buf = {0, 1, 2, 3, 4, 5};
  auto v = atrank::tensor_view(buf.data(), atrank::TensorShape{1, 2, 3});
  BOOST_TEST(v.dimension() == 3u);
  BOOST_TEST(v.data() == buf.data());
  BOOST_TEST(v(0, 1, 2) == 5.f);
  v(0, 0, 1) = 10.f;  // writes the buffer
  BOOST_TEST(buf[1] == 10.f);
  buf[3] = -1.f;  // and sees the buffer's writes
  BOOST_TEST(v(0, 1, 0) == -1.f);

  auto m = atrank::matrix_view(static_cast<const float*>(buf.data()), 3, 2);
  BOOST_TEST(m.shape(0) == 3u);
  BOOST_TEST(m.shape(1) == 2u);
  BOOST_TEST(m(1, 1) == -1.f);
  BOOST_TEST(m.data() == buf.data());
}

BOOST_AUTO_TEST_CASE(expressions_over_views_evaluate_into_containers) {
  std::vector<double> a = {1, 2, 3, 4}, b = {10, 20};
  const auto av = atrank::matrix_view(static_cast<const double*>(a.data()), 2, 2);
  const auto bv = atrank::tensor_view(static_cast<const double*>(b.data()), atrank::TensorShape{2});
  const xt::xtensor<double, 2> sum = av + bv;  // the bias broadcast over rows
  const xt::xtensor<double, 2> want = {{11, 22}, {13, 24}};
  BOOST_TEST((sum == want));
}

BOOST_AUTO_TEST_SUITE_END()
