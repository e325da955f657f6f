// BLAS calls live here alone: <cblas.h> conflicts with xtensor-blas's own
// CBLAS declarations, so no file that includes xlinalg.hpp may include it.
#include "atrank/tensor/gemm.hpp"

#include <cblas.h>

#include <stdexcept>
#include <string>

namespace atrank {
namespace {

CBLAS_TRANSPOSE to_cblas(Trans t) { return t == Trans::Yes ? CblasTrans : CblasNoTrans; }

std::string shape_str(const std::array<std::size_t, 2>& s, Trans t) {
  return "(" + std::to_string(s[0]) + "," + std::to_string(s[1]) + ")" +
         (t == Trans::Yes ? "^T" : "");
}

}  // namespace

template <>
void gemm_raw<float>(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
                     float alpha, const float* a, std::size_t lda, const float* b,
                     std::size_t ldb, float beta, float* c, std::size_t ldc) {
  if (m == 0 || n == 0) return;
  cblas_sgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), int(m), int(n), int(k), alpha, a,
              int(lda), b, int(ldb), beta, c, int(ldc));
}

template <>
void gemm_raw<double>(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
                      double alpha, const double* a, std::size_t lda, const double* b,
                      std::size_t ldb, double beta, double* c, std::size_t ldc) {
  if (m == 0 || n == 0) return;
  cblas_dgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), int(m), int(n), int(k), alpha, a,
              int(lda), b, int(ldb), beta, c, int(ldc));
}

template <class T>
void gemm(Trans ta, Trans tb, T alpha, const xt::xtensor<T, 2>& a, const xt::xtensor<T, 2>& b,
          T beta, xt::xtensor<T, 2>& c) {
  const auto& sa = a.shape();
  const auto& sb = b.shape();
  const std::size_t m = ta == Trans::Yes ? sa[1] : sa[0];
  const std::size_t ka = ta == Trans::Yes ? sa[0] : sa[1];
  const std::size_t kb = tb == Trans::Yes ? sb[1] : sb[0];
  const std::size_t n = tb == Trans::Yes ? sb[0] : sb[1];
  if (ka != kb || c.shape()[0] != m || c.shape()[1] != n) {
    throw std::invalid_argument(
        "gemm: shapes do not fit: A" + shape_str({sa[0], sa[1]}, ta) + " x B" +
        shape_str({sb[0], sb[1]}, tb) + " -> C" + shape_str({c.shape()[0], c.shape()[1]}, Trans::No));
  }
  gemm_raw<T>(ta, tb, m, n, ka, alpha, a.data(), sa[1], b.data(), sb[1], beta, c.data(), n);
}

template void gemm<float>(Trans, Trans, float, const xt::xtensor<float, 2>&,
                          const xt::xtensor<float, 2>&, float, xt::xtensor<float, 2>&);
template void gemm<double>(Trans, Trans, double, const xt::xtensor<double, 2>&,
                           const xt::xtensor<double, 2>&, double, xt::xtensor<double, 2>&);

void set_blas_threads(int n) { openblas_set_num_threads(n); }

}  // namespace atrank
