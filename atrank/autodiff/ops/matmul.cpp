// Forward and backward of the matrix products, through BLAS on contiguous buffers.
#include "atrank/autodiff/ops/matmul.hpp"

#include <stdexcept>

namespace atrank::autodiff {
namespace {

[[noreturn]] void mismatch(const char* op, const Shape& a, const Shape& b) {
  throw std::invalid_argument(std::string(op) + ": shapes do not fit: " + a.str() + " and " +
                              b.str());
}

Trans flip(Trans x) { return x == Trans::Yes ? Trans::No : Trans::Yes; }

// iattr: [0]=m [1]=k [2]=n [3]=ta|tb<<1
template <class T>
void matmul_backward(Tape<T>& t, Node<T>& n) {
  const auto m = std::size_t(n.iattr[0]), k = std::size_t(n.iattr[1]), nn = std::size_t(n.iattr[2]);
  const Trans ta = Trans(n.iattr[3] & 1), tb = Trans((n.iattr[3] >> 1) & 1);
  const T* a = t.input_value(n, 0);
  const T* b = t.input_value(n, 1);
  const std::size_t lda = ta == Trans::Yes ? m : k, ldb = tb == Trans::Yes ? k : nn;
  // C = op(A) op(B); dC: (m,n).
  if (T* ga = t.input_grad(n, 0)) {
    // d op(A) = dC op(B)^T; if A is stored transposed, dA = op(B) dC^T.
    if (ta == Trans::No)
      gemm_raw<T>(Trans::No, flip(tb), m, k, nn, T(1), n.grad, nn, b, ldb, T(1), ga, k);
    else
      gemm_raw<T>(tb, Trans::Yes, k, m, nn, T(1), b, ldb, n.grad, nn, T(1), ga, m);
  }
  if (T* gb = t.input_grad(n, 1)) {
    // d op(B) = op(A)^T dC; if B is stored transposed, dB = dC^T op(A).
    if (tb == Trans::No)
      gemm_raw<T>(flip(ta), Trans::No, k, nn, m, T(1), a, lda, n.grad, nn, T(1), gb, nn);
    else
      gemm_raw<T>(Trans::Yes, ta, nn, k, m, T(1), n.grad, nn, a, lda, T(1), gb, k);
  }
}

template <class T>
void bias_backward_rows(const T* g, std::int64_t rows, std::int64_t cols, T* gbias) {
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) gbias[c] += g[r * cols + c];
}

// in: x, w, bias (optional)
template <class T>
void dense_backward(Tape<T>& t, Node<T>& n) {
  const auto rows = std::size_t(n.shape.rows()), out = std::size_t(n.shape.last());
  const auto in = std::size_t(t.input_shape(n, 1)[0]);
  if (T* gx = t.input_grad(n, 0))
    gemm_raw<T>(Trans::No, Trans::Yes, rows, in, out, T(1), n.grad, out, t.input_value(n, 1), out,
                T(1), gx, in);
  if (T* gw = t.input_grad(n, 1))
    gemm_raw<T>(Trans::Yes, Trans::No, in, out, rows, T(1), t.input_value(n, 0), in, n.grad, out,
                T(1), gw, out);
  if (n.in[2] >= 0)
    if (T* gb = t.input_grad(n, 2)) bias_backward_rows(n.grad, std::int64_t(rows), std::int64_t(out), gb);
}

// iattr as matmul plus [... ] batch in fattr-free slot: batch = shape[0]
template <class T>
void batched_matmul_backward(Tape<T>& t, Node<T>& n) {
  const auto batch = std::size_t(n.shape[0]);
  const auto m = std::size_t(n.iattr[0]), k = std::size_t(n.iattr[1]), nn = std::size_t(n.iattr[2]);
  const Trans ta = Trans(n.iattr[3] & 1), tb = Trans((n.iattr[3] >> 1) & 1);
  const std::size_t lda = ta == Trans::Yes ? m : k, ldb = tb == Trans::Yes ? k : nn;
  const T* a = t.input_value(n, 0);
  const T* b = t.input_value(n, 1);
  T* ga = t.input_grad(n, 0);
  T* gb = t.input_grad(n, 1);
  for (std::size_t i = 0; i < batch; ++i) {
    const T* ai = a + i * m * k;
    const T* bi = b + i * k * nn;
    const T* gi = n.grad + i * m * nn;
    if (ga) {
      if (ta == Trans::No)
        gemm_raw<T>(Trans::No, flip(tb), m, k, nn, T(1), gi, nn, bi, ldb, T(1), ga + i * m * k, k);
      else
        gemm_raw<T>(tb, Trans::Yes, k, m, nn, T(1), bi, ldb, gi, nn, T(1), ga + i * m * k, m);
    }
    if (gb) {
      if (tb == Trans::No)
        gemm_raw<T>(flip(ta), Trans::No, k, nn, m, T(1), ai, lda, gi, nn, T(1), gb + i * k * nn, nn);
      else
        gemm_raw<T>(Trans::Yes, ta, nn, k, m, T(1), gi, nn, ai, lda, T(1), gb + i * k * nn, k);
    }
  }
}

}  // namespace

