// The logistic function for ops and kernels (elementwise sigmoid, the
// losses, LSTM gates).
#pragma once

#include <cmath>

namespace atrank::kernels {

// Sigmoid in two branches so exp never overflows.
template <class T>
inline T stable_sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

}  // namespace atrank::kernels
