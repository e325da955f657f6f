// Layer norm block: parameters plus the norm op.
#include "atrank/nn/layer_norm.hpp"

#include "atrank/autodiff/ops/norm.hpp"

namespace atrank::nn {

template <class T>
LayerNorm<T> LayerNorm<T>::make(Params<T>& p, const std::string& scope, std::int64_t width,
                                double eps) {
  LayerNorm ln;
  ln.width = width;
  ln.eps = eps;
  ln.beta = p.add(scope + "/beta", autodiff::Shape{width}, Init::zeros());
  ln.gamma = p.add(scope + "/gamma", autodiff::Shape{width}, Init::ones());
  return ln;
}

template <class T>
autodiff::Var LayerNorm<T>::operator()(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var x) const {
  return autodiff::layer_norm(t, x, p.on(t, gamma), p.on(t, beta), T(eps));
}

template struct LayerNorm<float>;
template struct LayerNorm<double>;

}  // namespace atrank::nn
