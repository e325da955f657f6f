// Forward copies rows, backward scatter-adds them; the index is kept on the node.
#include "atrank/autodiff/ops/select_rows.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace atrank::autodiff {
namespace {

template <class T>
void select_rows_backward(Tape<T>& t, Node<T>& n) {
  T* gx = t.input_grad(n, 0);
  if (!gx) return;
  const std::int64_t c = n.shape.last();
  for (std::size_t m = 0; m < n.index.size(); ++m) {
    if (n.index[m] < 0) continue;
    T* dst = gx + std::int64_t(n.index[m]) * c;
    const T* src = n.grad + std::int64_t(m) * c;
    for (std::int64_t e = 0; e < c; ++e) dst[e] += src[e];
  }
}

}  // namespace

template <class T>
Var select_rows(Tape<T>& t, Var x, const std::int32_t* rows, const Shape& out_shape) {
  const Shape sx = t.shape(x);
  if (out_shape.last() != sx.last())
    throw std::invalid_argument("select_rows: rows of width " + std::to_string(sx.last()) +
                                " cannot fill shape " + out_shape.str());
  const std::int64_t n_rows = sx.rows(), c = sx.last(), m = out_shape.rows();
  for (std::int64_t i = 0; i < m; ++i)
    if (rows[i] < -1 || rows[i] >= n_rows)
      throw std::out_of_range("select_rows: row " + std::to_string(rows[i]) + " outside [-1, " +
                              std::to_string(n_rows) + ")");
  Var out = t.make(out_shape, "select_rows", {x});
  Node<T>& node = t.node(out);
  node.index.assign(rows, rows + m);
  const T* xv = t.value(x);
  for (std::int64_t i = 0; i < m; ++i) {
    T* dst = node.value + i * c;
    if (rows[i] < 0)
      std::fill(dst, dst + c, T(0));
    else
      std::copy(xv + std::int64_t(rows[i]) * c, xv + std::int64_t(rows[i] + 1) * c, dst);
  }
  if (node.requires_grad) node.backward = select_rows_backward<T>;
  return out;
}

template Var select_rows<float>(Tape<float>&, Var, const std::int32_t*, const Shape&);
template Var select_rows<double>(Tape<double>&, Var, const std::int32_t*, const Shape&);

}  // namespace atrank::autodiff
