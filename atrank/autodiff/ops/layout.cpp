// Forward and backward of the layout ops. Axis ops view a tensor as
// (outer, axis, inner) so every move is a loop over contiguous blocks.
#include "atrank/autodiff/ops/layout.hpp"

#include <algorithm>
#include <string>

#include "atrank/autodiff/ops/detail.hpp"

namespace atrank::autodiff {
namespace {

template <class T>
void add_into(T* dst, const T* src, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) dst[i] += src[i];
}

// Copies or adds src into the gradient g (see GradTarget).
template <class T>
void put_into(const GradTarget<T>& g, std::int64_t at, const T* src, std::int64_t n) {
  if (g.overwrite)
    std::copy(src, src + n, g.data + at);
  else
    add_into(g.data + at, src, n);
}

template <class T>
void reshape_backward(Tape<T>& t, Node<T>& n) {
  if (const GradTarget<T> ga = t.input_grad_target(n, 0)) put_into(ga, 0, n.grad, n.shape.numel());
}

struct ConcatAxis {
  int axis;
};

// in: the parts, any number of them.
template <class T>
void concat_backward(Tape<T>& t, Node<T>& n) {
  const int axis = attrs_of<ConcatAxis>(n).axis;
  const std::int64_t outer = detail::outer_of(n.shape, axis), inner = detail::inner_of(n.shape, axis);
  const std::int64_t total = n.shape[axis];
  std::int64_t off = 0;
  for (std::size_t k = 0; k < n.in.size(); ++k) {
    const std::int64_t block = t.input_shape(n, k)[axis] * inner;
    if (const GradTarget<T> g = t.input_grad_target(n, k))  // part k whole before part k + 1
      for (std::int64_t o = 0; o < outer; ++o) put_into(g, o * block, n.grad + o * total * inner + off, block);
    off += block;
  }
}

// The slice's length is the output's extent along `axis`.
struct SliceStart {
  int axis;
  std::int64_t start;
};

template <class T>
void slice_backward(Tape<T>& t, Node<T>& n) {
  T* ga = t.input_grad(n, 0);
  if (ga == nullptr) return;
  const SliceStart& r = attrs_of<SliceStart>(n);
  const Shape& sa = t.input_shape(n, 0);
  const std::int64_t outer = detail::outer_of(sa, r.axis), inner = detail::inner_of(sa, r.axis);
  const std::int64_t full = sa[r.axis], block = n.shape[r.axis] * inner;
  for (std::int64_t o = 0; o < outer; ++o)
    add_into(ga + (o * full + r.start) * inner, n.grad + o * block, block);
}

struct Heads {
  std::int64_t heads;
};

// Head moves: a (B,T,H*d) <-> b (B*H,T,d); element a[b,t,h*d+j] = b[(b*H+h),t,j].
// `merged` is a's shape. to_heads = true copies a -> b, otherwise b -> a;
// Acc adds instead of copying.
template <class T, bool Acc>
void move_heads(const T* src, T* dst, const Shape& merged, std::int64_t H, bool to_heads) {
  const std::int64_t B = merged[0], Tn = merged[1], d = merged[2] / H;
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t h = 0; h < H; ++h)
      for (std::int64_t s = 0; s < Tn; ++s) {
        const std::int64_t ia = (b * Tn + s) * H * d + h * d;  // in (B,T,H*d)
        const std::int64_t ib = ((b * H + h) * Tn + s) * d;    // in (B*H,T,d)
        const T* from = src + (to_heads ? ia : ib);
        T* to = dst + (to_heads ? ib : ia);
        if constexpr (Acc) {
          add_into(to, from, d);
        } else {
          std::copy(from, from + d, to);
        }
      }
}

// The gradient's head move back into the input (`merged`, to_heads as move_heads).
template <class T>
void move_heads_back(Tape<T>& t, Node<T>& n, const Shape& merged, bool to_heads) {
  const GradTarget<T> ga = t.input_grad_target(n, 0);
  if (!ga) return;
  const std::int64_t heads = attrs_of<Heads>(n).heads;
  if (ga.overwrite)
    move_heads<T, false>(n.grad, ga.data, merged, heads, to_heads);
  else
    move_heads<T, true>(n.grad, ga.data, merged, heads, to_heads);
}

