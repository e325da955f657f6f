// A read-only view of a flat array (C++17 has no std::span): prepared data is a set of these
// pointing into one memory-mapped cache file or one in-memory buffer.
#pragma once

#include <cstddef>

namespace atrank::data {

template <class T>
struct Span {
  const T* ptr = nullptr;
  std::size_t n = 0;

  const T& operator[](std::size_t i) const { return ptr[i]; }
  std::size_t size() const { return n; }
  bool empty() const { return n == 0; }
  const T* data() const { return ptr; }
  const T* begin() const { return ptr; }
  const T* end() const { return ptr + n; }
};

}  // namespace atrank::data
