#include "atrank/kernels/small_gemm.hpp"

#include "atrank/kernels/cpu_variants.hpp"
#include "atrank/tensor/gemm.hpp"

#ifdef ATRANK_X86_VARIANTS
#include <immintrin.h>
#endif

namespace atrank::kernels {
namespace {

using GemmFn = void (*)(bool, std::size_t, std::size_t, std::size_t, float, const float*, std::size_t, const float*,
                        std::size_t, float, float*, std::size_t);

void gemm_baseline(bool transpose_a, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                   std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  gemm_strided<float>(transpose_a ? Trans::Yes : Trans::No, Trans::No, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

#ifdef ATRANK_X86_VARIANTS
#define ATRANK_AVX2_FMA __attribute__((target("avx2,fma")))

// One tile of c: R rows by V vectors of 8 columns, in R * V accumulator
// registers (6 x 2 leaves 4 of the 16 for b's row and a's broadcast). Masked:
// the tile's columns run past n, and mask[v] selects the lanes inside.
template <bool TransA, int R, int V, bool Masked>
ATRANK_AVX2_FMA inline __attribute__((always_inline)) void tile(std::size_t k, float alpha, const float* a,
                                                                std::size_t lda, const float* b, std::size_t ldb,
                                                                float beta, float* c, std::size_t ldc,
                                                                const __m256i* mask) {
  __m256 acc[R][V];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) acc[r][v] = _mm256_setzero_ps();
  for (std::size_t p = 0; p < k; ++p) {
    const float* bp = b + p * ldb;
    __m256 bv[V];
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) bv[v] = Masked ? _mm256_maskload_ps(bp + 8 * v, mask[v]) : _mm256_loadu_ps(bp + 8 * v);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(TransA ? a + p * lda + std::size_t(r) : a + std::size_t(r) * lda + p);
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) acc[r][v] = _mm256_fmadd_ps(av, bv[v], acc[r][v]);
    }
  }
  const __m256 alphas = _mm256_set1_ps(alpha), betas = _mm256_set1_ps(beta);
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    float* cr = c + std::size_t(r) * ldc;
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) {
      __m256 x = _mm256_mul_ps(alphas, acc[r][v]);
      if (beta != 0.f)
        x = _mm256_fmadd_ps(betas, Masked ? _mm256_maskload_ps(cr + 8 * v, mask[v]) : _mm256_loadu_ps(cr + 8 * v), x);
      if (Masked)
        _mm256_maskstore_ps(cr + 8 * v, mask[v], x);
      else
        _mm256_storeu_ps(cr + 8 * v, x);
    }
  }
}

// R rows of c: tiles of 16 columns, then one masked tile of 8 or 16 for the rest.
template <bool TransA, int R>
ATRANK_AVX2_FMA void row_block(std::size_t n, std::size_t k, float alpha, const float* a, std::size_t lda,
                               const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  std::size_t j = 0;
  for (; j + 16 <= n; j += 16) tile<TransA, R, 2, false>(k, alpha, a, lda, b + j, ldb, beta, c + j, ldc, nullptr);
  if (j == n) return;
  const int left = int(n - j);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i mask[2] = {_mm256_cmpgt_epi32(_mm256_set1_epi32(left), lane),
                           _mm256_cmpgt_epi32(_mm256_set1_epi32(left - 8), lane)};
  if (left <= 8)
    tile<TransA, R, 1, true>(k, alpha, a, lda, b + j, ldb, beta, c + j, ldc, mask);
  else
    tile<TransA, R, 2, true>(k, alpha, a, lda, b + j, ldb, beta, c + j, ldc, mask);
}

template <bool TransA>
ATRANK_AVX2_FMA void gemm_avx2_fma(std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                                   std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
                                   std::size_t ldc) {
  constexpr std::size_t kRows = 6;
  // Row i of op(a): a column of a when transposed.
  auto rows_of_a = [&](std::size_t i) { return TransA ? a + i : a + i * lda; };
  std::size_t i = 0;
  for (; i + kRows <= m; i += kRows)
    row_block<TransA, kRows>(n, k, alpha, rows_of_a(i), lda, b, ldb, beta, c + i * ldc, ldc);
  const float* ai = rows_of_a(i);
  float* ci = c + i * ldc;
  switch (m - i) {
    case 5: return row_block<TransA, 5>(n, k, alpha, ai, lda, b, ldb, beta, ci, ldc);
    case 4: return row_block<TransA, 4>(n, k, alpha, ai, lda, b, ldb, beta, ci, ldc);
    case 3: return row_block<TransA, 3>(n, k, alpha, ai, lda, b, ldb, beta, ci, ldc);
    case 2: return row_block<TransA, 2>(n, k, alpha, ai, lda, b, ldb, beta, ci, ldc);
    case 1: return row_block<TransA, 1>(n, k, alpha, ai, lda, b, ldb, beta, ci, ldc);
    default: return;
  }
}

void gemm_avx2(bool transpose_a, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
               std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  if (transpose_a)
    gemm_avx2_fma<true>(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  else
    gemm_avx2_fma<false>(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
#endif

const std::vector<Variant<GemmFn>>& variants() {
  static const std::vector<Variant<GemmFn>> all = {
#ifdef ATRANK_X86_VARIANTS
      {"avx2", cpu_runs_avx2_fma(), gemm_avx2},
#endif
      {"baseline", true, gemm_baseline}};
  return all;
}

}  // namespace

std::vector<std::string> small_gemm_variants() { return runnable_names(variants()); }

void small_gemm_f32(bool transpose_a, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                    std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  static const GemmFn best = pick_variant(variants(), "small gemm");
  best(transpose_a, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void small_gemm_f32(const std::string& variant, bool transpose_a, std::size_t m, std::size_t n, std::size_t k,
                    float alpha, const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta,
                    float* c, std::size_t ldc) {
  pick_variant(variants(), "small gemm", variant)(transpose_a, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace atrank::kernels
