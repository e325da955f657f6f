// The gemm wrapper: shape checks, all transpose combinations against
// xt::linalg::dot, alpha scaling and beta accumulation (how gradients are
// added), products on views of foreign memory, and the strided form on
// column blocks (attention heads) of larger matrices.
#include <random>
#include <string>

#include <boost/test/unit_test.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

#include "atrank/tensor/gemm.hpp"
#include "test/tensor/expect_close.hpp"

using atrank::Trans;
using atrank::test::expect_close;

namespace {

template <class T>
xt::xtensor<T, 2> random_matrix(std::size_t r, std::size_t c, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1, 1);
  xt::xtensor<T, 2> m = xt::xtensor<T, 2>::from_shape({r, c});
  for (auto& v : m) v = T(u(rng));
  return m;
}

// op(m) as an xtensor expression.
template <class T>
xt::xtensor<double, 2> op(const xt::xtensor<T, 2>& m, Trans t) {
  xt::xtensor<double, 2> d = xt::cast<double>(m);
  if (t == Trans::Yes) return xt::transpose(d);
  return d;
}

template <class T>
void check_all_transposes(double tol) {
  std::mt19937_64 rng(1);
  const std::size_t M = 3, K = 5, N = 4;
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      const Trans A = Trans(ta), B = Trans(tb);
      auto a = ta ? random_matrix<T>(K, M, rng) : random_matrix<T>(M, K, rng);
      auto b = tb ? random_matrix<T>(N, K, rng) : random_matrix<T>(K, N, rng);
      auto c0 = random_matrix<T>(M, N, rng);
      xt::xtensor<T, 2> c = c0;
      atrank::gemm<T>(A, B, T(0.5), a, b, T(2), c);  // c = 0.5 op(a) op(b) + 2 c0
      expect_close(c, 0.5 * xt::linalg::dot(op(a, A), op(b, B)) + 2.0 * xt::cast<double>(c0), tol);
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gemm_wrapper)

BOOST_AUTO_TEST_CASE(all_transposes_double) { check_all_transposes<double>(1e-12); }
BOOST_AUTO_TEST_CASE(all_transposes_float) { check_all_transposes<float>(1e-5); }

BOOST_AUTO_TEST_CASE(beta_one_accumulates) {
  xt::xtensor<double, 2> a = {{1, 2}, {3, 4}};
  xt::xtensor<double, 2> id = {{1, 0}, {0, 1}};
  xt::xtensor<double, 2> c = {{10, 20}, {30, 40}};
  atrank::gemm<double>(Trans::No, Trans::No, 1.0, a, id, 1.0, c);
  atrank::gemm<double>(Trans::No, Trans::No, 1.0, a, id, 1.0, c);
  const xt::xtensor<double, 2> want = {{12, 24}, {36, 48}};
  BOOST_TEST((c == want));
  atrank::gemm<double>(Trans::Yes, Trans::No, 1.0, a, id, 0.0, c);  // beta 0 overwrites
  BOOST_TEST((c == xt::transpose(a)));
}

BOOST_AUTO_TEST_CASE(views_of_foreign_memory_are_written_in_place) {
  // Raw buffers as tape nodes and the arena hold them: (2,3) x (3,2) -> (2,2).
  const double a[6] = {1, 2, 3, 4, 5, 6};
  const double b[6] = {1, 0, 0, 1, 1, 1};
  double c[4] = {100, 100, 100, 100};
  atrank::gemm(Trans::No, Trans::No, 1.0, atrank::matrix_view(a, 2, 3),
               atrank::matrix_view(b, 3, 2), 1.0, atrank::matrix_view(c, 2, 2));
  const double want[4] = {104, 105, 110, 111};
  for (int i = 0; i < 4; ++i) BOOST_TEST(c[i] == want[i]);
  // A (1,3) row times (3,1): single-row and single-column operands keep
  // their leading dimensions (xtensor gives such axes stride 0).
  double d[1] = {0};
  atrank::gemm(Trans::No, Trans::No, 1.0, atrank::matrix_view(a, 1, 3),
               atrank::matrix_view(a + 3, 3, 1), 0.0, atrank::matrix_view(d, 1, 1));
  BOOST_TEST(d[0] == 1 * 4 + 2 * 5 + 3 * 6);
}

BOOST_AUTO_TEST_CASE(strided_products_on_column_blocks) {
  // Q (3, 8) and K (4, 8) hold 2 heads of width 4 side by side; head h of
  // S = Q_h K_h^T is a product of column blocks with row stride 8, written
  // into the first 4 of 5 columns of a (3, 5) buffer.
  std::mt19937_64 rng(3);
  const auto q = random_matrix<double>(3, 8, rng);
  const auto k = random_matrix<double>(4, 8, rng);
  for (std::size_t h = 0; h < 2; ++h) {
    xt::xtensor<double, 2> s = xt::zeros<double>({3, 5});
    atrank::gemm_strided<double>(Trans::No, Trans::Yes, 3, 4, 4, 0.5, q.data() + h * 4, 8,
                                 k.data() + h * 4, 8, 0.0, s.data(), 5);
    // (xt::linalg::dot takes no strided views: evaluate the blocks first.)
    const xt::xtensor<double, 2> qh = xt::view(q, xt::all(), xt::range(h * 4, h * 4 + 4));
    const xt::xtensor<double, 2> kh = xt::view(k, xt::all(), xt::range(h * 4, h * 4 + 4));
    expect_close(xt::view(s, xt::all(), xt::range(0, 4)), 0.5 * xt::linalg::dot(qh, xt::transpose(kh)));
    BOOST_TEST((xt::view(s, xt::all(), 4) == xt::zeros<double>({3})));  // the padding column
  }
}

BOOST_AUTO_TEST_CASE(shape_mismatch_throws_with_shapes) {
  xt::xtensor<double, 2> a = xt::xtensor<double, 2>::from_shape({2, 3});
  xt::xtensor<double, 2> b = xt::xtensor<double, 2>::from_shape({4, 5});
  xt::xtensor<double, 2> c = xt::xtensor<double, 2>::from_shape({2, 5});
  BOOST_CHECK_THROW(atrank::gemm<double>(Trans::No, Trans::No, 1.0, a, b, 0.0, c),
                    std::invalid_argument);
  try {
    atrank::gemm<double>(Trans::No, Trans::No, 1.0, a, b, 0.0, c);
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    BOOST_TEST(m.find("(2,3)") != std::string::npos);
    BOOST_TEST(m.find("(4,5)") != std::string::npos);
  }
  // Inner dimensions fit but C has the wrong shape.
  xt::xtensor<double, 2> b2 = xt::xtensor<double, 2>::from_shape({3, 5});
  xt::xtensor<double, 2> c_bad = xt::xtensor<double, 2>::from_shape({5, 2});
  BOOST_CHECK_THROW(atrank::gemm<double>(Trans::No, Trans::No, 1.0, a, b2, 0.0, c_bad),
                    std::invalid_argument);
  // Transposing A makes (3,2)^T... fit a (2,5) B only with the right flags.
  xt::xtensor<double, 2> b3 = xt::xtensor<double, 2>::from_shape({2, 5});
  xt::xtensor<double, 2> c3 = xt::xtensor<double, 2>::from_shape({3, 5});
  BOOST_CHECK_NO_THROW(atrank::gemm<double>(Trans::Yes, Trans::No, 1.0, a, b3, 0.0, c3));
  BOOST_CHECK_THROW(atrank::gemm<double>(Trans::No, Trans::No, 1.0, a, b3, 0.0, c3),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
