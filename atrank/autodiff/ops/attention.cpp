// Forward and backward of the masked softmax and the sequence mask.
#include "atrank/autodiff/ops/attention.hpp"

#include <algorithm>
#include <string>

#include "atrank/autodiff/ops/detail.hpp"
#include "atrank/kernels/softmax.hpp"

namespace atrank::autodiff {
namespace {

// Both ops: index = lengths, one per group of `rows_per_length` rows.
struct LengthGroups {
  std::int64_t rows_per_length;
};

// The saved probabilities are the node's own value.
template <class T>
void masked_softmax_backward(Tape<T>& t, Node<T>& n) {
  T* gx = t.input_grad(n, 0);
  if (gx == nullptr) return;
  const std::int64_t rows = n.shape.rows(), L = n.shape.last();
  const std::int64_t rpl = attrs_of<LengthGroups>(n).rows_per_length;
  for (std::int64_t r = 0; r < rows; ++r)
    kernels::softmax_row_backward<true>(n.value + r * L, n.grad + r * L,
                                        std::int64_t(n.index[std::size_t(r / rpl)]), T(1),
                                        gx + r * L);
}

template <class T>
void mask_sequence_backward(Tape<T>& t, Node<T>& n) {
  T* gx = t.input_grad(n, 0);
  if (gx == nullptr) return;
  const std::int64_t N = n.shape[0], Tn = n.shape[1], inner = detail::inner_of(n.shape, 1);
  const std::int64_t rpl = attrs_of<LengthGroups>(n).rows_per_length;
  for (std::int64_t r = 0; r < N; ++r) {
    const std::int64_t valid = std::int64_t(n.index[std::size_t(r / rpl)]) * inner;
    const T* g = n.grad + r * Tn * inner;
    T* gr = gx + r * Tn * inner;
    for (std::int64_t i = 0; i < valid; ++i) gr[i] += g[i];
  }
}

// Rows are grouped `rpl` at a time per length; returns the number of lengths.
std::int64_t groups(const char* op, const Shape& s, std::int64_t rows, std::int64_t rpl) {
  if (rpl <= 0 || rows % rpl != 0)
    detail::shape_error(op, std::to_string(rows) + " rows do not split into groups of " +
                                std::to_string(rpl) + " (rows_per_length)",
                        s);
  return rows / rpl;
}

}  // namespace

template <class T>
Var masked_softmax(Tape<T>& t, Var x, const std::int32_t* lengths, std::int64_t rows_per_length) {
  const Shape sx = t.shape(x);
  if (sx.rank < 1) detail::shape_error("masked_softmax", "need rank >= 1", sx);
  const std::int64_t rows = sx.rows(), L = sx.last();
  const std::int64_t nlen = groups("masked_softmax", sx, rows, rows_per_length);
  detail::check_lengths("masked_softmax", lengths, nlen, L);
  Var out = t.make(sx, "masked_softmax", {x});
  Node<T>& n = t.node(out);
  n.index.assign(lengths, lengths + nlen);
  n.attrs.set(LengthGroups{rows_per_length});
  const T* xv = t.value(x);
  for (std::int64_t r = 0; r < rows; ++r)
    kernels::softmax_row(xv + r * L, std::int64_t(lengths[r / rows_per_length]), L,
                         n.value + r * L);
  if (n.requires_grad) n.backward = masked_softmax_backward<T>;
  return out;
}

template <class T>
Var mask_sequence(Tape<T>& t, Var x, const std::int32_t* lengths, std::int64_t rows_per_length) {
  const Shape sx = t.shape(x);
  if (sx.rank < 2) detail::shape_error("mask_sequence", "need (N, T, ...)", sx);
  const std::int64_t N = sx[0], Tn = sx[1], inner = detail::inner_of(sx, 1);
  const std::int64_t nlen = groups("mask_sequence", sx, N, rows_per_length);
  detail::check_lengths("mask_sequence", lengths, nlen, Tn);
  Var out = t.make(sx, "mask_sequence", {x});
  Node<T>& n = t.node(out);
  n.index.assign(lengths, lengths + nlen);
  n.attrs.set(LengthGroups{rows_per_length});
  const T* xv = t.value(x);
  for (std::int64_t r = 0; r < N; ++r) {
    const std::int64_t valid = std::int64_t(lengths[r / rows_per_length]) * inner;
    const T* src = xv + r * Tn * inner;
    T* dst = n.value + r * Tn * inner;
    std::copy(src, src + valid, dst);
    std::fill(dst + valid, dst + Tn * inner, T(0));
  }
  if (n.requires_grad) n.backward = mask_sequence_backward<T>;
  return out;
}

#define ATRANK_INSTANTIATE(T)                                                           \
  template Var masked_softmax<T>(Tape<T>&, Var, const std::int32_t*, std::int64_t);     \
  template Var mask_sequence<T>(Tape<T>&, Var, const std::int32_t*, std::int64_t);
ATRANK_INSTANTIATE(float)
ATRANK_INSTANTIATE(double)
#undef ATRANK_INSTANTIATE

}  // namespace atrank::autodiff
