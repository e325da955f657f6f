// Forward and backward of the elementwise ops. Binary ops view a as
// (outer, inner) and b as (inner): b is either a's shape (outer = 1) or a's
// trailing dimensions (a bias broadcast over rows), or a single element.
#include "atrank/autodiff/ops/elementwise.hpp"

#include <algorithm>
#include <cmath>

#include "atrank/autodiff/ops/detail.hpp"
#include "atrank/kernels/relu.hpp"
#include "atrank/kernels/sigmoid.hpp"

namespace atrank::autodiff {
namespace {

// Number of elements of b, the broadcast period; throws when b does not fit a.
std::int64_t broadcast_inner(const char* op, const Shape& sa, const Shape& sb) {
  if (sb.numel() == 1) return 1;
  bool ok = sb.rank <= sa.rank;
  for (int i = 1; ok && i <= sb.rank; ++i) ok = sa[-i] == sb[-i];
  if (!ok) detail::shape_error(op, "b must have a's shape or a's trailing dimensions", sa, sb);
  return sb.numel();
}

// Sums the (outer, inner) gradient g over its rows into gb (inner), with sign s.
template <class T>
void reduce_rows(const T* g, std::int64_t outer, std::int64_t inner, T s, T* gb) {
  for (std::int64_t o = 0; o < outer; ++o) {
    const T* go = g + o * inner;
    for (std::int64_t i = 0; i < inner; ++i) gb[i] += s * go[i];
  }
}

// The broadcast period in backward: b's element count (at least 1).
template <class T>
std::int64_t period_of_b(Tape<T>& t, const Node<T>& n) {
  return std::max<std::int64_t>(t.input_shape(n, 1).numel(), 1);
}

// add (Sign = 1) and sub (Sign = -1); in: a, b. b's gradient is +-g itself
// when b has a's shape, else g's rows summed.
template <class T, int Sign>
void add_sub_backward(Tape<T>& t, Node<T>& n) {
  const std::int64_t total = n.shape.numel(), inner = period_of_b(t, n);
  const T* g = n.grad;
  const T s(Sign);
  if (const GradTarget<T> ga = t.input_grad_target(n, 0))
    detail::put_grad(ga, total, [g](std::int64_t i) { return g[i]; });
  if (inner == total) {
    if (const GradTarget<T> gb = t.input_grad_target(n, 1))
      detail::put_grad(gb, total, [g, s](std::int64_t i) { return s * g[i]; });
  } else if (T* gb = t.input_grad(n, 1)) {
    reduce_rows(g, total / inner, inner, s, gb);
  }
}

template <class T>
void mul_backward(Tape<T>& t, Node<T>& n) {
  const std::int64_t total = n.shape.numel(), inner = period_of_b(t, n), outer = total / inner;
  const T* a = t.input_value(n, 0);
  const T* b = t.input_value(n, 1);
  const T* g = n.grad;
  if (T* ga = t.input_grad(n, 0))
    for (std::int64_t o = 0; o < outer; ++o)
      for (std::int64_t i = 0; i < inner; ++i) ga[o * inner + i] += g[o * inner + i] * b[i];
  if (T* gb = t.input_grad(n, 1))
    for (std::int64_t o = 0; o < outer; ++o)
      for (std::int64_t i = 0; i < inner; ++i) gb[i] += g[o * inner + i] * a[o * inner + i];
}

enum class BinOp { Add, Sub, Mul };

template <class T, BinOp K>
Var binary(Tape<T>& t, Var a, Var b, const char* name, BackwardFn<T> bwd) {
  const Shape sa = t.shape(a), sb = t.shape(b);
  const std::int64_t inner = broadcast_inner(name, sa, sb);
  Var out = t.make(sa, name, {a, b});
  Node<T>& n = t.node(out);
  const T* av = t.value(a);
  const T* bv = t.value(b);
  T* y = n.value;
  const std::int64_t outer = inner == 0 ? 0 : sa.numel() / inner;
  for (std::int64_t o = 0; o < outer; ++o) {
    const T* ao = av + o * inner;
    T* yo = y + o * inner;
    for (std::int64_t i = 0; i < inner; ++i) {
      if constexpr (K == BinOp::Add) yo[i] = ao[i] + bv[i];
      if constexpr (K == BinOp::Sub) yo[i] = ao[i] - bv[i];
      if constexpr (K == BinOp::Mul) yo[i] = ao[i] * bv[i];
    }
  }
  if (n.requires_grad) n.backward = bwd;
  return out;
}

template <class T>
struct Factor {
  T s;
};

// Pointwise unary ops: forward y = f(x); backward gx = g * f'(x) (stored or
// added, see put_grad) written in terms of x and/or y (both stay alive on
// the tape). `chain` maps (g, x, y) to g * f'(x).
template <class T, class Chain>
void unary_backward(Tape<T>& t, Node<T>& n, Chain chain) {
  const T* x = t.input_value(n, 0);
  const T* y = n.value;
  const T* g = n.grad;
  if (const GradTarget<T> gx = t.input_grad_target(n, 0))
    detail::put_grad(gx, n.shape.numel(), [=](std::int64_t i) { return chain(g[i], x[i], y[i]); });
}

template <class T>
void scale_backward(Tape<T>& t, Node<T>& n) {
  const T s = attrs_of<Factor<T>>(n).s;
  unary_backward(t, n, [s](T g, T, T) { return s * g; });
}

template <class T>
void relu_backward(Tape<T>& t, Node<T>& n) {
  // Multiply by the 0/1 mask instead of branching: the branch mispredicts
  // on ~half the entries and kept this loop from vectorising.
  unary_backward(t, n, [](T g, T x, T) { return g * kernels::relu_derivative(x); });
}

template <class T>
void tanh_backward(Tape<T>& t, Node<T>& n) {
  unary_backward(t, n, [](T g, T, T y) { return g * (T(1) - y * y); });
}

template <class T>
void sigmoid_backward(Tape<T>& t, Node<T>& n) {
  unary_backward(t, n, [](T g, T, T y) { return g * y * (T(1) - y); });
}

template <class T>
void exp_backward(Tape<T>& t, Node<T>& n) {
  unary_backward(t, n, [](T g, T, T y) { return g * y; });
}

template <class T>
void log_backward(Tape<T>& t, Node<T>& n) {
  unary_backward(t, n, [](T g, T x, T) { return g / x; });
}

template <class T, class F>
Var unary(Tape<T>& t, Var a, const char* name, BackwardFn<T> bwd, F f) {
  const Shape sa = t.shape(a);
  Var out = t.make(sa, name, {a});
  Node<T>& n = t.node(out);
  const T* x = t.value(a);
  T* y = n.value;
  const std::int64_t total = sa.numel();
  for (std::int64_t i = 0; i < total; ++i) y[i] = f(x[i]);
  if (n.requires_grad) n.backward = bwd;
  return out;
}

}  // namespace

template <class T> Var add(Tape<T>& t, Var a, Var b) {
  return binary<T, BinOp::Add>(t, a, b, "add", add_sub_backward<T, 1>);
}
template <class T> Var sub(Tape<T>& t, Var a, Var b) {
  return binary<T, BinOp::Sub>(t, a, b, "sub", add_sub_backward<T, -1>);
}
template <class T> Var mul(Tape<T>& t, Var a, Var b) {
  return binary<T, BinOp::Mul>(t, a, b, "mul", mul_backward<T>);
}

template <class T> Var scale(Tape<T>& t, Var a, T s) {
  Var out = unary(t, a, "scale", scale_backward<T>, [s](T x) { return s * x; });
  t.node(out).attrs.set(Factor<T>{s});
  return out;
}

template <class T> Var relu(Tape<T>& t, Var a) {
  return unary(t, a, "relu", relu_backward<T>, [](T x) { return kernels::relu(x); });
}
template <class T> Var tanh(Tape<T>& t, Var a) {
  return unary(t, a, "tanh", tanh_backward<T>, [](T x) { return std::tanh(x); });
}
template <class T> Var sigmoid(Tape<T>& t, Var a) {
  return unary(t, a, "sigmoid", sigmoid_backward<T>, [](T x) { return kernels::stable_sigmoid(x); });
}
template <class T> Var exp(Tape<T>& t, Var a) {
  return unary(t, a, "exp", exp_backward<T>, [](T x) { return std::exp(x); });
}
template <class T> Var log(Tape<T>& t, Var a) {
  return unary(t, a, "log", log_backward<T>, [](T x) { return std::log(x); });
}

#define ATRANK_INSTANTIATE(T)                  \
  template Var add<T>(Tape<T>&, Var, Var);     \
  template Var sub<T>(Tape<T>&, Var, Var);     \
  template Var mul<T>(Tape<T>&, Var, Var);     \
  template Var scale<T>(Tape<T>&, Var, T);     \
  template Var relu<T>(Tape<T>&, Var);         \
  template Var tanh<T>(Tape<T>&, Var);         \
  template Var sigmoid<T>(Tape<T>&, Var);      \
  template Var exp<T>(Tape<T>&, Var);          \
  template Var log<T>(Tape<T>&, Var);
ATRANK_INSTANTIATE(float)
ATRANK_INSTANTIATE(double)
#undef ATRANK_INSTANTIATE

}  // namespace atrank::autodiff
