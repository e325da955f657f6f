// Internal helpers shared by the op implementations: argument checks that throw
// with the shapes in the message, matrix views for products. Not part of the
// public op API.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "atrank/autodiff/shape.hpp"
#include "atrank/autodiff/tape.hpp"
#include "atrank/tensor/tensor.hpp"

namespace atrank::autodiff::detail {

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

// g.data[i] = f(i) or g.data[i] += f(i) (as g says) for i in [0, n): one
// loop each, so both vectorise.
template <class T, class F>
void put_grad(const GradTarget<T>& g, std::int64_t n, F&& f) {
  T* d = g.data;
  if (g.overwrite) {
    for (std::int64_t i = 0; i < n; ++i) d[i] = f(i);
  } else {
    for (std::int64_t i = 0; i < n; ++i) d[i] += f(i);
  }
}

// The GEMM beta that writes into g: 0 stores, 1 adds.
template <class T>
T beta_of(const GradTarget<T>& g) {
  return g.overwrite ? T(0) : T(1);
}

// (rows, cols) xtensor views of node memory for products: operands are
// read, results written.
template <class T>
MatrixView<const T> operand(const T* p, std::int64_t rows, std::int64_t cols) {
  return matrix_view(p, std::size_t(rows), std::size_t(cols));
}
template <class T>
MatrixView<T> result(T* p, std::int64_t rows, std::int64_t cols) {
  return matrix_view(p, std::size_t(rows), std::size_t(cols));
}

}  // namespace atrank::autodiff::detail
