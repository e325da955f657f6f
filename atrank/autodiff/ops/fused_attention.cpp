// Per (example, head) four small strided GEMMs (heads are column blocks of
// stride C, so nothing is copied) and the softmax row kernels. Forward keeps the
// attention weights P (B,H,Tq,Tk) for the backward pass:
//   dV += P^T dO, dP = dO V^T, dS = P * (dP - rowsum(P * dP)), dQ += s dS K, dK += s dS^T Q.
#include "atrank/autodiff/ops/fused_attention.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

#include "atrank/kernels/softmax.hpp"
#include "atrank/tensor/gemm.hpp"

namespace atrank::autodiff {
namespace {

// index: key lengths (B) then query lengths (B, or -1 = all valid).
struct Heads {
  std::int64_t heads;
};

struct Dims {
  std::int64_t b, tq, tk, c, h, d;
};

Dims dims_of(const Shape& q, const Shape& k, std::int64_t heads) {
  return {q[0], q[1], k[1], q[2], heads, q[2] / heads};
}

template <class T>
std::int64_t valid_keys(const Node<T>& n, std::int64_t b, std::int64_t tk) {
  return std::clamp<std::int64_t>(n.index[std::size_t(b)], 0, tk);
}

template <class T>
bool query_valid(const Node<T>& n, const Dims& s, std::int64_t b, std::int64_t i) {
  const std::int32_t ql = n.index[std::size_t(s.b + b)];
  return ql < 0 || i < ql;
}

template <class T>
void fused_attention_backward(Tape<T>& t, Node<T>& n) {
  const Dims s = dims_of(t.input_shape(n, 0), t.input_shape(n, 1), attrs_of<Heads>(n).heads);
  const T scale = T(1) / std::sqrt(T(s.d));
  const auto c = std::size_t(s.c), tk = std::size_t(s.tk), tq = std::size_t(s.tq), d = std::size_t(s.d);
  const T* q = t.input_value(n, 0);
  const T* k = t.input_value(n, 1);
  const T* v = t.input_value(n, 2);
  T* gq = t.input_grad(n, 0);
  T* gk = t.input_grad(n, 1);
  T* gv = t.input_grad(n, 2);
  T* ds = n.saved.data() + s.b * s.h * s.tq * s.tk;  // scratch (Tq,Tk)
  for (std::int64_t b = 0; b < s.b; ++b) {
    const auto len = std::size_t(valid_keys(n, b, s.tk));
    if (len == 0) continue;
    for (std::int64_t h = 0; h < s.h; ++h) {
      const std::size_t off = std::size_t(h * s.d);
      const T* p = n.saved.data() + (b * s.h + h) * s.tq * s.tk;  // (Tq,Tk), row stride Tk
      const T* go = n.grad + b * s.tq * s.c + off;                 // (Tq,d), stride C
      const T* qh = q + b * s.tq * s.c + off;
      const T* kh = k + b * s.tk * s.c + off;
      const T* vh = v + b * s.tk * s.c + off;
      // dP = dO V^T
      gemm_strided<T>(Trans::No, Trans::Yes, tq, len, d, T(1), go, c, vh, c, T(0), ds, tk);
      if (gv) gemm_strided<T>(Trans::Yes, Trans::No, len, d, tq, T(1), p, tk, go, c, T(1), gv + b * s.tk * s.c + off, c);
      // dS = P * (dP - rowsum(P * dP)) * scale, in place; masked query rows have P = 0 and stay 0.
      for (std::size_t i = 0; i < tq; ++i)
        kernels::softmax_row_backward<false>(p + i * tk, ds + i * tk, std::int64_t(len), scale,
                                             ds + i * tk);
      if (gq) gemm_strided<T>(Trans::No, Trans::No, tq, d, len, T(1), ds, tk, kh, c, T(1), gq + b * s.tq * s.c + off, c);
      if (gk) gemm_strided<T>(Trans::Yes, Trans::No, len, d, tq, T(1), ds, tk, qh, c, T(1), gk + b * s.tk * s.c + off, c);
    }
  }
}

}  // namespace

template <class T>
Var fused_attention(Tape<T>& t, Var q, Var k, Var v, std::int64_t heads,
                    const std::int32_t* key_lengths, const std::int32_t* query_lengths) {
  const Shape sq = t.shape(q), sk = t.shape(k);
  if (sq.rank != 3 || sk.rank != 3 || sq[0] != sk[0] || sq[2] != sk[2] || t.shape(v) != sk)
    throw std::invalid_argument("fused_attention: q (B,Tq,C), k and v (B,Tk,C) expected, got " +
                                sq.str() + ", " + sk.str() + ", " + t.shape(v).str());
  if (heads <= 0 || sq[2] % heads != 0)
    throw std::invalid_argument("fused_attention: width " + std::to_string(sq[2]) +
                                " is not divisible by " + std::to_string(heads) + " heads");
  const Dims s = dims_of(sq, sk, heads);
  Var out = t.make(sq, "fused_attention", {q, k, v});
  Node<T>& n = t.node(out);
  n.attrs.set(Heads{heads});
  n.index.resize(std::size_t(2 * s.b));
  for (std::int64_t b = 0; b < s.b; ++b) {
    n.index[std::size_t(b)] = key_lengths[b];
    n.index[std::size_t(s.b + b)] = query_lengths ? query_lengths[b] : -1;
  }
  n.saved.assign(std::size_t(s.b * s.h * s.tq * s.tk + s.tq * s.tk), T(0));
  std::fill(n.value, n.value + sq.numel(), T(0));
  const T scale = T(1) / std::sqrt(T(s.d));
  const T* qv = t.value(q);
  const T* kv = t.value(k);
  const T* vv = t.value(v);
  const auto c = std::size_t(s.c), tk = std::size_t(s.tk), tq = std::size_t(s.tq), d = std::size_t(s.d);
  for (std::int64_t b = 0; b < s.b; ++b) {
    const auto len = std::size_t(valid_keys(n, b, s.tk));
    if (len == 0) continue;  // no keys: zero weights, zero output, never NaN
    for (std::int64_t h = 0; h < s.h; ++h) {
      const std::size_t off = std::size_t(h * s.d);
      T* p = n.saved.data() + (b * s.h + h) * s.tq * s.tk;  // (Tq,Tk), row stride Tk
      // S = Q K^T * scale over the valid keys, heads addressed by stride C.
      gemm_strided<T>(Trans::No, Trans::Yes, tq, len, d, scale, qv + b * s.tq * s.c + off, c,
                      kv + b * s.tk * s.c + off, c, T(0), p, tk);
      // P = softmax(S) in place; a masked query row (length 0) becomes zeros.
      for (std::size_t i = 0; i < tq; ++i) {
        const bool valid = query_valid(n, s, b, std::int64_t(i));
        kernels::softmax_row(p + i * tk, valid ? std::int64_t(len) : 0, std::int64_t(len),
                             p + i * tk);
      }
      // O = P V, written into the merged-heads layout.
      gemm_strided<T>(Trans::No, Trans::No, tq, d, len, T(1), p, tk, vv + b * s.tk * s.c + off, c,
                      T(0), n.value + b * s.tq * s.c + off, c);
    }
  }
  if (n.requires_grad) n.backward = fused_attention_backward<T>;
  return out;
}

template <class T>
TensorView<const T> fused_attention_weights(const Tape<T>& t, Var out) {
  const Node<T>& n = t.node(out);
  if (std::string_view(n.op) != "fused_attention")
    throw std::invalid_argument(std::string("fused_attention_weights: node is `") + n.op + "`, not fused_attention");
  const Dims s = dims_of(n.shape, t.input_shape(n, 1), attrs_of<Heads>(n).heads);
  return tensor_view(n.saved.data(), TensorShape{std::size_t(s.b), std::size_t(s.h), std::size_t(s.tq),
                                                 std::size_t(s.tk)});
}

template Var fused_attention<float>(Tape<float>&, Var, Var, Var, std::int64_t, const std::int32_t*,
                                    const std::int32_t*);
template Var fused_attention<double>(Tape<double>&, Var, Var, Var, std::int64_t, const std::int32_t*,
                                     const std::int32_t*);
template TensorView<const float> fused_attention_weights(const Tape<float>&, Var);
template TensorView<const double> fused_attention_weights(const Tape<double>&, Var);

}  // namespace atrank::autodiff
