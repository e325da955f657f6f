// One helper that checks the gradients of any op or composite against central
// finite differences, in double precision, for every parameter and table entry.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "atrank/autodiff/parameters.hpp"
#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

struct GradCheckReport {
  double max_error = 0;  // max over entries of |analytic - numeric| / max(|a|, |n|, floor)
  std::string worst;     // "name[index]: analytic vs numeric" of the worst entry
  int entries = 0;       // how many entries were compared
  bool finite = true;    // every output value finite at the unperturbed point
};

struct GradCheckOptions {
  double eps = 1e-6;     // finite-difference step
  double floor = 1e-3;   // denominators below this count as this (small gradients)
  unsigned seed = 1234;  // seed of the random weights reducing the output to a scalar
};

// `build` records a computation on the tape from the current values of
// `params` and `tables` and returns its output (any shape). The objective is
// sum(w * output) with fixed random weights w, so every output element counts.
inline GradCheckReport check_gradients(ParamArena<double>& params,
                                       const std::vector<EmbeddingTable<double>*>& tables,
                                       const std::function<Var(Tape<double>&)>& build,
                                       GradCheckOptions opt = {}) {
  Tape<double> tape;
  GradCheckReport report;

  Var out = build(tape);
  const auto n_out = static_cast<std::size_t>(tape.shape(out).numel());
  std::vector<double> w(n_out);
  std::mt19937_64 rng(opt.seed);
  std::uniform_real_distribution<double> uni(-1.0, 1.0);
  for (auto& x : w) x = uni(rng);
  for (std::size_t i = 0; i < n_out; ++i)
    if (!std::isfinite(tape.value(out)[i])) report.finite = false;

  // Backward twice on the one tape, keeping the second: the first leaves
  // gradients in the tape's buffers, as the previous step of training does,
  // so an op that adds into a buffer it should overwrite (as its first
  // writer) shows here as a wrong gradient.
  tape.backward_from(out, w.data());
  tape.clear();
  out = build(tape);
  params.zero_grad();
  for (auto* tb : tables) tb->grad.clear();
  tape.backward_from(out, w.data());

  auto objective = [&]() {
    tape.clear();
    Var y = build(tape);
    double s = 0;
    for (std::size_t i = 0; i < n_out; ++i) s += w[i] * tape.value(y)[i];
    return s;
  };
  auto compare = [&](const std::string& name, std::size_t i, double& x, double analytic) {
    const double keep = x;
    x = keep + opt.eps;
    const double fp = objective();
    x = keep - opt.eps;
    const double fm = objective();
    x = keep;
    const double numeric = (fp - fm) / (2 * opt.eps);
    const double denom = std::max({std::abs(analytic), std::abs(numeric), opt.floor});
    const double err = std::abs(analytic - numeric) / denom;
    ++report.entries;
    if (!(err <= report.max_error)) {  // also catches NaN
      report.max_error = std::isnan(err) ? INFINITY : err;
      report.worst = name + "[" + std::to_string(i) + "]: analytic " + std::to_string(analytic) +
                     " vs numeric " + std::to_string(numeric);
    }
  };

  const std::vector<double> dense_grad = params.grads();
  for (const auto& s : params.slices())
    for (std::int64_t i = 0; i < s.numel(); ++i)
      compare(s.name, std::size_t(i), params.values()[s.offset + i], dense_grad[s.offset + i]);

  for (auto* tb : tables) {
    // Densify the sparse slices only here, in the test helper.
    std::vector<double> g(tb->values.size(), 0.0);
    for (std::size_t r = 0; r < tb->grad.rows.size(); ++r)
      for (std::int64_t c = 0; c < tb->width; ++c)
        g[std::size_t(tb->grad.rows[r] * tb->width + c)] += tb->grad.values[r * tb->width + c];
    for (std::size_t i = 0; i < tb->values.size(); ++i) compare(tb->name, i, tb->values[i], g[i]);
  }
  return report;
}

}  // namespace atrank::autodiff
