// The authors' point-wise `feedforward`: dense(inner, ReLU) -> dense(width),
// residual `+ inputs`, layer norm. (Their kernel-size-1 conv1d is a dense layer.)
#pragma once

#include <cstdint>
#include <string>

#include "atrank/autodiff/tape.hpp"
#include "atrank/nn/dense.hpp"
#include "atrank/nn/layer_norm.hpp"
#include "atrank/nn/params.hpp"

namespace atrank::nn {

template <class T>
struct FeedForward {
  Dense<T> inner;     // (width, inner) ReLU
  Dense<T> outer;     // (inner, width)
  LayerNorm<T> norm;  // (width)

  // Registers <scope>/inner, <scope>/outer, <scope>/ln.
  static FeedForward make(Params<T>& p, const std::string& scope, std::int64_t width,
                          std::int64_t inner_width, double eps);
  // x: (..., width) -> same shape
  autodiff::Var operator()(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var x) const;
  std::int64_t param_count() const {
    return inner.param_count() + outer.param_count() + norm.param_count();
  }
};

}  // namespace atrank::nn
