// Forward and backward of the baseline encoders' ops: a fused TF-style LSTM
// cell, length-aware state selection, 1-D convolution and masked max-pooling.
#include "atrank/autodiff/ops/recurrent.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "atrank/autodiff/ops/detail.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/tensor/gemm.hpp"

namespace atrank::autodiff {
namespace {

// The fused cell node. out: (B, 2H) = [h' | c'] per row (split by two slices).
// in: x (B,in), h (B,H), c (B,H), w (in+H, 4H); iattr: [0] = bias node id or -1,
// [1] = in, [2] = H. saved: act (B,4H) = sigmoid(i), tanh(j), sigmoid(f+fb),
// sigmoid(o); tanh(c') (B,H); dz scratch (B,4H) for backward.
template <class T>
void lstm_cell_backward(Tape<T>& t, Node<T>& n) {
  const std::int64_t B = n.shape[0], in = n.iattr[1], H = n.iattr[2], G = 4 * H;
  const T* act = n.saved.data();
  const T* tc = act + B * G;
  T* dz = n.saved.data() + B * G + B * H;
  const T* c = t.input_value(n, 2);
  T* gc = t.input_grad(n, 2);
  for (std::int64_t b = 0; b < B; ++b) {
    const T* a = act + b * G;
    const T* gh = n.grad + b * 2 * H;
    const T* gcn = gh + H;
    T* d = dz + b * G;
    for (std::int64_t k = 0; k < H; ++k) {
      const T i = a[k], j = a[H + k], f = a[2 * H + k], o = a[3 * H + k];
      const T th = tc[b * H + k];
      const T dc = gcn[k] + gh[k] * o * (T(1) - th * th);
      d[k] = dc * j * i * (T(1) - i);
      d[H + k] = dc * i * (T(1) - j * j);
      d[2 * H + k] = dc * c[b * H + k] * f * (T(1) - f);
      d[3 * H + k] = gh[k] * th * o * (T(1) - o);
      if (gc) gc[b * H + k] += dc * f;
    }
  }
  const T* x = t.input_value(n, 0);
  const T* h = t.input_value(n, 1);
  const T* w = t.input_value(n, 3);
  const auto uB = std::size_t(B), uin = std::size_t(in), uH = std::size_t(H), uG = std::size_t(G);
  if (T* gx = t.input_grad(n, 0))
    gemm_raw<T>(Trans::No, Trans::Yes, uB, uin, uG, T(1), dz, uG, w, uG, T(1), gx, uin);
  if (T* gh = t.input_grad(n, 1))
    gemm_raw<T>(Trans::No, Trans::Yes, uB, uH, uG, T(1), dz, uG, w + in * G, uG, T(1), gh, uH);
  if (T* gw = t.input_grad(n, 3)) {
    gemm_raw<T>(Trans::Yes, Trans::No, uin, uG, uB, T(1), x, uin, dz, uG, T(1), gw, uG);
    gemm_raw<T>(Trans::Yes, Trans::No, uH, uG, uB, T(1), h, uH, dz, uG, T(1), gw + in * G, uG);
  }
  if (n.iattr[0] >= 0)
    if (T* gb = t.node_at(int(n.iattr[0])).grad)
      for (std::int64_t b = 0; b < B; ++b)
        for (std::int64_t k = 0; k < G; ++k) gb[k] += dz[b * G + k];
}

// in: next, prev; index = lengths; iattr[0] = step.
template <class T>
void select_by_length_backward(Tape<T>& t, Node<T>& n) {
  const std::int64_t B = n.shape[0], inner = n.shape.numel() / std::max<std::int64_t>(B, 1);
  T* gn = t.input_grad(n, 0);
  T* gp = t.input_grad(n, 1);
  for (std::int64_t b = 0; b < B; ++b) {
    T* dst = n.iattr[0] < n.index[std::size_t(b)] ? gn : gp;
    if (dst == nullptr) continue;
    for (std::int64_t i = 0; i < inner; ++i) dst[b * inner + i] += n.grad[b * inner + i];
  }
}

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
  const auto uBT = std::size_t(B * Tn), uC = std::size_t(C), uF = std::size_t(F);
  T* gk = n.saved.data();  // (B*T, F): the output gradient shifted by k
  if (gx || gw) {
    for (std::int64_t k = 0; k < K; ++k) {
      std::fill(gk, gk + B * Tn * F, T(0));
      for (std::int64_t b = 0; b < B; ++b)
        std::copy(n.grad + b * To * F, n.grad + (b + 1) * To * F, gk + (b * Tn + k) * F);
      const T* wk = w + k * C * F;
      if (gx) gemm_raw<T>(Trans::No, Trans::Yes, uBT, uC, uF, T(1), gk, uF, wk, uF, T(1), gx, uC);
      if (gw)
        gemm_raw<T>(Trans::Yes, Trans::No, uC, uF, uBT, T(1), x, uC, gk, uF, T(1), gw + k * C * F,
                    uF);
    }
  }
  if (n.in[2] >= 0)
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
std::pair<Var, Var> lstm_cell(Tape<T>& t, Var x, Var h, Var c, Var w, Var b, T forget_bias) {
  const Shape sx = t.shape(x), sh = t.shape(h), sc = t.shape(c), sw = t.shape(w);
  if (sx.rank != 2 || sh.rank != 2) detail::shape_error("lstm_cell", "x and h must be 2-D", sx, sh);
  const std::int64_t B = sx[0], in = sx[1], H = sh[1], G = 4 * H;
  if (sh[0] != B || sc != sh) detail::shape_error("lstm_cell", "h and c must be (B,H)", sh, sc);
  if (in < 1 || H < 1) detail::shape_error("lstm_cell", "need in >= 1 and H >= 1", sx, sh);
  if (sw.rank != 2 || sw[0] != in + H || sw[1] != G)
    detail::shape_error("lstm_cell", "w must be (in+H, 4H) for x " + sx.str() + ", h " + sh.str(),
                        sw);
  if (b.valid() && (t.shape(b).rank != 1 || t.shape(b)[0] != G))
    detail::shape_error("lstm_cell", "bias must be (4H)", sw, t.shape(b));
  Var packed = t.make(Shape{B, 2 * H}, "lstm_cell", {x, h, c, w});
  Node<T>& n = t.node(packed);
  n.iattr = {b.valid() ? b.id : -1, in, H, 0};
  n.fattr[0] = forget_bias;
  if (b.valid()) n.requires_grad = n.requires_grad || t.requires_grad(b);
  n.saved.resize(std::size_t(B * G * 2 + B * H));
  T* act = n.saved.data();
  T* tc = act + B * G;
  if (b.valid()) {
    const T* bv = t.value(b);
    for (std::int64_t r = 0; r < B; ++r) std::copy(bv, bv + G, act + r * G);
  }
  const auto uB = std::size_t(B), uin = std::size_t(in), uH = std::size_t(H), uG = std::size_t(G);
  const T* wv = t.value(w);
  gemm_raw<T>(Trans::No, Trans::No, uB, uG, uin, T(1), t.value(x), uin, wv, uG,
              b.valid() ? T(1) : T(0), act, uG);
  gemm_raw<T>(Trans::No, Trans::No, uB, uG, uH, T(1), t.value(h), uH, wv + in * G, uG, T(1), act,
              uG);
  const T* cv = t.value(c);
  for (std::int64_t r = 0; r < B; ++r) {
    T* a = act + r * G;
    T* out = n.value + r * 2 * H;
    for (std::int64_t k = 0; k < H; ++k) {
      const T i = detail::stable_sigmoid(a[k]);
      const T j = std::tanh(a[H + k]);
      const T f = detail::stable_sigmoid(a[2 * H + k] + forget_bias);
      const T o = detail::stable_sigmoid(a[3 * H + k]);
      a[k] = i;
      a[H + k] = j;
      a[2 * H + k] = f;
      a[3 * H + k] = o;
      const T cn = cv[r * H + k] * f + i * j;
      const T th = std::tanh(cn);
      tc[r * H + k] = th;
      out[k] = th * o;  // h'
      out[H + k] = cn;  // c'
    }
  }
  if (n.requires_grad) n.backward = lstm_cell_backward<T>;
  return {slice(t, packed, -1, 0, H), slice(t, packed, -1, H, H)};
}

template <class T>
Var select_by_length(Tape<T>& t, Var next, Var prev, const std::int32_t* lengths,
                     std::int64_t step) {
  const Shape sn = t.shape(next), sp = t.shape(prev);
  if (sn != sp || sn.rank < 1)
    detail::shape_error("select_by_length", "next and prev must have one shape (B, ...)", sn, sp);
  const std::int64_t B = sn[0], inner = B == 0 ? 0 : sn.numel() / B;
  Var out = t.make(sn, "select_by_length", {next, prev});
  Node<T>& n = t.node(out);
  n.index.assign(lengths, lengths + B);
  n.iattr[0] = step;
  const T* nv = t.value(next);
  const T* pv = t.value(prev);
  for (std::int64_t b = 0; b < B; ++b) {
    const T* src = (step < lengths[b] ? nv : pv) + b * inner;
    std::copy(src, src + inner, n.value + b * inner);
  }
  if (n.requires_grad) n.backward = select_by_length_backward<T>;
  return out;
}

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
    gemm_raw<T>(Trans::No, Trans::No, std::size_t(B * Tn), std::size_t(F), std::size_t(C), T(1),
                xv, std::size_t(C), wv + k * C * F, std::size_t(F), T(0), p, std::size_t(F));
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
  template std::pair<Var, Var> lstm_cell<T>(Tape<T>&, Var, Var, Var, Var, Var, T);               \
  template Var select_by_length<T>(Tape<T>&, Var, Var, const std::int32_t*, std::int64_t);       \
  template Var conv1d<T>(Tape<T>&, Var, Var, Var);                                               \
  template Var masked_max_pool<T>(Tape<T>&, Var, const std::int32_t*);
ATRANK_INSTANTIATE(float)
ATRANK_INSTANTIATE(double)
#undef ATRANK_INSTANTIATE

}  // namespace atrank::autodiff
