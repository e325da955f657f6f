// Dense layer on the tape: one GEMM over all leading rows, bias and activation.
#include "atrank/nn/dense.hpp"

#include <stdexcept>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/ops/matmul.hpp"

namespace atrank::nn {

using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;

template <class T>
Var activate(Tape<T>& t, Var x, Activation a) {
  switch (a) {
    case Activation::None: return x;
    case Activation::Relu: return autodiff::relu(t, x);
    case Activation::Tanh: return autodiff::tanh(t, x);
  }
  return x;
}

namespace {

// act(x w + b); a ReLU runs inside the dense op (one node, one pass).
template <class T>
Var dense_activated(Tape<T>& t, Var x, Var w, Var b, Activation a) {
  if (a == Activation::Relu) return autodiff::dense_relu(t, x, w, b);
  return activate(t, autodiff::dense(t, x, w, b), a);
}

}  // namespace

template <class T>
Dense<T> Dense<T>::make(Params<T>& p, const std::string& scope, std::int64_t in, std::int64_t out,
                        Activation act, bool use_bias) {
  if (in <= 0 || out <= 0)
    throw std::invalid_argument("dense `" + scope + "`: widths must be positive, got " +
                                std::to_string(in) + " -> " + std::to_string(out));
  Dense d;
  d.in = in;
  d.out = out;
  d.act = act;
  d.kernel = p.add(scope + "/kernel", Shape{in, out}, Init::glorot());
  if (use_bias) d.bias = p.add(scope + "/bias", Shape{out}, Init::zeros());
  return d;
}

template <class T>
Var Dense<T>::operator()(Tape<T>& t, Params<T>& p, Var x) const {
  const Var b = bias >= 0 ? p.on(t, bias) : Var{};
  return dense_activated(t, x, p.on(t, kernel), b, act);
}

template <class T>
Var Dense<T>::prefix(Tape<T>& t, Params<T>& p, Var x) const {
  const std::int64_t rows = t.shape(x).last();
  if (rows == in) return (*this)(t, p, x);
  if (rows > in)
    throw std::invalid_argument("dense prefix: input has " + std::to_string(rows) +
                                " features, the layer only " + std::to_string(in));
  const Var w = autodiff::slice(t, p.on(t, kernel), 0, 0, rows);  // (rows, out)
  const Var b = bias >= 0 ? p.on(t, bias) : Var{};
  return dense_activated(t, x, w, b, act);
}

template struct Dense<float>;
template struct Dense<double>;
template Var activate<float>(Tape<float>&, Var, Activation);
template Var activate<double>(Tape<double>&, Var, Activation);

}  // namespace atrank::nn
