// Forward and backward of the matrix products: every product is a whole 2-D
// row-major matrix, viewed with xtensor and multiplied through gemm (BLAS).
#include "atrank/autodiff/ops/matmul.hpp"

#include <stdexcept>

#include "atrank/autodiff/ops/detail.hpp"
#include "atrank/kernels/relu.hpp"

namespace atrank::autodiff {
namespace {

using detail::operand;
using detail::result;

[[noreturn]] void mismatch(const char* op, const Shape& a, const Shape& b) {
  throw std::invalid_argument(std::string(op) + ": shapes do not fit: " + a.str() + " and " +
                              b.str());
}

Trans flip(Trans x) { return x == Trans::Yes ? Trans::No : Trans::Yes; }

// matmul and batched_matmul: which operands were read transposed (the sizes
// follow from the input shapes).
struct Transposes {
  Trans a, b;
};

// Backward of C = op(A) op(B) for stored a, b and dC = g: adds into ga and gb
// (stored layouts, each may be null).
template <class T>
void product_backward(Trans ta, Trans tb, MatrixView<const T> a, MatrixView<const T> b,
                      MatrixView<const T> g, T* ga, T* gb) {
  if (ga) {
    const MatrixView<T> da = matrix_view(ga, a.shape(0), a.shape(1));
    if (ta == Trans::No)
      gemm(Trans::No, flip(tb), T(1), g, b, T(1), da);  // d op(A) = dC op(B)^T
    else
      gemm(tb, Trans::Yes, T(1), b, g, T(1), da);  // A stored transposed: dA = op(B) dC^T
  }
  if (gb) {
    const MatrixView<T> db = matrix_view(gb, b.shape(0), b.shape(1));
    if (tb == Trans::No)
      gemm(flip(ta), Trans::No, T(1), a, g, T(1), db);  // d op(B) = op(A)^T dC
    else
      gemm(Trans::Yes, ta, T(1), g, a, T(1), db);  // B stored transposed: dB = dC^T op(A)
  }
}

// a: stored (rows, last) as in forward, b: (k,n) or (n,k).
template <class T>
void matmul_backward(Tape<T>& t, Node<T>& n) {
  const Transposes& tr = attrs_of<Transposes>(n);
  const Shape &sa = t.input_shape(n, 0), &sb = t.input_shape(n, 1);
  product_backward(tr.a, tr.b, operand(t.input_value(n, 0), sa.rows(), sa.last()),
                   operand(t.input_value(n, 1), sb[0], sb[1]),
                   operand<T>(n.grad, n.shape.rows(), n.shape.last()), t.input_grad(n, 0),
                   t.input_grad(n, 1));
}

// The products' part of dense's backward from its output gradient g = n.grad
// (the activation's mask already applied). in: x, w, bias (optional).
template <class T>
void dense_product_backward(Tape<T>& t, Node<T>& n) {
  const std::int64_t rows = n.shape.rows(), out = n.shape.last(), in = t.input_shape(n, 1)[0];
  const MatrixView<const T> g = operand<T>(n.grad, rows, out);
  if (const GradTarget<T> gx = t.input_grad_target(n, 0))  // dx = g w^T
    gemm(Trans::No, Trans::Yes, T(1), g, operand(t.input_value(n, 1), in, out), detail::beta_of(gx),
         result(gx.data, rows, in));
  if (const GradTarget<T> gw = t.input_grad_target(n, 1))  // dw = x^T g
    gemm(Trans::Yes, Trans::No, T(1), operand(t.input_value(n, 0), rows, in), g, detail::beta_of(gw),
         result(gw.data, in, out));
}

template <class T>
void dense_backward(Tape<T>& t, Node<T>& n) {
  const std::int64_t rows = n.shape.rows(), out = n.shape.last();
  if (T* gb = t.input_grad(n, 2))
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < out; ++c) gb[c] += n.grad[r * out + c];
  dense_product_backward(t, n);
}

// The ReLU's backward in place on the op's own gradient (the 0/1 mask of the
// output, one pass that also sums the bias gradient), then the products'.
template <class T>
void dense_relu_backward(Tape<T>& t, Node<T>& n) {
  const std::int64_t rows = n.shape.rows(), out = n.shape.last();
  T* g = n.grad;
  const T* y = n.value;
  if (T* gb = t.input_grad(n, 2)) {
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < out; ++c) {
        const std::int64_t i = r * out + c;
        g[i] *= kernels::relu_derivative(y[i]);
        gb[c] += g[i];
      }
  } else {
    for (std::int64_t i = 0; i < rows * out; ++i) g[i] *= kernels::relu_derivative(y[i]);
  }
  dense_product_backward(t, n);
}

