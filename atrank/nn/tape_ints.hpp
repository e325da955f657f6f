// Integer side data (lengths, ids) that ops receive as raw pointers and may
// read again in backward: kept in a node of the tape so it lives exactly as
// long as the recorded computation (until tape.clear()).
#pragma once

#include <cstdint>
#include <vector>

#include "atrank/autodiff/tape.hpp"

namespace atrank::nn {

// Room for n integers on the tape, for the caller to fill: the node's buffer
// keeps its capacity from earlier steps (no allocation once it has grown).
template <class T>
std::int32_t* tape_ints(autodiff::Tape<T>& t, std::size_t n) {
  const autodiff::Var v = t.make(autodiff::Shape{0}, "ints");
  auto& node = t.node(v);
  node.index.resize(n);
  return node.index.data();
}

template <class T>
const std::int32_t* keep_ints(autodiff::Tape<T>& t, std::vector<std::int32_t> values) {
  const autodiff::Var v = t.make(autodiff::Shape{0}, "ints");
  auto& node = t.node(v);
  node.index = std::move(values);
  return node.index.data();
}

// A constant tensor of T converted from values of another type (labels are float).
template <class T, class U>
autodiff::Var constant_from(autodiff::Tape<T>& t, const autodiff::Shape& shape, const U* values) {
  const autodiff::Var v = t.make(shape, "constant");
  T* out = t.value(v);
  for (std::int64_t i = 0; i < shape.numel(); ++i) out[i] = T(values[i]);
  return v;
}

}  // namespace atrank::nn
