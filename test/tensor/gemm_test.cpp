// The gemm wrapper: shape checks, all transpose combinations against a naive
// product, alpha scaling and beta accumulation (how gradients are added).
#include <random>
#include <string>

#include <boost/test/unit_test.hpp>

#include "atrank/tensor/gemm.hpp"

using atrank::Trans;
namespace tt = boost::test_tools;

namespace {

template <class T>
xt::xtensor<T, 2> random_matrix(std::size_t r, std::size_t c, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1, 1);
  xt::xtensor<T, 2> m = xt::xtensor<T, 2>::from_shape({r, c});
  for (auto& v : m) v = T(u(rng));
  return m;
}

// op(A)[i][k] read from the stored matrix.
template <class T>
T at(const xt::xtensor<T, 2>& m, Trans t, std::size_t i, std::size_t k) {
  return t == Trans::Yes ? m(k, i) : m(i, k);
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
      for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) {
          double want = 2.0 * double(c0(i, j));
          for (std::size_t k = 0; k < K; ++k) want += 0.5 * double(at(a, A, i, k)) * double(at(b, B, k, j));
          BOOST_TEST(double(c(i, j)) == want, tt::tolerance(tol));
        }
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
  const xt::xtensor<double, 2> at = {{1, 3}, {2, 4}};
  BOOST_TEST((c == at));
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
