// Row kernels of layer normalisation on raw pointers (forward and backward),
// used by the tape op and available to fused blocks.
#pragma once

#include <cmath>
#include <cstdint>

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

// g: (C) d(loss)/dy. Accumulates into gx, ggamma, gbeta (each may be null):
// xhat = (x - mean) rstd, dxhat = g gamma,
// gx += rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)).
template <class T>
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
    gx[j] += rstd * (g[j] * gamma[j] - m1 - xhat * m2);
  }
}

}  // namespace atrank::kernels
