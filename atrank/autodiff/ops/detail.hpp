// Internal helpers shared by the op implementations: argument checks that throw
// with the shapes in the message. Not part of the public op API.
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "atrank/autodiff/shape.hpp"

namespace atrank::autodiff::detail {

// Sigmoid in two branches so exp never overflows.
template <class T>
T stable_sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

[[noreturn]] inline void shape_error(const char* op, const std::string& what, const Shape& a) {
  throw std::invalid_argument(std::string(op) + ": " + what + ", got shape " + a.str());
}

[[noreturn]] inline void shape_error(const char* op, const std::string& what, const Shape& a,
                                     const Shape& b) {
  throw std::invalid_argument(std::string(op) + ": " + what + ", got shapes " + a.str() +
                              " and " + b.str());
}

// Normalises a possibly negative axis against `rank`; throws if out of range.
inline int norm_axis(const char* op, int axis, const Shape& s) {
  const int a = axis < 0 ? axis + s.rank : axis;
  if (a < 0 || a >= s.rank)
    shape_error(op, "axis " + std::to_string(axis) + " out of range", s);
  return a;
}

// Product of dims [0, axis) and (axis, rank).
inline std::int64_t outer_of(const Shape& s, int axis) {
  std::int64_t n = 1;
  for (int i = 0; i < axis; ++i) n *= s.dims[i];
  return n;
}
inline std::int64_t inner_of(const Shape& s, int axis) {
  std::int64_t n = 1;
  for (int i = axis + 1; i < s.rank; ++i) n *= s.dims[i];
  return n;
}

// Checks that lengths[0..n) lie in [0, max]; throws naming the offending entry.
inline void check_lengths(const char* op, const std::int32_t* lengths, std::int64_t n,
                          std::int64_t max) {
  for (std::int64_t i = 0; i < n; ++i)
    if (lengths[i] < 0 || lengths[i] > max)
      throw std::invalid_argument(std::string(op) + ": lengths[" + std::to_string(i) + "] = " +
                                  std::to_string(lengths[i]) + " outside [0, " +
                                  std::to_string(max) + "]");
}

}  // namespace atrank::autodiff::detail
