// Float products too small for BLAS to pay off: an attention head's blocks
// (tens of rows by a head's 16 columns). OpenBLAS packs both operands into
// buffers and takes a lock on every call, which at these sizes costs about
// as much as the arithmetic; this kernel reads the operands where they lie.
// Measured per call on the MovieLens shapes (50 x 16 x 50, one thread): 0.73
// against 1.17 us, and 0.035 against 0.16 us for a single query row.
//
//   c (m,n) = alpha * op(a) (m,k) * b (k,n) + beta * c,   op(a) = a or a^T,
//
// all row-major with row strides lda, ldb, ldc; beta = 0 never reads c (it
// may hold anything). Each entry sums its k products in order p = 0, 1, ...
// with fused multiply-adds. Compiled for AVX2+FMA on x86-64 and used where
// the CPU runs it; elsewhere ("baseline") the product goes to BLAS.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace atrank::kernels {

void small_gemm_f32(bool transpose_a, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                    std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc);

// The variants this CPU runs, best first ("avx2", "baseline"), and one of them by name (tests).
std::vector<std::string> small_gemm_variants();
void small_gemm_f32(const std::string& variant, bool transpose_a, std::size_t m, std::size_t n, std::size_t k,
                    float alpha, const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta,
                    float* c, std::size_t ldc);

}  // namespace atrank::kernels
