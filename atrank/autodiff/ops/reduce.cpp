// Forward and backward of the reductions and the losses.
#include "atrank/autodiff/ops/reduce.hpp"

#include "atrank/autodiff/ops/detail.hpp"
#include "atrank/kernels/row_sums.hpp"
#include "atrank/kernels/sigmoid.hpp"

namespace atrank::autodiff {
namespace {

// d(out)/d(x_i) of a scalar reduction: 1 for sum, 1/N for mean.
template <class T>
struct ReductionScale {
  T d;
};

template <class T>
void sum_backward(Tape<T>& t, Node<T>& n) {
  T* gx = t.input_grad(n, 0);
  if (gx == nullptr) return;
  const std::int64_t total = t.input_shape(n, 0).numel();
  const T g = n.grad[0] * attrs_of<ReductionScale<T>>(n).d;
  for (std::int64_t i = 0; i < total; ++i) gx[i] += g;
}

template <class T>
void sum_last_backward(Tape<T>& t, Node<T>& n) {
  T* gx = t.input_grad(n, 0);
  if (gx == nullptr) return;
  const std::int64_t C = t.input_shape(n, 0).last(), rows = n.shape.numel();
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t j = 0; j < C; ++j) gx[r * C + j] += n.grad[r];
}

// saved = labels. d/dx = sigmoid(x) - z.
template <class T>
void sigmoid_cross_entropy_backward(Tape<T>& t, Node<T>& n) {
  T* gx = t.input_grad(n, 0);
  if (gx == nullptr) return;
  const std::int64_t total = n.shape.numel();
  const T* x = t.input_value(n, 0);
  const T* z = n.saved.data();
  for (std::int64_t i = 0; i < total; ++i) gx[i] += n.grad[i] * (kernels::stable_sigmoid(x[i]) - z[i]);
}

// d/dx log(sigmoid(x)) = 1 - sigmoid(x) = sigmoid(-x).
template <class T>
void log_sigmoid_backward(Tape<T>& t, Node<T>& n) {
  T* gx = t.input_grad(n, 0);
  if (gx == nullptr) return;
  const std::int64_t total = n.shape.numel();
  const T* x = t.input_value(n, 0);
  for (std::int64_t i = 0; i < total; ++i) gx[i] += n.grad[i] * kernels::stable_sigmoid(-x[i]);
}

template <class T>
void l2_backward(Tape<T>& t, Node<T>& n) {
  T* gx = t.input_grad(n, 0);
  if (gx == nullptr) return;
  const std::int64_t total = t.input_shape(n, 0).numel();
  const T* x = t.input_value(n, 0);
  const T g = n.grad[0];
  for (std::int64_t i = 0; i < total; ++i) gx[i] += g * x[i];
}

template <class T>
Var scalar_reduction(Tape<T>& t, Var x, const char* name, T factor) {
  const Shape sx = t.shape(x);
  Var out = t.make(Shape{1}, name, {x});
  Node<T>& n = t.node(out);
  const T* xv = t.value(x);
  T s = T(0);
  for (std::int64_t i = 0; i < sx.numel(); ++i) s += xv[i];
  n.value[0] = s * factor;
  n.attrs.set(ReductionScale<T>{factor});
  if (n.requires_grad) n.backward = sum_backward<T>;
  return out;
}

}  // namespace

template <class T> Var sum(Tape<T>& t, Var x) { return scalar_reduction(t, x, "sum", T(1)); }

template <class T> Var mean(Tape<T>& t, Var x) {
  const std::int64_t n = t.shape(x).numel();
  return scalar_reduction(t, x, "mean", n == 0 ? T(0) : T(1) / T(n));  // mean of nothing: 0
}

template <class T> Var sum_last(Tape<T>& t, Var x) {
  const Shape sx = t.shape(x);
  if (sx.rank < 1) detail::shape_error("sum_last", "need rank >= 1", sx);
  Shape so = sx;
  so.rank -= 1;
  if (so.rank == 0) so = Shape{1};
  const std::int64_t C = sx.last(), rows = sx.rows();
  Var out = t.make(so, "sum_last", {x});
  Node<T>& n = t.node(out);
  const T* xv = t.value(x);
  std::int64_t r = 0;
  for (; r + kernels::kRowGroup <= rows; r += kernels::kRowGroup) {
    const T* xr = xv + r * C;
    kernels::group_row_sums<T>(C, [xr, C](std::int64_t k, std::int64_t j) { return xr[k * C + j]; }, n.value + r);
  }
  for (; r < rows; ++r) {
    T s = T(0);
    for (std::int64_t j = 0; j < C; ++j) s += xv[r * C + j];
    n.value[r] = s;
  }
  if (n.requires_grad) n.backward = sum_last_backward<T>;
  return out;
}

template <class T> Var sigmoid_cross_entropy(Tape<T>& t, Var logits, const T* labels) {
  const Shape sx = t.shape(logits);
  Var out = t.make(sx, "sigmoid_cross_entropy", {logits});
  Node<T>& n = t.node(out);
  const std::int64_t total = sx.numel();
  n.saved.assign(labels, labels + total);
  const T* x = t.value(logits);
  for (std::int64_t i = 0; i < total; ++i) n.value[i] = kernels::sigmoid_cross_entropy(x[i], labels[i]);
  if (n.requires_grad) n.backward = sigmoid_cross_entropy_backward<T>;
  return out;
}

template <class T> Var log_sigmoid(Tape<T>& t, Var x) {
  const Shape sx = t.shape(x);
  Var out = t.make(sx, "log_sigmoid", {x});
  Node<T>& n = t.node(out);
  const T* xv = t.value(x);
  for (std::int64_t i = 0; i < sx.numel(); ++i) n.value[i] = kernels::log_sigmoid(xv[i]);
  if (n.requires_grad) n.backward = log_sigmoid_backward<T>;
  return out;
}

template <class T> Var l2(Tape<T>& t, Var x) {
  const Shape sx = t.shape(x);
  Var out = t.make(Shape{1}, "l2", {x});
  Node<T>& n = t.node(out);
  const T* xv = t.value(x);
  T s = T(0);
  for (std::int64_t i = 0; i < sx.numel(); ++i) s += xv[i] * xv[i];
  n.value[0] = s / T(2);
  if (n.requires_grad) n.backward = l2_backward<T>;
  return out;
}

#define ATRANK_INSTANTIATE(T)                                        \
  template Var sum<T>(Tape<T>&, Var);                                \
  template Var mean<T>(Tape<T>&, Var);                               \
  template Var sum_last<T>(Tape<T>&, Var);                           \
  template Var sigmoid_cross_entropy<T>(Tape<T>&, Var, const T*);    \
  template Var log_sigmoid<T>(Tape<T>&, Var);                        \
  template Var l2<T>(Tape<T>&, Var);
ATRANK_INSTANTIATE(float)
ATRANK_INSTANTIATE(double)
#undef ATRANK_INSTANTIATE

}  // namespace atrank::autodiff
