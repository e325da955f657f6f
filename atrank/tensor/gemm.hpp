// One matrix-product entry point: C = alpha * op(A) * op(B) + beta * C through BLAS.
// beta = 1 accumulates, which is how backward passes add into gradients.
#pragma once

#include <cstddef>

#include "atrank/tensor/tensor.hpp"

namespace atrank {

enum class Trans : bool { No = false, Yes = true };

// Row-major raw-buffer form. op(A): (m,k), op(B): (k,n), C: (m,n).
// lda/ldb/ldc are row strides of the stored (untransposed) buffers.
template <class T>
void gemm_raw(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k,
              T alpha, const T* a, std::size_t lda, const T* b, std::size_t ldb,
              T beta, T* c, std::size_t ldc);

// Shape-checked form on contiguous row-major 2-D tensors.
// Throws std::invalid_argument naming the shapes when they do not fit.
template <class T>
void gemm(Trans ta, Trans tb, T alpha, const xt::xtensor<T, 2>& a,
          const xt::xtensor<T, 2>& b, T beta, xt::xtensor<T, 2>& c);

// Sets BLAS's own thread count (1 when atrank parallelises over the batch itself).
void set_blas_threads(int n);

}  // namespace atrank
