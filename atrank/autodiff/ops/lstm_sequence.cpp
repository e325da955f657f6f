// Forward and backward of the fused LSTM sequence (one node per direction, the
// recurrence and its backpropagation through time inside) and of last_valid.
#include "atrank/autodiff/ops/lstm_sequence.hpp"

#include <algorithm>
#include <cmath>

#include "atrank/autodiff/ops/detail.hpp"
#include "atrank/tensor/gemm.hpp"

namespace atrank::autodiff {
namespace {

// Layout of Node::saved for lstm_sequence (S = max length in the batch, the
// number of recurrence steps):
//   act   (S,B,4H)  sigmoid(i), tanh(j), sigmoid(f + fb), sigmoid(o) per step
//   tanhc (S,B,H)   tanh(c after the step)
//   hs    (S+1,B,H) h before step s (hs[0] = 0); rows past their length carry
//   cs    (S+1,B,H) c before step s
// index: lengths clamped to [0,T]. iattr: [0] reverse, [1] H, [2] S.
struct SeqLayout {
  std::int64_t B, Tn, H, S;
  std::int64_t act() const { return 0; }
  std::int64_t tanhc() const { return S * B * 4 * H; }
  std::int64_t hs() const { return tanhc() + S * B * H; }
  std::int64_t cs() const { return hs() + (S + 1) * B * H; }
  std::int64_t total() const { return cs() + (S + 1) * B * H; }
};

inline std::int64_t position(bool reverse, std::int64_t len, std::int64_t s) {
  return reverse ? len - 1 - s : s;
}

template <class T>
void lstm_sequence_backward(Tape<T>& t, Node<T>& n) {
  const bool reverse = n.iattr[0] != 0;
  const SeqLayout L{n.shape[0], n.shape[1], n.iattr[1], n.iattr[2]};
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
  const auto uB = std::size_t(B), uH = std::size_t(H), uG = std::size_t(G);
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
      T* dhb = dh.data() + b * H;
      T* dcb = dc.data() + b * H;
      for (std::int64_t k = 0; k < H; ++k) {
        const T i = a[k], j = a[H + k], f = a[2 * H + k], o = a[3 * H + k];
        const T gh = dhb[k] + g[k];
        const T dct = dcb[k] + gh * o * (T(1) - th[k] * th[k]);
        d[k] = dct * j * i * (T(1) - i);
        d[H + k] = dct * i * (T(1) - j * j);
        d[2 * H + k] = dct * cp[k] * f * (T(1) - f);
        d[3 * H + k] = gh * th[k] * o * (T(1) - o);
        dcb[k] = dct * f;  // gradient w.r.t. c before this step
      }
      if (gxw) {
        T* gx = gxw + (b * Tn + p) * G;
        for (std::int64_t k = 0; k < G; ++k) gx[k] += d[k];
      }
    }
    if (!any) continue;
    if (gwh)  // (H,4H) += h_prev^T dz
      gemm_raw<T>(Trans::Yes, Trans::No, uH, uG, uB, T(1), hs + s * B * H, uH, dz.data(), uG,
                  T(1), gwh, uG);
    // dh_prev = dz wh^T for rows active at s; other rows carry their dh.
    gemm_raw<T>(Trans::No, Trans::Yes, uB, uH, uG, T(1), dz.data(), uG, wh, uG, T(0), dhp.data(),
                uH);
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
  n.iattr = {reverse ? 1 : 0, H, S, 0};
  n.fattr[0] = forget_bias;
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
  const auto uB = std::size_t(B), uH = std::size_t(H), uG = std::size_t(G);
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
    gemm_raw<T>(Trans::No, Trans::No, uB, uG, uH, T(1), hp, uH, w, uG, T(1), a, uG);
    for (std::int64_t b = 0; b < B; ++b) {
      const std::int64_t len = n.index[std::size_t(b)];
      if (s >= len) {  // past the row's end: the state is carried
        std::copy(hp + b * H, hp + (b + 1) * H, hn + b * H);
        std::copy(cp + b * H, cp + (b + 1) * H, cn + b * H);
        continue;
      }
      T* z = a + b * G;
      T* y = n.value + (b * Tn + position(reverse, len, s)) * H;
      for (std::int64_t k = 0; k < H; ++k) {
        const T i = detail::stable_sigmoid(z[k]);
        const T j = std::tanh(z[H + k]);
        const T f = detail::stable_sigmoid(z[2 * H + k] + forget_bias);
        const T o = detail::stable_sigmoid(z[3 * H + k]);
        z[k] = i;
        z[H + k] = j;
        z[2 * H + k] = f;
        z[3 * H + k] = o;
        const T c = cp[b * H + k] * f + i * j;
        const T th = std::tanh(c);
        tanhc[(s * B + b) * H + k] = th;
        cn[b * H + k] = c;
        hn[b * H + k] = th * o;
        y[k] = th * o;
      }
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
