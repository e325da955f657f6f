// Shared test fixtures for gradient checks: random double parameters and the
// tolerance every op must meet.
#pragma once

#include <random>
#include <string>

#include <boost/test/unit_test.hpp>

#include "atrank/autodiff/gradcheck.hpp"

namespace atrank::test {

using autodiff::EmbeddingTable;
using autodiff::ParamArena;
using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;

constexpr double kGradTolerance = 1e-6;

// Registers a parameter filled with uniform values in [lo, hi).
inline int random_param(ParamArena<double>& p, const std::string& name, const Shape& s,
                        std::mt19937_64& rng, double lo = -1.0, double hi = 1.0) {
  const int id = p.add(name, s);
  std::uniform_real_distribution<double> u(lo, hi);
  for (std::int64_t i = 0; i < s.numel(); ++i) p.value(id)[i] = u(rng);
  return id;
}

inline void fill_random(EmbeddingTable<double>& t, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (auto& v : t.values) v = u(rng);
}

#define ATRANK_CHECK_GRADIENTS(report)                                           \
  do {                                                                           \
    const auto& r_ = (report);                                                   \
    BOOST_TEST(r_.finite);                                                       \
    BOOST_TEST(r_.entries > 0);                                                  \
    BOOST_TEST(r_.max_error < ::atrank::test::kGradTolerance, "worst: " << r_.worst \
                                                   << " (error " << r_.max_error << ")"); \
  } while (0)

}  // namespace atrank::test
