// Forward and backward of the CNN baseline's ops: 1-D convolution (one GEMM
// per tap) and masked max-pooling over time.
#include "atrank/autodiff/ops/convolution.hpp"

#include <algorithm>

#include "atrank/autodiff/ops/detail.hpp"
#include "atrank/tensor/gemm.hpp"

namespace atrank::autodiff {
namespace {

// in: x (B,T,C), w (K,C,F), bias (F) optional. saved: scratch (B*T, F).
template <class T>
void conv1d_backward(Tape<T>& t, Node<T>& n) {
  const Shape& sx = t.input_shape(n, 0);
  const Shape& sw = t.input_shape(n, 1);
  const std::int64_t B = sx[0], Tn = sx[1], C = sx[2], K = sw[0], F = sw[2], To = n.shape[1];
  const T* x = t.input_value(n, 0);
  const T* w = t.input_value(n, 1);
  T* gx = t.input_grad(n, 0);
  T* gw = t.input_grad(n, 1);
  T* gk = n.saved.data();  // (B*T, F): the output gradient shifted by k
  const MatrixView<const T> gks = detail::operand(gk, B * Tn, F);
  if (gx || gw) {
    for (std::int64_t k = 0; k < K; ++k) {
      std::fill(gk, gk + B * Tn * F, T(0));
      for (std::int64_t b = 0; b < B; ++b)
        std::copy(n.grad + b * To * F, n.grad + (b + 1) * To * F, gk + (b * Tn + k) * F);
      if (gx)  // dx += gk w_k^T
        gemm(Trans::No, Trans::Yes, T(1), gks, detail::operand(w + k * C * F, C, F), T(1),
             detail::result(gx, B * Tn, C));
      if (gw)  // dw_k += x^T gk
        gemm(Trans::Yes, Trans::No, T(1), detail::operand(x, B * Tn, C), gks, T(1),
             detail::result(gw + k * C * F, C, F));
    }
  }
  if (T* gb = t.input_grad(n, 2))
    for (std::int64_t r = 0; r < B * To; ++r)
      for (std::int64_t f = 0; f < F; ++f) gb[f] += n.grad[r * F + f];
}

// index: (B,F) time step of each maximum, -1 where the sequence is empty.
template <class T>
void masked_max_pool_backward(Tape<T>& t, Node<T>& n) {
  T* gx = t.input_grad(n, 0);
  if (gx == nullptr) return;
  const Shape& sx = t.input_shape(n, 0);
  const std::int64_t B = sx[0], Tn = sx[1], F = sx[2];
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t f = 0; f < F; ++f) {
      const std::int32_t s = n.index[std::size_t(b * F + f)];
      if (s >= 0) gx[(b * Tn + s) * F + f] += n.grad[b * F + f];
    }
}

}  // namespace

template <class T>
Var conv1d(Tape<T>& t, Var x, Var w, Var b) {
  const Shape sx = t.shape(x), sw = t.shape(w);
  if (sx.rank != 3 || sw.rank != 3 || sw[1] != sx[2])
    detail::shape_error("conv1d", "need x (B,T,C) and w (K,C,F)", sx, sw);
  const std::int64_t B = sx[0], Tn = sx[1], C = sx[2], K = sw[0], F = sw[2];
  if (K < 1 || Tn < K || C < 1)
    detail::shape_error("conv1d", "'valid' convolution needs 1 <= K <= T and C >= 1", sx, sw);
  if (b.valid() && (t.shape(b).rank != 1 || t.shape(b)[0] != F))
    detail::shape_error("conv1d", "bias must be (F)", sw, t.shape(b));
  const std::int64_t To = Tn - K + 1;
  Var out = b.valid() ? t.make(Shape{B, To, F}, "conv1d", {x, w, b})
                      : t.make(Shape{B, To, F}, "conv1d", {x, w});
  Node<T>& n = t.node(out);
  T* y = n.value;
  if (b.valid()) {
    const T* bv = t.value(b);
    for (std::int64_t r = 0; r < B * To; ++r) std::copy(bv, bv + F, y + r * F);
  } else {
    std::fill(y, y + B * To * F, T(0));
  }
  // One GEMM per tap over all B*T rows: P = x w_k, then out[b,t] += P[b, t+k].
  n.saved.resize(std::size_t(B * Tn * F));
  T* p = n.saved.data();
  const T* xv = t.value(x);
  const T* wv = t.value(w);
  for (std::int64_t k = 0; k < K; ++k) {
    gemm(Trans::No, Trans::No, T(1), detail::operand(xv, B * Tn, C),
         detail::operand(wv + k * C * F, C, F), T(0), detail::result(p, B * Tn, F));
    for (std::int64_t bb = 0; bb < B; ++bb) {
      const T* src = p + (bb * Tn + k) * F;
      T* dst = y + bb * To * F;
      for (std::int64_t i = 0; i < To * F; ++i) dst[i] += src[i];
    }
  }
  if (n.requires_grad) n.backward = conv1d_backward<T>;
  return out;
}

template <class T>
Var masked_max_pool(Tape<T>& t, Var x, const std::int32_t* lengths) {
  const Shape sx = t.shape(x);
  if (sx.rank != 3) detail::shape_error("masked_max_pool", "need x (B,T,F)", sx);
  const std::int64_t B = sx[0], Tn = sx[1], F = sx[2];
  Var out = t.make(Shape{B, F}, "masked_max_pool", {x});
  Node<T>& n = t.node(out);
  n.index.resize(std::size_t(B * F));
  const T* xv = t.value(x);
  for (std::int64_t b = 0; b < B; ++b) {
    const std::int64_t len = std::clamp<std::int64_t>(lengths[b], 0, Tn);
    T* y = n.value + b * F;
    std::int32_t* arg = n.index.data() + b * F;
    if (len == 0) {
      std::fill(y, y + F, T(0));
      std::fill(arg, arg + F, -1);
      continue;
    }
    const T* x0 = xv + b * Tn * F;
    std::copy(x0, x0 + F, y);
    std::fill(arg, arg + F, 0);
    for (std::int64_t s = 1; s < len; ++s) {
      const T* xs = x0 + s * F;
      for (std::int64_t f = 0; f < F; ++f)
        if (xs[f] > y[f]) {  // first maximum wins ties
          y[f] = xs[f];
          arg[f] = std::int32_t(s);
        }
    }
  }
  if (n.requires_grad) n.backward = masked_max_pool_backward<T>;
  return out;
}

#define ATRANK_INSTANTIATE(T)                                                                    \
  template Var conv1d<T>(Tape<T>&, Var, Var, Var);                                               \
  template Var masked_max_pool<T>(Tape<T>&, Var, const std::int32_t*);
ATRANK_INSTANTIATE(float)
ATRANK_INSTANTIATE(double)
#undef ATRANK_INSTANTIATE

}  // namespace atrank::autodiff
