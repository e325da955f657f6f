// A fully connected layer y = act(x W + b), TF's tf.layers.dense: Glorot-uniform
// kernel (in, out), zero bias (out).
#pragma once

#include <cstdint>
#include <string>

#include "atrank/autodiff/tape.hpp"
#include "atrank/nn/params.hpp"

namespace atrank::nn {

enum class Activation { None, Relu, Tanh };

// Applies `a` on the tape (the identity for None).
template <class T>
autodiff::Var activate(autodiff::Tape<T>& t, autodiff::Var x, Activation a);

template <class T>
struct Dense {
  int kernel = -1;  // (in, out)
  int bias = -1;    // (out), or -1 without bias
  std::int64_t in = 0, out = 0;
  Activation act = Activation::None;

  // Registers `<scope>/kernel` and `<scope>/bias`.
  static Dense make(Params<T>& p, const std::string& scope, std::int64_t in, std::int64_t out,
                    Activation act = Activation::None, bool use_bias = true);

  // x: (..., in) -> (..., out)
  autodiff::Var operator()(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var x) const;

  // x: (..., rows) with rows <= in: the layer applied to x padded with zeros to
  // `in` features, i.e. only the first `rows` kernel rows are used. The authors
  // pass a target through its group's layer this way (tf.pad of the time and
  // action slots).
  autodiff::Var prefix(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var x) const;

  std::int64_t param_count() const { return in * out + (bias >= 0 ? out : 0); }
};

}  // namespace atrank::nn