template <class T>
Var matmul(Tape<T>& t, Var a, Var b, Trans ta, Trans tb) {
  const Shape sa = t.shape(a), sb = t.shape(b);
  if (sb.rank != 2 || sa.rank < 1 || (ta == Trans::Yes && sa.rank != 2)) mismatch("matmul", sa, sb);
  const std::int64_t m = ta == Trans::Yes ? sa[1] : sa.rows();
  const std::int64_t k = ta == Trans::Yes ? sa[0] : sa.last();
  const std::int64_t kb = tb == Trans::Yes ? sb[1] : sb[0];
  const std::int64_t n = tb == Trans::Yes ? sb[0] : sb[1];
  if (k != kb) mismatch("matmul", sa, sb);
  Shape so = sa;
  if (ta == Trans::Yes) so = Shape{m, n};
  so[-1] = n;
  Var out = t.make(so, "matmul", {a, b});
  Node<T>& node = t.node(out);
  gemm_raw<T>(ta, tb, std::size_t(m), std::size_t(n), std::size_t(k), T(1), t.value(a),
              std::size_t(sa.last()), t.value(b), std::size_t(sb[1]), T(0), node.value,
              std::size_t(n));
  node.iattr = {m, k, n, std::int64_t(ta == Trans::Yes) | (std::int64_t(tb == Trans::Yes) << 1)};
  if (node.requires_grad) node.backward = matmul_backward<T>;
  return out;
}

template <class T>
Var dense(Tape<T>& t, Var x, Var w, Var bias) {
  const Shape sx = t.shape(x), sw = t.shape(w);
  if (sw.rank != 2 || sx.last() != sw[0]) mismatch("dense", sx, sw);
  if (bias.valid() && (t.shape(bias).rank != 1 || t.shape(bias)[0] != sw[1]))
    mismatch("dense bias", sw, t.shape(bias));
  Shape so = sx;
  so[-1] = sw[1];
  Var out = bias.valid() ? t.make(so, "dense", {x, w, bias}) : t.make(so, "dense", {x, w});
  Node<T>& node = t.node(out);
  const auto rows = std::size_t(so.rows()), in = std::size_t(sw[0]), o = std::size_t(sw[1]);
  if (bias.valid()) {
    const T* b = t.value(bias);
    for (std::size_t r = 0; r < rows; ++r) std::copy(b, b + o, node.value + r * o);
  }
  gemm_raw<T>(Trans::No, Trans::No, rows, o, in, T(1), t.value(x), in, t.value(w), o,
              bias.valid() ? T(1) : T(0), node.value, o);
  if (node.requires_grad) node.backward = dense_backward<T>;
  return out;
}

template <class T>
Var batched_matmul(Tape<T>& t, Var a, Var b, Trans ta, Trans tb) {
  const Shape sa = t.shape(a), sb = t.shape(b);
  if (sa.rank != 3 || sb.rank != 3 || sa[0] != sb[0]) mismatch("batched_matmul", sa, sb);
  const std::int64_t m = ta == Trans::Yes ? sa[2] : sa[1];
  const std::int64_t k = ta == Trans::Yes ? sa[1] : sa[2];
  const std::int64_t kb = tb == Trans::Yes ? sb[2] : sb[1];
  const std::int64_t n = tb == Trans::Yes ? sb[1] : sb[2];
  if (k != kb) mismatch("batched_matmul", sa, sb);
  Var out = t.make(Shape{sa[0], m, n}, "batched_matmul", {a, b});
  Node<T>& node = t.node(out);
  const T* av = t.value(a);
  const T* bv = t.value(b);
  for (std::int64_t i = 0; i < sa[0]; ++i)
    gemm_raw<T>(ta, tb, std::size_t(m), std::size_t(n), std::size_t(k), T(1), av + i * m * k,
                std::size_t(sa[2]), bv + i * k * n, std::size_t(sb[2]), T(0),
                node.value + i * m * n, std::size_t(n));
  node.iattr = {m, k, n, std::int64_t(ta == Trans::Yes) | (std::int64_t(tb == Trans::Yes) << 1)};
  if (node.requires_grad) node.backward = batched_matmul_backward<T>;
  return out;
}

#define ATRANK_INSTANTIATE(T)                                         \
  template Var matmul<T>(Tape<T>&, Var, Var, Trans, Trans);           \
  template Var dense<T>(Tape<T>&, Var, Var, Var);                     \
  template Var batched_matmul<T>(Tape<T>&, Var, Var, Trans, Trans);
ATRANK_INSTANTIATE(float)
ATRANK_INSTANTIATE(double)
#undef ATRANK_INSTANTIATE

}  // namespace atrank::autodiff
