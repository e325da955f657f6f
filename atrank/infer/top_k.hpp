// The K best of a row of scores: highest score first, ties broken by the
// lower row, NaN scores last; rows marked excluded are skipped.
#pragma once

#include <cstdint>
#include <vector>

namespace atrank::infer {

template <class T>
struct Ranked {
  std::int32_t row = 0;
  T score = 0;
};

// scores: (n); excluded: (n) non-zero = skip, or empty. Returns min(k, the
// rows not excluded) entries, best first. O(n log k).
template <class T>
std::vector<Ranked<T>> top_k(const T* scores, std::int64_t n, std::int64_t k, const std::vector<char>& excluded);

}  // namespace atrank::infer