template <class T>
void split_heads_backward(Tape<T>& t, Node<T>& n) {
  move_heads_back(t, n, t.input_shape(n, 0), false);
}

template <class T>
void merge_heads_backward(Tape<T>& t, Node<T>& n) {
  move_heads_back(t, n, n.shape, true);
}

// out (B,T,C); a (B,C).
template <class T>
void repeat_seq_backward(Tape<T>& t, Node<T>& n) {
  T* ga = t.input_grad(n, 0);
  if (ga == nullptr) return;
  const std::int64_t B = n.shape[0], Tn = n.shape[1], C = n.shape[2];
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t s = 0; s < Tn; ++s) add_into(ga + b * C, n.grad + (b * Tn + s) * C, C);
}

}  // namespace

template <class T>
Var reshape(Tape<T>& t, Var a, const Shape& s) {
  const Shape sa = t.shape(a);
  if (s.numel() != sa.numel()) detail::shape_error("reshape", "element counts differ", sa, s);
  Var out = t.make(s, "reshape", {a});
  Node<T>& n = t.node(out);
  std::copy(t.value(a), t.value(a) + sa.numel(), n.value);
  if (n.requires_grad) n.backward = reshape_backward<T>;
  return out;
}

template <class T>
Var concat(Tape<T>& t, const std::vector<Var>& parts, int axis) {
  if (parts.empty()) throw std::invalid_argument("concat: no parts");
  const Shape s0 = t.shape(parts[0]);
  const int ax = detail::norm_axis("concat", axis, s0);
  Shape so = s0;
  so[ax] = 0;
  for (Var p : parts) {
    const Shape& sp = t.shape(p);
    bool ok = sp.rank == s0.rank;
    for (int i = 0; ok && i < sp.rank; ++i) ok = i == ax || sp[i] == s0[i];
    if (!ok)
      detail::shape_error("concat", "parts must agree except along axis " + std::to_string(ax),
                          s0, sp);
    so[ax] += sp[ax];
  }
  const std::int64_t outer = detail::outer_of(so, ax), inner = detail::inner_of(so, ax);
  Var out = t.make(so, "concat", parts);
  Node<T>& n = t.node(out);
  std::int64_t off = 0;
  for (Var p : parts) {
    const std::int64_t block = t.shape(p)[ax] * inner;
    const T* src = t.value(p);
    for (std::int64_t o = 0; o < outer; ++o)
      std::copy(src + o * block, src + (o + 1) * block, n.value + o * so[ax] * inner + off);
    off += block;
  }
  n.attrs.set(ConcatAxis{ax});
  if (n.requires_grad) n.backward = concat_backward<T>;
  return out;
}

template <class T>
Var slice(Tape<T>& t, Var a, int axis, std::int64_t start, std::int64_t len) {
  const Shape sa = t.shape(a);
  const int ax = detail::norm_axis("slice", axis, sa);
  if (start < 0 || len < 0 || start + len > sa[ax])
    detail::shape_error("slice", "range [" + std::to_string(start) + ", " +
                                     std::to_string(start + len) + ") outside axis " +
                                     std::to_string(ax),
                        sa);
  Shape so = sa;
  so[ax] = len;
  const std::int64_t outer = detail::outer_of(sa, ax), inner = detail::inner_of(sa, ax);
  Var out = t.make(so, "slice", {a});
  Node<T>& n = t.node(out);
  const T* src = t.value(a);
  const std::int64_t block = len * inner;
  for (std::int64_t o = 0; o < outer; ++o) {
    const T* from = src + (o * sa[ax] + start) * inner;
    std::copy(from, from + block, n.value + o * block);
  }
  n.attrs.set(SliceStart{ax, start});
  if (n.requires_grad) n.backward = slice_backward<T>;
  return out;
}

