// Small helpers for the per-family op tests: random inputs kept away from
// kinks, and a one-line gradient check of a unary op on one parameter.
#pragma once

#include <cmath>
#include <ostream>
#include <random>
#include <vector>

#include "test/autodiff/gradcheck_util.hpp"

namespace atrank::autodiff {
// So Boost.Test can print shapes in failed assertions.
inline std::ostream& operator<<(std::ostream& os, const Shape& s) { return os << s.str(); }
}  // namespace atrank::autodiff

namespace atrank::test {

// Random values with |x| >= margin (away from the kink of relu / max).
inline int random_param_away_from_zero(ParamArena<double>& p, const std::string& name,
                                       const Shape& s, std::mt19937_64& rng,
                                       double margin = 0.05) {
  const int id = random_param(p, name, s, rng);
  for (std::int64_t i = 0; i < s.numel(); ++i) {
    double& v = p.value(id)[i];
    if (std::abs(v) < margin) v = v < 0 ? v - margin : v + margin;
  }
  return id;
}

// Checks a unary op f(tape, x) on one random parameter of shape s in [lo, hi).
template <class F>
autodiff::GradCheckReport check_unary(F f, const Shape& s, unsigned seed, double lo = -1.0,
                                      double hi = 1.0) {
  std::mt19937_64 rng(seed);
  ParamArena<double> p;
  const int x = random_param(p, "x", s, rng, lo, hi);
  return autodiff::check_gradients(p, {}, [&](Tape<double>& t) { return f(t, p.on(t, x)); });
}

// Values of a Var as a vector (for forward-value assertions).
template <class T>
std::vector<T> values_of(Tape<T>& t, Var v) {
  const T* p = t.value(v);
  return std::vector<T>(p, p + t.shape(v).numel());
}

}  // namespace atrank::test
