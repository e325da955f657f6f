// Sums of a row in interleaved partial sums. One running sum is a serial
// chain of additions that IEEE order forbids the compiler to vectorise (128
// dependent adds per layer-norm row); kLanes independent partial sums,
// combined pairwise at the end, vectorise. The order is fixed, so results
// are deterministic (and differ from the serial sum only by rounding).
#pragma once

#include <cstdint>

namespace atrank::kernels {

constexpr int kLanes = 16;

// sum over j in [0, n) of term(j).
template <class T, class Term>
inline T lane_sum(std::int64_t n, Term&& term) {
  T acc[kLanes] = {};
  std::int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += term(j + l);
  for (int l = 0; j < n; ++j, ++l) acc[l] += term(j);
  for (int w = kLanes / 2; w > 0; w /= 2)
    for (int l = 0; l < w; ++l) acc[l] += acc[l + w];
  return acc[0];
}

}  // namespace atrank::kernels