template <class T>
std::vector<Var> split(Tape<T>& t, Var a, const std::vector<std::int64_t>& sizes, int axis) {
  const Shape sa = t.shape(a);
  const int ax = detail::norm_axis("split", axis, sa);
  std::int64_t total = 0;
  for (std::int64_t s : sizes) total += s;
  if (total != sa[ax])
    detail::shape_error("split", "sizes sum to " + std::to_string(total) + ", not the length of axis " +
                                     std::to_string(ax),
                        sa);
  std::vector<Var> out;
  out.reserve(sizes.size());
  std::int64_t start = 0;
  for (std::int64_t s : sizes) {
    out.push_back(slice(t, a, ax, start, s));
    start += s;
  }
  return out;
}

template <class T>
Var split_heads(Tape<T>& t, Var a, std::int64_t heads) {
  const Shape sa = t.shape(a);
  if (sa.rank != 3 || heads <= 0 || sa[2] % heads != 0)
    detail::shape_error("split_heads", "need (B,T,H*d) with H = " + std::to_string(heads), sa);
  const std::int64_t B = sa[0], Tn = sa[1], d = sa[2] / heads;
  Var out = t.make(Shape{B * heads, Tn, d}, "split_heads", {a});
  Node<T>& n = t.node(out);
  move_heads<T, false>(t.value(a), n.value, sa, heads, true);
  n.attrs.set(Heads{heads});
  if (n.requires_grad) n.backward = split_heads_backward<T>;
  return out;
}

template <class T>
Var merge_heads(Tape<T>& t, Var a, std::int64_t heads) {
  const Shape sa = t.shape(a);
  if (sa.rank != 3 || heads <= 0 || sa[0] % heads != 0)
    detail::shape_error("merge_heads", "need (B*H,T,d) with H = " + std::to_string(heads), sa);
  const std::int64_t B = sa[0] / heads, Tn = sa[1], d = sa[2];
  Var out = t.make(Shape{B, Tn, heads * d}, "merge_heads", {a});
  Node<T>& n = t.node(out);
  move_heads<T, false>(t.value(a), n.value, n.shape, heads, false);
  n.attrs.set(Heads{heads});
  if (n.requires_grad) n.backward = merge_heads_backward<T>;
  return out;
}

template <class T>
Var repeat_seq(Tape<T>& t, Var a, std::int64_t times) {
  const Shape sa = t.shape(a);
  if (sa.rank != 2 || times < 0)
    detail::shape_error("repeat_seq", "need (B,C) and times >= 0 (times = " +
                                          std::to_string(times) + ")",
                        sa);
  const std::int64_t B = sa[0], C = sa[1];
  Var out = t.make(Shape{B, times, C}, "repeat_seq", {a});
  Node<T>& n = t.node(out);
  const T* src = t.value(a);
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t s = 0; s < times; ++s)
      std::copy(src + b * C, src + (b + 1) * C, n.value + (b * times + s) * C);
  if (n.requires_grad) n.backward = repeat_seq_backward<T>;
  return out;
}

#define ATRANK_INSTANTIATE(T)                                                              \
  template Var reshape<T>(Tape<T>&, Var, const Shape&);                                    \
  template Var concat<T>(Tape<T>&, const std::vector<Var>&, int);                          \
  template Var slice<T>(Tape<T>&, Var, int, std::int64_t, std::int64_t);                   \
  template std::vector<Var> split<T>(Tape<T>&, Var, const std::vector<std::int64_t>&, int); \
  template Var split_heads<T>(Tape<T>&, Var, std::int64_t);                                \
  template Var merge_heads<T>(Tape<T>&, Var, std::int64_t);                                \
  template Var repeat_seq<T>(Tape<T>&, Var, std::int64_t);
ATRANK_INSTANTIATE(float)
ATRANK_INSTANTIATE(double)
#undef ATRANK_INSTANTIATE

}  // namespace atrank::autodiff
