// Forward and backward of embedding lookups, and the constant one-hot encoding.
#include "atrank/autodiff/ops/gather.hpp"

#include <algorithm>
#include <string>

#include "atrank/autodiff/ops/detail.hpp"

namespace atrank::autodiff {
namespace {

// The table a lookup read; index = the table row of every lookup (resolved
// through the map for gather_mapped).
template <class T>
struct Lookup {
  EmbeddingTable<T>* table;
};

// Appends one gradient row per lookup.
template <class T>
void gather_backward(Tape<T>& t, Node<T>& n) {
  EmbeddingTable<T>& table = *attrs_of<Lookup<T>>(n).table;
  const std::size_t width = std::size_t(table.width), k = n.index.size();
  SparseGrad<T>& g = sparse_grad_sink(t, table);
  g.rows.insert(g.rows.end(), n.index.begin(), n.index.end());
  const std::size_t old = g.values.size();
  g.values.resize(old + k * width);
  std::copy(n.grad, n.grad + k * width, g.values.data() + old);
}

template <class T>
Shape out_shape(const char* op, const EmbeddingTable<T>& table, const Shape& shape) {
  if (shape.rank >= Shape::kMaxRank)
    detail::shape_error(op, "ids must have rank < 4 (the output adds the width axis)", shape);
  Shape so = shape;
  so.dims[so.rank++] = table.width;
  return so;
}

[[noreturn]] void id_error(const char* op, const std::string& what, std::int64_t i,
                           std::int64_t id, const std::string& table, std::int64_t size) {
  throw std::out_of_range(std::string(op) + ": " + what + " " + std::to_string(id) + " (at " +
                          std::to_string(i) + ") out of range for " + table + " of size " +
                          std::to_string(size));
}

// Copies the rows listed in n.index into n.value.
template <class T>
void copy_rows(const EmbeddingTable<T>& table, Node<T>& n) {
  const std::int64_t w = table.width, k = std::int64_t(n.index.size());
  for (std::int64_t i = 0; i < k; ++i) {
    const T* src = table.row(n.index[std::size_t(i)]);
    std::copy(src, src + w, n.value + i * w);
  }
}

}  // namespace

template <class T>
Var gather(Tape<T>& t, EmbeddingTable<T>& table, const std::int32_t* ids, const Shape& shape) {
  const Shape so = out_shape("gather", table, shape);
  const std::int64_t k = shape.numel();
  for (std::int64_t i = 0; i < k; ++i)
    if (ids[i] < 0 || ids[i] >= table.rows)
      id_error("gather", "id", i, ids[i], "table `" + table.name + "`", table.rows);
  Var out = t.make(so, "gather");
  Node<T>& n = t.node(out);
  n.index.assign(ids, ids + k);
  n.attrs.set(Lookup<T>{&table});
  copy_rows(table, n);
  n.requires_grad = true;
  n.backward = gather_backward<T>;
  return out;
}

template <class T>
Var gather_mapped(Tape<T>& t, EmbeddingTable<T>& table, const std::int32_t* map,
                  std::int64_t map_size, const std::int32_t* ids, const Shape& shape) {
  const Shape so = out_shape("gather_mapped", table, shape);
  const std::int64_t k = shape.numel();
  for (std::int64_t i = 0; i < k; ++i) {  // check everything before recording a node
    if (ids[i] < 0 || ids[i] >= map_size)
      id_error("gather_mapped", "id", i, ids[i], "the index map of table `" + table.name + "`",
               map_size);
    const std::int32_t row = map[ids[i]];
    if (row < 0 || row >= table.rows)
      id_error("gather_mapped", "mapped row (map[" + std::to_string(ids[i]) + "])", i, row,
               "table `" + table.name + "`", table.rows);
  }
  Var out = t.make(so, "gather_mapped");
  Node<T>& n = t.node(out);
  n.index.resize(std::size_t(k));
  for (std::int64_t i = 0; i < k; ++i) n.index[std::size_t(i)] = map[ids[i]];
  n.attrs.set(Lookup<T>{&table});
  copy_rows(table, n);
  n.requires_grad = true;
  n.backward = gather_backward<T>;
  return out;
}

template <class T>
Var one_hot(Tape<T>& t, const std::int32_t* ids, const Shape& shape, std::int64_t depth) {
  if (shape.rank >= Shape::kMaxRank || depth < 0)
    detail::shape_error("one_hot", "ids must have rank < 4 and depth >= 0 (depth = " +
                                       std::to_string(depth) + ")",
                        shape);
  Shape so = shape;
  so.dims[so.rank++] = depth;
  Var out = t.make(so, "one_hot");
  Node<T>& n = t.node(out);
  std::fill(n.value, n.value + so.numel(), T(0));
  const std::int64_t k = shape.numel();
  for (std::int64_t i = 0; i < k; ++i)
    if (ids[i] >= 0 && ids[i] < depth) n.value[i * depth + ids[i]] = T(1);
  return out;
}

#define ATRANK_INSTANTIATE(T)                                                                  \
  template Var gather<T>(Tape<T>&, EmbeddingTable<T>&, const std::int32_t*, const Shape&);     \
  template Var gather_mapped<T>(Tape<T>&, EmbeddingTable<T>&, const std::int32_t*,            \
                                std::int64_t, const std::int32_t*, const Shape&);              \
  template Var one_hot<T>(Tape<T>&, const std::int32_t*, const Shape&, std::int64_t);
ATRANK_INSTANTIATE(float)
ATRANK_INSTANTIATE(double)
#undef ATRANK_INSTANTIATE

}  // namespace atrank::autodiff
