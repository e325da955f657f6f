// Row kernels of the masked softmax on raw pointers, forward and backward:
// the masked_softmax op and fused attention both run on these. A row uses
// only its first `len` entries.
#pragma once

#include <algorithm>
#include <cstdint>

#include "atrank/kernels/exp.hpp"
#include "atrank/kernels/row_sums.hpp"

namespace atrank::kernels {

// x: (L) scores, p: (L) probabilities. p[j] = softmax(x[0..len))[j] for j < len
// (exponentials by exp_nonpositive, within a few ulp of std::exp),
// p[j] = 0 exactly for j >= len; len == 0 gives an all-zero row (never NaN).
// p may be x itself (in place).
template <class T>
inline void softmax_row(const T* x, std::int64_t len, std::int64_t L, T* p) {
  if (len > 0) {
    T m = x[0];
    for (std::int64_t j = 1; j < len; ++j) m = x[j] > m ? x[j] : m;
    // Exponentials in place on p, and their sum in a loop of its own: the
    // first loop vectorises (on one pointer: no overlap check, which in-place
    // calls would fail and fall back to scalar code), the sum keeps its
    // order (j = 0, 1, ...).
    if (p != x) std::copy(x, x + len, p);
    for (std::int64_t j = 0; j < len; ++j) p[j] = exp_nonpositive(p[j] - m);
    T s = T(0);
    for (std::int64_t j = 0; j < len; ++j) s += p[j];
    const T inv = T(1) / s;  // s >= 1: the max term is exp(0)
    for (std::int64_t j = 0; j < len; ++j) p[j] *= inv;
  }
  for (std::int64_t j = len < 0 ? 0 : len; j < L; ++j) p[j] = T(0);
}

// p: (L) forward probabilities, g: (L) d(loss)/dp. For j < len,
//   d(loss)/dx[j] = p[j] * (g[j] - sum_k p[k] g[k]) * scale,
// where `scale` is a factor the scores were multiplied by before the softmax
// (attention's 1/sqrt(d); 1 for a plain softmax). Accumulate = true adds it
// into gx (an op's input gradient); false writes it, and gx may then be g
// itself (in place). Masked entries (and every entry of a len == 0 row) are
// left alone.
template <bool Accumulate, class T>
inline void softmax_row_backward(const T* p, const T* g, std::int64_t len, T scale, T* gx) {
  T dot = T(0);
  for (std::int64_t j = 0; j < len; ++j) dot += p[j] * g[j];
  for (std::int64_t j = 0; j < len; ++j) {
    const T d = p[j] * (g[j] - dot) * scale;
    if constexpr (Accumulate) {
      gx[j] += d;
    } else {
      gx[j] = d;
    }
  }
}

// softmax_row in place on `rows` rows of x (row stride ld) with `len` valid
// entries each, bit-identical to a loop over softmax_row(x + r * ld, len, len,
// x + r * ld): the maxima and sums of kRowGroup rows run side by side, each
// row in its own order (see row_sums.hpp). Attention runs one row per query.
template <class T>
inline void softmax_rows(T* x, std::int64_t rows, std::int64_t ld, std::int64_t len) {
  std::int64_t r = 0;
  if (len > 0)
    for (; r + kRowGroup <= rows; r += kRowGroup) {
      T* xr = x + r * ld;
      T m[kRowGroup], s[kRowGroup];
      for (std::int64_t k = 0; k < kRowGroup; ++k) m[k] = xr[k * ld];
      for (std::int64_t j = 1; j < len; ++j)
        for (std::int64_t k = 0; k < kRowGroup; ++k) m[k] = xr[k * ld + j] > m[k] ? xr[k * ld + j] : m[k];
      for (std::int64_t k = 0; k < kRowGroup; ++k) {
        T* xk = xr + k * ld;
        const T mk = m[k];
        for (std::int64_t j = 0; j < len; ++j) xk[j] = exp_nonpositive(xk[j] - mk);
      }
      group_row_sums<T>(len, [xr, ld](std::int64_t k, std::int64_t j) { return xr[k * ld + j]; }, s);
      for (std::int64_t k = 0; k < kRowGroup; ++k) {
        T* xk = xr + k * ld;
        const T inv = T(1) / s[k];
        for (std::int64_t j = 0; j < len; ++j) xk[j] *= inv;
      }
    }
  for (; r < rows; ++r) softmax_row(x + r * ld, len, len, x + r * ld);
}

// softmax_row_backward<false> in place (g becomes d(loss)/dx) on `rows` rows
// of p and g (row stride ld), bit-identical to a loop over it: the dot
// products of kRowGroup rows run side by side.
template <class T>
inline void softmax_rows_backward(const T* p, T* g, std::int64_t rows, std::int64_t ld, std::int64_t len, T scale) {
  std::int64_t r = 0;
  for (; r + kRowGroup <= rows; r += kRowGroup) {
    const T* pr = p + r * ld;
    T* gr = g + r * ld;
    T dot[kRowGroup];
    group_row_sums<T>(len, [pr, gr, ld](std::int64_t k, std::int64_t j) { return pr[k * ld + j] * gr[k * ld + j]; },
                      dot);
    for (std::int64_t k = 0; k < kRowGroup; ++k) {
      const T* pk = pr + k * ld;
      T* gk = gr + k * ld;
      const T dk = dot[k];
      for (std::int64_t j = 0; j < len; ++j) gk[j] = pk[j] * (gk[j] - dk) * scale;
    }
  }
  for (; r < rows; ++r) softmax_row_backward<false>(p + r * ld, g + r * ld, len, scale, g + r * ld);
}

}  // namespace atrank::kernels
