// Row kernels of the masked softmax on raw pointers, forward and backward:
// the masked_softmax op and fused attention both run on these. A row uses
// only its first `len` entries.
#pragma once

#include <algorithm>
#include <cstdint>

#include "atrank/kernels/exp.hpp"

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

}  // namespace atrank::kernels
