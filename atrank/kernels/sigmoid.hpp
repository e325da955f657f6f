// The logistic function and the losses built on it, stable for any input:
// shared by the elementwise sigmoid, the loss ops, the LSTM gates and the
// logloss metric.
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

// Cross-entropy of label z in [0, 1] against sigmoid(x), without overflow:
// max(x, 0) - x z + log(1 + exp(-|x|)).
template <class T>
inline T sigmoid_cross_entropy(T x, T z) {
  return (x > T(0) ? x : T(0)) - x * z + std::log1p(std::exp(-std::abs(x)));
}

// log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|)).
template <class T>
inline T log_sigmoid(T x) {
  return (x < T(0) ? x : T(0)) - std::log1p(std::exp(-std::abs(x)));
}

}  // namespace atrank::kernels
