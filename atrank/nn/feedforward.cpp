// Feed-forward block composed of two dense layers, a residual and a layer norm.
#include "atrank/nn/feedforward.hpp"

#include "atrank/autodiff/ops/elementwise.hpp"

namespace atrank::nn {

template <class T>
FeedForward<T> FeedForward<T>::make(Params<T>& p, const std::string& scope, std::int64_t width,
                                    std::int64_t inner_width, double eps) {
  FeedForward f;
  f.inner = Dense<T>::make(p, scope + "/inner", width, inner_width, Activation::Relu);
  f.outer = Dense<T>::make(p, scope + "/outer", inner_width, width);
  f.norm = LayerNorm<T>::make(p, scope + "/ln", width, eps);
  return f;
}

template <class T>
autodiff::Var FeedForward<T>::operator()(autodiff::Tape<T>& t, Params<T>& p,
                                         autodiff::Var x) const {
  const autodiff::Var h = outer(t, p, inner(t, p, x));
  return norm(t, p, autodiff::add(t, h, x));
}

template struct FeedForward<float>;
template struct FeedForward<double>;

}  // namespace atrank::nn
