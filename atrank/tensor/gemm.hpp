// Matrix products through BLAS: C = alpha * op(A) * op(B) + beta * C, where
// beta = 1 accumulates (how backward passes add into gradients).
//
// `gemm` takes 2-D row-major contiguous matrices (xtensor containers or
// views) and goes through xtensor-blas (xt::blas::gemm); ops use it for every
// product of whole matrices. `gemm_strided` takes raw pointers with leading
// dimensions and calls CBLAS itself, for blocks inside larger matrices (an
// attention head is a column block of row stride C; a masked score row uses
// its first `len` of Tk entries): xt::blas::gemm cannot take those without a
// copy, since it evaluates every operand that is not a row-major container or
// adaptor (a strided view has a dynamic layout) into a temporary, and can
// write its result only into such a container.
#pragma once

#include <cstddef>

#include "atrank/tensor/tensor.hpp"

namespace atrank {

enum class Trans : bool { No = false, Yes = true };

// op(a): (m,k), op(b): (k,n), c: (m,n). Throws std::invalid_argument naming
// the shapes when they do not fit.
template <class T>
void gemm(Trans ta, Trans tb, T alpha, MatrixView<const T> a, MatrixView<const T> b, T beta,
          MatrixView<T> c);

template <class T>
void gemm(Trans ta, Trans tb, T alpha, const xt::xtensor<T, 2>& a, const xt::xtensor<T, 2>& b,
          T beta, xt::xtensor<T, 2>& c) {
  gemm<T>(ta, tb, alpha, matrix_view(a.data(), a.shape(0), a.shape(1)),
          matrix_view(b.data(), b.shape(0), b.shape(1)), beta,
          matrix_view(c.data(), c.shape(0), c.shape(1)));
}

// Row-major raw-buffer form. op(A): (m,k), op(B): (k,n), C: (m,n);
// lda/ldb/ldc are the row strides of the stored (untransposed) buffers.
template <class T>
void gemm_strided(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, T alpha,
                  const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c,
                  std::size_t ldc);

// Sets BLAS's own thread count (1 when atrank parallelises over the batch itself).
void set_blas_threads(int n);

}  // namespace atrank
