// e^x for x <= 0 (a softmax after subtracting its row maximum) as straight-
// line arithmetic the compiler vectorises: std::exp is a library call per
// element, which keeps every loop calling it scalar. Range reduction
// x = k ln2 + r (|r| <= ln2 / 2, ln 2 in two parts so k ln2 is exact), a
// polynomial for e^r, and 2^k put into the exponent bits.
//   float: Cephes' expf polynomial (degree 7), within 2 ulp of std::exp;
//   double: the Taylor series to degree 13 (remainder < 1e-17), within a
//   few ulp.
// Below the smallest normal result (x < ln(min normal)) the result is 0,
// where std::exp gives a denormal: at most 1.2e-38 (float) / 2.3e-308
// (double) off, nothing next to a softmax maximum's 1. -inf gives 0, NaN
// gives NaN. Positive x is outside the contract.
#pragma once

#include <cstdint>
#include <cstring>

namespace atrank::kernels {

namespace detail {

// The float or double whose bits are `b` (a register move once inlined).
template <class T, class Bits>
inline T from_bits(Bits b) {
  T x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}
template <class Bits, class T>
inline Bits to_bits(T x) {
  Bits b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

}  // namespace detail

// Cephes' expf core for v in [ln(min normal), 0], for floats and GCC vectors
// of floats alike (recommend's kernels use it too): k = round(v / ln 2)
// through adding 1.5 * 2^23 (`shifted` then holds k in its low mantissa
// bits), r = v - k ln 2 with ln 2 in two parts, and p = e^r; e^v = p * 2^k.
template <class V>
struct ExpfParts {
  V shifted, k, p;
};

template <class V>
__attribute__((always_inline)) inline ExpfParts<V> expf_parts(V v) {
  ExpfParts<V> o;
  o.shifted = v * 1.44269504088896341f + 12582912.0f;
  o.k = o.shifted - 12582912.0f;
  const V r = (v - o.k * 0.693359375f) - o.k * -2.12194440e-4f;
  V p = V{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  o.p = p * (r * r) + r + 1.0f;
  return o;
}

// Branch-free: the clamp and the zero below the range are bit masks (a
// conditional expression here becomes a branch that stops vectorisation).
inline float exp_nonpositive(float x) {
  constexpr float kLowest = -87.33654475f;  // ln(FLT_MIN): below, 0
  const std::uint32_t below = 0u - std::uint32_t(x < kLowest);  // all ones below (never for NaN)
  const float v = detail::from_bits<float>((detail::to_bits<std::uint32_t>(x) & ~below) |
                                           (detail::to_bits<std::uint32_t>(kLowest) & below));
  const ExpfParts<float> e_v = expf_parts(v);
  const float shifted = e_v.shifted, p = e_v.p;
  // 2^k: k + 127 (in [1, 127]) into the exponent bits. The shifted sum's
  // bits are those of 1.5 * 2^23 plus k, whose low 9 bits are zero.
  const std::uint32_t e = (detail::to_bits<std::uint32_t>(shifted) + 127u) << 23;
  const float y = p * detail::from_bits<float>(e);
  return detail::from_bits<float>(detail::to_bits<std::uint32_t>(y) & ~below);
}

inline double exp_nonpositive(double x) {
  constexpr double kLowest = -708.39641853226410;  // ln(DBL_MIN): below, 0
  const std::uint64_t below = 0u - std::uint64_t(x < kLowest);
  const double v = detail::from_bits<double>((detail::to_bits<std::uint64_t>(x) & ~below) |
                                             (detail::to_bits<std::uint64_t>(kLowest) & below));
  // k = round(v / ln 2) by adding 1.5 * 2^52.
  const double shifted = v * 1.4426950408889634074 + 6755399441055744.0;
  const double k = shifted - 6755399441055744.0;
  // ln 2 = hi + lo with hi's low 32 bits zero: k * hi is exact for |k| < 2^20.
  const double r = (v - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
  // e^r = sum_{n <= 13} r^n / n!, Horner.
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * (r * r) + r + 1.0;
  // 2^k: k + 1023 (in [1, 1023]) into the exponent bits (the low 12 bits of
  // 1.5 * 2^52's are zero).
  const std::uint64_t e = (detail::to_bits<std::uint64_t>(shifted) + 1023u) << 52;
  const double y = p * detail::from_bits<double>(e);
  return detail::from_bits<double>(detail::to_bits<std::uint64_t>(y) & ~below);
}

}  // namespace atrank::kernels
