// Where each example's rows lie in a tensor viewed as rows of width C, for
// the ops that work per example (attention): padded, (B,T,C) with example b
// at row b*T and its first length[b] rows valid, or packed, the valid rows
// of every example one after another (example b from row start[b]), so that
// the row-wise work before and after never touches padding.
#pragma once

#include <cstdint>

namespace atrank::autodiff {

struct Sequences {
  std::int64_t count = 0;                // B
  std::int64_t max_length = 0;           // T: padded length, or the longest packed sequence
  const std::int32_t* start = nullptr;   // (B) first row of each example; null = padded (b * T)
  const std::int32_t* length = nullptr;  // (B) rows of each example; null = T for every example

  static Sequences padded(std::int64_t batch, std::int64_t t, const std::int32_t* lengths = nullptr) {
    return Sequences{batch, t, nullptr, lengths};
  }
  bool is_packed() const { return start != nullptr; }
  std::int64_t first_row(std::int64_t b) const { return start ? start[b] : b * max_length; }
  std::int64_t rows(std::int64_t b) const { return length ? length[b] : max_length; }
};

}  // namespace atrank::autodiff
