// Trainable state outside the tape: one flat arena for dense parameters (one
// optimizer loop, one checkpoint write) and embedding tables with sparse gradients.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "atrank/autodiff/shape.hpp"
#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

// A named slice of the dense parameter arena.
struct ParamSlice {
  std::string name;
  Shape shape;
  std::size_t offset = 0;
  std::int64_t numel() const { return shape.numel(); }
};

template <class T>
class ParamArena {
 public:
  // Registers a parameter; returns its index. Registration must finish before
  // values are read through pointers (the arena may grow until then).
  int add(const std::string& name, const Shape& shape) {
    // An index, not a scan: thousands of blocks register millions of slices.
    if (!index_.emplace(name, int(slices_.size())).second)
      throw std::invalid_argument("parameter `" + name + "` registered twice");
    slices_.push_back({name, shape, values_.size()});
    values_.resize(values_.size() + static_cast<std::size_t>(shape.numel()), T(0));
    grads_.resize(values_.size(), T(0));
    return static_cast<int>(slices_.size()) - 1;
  }
  const std::vector<ParamSlice>& slices() const { return slices_; }
  const ParamSlice& slice(int id) const { return slices_.at(id); }
  int find(const std::string& name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? -1 : it->second;
  }
  T* value(int id) { return values_.data() + slices_.at(id).offset; }
  T* grad(int id) { return grads_.data() + slices_.at(id).offset; }
  // xtensor views of parameter `id` and its gradient, in the parameter's shape
  // (no copy; valid while no parameter is added).
  TensorView<T> tensor(int id) { return tensor_view(value(id), tensor_shape(slices_.at(id).shape)); }
  TensorView<const T> tensor(int id) const {
    return tensor_view(values_.data() + slices_.at(id).offset, tensor_shape(slices_.at(id).shape));
  }
  TensorView<T> grad_tensor(int id) { return tensor_view(grad(id), tensor_shape(slices_.at(id).shape)); }
  std::vector<T>& values() { return values_; }
  std::vector<T>& grads() { return grads_; }
  const std::vector<T>& values() const { return values_; }
  const std::vector<T>& grads() const { return grads_; }
  std::size_t size() const { return values_.size(); }
  void zero_grad() { std::fill(grads_.begin(), grads_.end(), T(0)); }

  // Puts parameter `id` on the tape as a leaf whose gradient accumulates
  // here, or in the tape's gradient shard when it has one.
  Var on(Tape<T>& tape, int id);

 private:
  std::vector<ParamSlice> slices_;
  std::unordered_map<std::string, int> index_;  // name -> slice
  std::vector<T> values_;
  std::vector<T> grads_;
};

// Gradient of an embedding table as TensorFlow's IndexedSlices: one row of
// values per lookup (a row looked up twice appears twice). Never table-sized.
template <class T>
struct SparseGrad {
  std::vector<std::int32_t> rows;
  std::vector<T> values;  // (rows.size(), width)
  void clear() {
    rows.clear();
    values.clear();
  }
};

// An embedding table: (rows, width) values plus the sparse gradient of the
// current step. Lookups append to `grad` (or to the tape's gradient shard);
// the optimizer consumes and clears it.
template <class T>
struct EmbeddingTable {
  std::string name;
  int slot = -1;  // index in its model's table list: where a GradientShard keeps its gradient
  std::int64_t rows = 0;
  std::int64_t width = 0;
  std::vector<T> values;
  SparseGrad<T> grad;

  EmbeddingTable() = default;
  EmbeddingTable(std::string n, std::int64_t r, std::int64_t w)
      : name(std::move(n)), rows(r), width(w), values(static_cast<std::size_t>(r * w), T(0)) {}
  T* row(std::int64_t i) { return values.data() + i * width; }
  const T* row(std::int64_t i) const { return values.data() + i * width; }
  std::int64_t numel() const { return rows * width; }
  // The values as an xtensor (rows, width) view (no copy).
  MatrixView<T> tensor() { return matrix_view(values.data(), std::size_t(rows), std::size_t(width)); }
  MatrixView<const T> tensor() const {
    return matrix_view(values.data(), std::size_t(rows), std::size_t(width));
  }
};

// One tape's share of the parameter gradients in data-parallel training: a
// dense buffer laid out like the arena, and the sparse gradient of every
// table (indexed by EmbeddingTable::slot). Merged into the parameters by the
// owner after backward.
template <class T>
struct GradientShard {
  std::vector<T> dense;
  std::vector<SparseGrad<T>> tables;
};

// The sparse gradient a lookup of `table` on tape `t` appends to.
template <class T>
SparseGrad<T>& sparse_grad_sink(Tape<T>& t, EmbeddingTable<T>& table) {
  GradientShard<T>* shard = t.gradient_shard();
  if (shard == nullptr) return table.grad;
  if (table.slot < 0 || std::size_t(table.slot) >= shard->tables.size())
    throw std::logic_error("table `" + table.name + "` has no slot in the tape's gradient shard");
  return shard->tables[std::size_t(table.slot)];
}

template <class T>
Var ParamArena<T>::on(Tape<T>& tape, int id) {
  const ParamSlice& s = slices_.at(id);
  T* grads = grads_.data();
  if (GradientShard<T>* shard = tape.gradient_shard()) {
    if (shard->dense.size() != grads_.size())
      throw std::logic_error("gradient shard sized for another parameter arena");
    grads = shard->dense.data();
  }
  return tape.external(s.shape, values_.data() + s.offset, grads + s.offset, s.name.c_str());
}

}  // namespace atrank::autodiff
