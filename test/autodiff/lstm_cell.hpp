// Test-only ops: one TensorFlow LSTMCell step and the length-aware state
// selection of tf.nn.dynamic_rnn. Composed step by step they are the reference
// the fused lstm_sequence op is checked against; the gate math is the same
// kernel (kernels/lstm.hpp), itself checked here against generic ops.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

#include "atrank/autodiff/ops/detail.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/tape.hpp"
#include "atrank/kernels/lstm.hpp"
#include "atrank/tensor/gemm.hpp"

namespace atrank::test {

namespace lstm_cell_detail {

using autodiff::Node;
using autodiff::Shape;
using autodiff::Tape;
using autodiff::detail::operand;
using autodiff::detail::result;

// The cell node. out: (B, 2H) = [h' | c'] per row (split by two slices).
// in: x (B,in), h (B,H), c (B,H), w (in+H, 4H), b (4H) when given.
// saved: act (B,4H) gate activations, tanh(c') (B,H), then backward scratch
// dz (B,4H) and dc (B,H).
struct Layout {
  std::int64_t B, H;
  std::int64_t tanh_c() const { return B * 4 * H; }
  std::int64_t dz() const { return tanh_c() + B * H; }
  std::int64_t dc() const { return dz() + B * 4 * H; }
  std::int64_t total() const { return dc() + B * H; }
};

template <class T>
void backward(Tape<T>& t, Node<T>& n) {
  const std::int64_t B = n.shape[0], in = t.input_shape(n, 0)[1], H = t.input_shape(n, 1)[1];
  const std::int64_t G = 4 * H;
  const Layout L{B, H};
  T* dz = n.saved.data() + L.dz();
  T* dc = n.saved.data() + L.dc();
  const T* c = t.input_value(n, 2);
  T* gc = t.input_grad(n, 2);
  for (std::int64_t b = 0; b < B; ++b) {
    const T* g = n.grad + b * 2 * H;  // [dh' | dc']
    std::copy(g + H, g + 2 * H, dc + b * H);
    kernels::lstm_step_row_backward(n.saved.data() + b * G, n.saved.data() + L.tanh_c() + b * H,
                                    c + b * H, g, dc + b * H, H, dz + b * G);
    if (gc)
      for (std::int64_t k = 0; k < H; ++k) gc[b * H + k] += dc[b * H + k];
  }
  const T* w = t.input_value(n, 3);
  const auto dzs = operand<T>(dz, B, G);
  if (T* gx = t.input_grad(n, 0))
    gemm(Trans::No, Trans::Yes, T(1), dzs, operand(w, in, G), T(1), result(gx, B, in));
  if (T* gh = t.input_grad(n, 1))
    gemm(Trans::No, Trans::Yes, T(1), dzs, operand(w + in * G, H, G), T(1), result(gh, B, H));
  if (T* gw = t.input_grad(n, 3)) {
    gemm(Trans::Yes, Trans::No, T(1), operand(t.input_value(n, 0), B, in), dzs, T(1),
         result(gw, in, G));
    gemm(Trans::Yes, Trans::No, T(1), operand(t.input_value(n, 1), B, H), dzs, T(1),
         result(gw + in * G, H, G));
  }
  if (T* gb = t.input_grad(n, 4))
    for (std::int64_t b = 0; b < B; ++b)
      for (std::int64_t k = 0; k < G; ++k) gb[k] += dz[b * G + k];
}

// select_by_length's step; index = lengths.
struct Step {
  std::int64_t step;
};

// in: next, prev.
template <class T>
void select_backward(Tape<T>& t, Node<T>& n) {
  const std::int64_t B = n.shape[0], inner = n.shape.numel() / std::max<std::int64_t>(B, 1);
  const std::int64_t step = autodiff::attrs_of<Step>(n).step;
  T* gn = t.input_grad(n, 0);
  T* gp = t.input_grad(n, 1);
  for (std::int64_t b = 0; b < B; ++b) {
    T* dst = step < n.index[std::size_t(b)] ? gn : gp;
    if (dst == nullptr) continue;
    for (std::int64_t i = 0; i < inner; ++i) dst[b * inner + i] += n.grad[b * inner + i];
  }
}

}  // namespace lstm_cell_detail

// TensorFlow LSTMCell (no peepholes): z = [x, h] W + b, (i, j, f, o) = split(z, 4),
// c' = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j), h' = tanh(c') * sigmoid(o).
// x: (B,in), h, c: (B,H), W: (in+H, 4H), b: (4H) or invalid Var. Returns {h', c'}.
template <class T>
std::pair<autodiff::Var, autodiff::Var> lstm_cell(autodiff::Tape<T>& t, autodiff::Var x,
                                                  autodiff::Var h, autodiff::Var c,
                                                  autodiff::Var w, autodiff::Var b,
                                                  T forget_bias = T(1)) {
  using namespace lstm_cell_detail;
  using autodiff::detail::shape_error;
  const Shape sx = t.shape(x), sh = t.shape(h), sc = t.shape(c), sw = t.shape(w);
  if (sx.rank != 2 || sh.rank != 2) shape_error("lstm_cell", "x and h must be 2-D", sx, sh);
  const std::int64_t B = sx[0], in = sx[1], H = sh[1], G = 4 * H;
  if (sh[0] != B || sc != sh) shape_error("lstm_cell", "h and c must be (B,H)", sh, sc);
  if (in < 1 || H < 1) shape_error("lstm_cell", "need in >= 1 and H >= 1", sx, sh);
  if (sw.rank != 2 || sw[0] != in + H || sw[1] != G)
    shape_error("lstm_cell", "w must be (in+H, 4H) for x " + sx.str() + ", h " + sh.str(), sw);
  if (b.valid() && (t.shape(b).rank != 1 || t.shape(b)[0] != G))
    shape_error("lstm_cell", "bias must be (4H)", sw, t.shape(b));
  const autodiff::Var packed = b.valid() ? t.make(Shape{B, 2 * H}, "lstm_cell", {x, h, c, w, b})
                                         : t.make(Shape{B, 2 * H}, "lstm_cell", {x, h, c, w});
  Node<T>& n = t.node(packed);
  const Layout L{B, H};
  n.saved.resize(std::size_t(L.total()));
  T* act = n.saved.data();
  if (b.valid())
    for (std::int64_t r = 0; r < B; ++r) std::copy(t.value(b), t.value(b) + G, act + r * G);
  const T* wv = t.value(w);
  gemm(Trans::No, Trans::No, T(1), operand(t.value(x), B, in), operand(wv, in, G),
       b.valid() ? T(1) : T(0), result(act, B, G));
  gemm(Trans::No, Trans::No, T(1), operand(t.value(h), B, H), operand(wv + in * G, H, G), T(1),
       result(act, B, G));
  for (std::int64_t r = 0; r < B; ++r) {
    T* out = n.value + r * 2 * H;
    kernels::lstm_step_row(act + r * G, t.value(c) + r * H, H, forget_bias, out + H,
                           n.saved.data() + L.tanh_c() + r * H, out);
  }
  if (n.requires_grad) n.backward = lstm_cell_detail::backward<T>;
  return {autodiff::slice(t, packed, -1, 0, H), autodiff::slice(t, packed, -1, H, H)};
}

// For sequences of different lengths: rows b with step >= lengths[b] keep
// `prev` (the state is carried through padding, as tf dynamic_rnn does),
// other rows take `next`. Shapes: (B, ...).
template <class T>
autodiff::Var select_by_length(autodiff::Tape<T>& t, autodiff::Var next, autodiff::Var prev,
                               const std::int32_t* lengths, std::int64_t step) {
  using namespace lstm_cell_detail;
  const Shape sn = t.shape(next), sp = t.shape(prev);
  if (sn != sp || sn.rank < 1)
    autodiff::detail::shape_error("select_by_length", "next and prev must have one shape (B, ...)",
                                  sn, sp);
  const std::int64_t B = sn[0], inner = B == 0 ? 0 : sn.numel() / B;
  const autodiff::Var out = t.make(sn, "select_by_length", {next, prev});
  Node<T>& n = t.node(out);
  n.index.assign(lengths, lengths + B);
  n.attrs.set(Step{step});
  const T* nv = t.value(next);
  const T* pv = t.value(prev);
  for (std::int64_t b = 0; b < B; ++b) {
    const T* src = (step < lengths[b] ? nv : pv) + b * inner;
    std::copy(src, src + inner, n.value + b * inner);
  }
  if (n.requires_grad) n.backward = lstm_cell_detail::select_backward<T>;
  return out;
}

}  // namespace atrank::test
