// Per (example, head) four small strided products (heads are column blocks of
// stride C, so nothing is copied) and the softmax row kernels, over the valid
// query and key rows only. Forward keeps the attention weights P
// (B,H,Tq,Tk) for the backward pass:
//   dV += P^T dO, dP = dO V^T, dS = P * (dP - rowsum(P * dP)), dQ += s dS K, dK += s dS^T Q.
#include "atrank/autodiff/ops/fused_attention.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "atrank/kernels/small_gemm.hpp"
#include "atrank/kernels/softmax.hpp"
#include "atrank/kernels/softmax_rows.hpp"
#include "atrank/tensor/gemm.hpp"

namespace atrank::autodiff {
namespace {

// index: query first rows (B), query rows (B), key first rows (B), key rows (B).
struct Attrs {
  std::int64_t heads, tq, tk;  // the longest query and key sequences: P is (B,heads,Tq,Tk)
};

struct Dims {
  std::int64_t b, tq, tk, c, h, d;
};

template <class T>
Dims dims_of(const Node<T>& n) {
  const Attrs a = attrs_of<Attrs>(n);
  const std::int64_t c = n.shape.last();
  return {std::int64_t(n.index.size() / 4), a.tq, a.tk, c, a.heads, c / a.heads};
}

struct Run {
  std::int64_t first, rows;
};

template <class T>
Run query_run(const Node<T>& n, const Dims& s, std::int64_t b) {
  return {n.index[std::size_t(b)], n.index[std::size_t(s.b + b)]};
}

template <class T>
Run key_run(const Node<T>& n, const Dims& s, std::int64_t b) {
  return {n.index[std::size_t(2 * s.b + b)], n.index[std::size_t(3 * s.b + b)]};
}

// A head's product, op(a) (m,k) * b (k,n): float ones in the small-product
// kernel (BLAS's packing and call cost as much as their arithmetic), double
// ones (gradient checks) through BLAS.
template <class T>
void head_product(Trans ta, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a, std::size_t lda,
                  const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
  if constexpr (std::is_same_v<T, float>)
    kernels::small_gemm_f32(ta == Trans::Yes, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  else
    gemm_strided<T>(ta, Trans::No, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// x (n,d) of row stride ld, transposed into out (d,n): a product with it is
// then untransposed, and reads b's rows contiguously. All heads of an
// example at once (d = C): each row of x is read once.
template <class T>
const T* transposed(const T* x, std::size_t ld, std::size_t n, std::size_t d, T* out) {
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t k = 0; k < d; ++k) out[k * n + j] = x[j * ld + k];
  return out;
}

// True when the runs (first, rows) of the B examples lie one after another
// from row 0 and cover all `total` rows (packed rows as the encoders build
// them; a padded layout without masked positions).
template <class T>
bool runs_tile(const Node<T>& n, const Dims& s, Run (*run)(const Node<T>&, const Dims&, std::int64_t),
               std::int64_t total) {
  std::int64_t next = 0;
  for (std::int64_t b = 0; b < s.b; ++b) {
    const Run r = run(n, s, b);
    if (r.first != next) return false;
    next += r.rows;
  }
  return next == total;
}

// Where an input's gradient goes, and the beta of the products that write it.
template <class T>
struct GradOut {
  T* data = nullptr;
  T beta = T(1);
};

template <class T>
void fused_attention_backward(Tape<T>& t, Node<T>& n) {
  const Dims s = dims_of(n);
  const T scale = T(1) / std::sqrt(T(s.d));
  const auto c = std::size_t(s.c), tk = std::size_t(s.tk), d = std::size_t(s.d);
  const T* q = t.input_value(n, 0);
  const T* k = t.input_value(n, 1);
  const T* v = t.input_value(n, 2);
  // Each head's block of an example's rows of dQ, dK and dV is one product.
  // When q, k and v are three nodes whose runs tile their rows, the first
  // writer of a gradient stores (beta 0) instead of zero-filling it first,
  // zeroing only the rows of examples that get no product.
  const bool distinct = n.in[0] != n.in[1] && n.in[0] != n.in[2] && n.in[1] != n.in[2];
  auto out = [&](std::size_t i, bool tiles) {
    if (!distinct) return GradOut<T>{t.input_grad(n, i), T(1)};
    GradTarget<T> g = t.input_grad_target(n, i);
    if (g && g.overwrite && !tiles) std::fill(g.data, g.data + t.input_shape(n, i).numel(), T(0));
    return GradOut<T>{g.data, g && g.overwrite && tiles ? T(0) : T(1)};
  };
  const bool keys_tile = runs_tile<T>(n, s, key_run<T>, t.input_shape(n, 1).numel() / s.c);
  const GradOut<T> gq = out(0, runs_tile<T>(n, s, query_run<T>, t.input_shape(n, 0).numel() / s.c));
  const GradOut<T> gk = out(1, keys_tile), gv = out(2, keys_tile);
  auto zero_rows = [&](const GradOut<T>& g, Run r) {
    if (g.data != nullptr && g.beta == T(0)) std::fill(g.data + r.first * s.c, g.data + (r.first + r.rows) * s.c, T(0));
  };
  T* ds = n.saved.data() + s.b * s.h * s.tq * s.tk;  // scratch (Tq,Tk), then (C,Tk)
  T* scratch = ds + s.tq * s.tk;
  for (std::int64_t b = 0; b < s.b; ++b) {
    const Run qr = query_run(n, s, b), kr = key_run(n, s, b);
    const auto nq = std::size_t(qr.rows), len = std::size_t(kr.rows);
    if (len == 0 || nq == 0) {
      zero_rows(gq, qr);
      zero_rows(gk, kr);
      zero_rows(gv, kr);
      continue;
    }
    const T* vt = transposed(v + kr.first * s.c, c, len, c, scratch);  // (C,len): head h is rows h*d..
    for (std::int64_t h = 0; h < s.h; ++h) {
      const std::size_t off = std::size_t(h * s.d);
      const T* p = n.saved.data() + (b * s.h + h) * s.tq * s.tk;  // (Tq,Tk), row stride Tk
      const std::int64_t qo = qr.first * s.c + std::int64_t(off), ko = kr.first * s.c + std::int64_t(off);
      const T* go = n.grad + qo;  // (nq,d), stride C
      // dP = dO V^T
      head_product<T>(Trans::No, nq, len, d, T(1), go, c, vt + off * len, len, T(0), ds, tk);
      if (gv.data) head_product<T>(Trans::Yes, len, d, nq, T(1), p, tk, go, c, gv.beta, gv.data + ko, c);
      // dS = P * (dP - rowsum(P * dP)) * scale, in place.
      kernels::softmax_rows_backward(p, ds, std::int64_t(nq), std::int64_t(tk), std::int64_t(len), scale);
      if (gq.data) head_product<T>(Trans::No, nq, d, len, T(1), ds, tk, k + ko, c, gq.beta, gq.data + qo, c);
      if (gk.data) head_product<T>(Trans::Yes, len, d, nq, T(1), ds, tk, q + qo, c, gk.beta, gk.data + ko, c);
    }
  }
}

// The rows of x's tensor (width c) that `seq` addresses must exist: a padded
// layout is (B,T,C) itself; a packed one stays inside the rows.
void check_layout(const char* what, const Shape& x, std::int64_t c, const Sequences& seq) {
  const std::int64_t rows = x.numel() / c;
  if (!seq.is_packed()) {
    if (x.rank != 3 || x[0] != seq.count || x[1] != seq.max_length)
      throw std::invalid_argument(std::string("fused_attention: padded ") + what + " must be (" +
                                  std::to_string(seq.count) + "," + std::to_string(seq.max_length) + ",C), got " +
                                  x.str());
    return;
  }
  for (std::int64_t b = 0; b < seq.count; ++b) {
    const std::int64_t first = seq.first_row(b), n = seq.rows(b);
    if (first < 0 || n < 0 || n > seq.max_length || first > rows - n)
      throw std::invalid_argument(std::string("fused_attention: packed ") + what + " of example " +
                                  std::to_string(b) + " (rows " + std::to_string(first) + " + " +
                                  std::to_string(n) + ") outside the " + std::to_string(rows) +
                                  " rows or longer than " + std::to_string(seq.max_length));
  }
}

}  // namespace

template <class T>
Var fused_attention(Tape<T>& t, Var q, Var k, Var v, std::int64_t heads, const Sequences& queries,
                    const Sequences& keys) {
  const Shape sq = t.shape(q), sk = t.shape(k);
  const std::int64_t c = sq.rank > 0 ? sq.last() : 0;
  if (sq.rank < 2 || sk.rank < 2 || sk.last() != c || t.shape(v) != sk || queries.count != keys.count)
    throw std::invalid_argument("fused_attention: q rows and k, v rows of one width expected, got " + sq.str() +
                                ", " + sk.str() + ", " + t.shape(v).str());
  if (heads <= 0 || c % heads != 0)
    throw std::invalid_argument("fused_attention: width " + std::to_string(c) + " is not divisible by " +
                                std::to_string(heads) + " heads");
  check_layout("queries", sq, c, queries);
  check_layout("keys", sk, c, keys);
  const Dims s{queries.count, std::max<std::int64_t>(queries.max_length, 1), std::max<std::int64_t>(keys.max_length, 1),
               c, heads, c / heads};
  Var out = t.make(sq, "fused_attention", {q, k, v});
  Node<T>& n = t.node(out);
  n.attrs.set(Attrs{heads, s.tq, s.tk});
  n.index.resize(std::size_t(4 * s.b));
  for (std::int64_t b = 0; b < s.b; ++b) {
    // Padded lengths are clamped to the padding (as the composed ops do).
    n.index[std::size_t(b)] = std::int32_t(queries.first_row(b));
    n.index[std::size_t(s.b + b)] = std::int32_t(std::clamp<std::int64_t>(queries.rows(b), 0, queries.max_length));
    n.index[std::size_t(2 * s.b + b)] = std::int32_t(keys.first_row(b));
    n.index[std::size_t(3 * s.b + b)] = std::int32_t(std::clamp<std::int64_t>(keys.rows(b), 0, keys.max_length));
  }
  // P (zero where masked), then scratch: (Tq,Tk) and (C,Tk).
  n.saved.assign(std::size_t(s.b * s.h * s.tq * s.tk + s.tq * s.tk + s.c * s.tk), T(0));
  T* scratch = n.saved.data() + (s.b * s.h + 1) * s.tq * s.tk;
  const T scale = T(1) / std::sqrt(T(s.d));
  const T* qv = t.value(q);
  const T* kv = t.value(k);
  const T* vv = t.value(v);
  const auto tk = std::size_t(s.tk), d = std::size_t(s.d), cs = std::size_t(c);
  if (!queries.is_packed()) std::fill(n.value, n.value + sq.numel(), T(0));  // rows of masked queries
  for (std::int64_t b = 0; b < s.b; ++b) {
    const Run qr = query_run(n, s, b), kr = key_run(n, s, b);
    const auto nq = std::size_t(qr.rows), len = std::size_t(kr.rows);
    T* o = n.value + qr.first * c;
    if (len == 0) {  // no keys: zero weights, zero output, never NaN
      std::fill(o, o + nq * cs, T(0));
      continue;
    }
    const T* kt = transposed(kv + kr.first * c, cs, len, cs, scratch);  // (C,len): head h is rows h*d..
    for (std::int64_t h = 0; h < s.h; ++h) {
      const std::size_t off = std::size_t(h * s.d);
      T* p = n.saved.data() + (b * s.h + h) * s.tq * s.tk;  // (Tq,Tk), row stride Tk
      // S = Q K^T * scale over the valid keys, heads addressed by stride C.
      head_product<T>(Trans::No, nq, len, d, scale, qv + qr.first * c + std::int64_t(off), cs, kt + off * len, len,
                      T(0), p, tk);
      if constexpr (std::is_same_v<T, float>)
        kernels::softmax_rows_f32(p, std::int64_t(nq), std::int64_t(tk), std::int64_t(len));
      else
        kernels::softmax_rows(p, std::int64_t(nq), std::int64_t(tk), std::int64_t(len));
      // O = P V, written into the merged-heads layout.
      head_product<T>(Trans::No, nq, d, len, T(1), p, tk, vv + kr.first * c + std::int64_t(off), cs, T(0), o + off,
                      cs);
    }
  }
  if (n.requires_grad) n.backward = fused_attention_backward<T>;
  return out;
}

template <class T>
Var fused_attention(Tape<T>& t, Var q, Var k, Var v, std::int64_t heads, const std::int32_t* key_lengths,
                    const std::int32_t* query_lengths) {
  const Shape sq = t.shape(q), sk = t.shape(k);
  if (sq.rank != 3 || sk.rank != 3 || sq[0] != sk[0] || sq[2] != sk[2] || t.shape(v) != sk)
    throw std::invalid_argument("fused_attention: q (B,Tq,C), k and v (B,Tk,C) expected, got " + sq.str() + ", " +
                                sk.str() + ", " + t.shape(v).str());
  return fused_attention(t, q, k, v, heads, Sequences::padded(sq[0], sq[1], query_lengths),
                         Sequences::padded(sk[0], sk[1], key_lengths));
}

template <class T>
TensorView<const T> fused_attention_weights(const Tape<T>& t, Var out) {
  const Node<T>& n = t.node(out);
  if (std::string_view(n.op) != "fused_attention")
    throw std::invalid_argument(std::string("fused_attention_weights: node is `") + n.op + "`, not fused_attention");
  const Dims s = dims_of(n);
  return tensor_view(n.saved.data(), TensorShape{std::size_t(s.b), std::size_t(s.h), std::size_t(s.tq),
                                                 std::size_t(s.tk)});
}

template Var fused_attention<float>(Tape<float>&, Var, Var, Var, std::int64_t, const Sequences&, const Sequences&);
template Var fused_attention<double>(Tape<double>&, Var, Var, Var, std::int64_t, const Sequences&, const Sequences&);
template Var fused_attention<float>(Tape<float>&, Var, Var, Var, std::int64_t, const std::int32_t*,
                                    const std::int32_t*);
template Var fused_attention<double>(Tape<double>&, Var, Var, Var, std::int64_t, const std::int32_t*,
                                     const std::int32_t*);
template TensorView<const float> fused_attention_weights(const Tape<float>&, Var);
template TensorView<const double> fused_attention_weights(const Tape<double>&, Var);

}  // namespace atrank::autodiff
