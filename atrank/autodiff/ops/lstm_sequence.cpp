// Forward and backward of the fused LSTM sequence (one node per direction, the
// recurrence and its backpropagation through time inside) and of last_valid.
#include "atrank/autodiff/ops/lstm_sequence.hpp"

#include <algorithm>

#include "atrank/autodiff/ops/detail.hpp"
#include "atrank/kernels/lstm.hpp"
#include "atrank/tensor/gemm.hpp"

namespace atrank::autodiff {
namespace {

// Layout of Node::saved for lstm_sequence (S = max length in the batch, the
// number of recurrence steps):
//   act   (S,B,4H)  sigmoid(i), tanh(j), sigmoid(f + fb), sigmoid(o) per step
//   tanhc (S,B,H)   tanh(c after the step)
//   hs    (S+1,B,H) h before step s (hs[0] = 0); rows past their length carry
//   cs    (S+1,B,H) c before step s
// index: lengths clamped to [0,T].
struct SeqLayout {
  std::int64_t B, Tn, H, S;
  std::int64_t act() const { return 0; }
  std::int64_t tanhc() const { return S * B * 4 * H; }
  std::int64_t hs() const { return tanhc() + S * B * H; }
  std::int64_t cs() const { return hs() + (S + 1) * B * H; }
  std::int64_t total() const { return cs() + (S + 1) * B * H; }
};

struct Direction {
  bool reverse;
  std::int64_t steps;  // S
};

inline std::int64_t position(bool reverse, std::int64_t len, std::int64_t s) {
  return reverse ? len - 1 - s : s;
}

template <class T>
void lstm_sequence_backward(Tape<T>& t, Node<T>& n) {
  const Direction& dir = attrs_of<Direction>(n);
  const bool reverse = dir.reverse;
  const SeqLayout L{n.shape[0], n.shape[1], t.input_shape(n, 1)[0], dir.steps};
  const std::int64_t B = L.B, H = L.H, G = 4 * H, Tn = L.Tn;
  const T* act = n.saved.data() + L.act();
  const T* tanhc = n.saved.data() + L.tanhc();
  const T* hs = n.saved.data() + L.hs();
  const T* cs = n.saved.data() + L.cs();
  const T* wh = t.input_value(n, 1);
  T* gxw = t.input_grad(n, 0);
  T* gwh = t.input_grad(n, 1);
  std::vector<T> dh(std::size_t(B * H), T(0)), dc(std::size_t(B * H), T(0));
  std::vector<T> dz(std::size_t(B * G)), dhp(std::size_t(B * H));
  for (std::int64_t s = L.S - 1; s >= 0; --s) {
    bool any = false;
    for (std::int64_t b = 0; b < B; ++b) {
      T* d = dz.data() + b * G;
      const std::int64_t len = n.index[std::size_t(b)];
      if (s >= len) {
        std::fill(d, d + G, T(0));
        continue;
      }
      any = true;
      const std::int64_t p = position(reverse, len, s);
      const T* g = n.grad + (b * Tn + p) * H;
      const T* a = act + (s * B + b) * G;
      const T* th = tanhc + (s * B + b) * H;
      const T* cp = cs + (s * B + b) * H;
      T* dhb = dh.data() + b * H;  // replaced by dh_prev below: free to add the output's share
      for (std::int64_t k = 0; k < H; ++k) dhb[k] += g[k];
      kernels::lstm_step_row_backward(a, th, cp, dhb, dc.data() + b * H, H, d);
      if (gxw) {
        T* gx = gxw + (b * Tn + p) * G;
        for (std::int64_t k = 0; k < G; ++k) gx[k] += d[k];
      }
    }
    if (!any) continue;
    const MatrixView<const T> dzs = detail::operand(dz.data(), B, G);
    if (gwh)  // (H,4H) += h_prev^T dz
      gemm(Trans::Yes, Trans::No, T(1), detail::operand(hs + s * B * H, B, H), dzs, T(1),
           detail::result(gwh, H, G));
    // dh_prev = dz wh^T for rows active at s; other rows carry their dh.
    gemm(Trans::No, Trans::Yes, T(1), dzs, detail::operand(wh, H, G), T(0),
         detail::result(dhp.data(), B, H));
    for (std::int64_t b = 0; b < B; ++b)
      if (s < n.index[std::size_t(b)])
        std::copy(dhp.data() + b * H, dhp.data() + (b + 1) * H, dh.data() + b * H);
  }
}

// index: (B) clamped lengths.
template <class T>
void last_valid_backward(Tape<T>& t, Node<T>& n) {
  T* gx = t.input_grad(n, 0);
  if (gx == nullptr) return;
  const Shape& sx = t.input_shape(n, 0);
  const std::int64_t B = sx[0], Tn = sx[1], C = sx[2];
  for (std::int64_t b = 0; b < B; ++b) {
    const std::int64_t len = n.index[std::size_t(b)];
    if (len == 0) continue;
    T* dst = gx + (b * Tn + len - 1) * C;
    for (std::int64_t k = 0; k < C; ++k) dst[k] += n.grad[b * C + k];
  }
}

}  // namespace

template <class T>
Var lstm_sequence(Tape<T>& t, Var xw, Var wh, const std::int32_t* lengths, bool reverse,
                  T forget_bias) {
  const Shape sx = t.shape(xw), sw = t.shape(wh);
  if (sx.rank != 3 || sw.rank != 2)
    detail::shape_error("lstm_sequence", "need xw (B,T,4H) and wh (H,4H)", sx, sw);
  const std::int64_t B = sx[0], Tn = sx[1], H = sw[0], G = 4 * H;
  if (H < 1 || sw[1] != G || sx[2] != G)
    detail::shape_error("lstm_sequence", "need xw (B,T,4H) and wh (H,4H)", sx, sw);
  Var out = t.make(Shape{B, Tn, H}, "lstm_sequence", {xw, wh});
  Node<T>& n = t.node(out);
  n.index.resize(std::size_t(B));
  std::int64_t S = 0;
  for (std::int64_t b = 0; b < B; ++b) {
    const std::int64_t len = std::clamp<std::int64_t>(lengths[b], 0, Tn);
    n.index[std::size_t(b)] = std::int32_t(len);
    S = std::max(S, len);
  }
  n.attrs.set(Direction{reverse, S});
  const SeqLayout L{B, Tn, H, S};
  n.saved.resize(std::size_t(L.total()));
  T* act = n.saved.data() + L.act();
  T* tanhc = n.saved.data() + L.tanhc();
  T* hs = n.saved.data() + L.hs();
  T* cs = n.saved.data() + L.cs();
  std::fill(hs, hs + B * H, T(0));
  std::fill(cs, cs + B * H, T(0));
  std::fill(n.value, n.value + B * Tn * H, T(0));
  const T* x = t.value(xw);
  const T* w = t.value(wh);
  const MatrixView<const T> wv = detail::operand(w, H, G);
  for (std::int64_t s = 0; s < S; ++s) {
    T* a = act + s * B * G;
    const T* hp = hs + s * B * H;
    const T* cp = cs + s * B * H;
    T* hn = hs + (s + 1) * B * H;
    T* cn = cs + (s + 1) * B * H;
    for (std::int64_t b = 0; b < B; ++b) {
      const std::int64_t len = n.index[std::size_t(b)];
      if (s < len) {
        const T* src = x + (b * Tn + position(reverse, len, s)) * G;
        std::copy(src, src + G, a + b * G);
      } else {
        std::fill(a + b * G, a + (b + 1) * G, T(0));
      }
    }
    gemm(Trans::No, Trans::No, T(1), detail::operand(hp, B, H), wv, T(1), detail::result(a, B, G));
    for (std::int64_t b = 0; b < B; ++b) {
      const std::int64_t len = n.index[std::size_t(b)];
      if (s >= len) {  // past the row's end: the state is carried
        std::copy(hp + b * H, hp + (b + 1) * H, hn + b * H);
        std::copy(cp + b * H, cp + (b + 1) * H, cn + b * H);
        continue;
      }
      kernels::lstm_step_row(a + b * G, cp + b * H, H, forget_bias, cn + b * H,
                             tanhc + (s * B + b) * H, hn + b * H);
      T* y = n.value + (b * Tn + position(reverse, len, s)) * H;
      std::copy(hn + b * H, hn + (b + 1) * H, y);
    }
  }
  if (n.requires_grad) n.backward = lstm_sequence_backward<T>;
  return out;
}

template <class T>
Var last_valid(Tape<T>& t, Var x, const std::int32_t* lengths) {
  const Shape sx = t.shape(x);
  if (sx.rank != 3) detail::shape_error("last_valid", "need x (B,T,C)", sx);
  const std::int64_t B = sx[0], Tn = sx[1], C = sx[2];
  Var out = t.make(Shape{B, C}, "last_valid", {x});
  Node<T>& n = t.node(out);
  n.index.resize(std::size_t(B));
  const T* xv = t.value(x);
  for (std::int64_t b = 0; b < B; ++b) {
    const std::int64_t len = std::clamp<std::int64_t>(lengths[b], 0, Tn);
    n.index[std::size_t(b)] = std::int32_t(len);
    T* y = n.value + b * C;
    if (len == 0) std::fill(y, y + C, T(0));
    else std::copy(xv + (b * Tn + len - 1) * C, xv + (b * Tn + len) * C, y);
  }
  if (n.requires_grad) n.backward = last_valid_backward<T>;
  return out;
}

#define ATRANK_INSTANTIATE(T)                                                          \
  template Var lstm_sequence<T>(Tape<T>&, Var, Var, const std::int32_t*, bool, T);     \
  template Var last_valid<T>(Tape<T>&, Var, const std::int32_t*);
ATRANK_INSTANTIATE(float)
ATRANK_INSTANTIATE(double)
#undef ATRANK_INSTANTIATE

}  // namespace atrank::autodiff
