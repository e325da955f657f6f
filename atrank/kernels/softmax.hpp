// Row kernels of the masked softmax on raw pointers, shared by the tape op and
// by fused attention kernels. A row uses only its first `len` entries.
#pragma once

#include <cmath>
#include <cstdint>

namespace atrank::kernels {

// x: (L) scores, p: (L) probabilities. p[j] = softmax(x[0..len))[j] for j < len,
// p[j] = 0 exactly for j >= len; len == 0 gives an all-zero row (never NaN).
template <class T>
inline void softmax_row(const T* x, std::int64_t len, std::int64_t L, T* p) {
  if (len > 0) {
    T m = x[0];
    for (std::int64_t j = 1; j < len; ++j) m = x[j] > m ? x[j] : m;
    T s = T(0);
    for (std::int64_t j = 0; j < len; ++j) {
      p[j] = std::exp(x[j] - m);
      s += p[j];
    }
    const T inv = T(1) / s;  // s >= 1: the max term is exp(0)
    for (std::int64_t j = 0; j < len; ++j) p[j] *= inv;
  }
  for (std::int64_t j = len < 0 ? 0 : len; j < L; ++j) p[j] = T(0);
}

// p: (L) forward probabilities, g: (L) d(loss)/dp, gx: (L) accumulated
// d(loss)/dx. gx[j] += p[j] * (g[j] - sum_k p[k] g[k]) for j < len; masked
// entries (and every entry of a len == 0 row) receive nothing.
template <class T>
inline void softmax_row_backward(const T* p, const T* g, std::int64_t len, T* gx) {
  T dot = T(0);
  for (std::int64_t j = 0; j < len; ++j) dot += p[j] * g[j];
  for (std::int64_t j = 0; j < len; ++j) gx[j] += p[j] * (g[j] - dot);
}

}  // namespace atrank::kernels
