// The ReLU and its derivative, branch-free: GCC compiles `x > 0 ? x : 0`
// and T(x > 0) into branches, which keep the loops over them from
// vectorising; bit masks do not.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace atrank::kernels {

namespace detail {

// All ones where x > 0, else zeros (NaN: zeros), as wide as T.
template <class T>
inline auto positive_mask(T x) {
  using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  return Bits(0) - Bits(x > T(0));
}

template <class T>
inline T and_bits(T x, decltype(positive_mask(x)) mask) {
  decltype(mask) bits;
  std::memcpy(&bits, &x, sizeof bits);
  bits &= mask;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

}  // namespace detail

// x where x > 0, else +0 (NaN: 0).
template <class T>
inline T relu(T x) {
  return detail::and_bits(x, detail::positive_mask(x));
}

// 1 where x > 0, else 0 (NaN: 0): a multiplier for a gradient (a NaN
// gradient stays NaN).
template <class T>
inline T relu_derivative(T x) {
  return detail::and_bits(T(1), detail::positive_mask(x));
}

}  // namespace atrank::kernels
