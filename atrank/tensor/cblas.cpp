// The only file that includes <cblas.h>: its declarations conflict with the
// CBLAS declarations xtensor-blas brings, so gemm.cpp cannot hold these.
#include <cblas.h>

#include "atrank/tensor/gemm.hpp"

namespace atrank {
namespace {

CBLAS_TRANSPOSE to_cblas(Trans t) { return t == Trans::Yes ? CblasTrans : CblasNoTrans; }

}  // namespace

template <>
void gemm_strided<float>(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
                         float alpha, const float* a, std::size_t lda, const float* b,
                         std::size_t ldb, float beta, float* c, std::size_t ldc) {
  if (m == 0 || n == 0) return;
  cblas_sgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), int(m), int(n), int(k), alpha, a,
              int(lda), b, int(ldb), beta, c, int(ldc));
}

template <>
void gemm_strided<double>(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
                          double alpha, const double* a, std::size_t lda, const double* b,
                          std::size_t ldb, double beta, double* c, std::size_t ldc) {
  if (m == 0 || n == 0) return;
  cblas_dgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), int(m), int(n), int(k), alpha, a,
              int(lda), b, int(ldb), beta, c, int(ldc));
}

void set_blas_threads(int n) { openblas_set_num_threads(n); }

}  // namespace atrank
