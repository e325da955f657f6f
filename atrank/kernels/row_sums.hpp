// Sums along rows, several rows at once. A row's sum is a chain of dependent
// additions that IEEE order forbids the compiler to split (128 adds of 4
// cycles each per layer-norm row); summing kRowGroup rows side by side keeps
// every row's order (j = 0, 1, ..., n-1: results bit-identical to a plain
// loop) while the rows' chains overlap. Scoring many candidates runs one
// layer norm row per candidate, where this is most of the cost.
#pragma once

#include <cstdint>

namespace atrank::kernels {

constexpr std::int64_t kRowGroup = 8;

// sums[k] = sum over j in [0, n), in order, of term(k, j), for k in [0, kRowGroup).
template <class T, class Term>
inline void group_row_sums(std::int64_t n, Term&& term, T* sums) {
  T acc[kRowGroup] = {};
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t k = 0; k < kRowGroup; ++k) acc[k] += term(k, j);
  for (std::int64_t k = 0; k < kRowGroup; ++k) sums[k] = acc[k];
}

}  // namespace atrank::kernels
