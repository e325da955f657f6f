// Forward keeps the attention weights P (B,H,Tq,Tk) for the backward pass:
//   dV += P^T dO, dP = dO V^T, dS = P * (dP - rowsum(P * dP)), dQ += s dS K, dK += s dS^T Q.
#include "atrank/autodiff/ops/fused_attention.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace atrank::autodiff {
namespace {

struct Dims {
  std::int64_t b, tq, tk, c, h, d;
};

// iattr: [0]=heads. index: key lengths (B) then query lengths (B, or -1 = all valid).
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
  const Dims s = dims_of(t.input_shape(n, 0), t.input_shape(n, 1), n.iattr[0]);
  const T scale = T(1) / std::sqrt(T(s.d));
  const T* q = t.input_value(n, 0);
  const T* k = t.input_value(n, 1);
  const T* v = t.input_value(n, 2);
  T* gq = t.input_grad(n, 0);
  T* gk = t.input_grad(n, 1);
  T* gv = t.input_grad(n, 2);
  const T* p_all = n.saved.data();
  T* dp = n.saved.data() + s.b * s.h * s.tq * s.tk;  // scratch (Tk)
  for (std::int64_t b = 0; b < s.b; ++b) {
    const std::int64_t len = valid_keys(n, b, s.tk);
    if (len == 0) continue;
    for (std::int64_t h = 0; h < s.h; ++h) {
      const std::int64_t off = h * s.d;
      for (std::int64_t i = 0; i < s.tq; ++i) {
        if (!query_valid(n, s, b, i)) continue;
        const T* p = p_all + ((b * s.h + h) * s.tq + i) * s.tk;
        const T* go = n.grad + (b * s.tq + i) * s.c + off;  // (d)
        T dot = 0;
        for (std::int64_t j = 0; j < len; ++j) {
          const T* vj = v + (b * s.tk + j) * s.c + off;
          T acc = 0;
          for (std::int64_t e = 0; e < s.d; ++e) acc += go[e] * vj[e];
          dp[j] = acc;
          dot += acc * p[j];
          if (gv) {
            T* gvj = gv + (b * s.tk + j) * s.c + off;
            for (std::int64_t e = 0; e < s.d; ++e) gvj[e] += p[j] * go[e];
          }
        }
        const T* qi = q + (b * s.tq + i) * s.c + off;
        T* gqi = gq ? gq + (b * s.tq + i) * s.c + off : nullptr;
        for (std::int64_t j = 0; j < len; ++j) {
          const T ds = p[j] * (dp[j] - dot) * scale;
          const T* kj = k + (b * s.tk + j) * s.c + off;
          if (gqi)
            for (std::int64_t e = 0; e < s.d; ++e) gqi[e] += ds * kj[e];
          if (gk) {
            T* gkj = gk + (b * s.tk + j) * s.c + off;
            for (std::int64_t e = 0; e < s.d; ++e) gkj[e] += ds * qi[e];
          }
        }
      }
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
  n.iattr[0] = heads;
  n.index.resize(std::size_t(2 * s.b));
  for (std::int64_t b = 0; b < s.b; ++b) {
    n.index[std::size_t(b)] = key_lengths[b];
    n.index[std::size_t(s.b + b)] = query_lengths ? query_lengths[b] : -1;
  }
  n.saved.assign(std::size_t(s.b * s.h * s.tq * s.tk + s.tk), T(0));
  std::fill(n.value, n.value + sq.numel(), T(0));
  const T scale = T(1) / std::sqrt(T(s.d));
  const T* qv = t.value(q);
  const T* kv = t.value(k);
  const T* vv = t.value(v);
  for (std::int64_t b = 0; b < s.b; ++b) {
    const std::int64_t len = valid_keys(n, b, s.tk);
    if (len == 0) continue;  // no keys: zero weights, zero output, never NaN
    for (std::int64_t h = 0; h < s.h; ++h) {
      const std::int64_t off = h * s.d;
      for (std::int64_t i = 0; i < s.tq; ++i) {
        if (!query_valid(n, s, b, i)) continue;
        T* p = n.saved.data() + ((b * s.h + h) * s.tq + i) * s.tk;
        const T* qi = qv + (b * s.tq + i) * s.c + off;
        T mx = -std::numeric_limits<T>::infinity();
        for (std::int64_t j = 0; j < len; ++j) {
          const T* kj = kv + (b * s.tk + j) * s.c + off;
          T acc = 0;
          for (std::int64_t e = 0; e < s.d; ++e) acc += qi[e] * kj[e];
          p[j] = acc * scale;
          mx = std::max(mx, p[j]);
        }
        T sum = 0;
        for (std::int64_t j = 0; j < len; ++j) {
          p[j] = std::exp(p[j] - mx);
          sum += p[j];
        }
        const T inv = T(1) / sum;
        T* o = n.value + (b * s.tq + i) * s.c + off;
        for (std::int64_t j = 0; j < len; ++j) {
          p[j] *= inv;
          const T* vj = vv + (b * s.tk + j) * s.c + off;
          for (std::int64_t e = 0; e < s.d; ++e) o[e] += p[j] * vj[e];
        }
      }
    }
  }
  if (n.requires_grad) n.backward = fused_attention_backward<T>;
  return out;
}

template Var fused_attention<float>(Tape<float>&, Var, Var, Var, std::int64_t, const std::int32_t*,
                                    const std::int32_t*);
template Var fused_attention<double>(Tape<double>&, Var, Var, Var, std::int64_t, const std::int32_t*,
                                     const std::int32_t*);

}  // namespace atrank::autodiff
