// Parameter initializers as TensorFlow's defaults, so a fresh model starts
// where the authors' did (Glorot-uniform kernels and embeddings, zero biases).
#pragma once

#include <random>
#include <string>

#include "atrank/tensor/tensor.hpp"

namespace atrank::nn {

enum class InitKind { GlorotUniform, Zeros, Ones, Normal, TruncatedNormal, Constant };

struct Init {
  InitKind kind = InitKind::GlorotUniform;
  double value = 0;  // Normal, TruncatedNormal: standard deviation; Constant: the value

  static Init glorot() { return {InitKind::GlorotUniform, 0}; }
  static Init zeros() { return {InitKind::Zeros, 0}; }
  static Init ones() { return {InitKind::Ones, 0}; }
  static Init normal(double stddev) { return {InitKind::Normal, stddev}; }
  // tf.truncated_normal: normal(0, stddev) draws beyond 2 stddev are drawn
  // again, so every value lies in [-2 stddev, 2 stddev] and the values' own
  // standard deviation is about 0.88 stddev.
  static Init truncated_normal(double stddev) { return {InitKind::TruncatedNormal, stddev}; }
  static Init constant(double v) { return {InitKind::Constant, v}; }
  std::string str() const;  // "glorot_uniform", "normal(0.01)", ...
};

// Fills `w` as TF initializes a variable of w's shape.
// Glorot fans follow TF: 1-D (n): fan_in = fan_out = n; 2-D (r,c): r and c
// (an embedding table [rows, width] included); k-D: the last two dims times the
// product of the others. Draws are made in double, so float and double models
// built with the same seed hold the same values up to rounding.
template <class T>
void initialize(TensorView<T> w, const Init& init, std::mt19937_64& rng);

}  // namespace atrank::nn