template <class T>
void batched_matmul_backward(Tape<T>& t, Node<T>& n) {
  const Transposes& tr = attrs_of<Transposes>(n);
  const Shape &sa = t.input_shape(n, 0), &sb = t.input_shape(n, 1);
  const std::int64_t sza = sa[1] * sa[2], szb = sb[1] * sb[2], szc = n.shape[1] * n.shape[2];
  const T* a = t.input_value(n, 0);
  const T* b = t.input_value(n, 1);
  T* ga = t.input_grad(n, 0);
  T* gb = t.input_grad(n, 1);
  for (std::int64_t i = 0; i < n.shape[0]; ++i)
    product_backward(tr.a, tr.b, operand(a + i * sza, sa[1], sa[2]), operand(b + i * szb, sb[1], sb[2]),
                     operand<T>(n.grad + i * szc, n.shape[1], n.shape[2]), ga ? ga + i * sza : nullptr,
                     gb ? gb + i * szb : nullptr);
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
  gemm(ta, tb, T(1), operand(t.value(a), sa.rows(), sa.last()), operand(t.value(b), sb[0], sb[1]), T(0),
       result(node.value, m, n));
  node.attrs.set(Transposes{ta, tb});
  if (node.requires_grad) node.backward = matmul_backward<T>;
  return out;
}

namespace {

// x W + b, followed by a ReLU in the same pass when `relu`.
template <class T>
Var dense_node(Tape<T>& t, Var x, Var w, Var bias, bool relu) {
  const char* op = relu ? "dense_relu" : "dense";
  const Shape sx = t.shape(x), sw = t.shape(w);
  if (sw.rank != 2 || sx.last() != sw[0]) mismatch(op, sx, sw);
  if (bias.valid() && (t.shape(bias).rank != 1 || t.shape(bias)[0] != sw[1]))
    mismatch(relu ? "dense_relu bias" : "dense bias", sw, t.shape(bias));
  Shape so = sx;
  so[-1] = sw[1];
  Var out = bias.valid() ? t.make(so, op, {x, w, bias}) : t.make(so, op, {x, w});
  Node<T>& node = t.node(out);
  const std::int64_t rows = so.rows(), in = sw[0], o = sw[1];
  if (bias.valid()) {
    const T* b = t.value(bias);
    for (std::int64_t r = 0; r < rows; ++r) std::copy(b, b + o, node.value + r * o);
  }
  gemm(Trans::No, Trans::No, T(1), operand(t.value(x), rows, in), operand(t.value(w), in, o),
       bias.valid() ? T(1) : T(0), result(node.value, rows, o));
  if (relu)
    for (std::int64_t i = 0; i < rows * o; ++i) node.value[i] = kernels::relu(node.value[i]);
  if (node.requires_grad) node.backward = relu ? dense_relu_backward<T> : dense_backward<T>;
  return out;
}

}  // namespace

template <class T>
Var dense(Tape<T>& t, Var x, Var w, Var bias) {
  return dense_node(t, x, w, bias, false);
}

template <class T>
Var dense_relu(Tape<T>& t, Var x, Var w, Var bias) {
  return dense_node(t, x, w, bias, true);
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
    gemm(ta, tb, T(1), operand(av + i * m * k, sa[1], sa[2]), operand(bv + i * k * n, sb[1], sb[2]),
         T(0), result(node.value + i * m * n, m, n));
  node.attrs.set(Transposes{ta, tb});
  if (node.requires_grad) node.backward = batched_matmul_backward<T>;
  return out;
}

#define ATRANK_INSTANTIATE(T)                                         \
  template Var matmul<T>(Tape<T>&, Var, Var, Trans, Trans);           \
  template Var dense<T>(Tape<T>&, Var, Var, Var);                     \
  template Var dense_relu<T>(Tape<T>&, Var, Var, Var);                \
  template Var batched_matmul<T>(Tape<T>&, Var, Var, Trans, Trans);
ATRANK_INSTANTIATE(float)
ATRANK_INSTANTIATE(double)
#undef ATRANK_INSTANTIATE

}  // namespace atrank::autodiff
