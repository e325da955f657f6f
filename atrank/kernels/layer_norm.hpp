// Row kernels of layer normalisation on raw pointers (forward and backward),
// used by the tape op and available to fused blocks.
#pragma once

#include <cmath>
#include <cstdint>

#include "atrank/kernels/row_sums.hpp"

namespace atrank::kernels {

// x, y: (C); gamma, beta: (C). y = gamma * (x - mean) * rstd + beta with
// rstd = 1 / sqrt(var + eps) (biased variance). Writes the row's mean and rstd.
template <class T>
inline void layer_norm_row(const T* x, const T* gamma, const T* beta, std::int64_t C, T eps,
                           T* y, T* mean_out, T* rstd_out) {
  T mean = T(0);
  for (std::int64_t j = 0; j < C; ++j) mean += x[j];
  mean /= T(C);
  T var = T(0);
  for (std::int64_t j = 0; j < C; ++j) var += (x[j] - mean) * (x[j] - mean);
  var /= T(C);
  const T rstd = T(1) / std::sqrt(var + eps);
  for (std::int64_t j = 0; j < C; ++j) y[j] = gamma[j] * ((x[j] - mean) * rstd) + beta[j];
  *mean_out = mean;
  *rstd_out = rstd;
}

// layer_norm_row for `rows` rows of x and y (row stride C), the row statistics
// into stats (rows,2) = mean, rstd; bit-identical to a loop over layer_norm_row.
template <class T>
inline void layer_norm_rows(const T* x, std::int64_t rows, const T* gamma, const T* beta, std::int64_t C, T eps,
                            T* y, T* stats) {
  std::int64_t r = 0;
  for (; r + kRowGroup <= rows; r += kRowGroup) {
    const T* xr = x + r * C;
    T mean[kRowGroup], var[kRowGroup];
    group_row_sums<T>(C, [xr, C](std::int64_t k, std::int64_t j) { return xr[k * C + j]; }, mean);
    for (auto& m : mean) m /= T(C);
    group_row_sums<T>(
        C,
        [xr, C, &mean](std::int64_t k, std::int64_t j) { return (xr[k * C + j] - mean[k]) * (xr[k * C + j] - mean[k]); },
        var);
    for (std::int64_t k = 0; k < kRowGroup; ++k) {
      const T rstd = T(1) / std::sqrt(var[k] / T(C) + eps);
      const T* xk = xr + k * C;
      T* yk = y + (r + k) * C;
      for (std::int64_t j = 0; j < C; ++j) yk[j] = gamma[j] * ((xk[j] - mean[k]) * rstd) + beta[j];
      stats[2 * (r + k)] = mean[k];
      stats[2 * (r + k) + 1] = rstd;
    }
  }
  for (; r < rows; ++r) layer_norm_row(x + r * C, gamma, beta, C, eps, y + r * C, &stats[2 * r], &stats[2 * r + 1]);
}

// g: (C) d(loss)/dy. Accumulates into ggamma, gbeta (each may be null) and
// into gx (Accumulate) or stores it (may be null):
// xhat = (x - mean) rstd, dxhat = g gamma,
// gx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)).
template <bool Accumulate, class T>
inline void layer_norm_row_backward(const T* x, const T* gamma, const T* g, std::int64_t C,
                                    T mean, T rstd, T* gx, T* ggamma, T* gbeta) {
  T m1 = T(0), m2 = T(0);
  for (std::int64_t j = 0; j < C; ++j) {
    const T xhat = (x[j] - mean) * rstd;
    const T dxhat = g[j] * gamma[j];
    m1 += dxhat;
    m2 += dxhat * xhat;
    if (ggamma) ggamma[j] += g[j] * xhat;
    if (gbeta) gbeta[j] += g[j];
  }
  if (gx == nullptr) return;
  m1 /= T(C);
  m2 /= T(C);
  for (std::int64_t j = 0; j < C; ++j) {
    const T xhat = (x[j] - mean) * rstd;
    const T d = rstd * (g[j] * gamma[j] - m1 - xhat * m2);
    if constexpr (Accumulate) {
      gx[j] += d;
    } else {
      gx[j] = d;
    }
  }
}

// layer_norm_row_backward for `rows` rows (row stride C; stats (rows,2) as
// layer_norm_rows writes them), bit-identical to a loop over it. In a row's
// single loop the two sums m1, m2 keep it scalar; here each row's gamma and
// beta gradients and its gx are loops of their own (vectorised), and the
// sums of kRowGroup rows run side by side, each in its own order.
template <bool Accumulate, class T>
inline void layer_norm_rows_backward(const T* x, std::int64_t rows, const T* gamma, const T* g,
                                     std::int64_t C, const T* stats, T* gx, T* ggamma, T* gbeta) {
  std::int64_t r = 0;
  for (; r + kRowGroup <= rows; r += kRowGroup) {
    const T* xr = x + r * C;
    const T* gr = g + r * C;
    const T* st = stats + 2 * r;
    T m1[kRowGroup], m2[kRowGroup];
    group_row_sums<T>(C, [gr, gamma, C](std::int64_t k, std::int64_t j) { return gr[k * C + j] * gamma[j]; }, m1);
    group_row_sums<T>(
        C,
        [xr, gr, gamma, st, C](std::int64_t k, std::int64_t j) {
          return gr[k * C + j] * gamma[j] * ((xr[k * C + j] - st[2 * k]) * st[2 * k + 1]);
        },
        m2);
    for (std::int64_t k = 0; k < kRowGroup; ++k) {
      const T* xk = xr + k * C;
      const T* gk = gr + k * C;
      const T mean = st[2 * k], rstd = st[2 * k + 1];
      if (ggamma)
        for (std::int64_t j = 0; j < C; ++j) ggamma[j] += gk[j] * ((xk[j] - mean) * rstd);
      if (gbeta)
        for (std::int64_t j = 0; j < C; ++j) gbeta[j] += gk[j];
      if (gx == nullptr) continue;
      const T a = m1[k] / T(C), b = m2[k] / T(C);
      T* out = gx + (r + k) * C;
      for (std::int64_t j = 0; j < C; ++j) {
        const T d = rstd * (gk[j] * gamma[j] - a - ((xk[j] - mean) * rstd) * b);
        if constexpr (Accumulate) {
          out[j] += d;
        } else {
          out[j] = d;
        }
      }
    }
  }
  for (; r < rows; ++r)
    layer_norm_row_backward<Accumulate>(x + r * C, gamma, g + r * C, C, stats[2 * r], stats[2 * r + 1],
                                        gx ? gx + r * C : nullptr, ggamma, gbeta);
}

}  // namespace atrank::kernels
