// Layer normalisation with learned gamma (init 1) and beta (init 0) over the
// last axis; the authors' `normalize` with eps inside the square root.
#pragma once

#include <cstdint>
#include <string>

#include "atrank/autodiff/tape.hpp"
#include "atrank/nn/params.hpp"

namespace atrank::nn {

template <class T>
struct LayerNorm {
  int gamma = -1, beta = -1;  // (C)
  std::int64_t width = 0;
  double eps = 1e-8;

  // Registers `<scope>/gamma` and `<scope>/beta`.
  static LayerNorm make(Params<T>& p, const std::string& scope, std::int64_t width, double eps);
  // x: (..., width) -> same shape
  autodiff::Var operator()(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var x) const;
  std::int64_t param_count() const { return 2 * width; }
};

}  // namespace atrank::nn
