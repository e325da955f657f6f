// Forward and backward of layer normalisation and inverted dropout.
#include "atrank/autodiff/ops/norm.hpp"

#include <string>

#include "atrank/autodiff/ops/detail.hpp"
#include "atrank/kernels/layer_norm.hpp"

namespace atrank::autodiff {
namespace {

// in: x, gamma, beta. saved: (rows, 2) = mean, rstd per row.
template <class T>
void layer_norm_backward(Tape<T>& t, Node<T>& n) {
  const std::int64_t rows = n.shape.rows(), C = n.shape.last();
  const T* x = t.input_value(n, 0);
  const T* gamma = t.input_value(n, 1);
  T* ggamma = t.input_grad(n, 1);
  T* gbeta = t.input_grad(n, 2);
  const GradTarget<T> gx = t.input_grad_target(n, 0);
  if (gx.overwrite)
    kernels::layer_norm_rows_backward<false>(x, rows, gamma, n.grad, C, n.saved.data(), gx.data, ggamma, gbeta);
  else
    kernels::layer_norm_rows_backward<true>(x, rows, gamma, n.grad, C, n.saved.data(), gx.data, ggamma, gbeta);
}

// saved: the per-element multiplier, 0 or 1 / (1 - rate).
template <class T>
void dropout_backward(Tape<T>& t, Node<T>& n) {
  const T* m = n.saved.data();
  const T* g = n.grad;
  if (const GradTarget<T> gx = t.input_grad_target(n, 0))
    detail::put_grad(gx, n.shape.numel(), [g, m](std::int64_t i) { return g[i] * m[i]; });
}

}  // namespace

template <class T>
Var layer_norm(Tape<T>& t, Var x, Var gamma, Var beta, T eps) {
  const Shape sx = t.shape(x), sg = t.shape(gamma), sb = t.shape(beta);
  if (sx.rank < 1) detail::shape_error("layer_norm", "need rank >= 1", sx);
  const std::int64_t C = sx.last(), rows = sx.rows();
  if (sg.rank != 1 || sg[0] != C) detail::shape_error("layer_norm", "gamma must be (C)", sx, sg);
  if (sb.rank != 1 || sb[0] != C) detail::shape_error("layer_norm", "beta must be (C)", sx, sb);
  if (!(eps >= T(0))) throw std::invalid_argument("layer_norm: eps must be >= 0");
  Var out = t.make(sx, "layer_norm", {x, gamma, beta});
  Node<T>& n = t.node(out);
  n.saved.resize(std::size_t(2 * rows));
  const T* xv = t.value(x);
  const T* g = t.value(gamma);
  const T* b = t.value(beta);
  kernels::layer_norm_rows(xv, rows, g, b, C, eps, n.value, n.saved.data());
  if (n.requires_grad) n.backward = layer_norm_backward<T>;
  return out;
}

template <class T>
Var dropout(Tape<T>& t, Var x, T rate, std::mt19937_64& rng, bool training) {
  if (!(rate >= T(0) && rate < T(1)))
    throw std::invalid_argument("dropout: rate " + std::to_string(rate) + " outside [0, 1)");
  if (!training || rate == T(0)) return x;  // the identity: no node, no draw
  const Shape sx = t.shape(x);
  Var out = t.make(sx, "dropout", {x});
  Node<T>& n = t.node(out);
  const std::int64_t total = sx.numel();
  n.saved.resize(std::size_t(total));
  T* m = n.saved.data();
  const T keep_scale = T(1) / (T(1) - rate);
  const double r = double(rate);
  const T* xv = t.value(x);
  for (std::int64_t i = 0; i < total; ++i) {
    // 53 random bits -> uniform in [0, 1); same stream on every platform.
    const double u = double(rng() >> 11) * 0x1.0p-53;
    m[i] = u >= r ? keep_scale : T(0);
    n.value[i] = xv[i] * m[i];
  }
  if (n.requires_grad) n.backward = dropout_backward<T>;
  return out;
}

#define ATRANK_INSTANTIATE(T)                                             \
  template Var layer_norm<T>(Tape<T>&, Var, Var, Var, T);                 \
  template Var dropout<T>(Tape<T>&, Var, T, std::mt19937_64&, bool);
ATRANK_INSTANTIATE(float)
ATRANK_INSTANTIATE(double)
#undef ATRANK_INSTANTIATE

}  // namespace atrank::autodiff
