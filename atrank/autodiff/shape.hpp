// A small fixed-capacity shape (rank <= 4) so tape nodes never allocate for shapes.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>

#include "atrank/tensor/tensor.hpp"

namespace atrank::autodiff {

struct Shape {
  static constexpr int kMaxRank = 4;
  int rank = 0;
  std::array<std::int64_t, kMaxRank> dims{};

  Shape() = default;
  Shape(std::initializer_list<std::int64_t> d) {
    if (d.size() > kMaxRank) throw std::invalid_argument("Shape: rank > 4");
    for (auto v : d) dims[rank++] = v;
  }
  std::int64_t operator[](int i) const { return dims[i < 0 ? rank + i : i]; }
  std::int64_t& operator[](int i) { return dims[i < 0 ? rank + i : i]; }
  std::int64_t numel() const {
    std::int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
  // Product of all dimensions but the last: the number of "rows".
  std::int64_t rows() const { return rank == 0 ? 1 : numel() / dims[rank - 1]; }
  std::int64_t last() const { return rank == 0 ? 1 : dims[rank - 1]; }
  bool operator==(const Shape& o) const {
    if (rank != o.rank) return false;
    for (int i = 0; i < rank; ++i)
      if (dims[i] != o.dims[i]) return false;
    return true;
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }
  std::string str() const {
    std::string s = "(";
    for (int i = 0; i < rank; ++i) s += (i ? "," : "") + std::to_string(dims[i]);
    return s + ")";
  }
};

// The same dimensions as an xtensor shape (for views of tape and parameter memory).
inline TensorShape tensor_shape(const Shape& s) {
  TensorShape out(std::size_t(s.rank));
  for (int i = 0; i < s.rank; ++i) out[std::size_t(i)] = std::size_t(s.dims[std::size_t(i)]);
  return out;
}

}  // namespace atrank::autodiff
