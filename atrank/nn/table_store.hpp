// The model's named embedding tables. Which groups share a table, and that
// they agree on its shape, is decided by the spec's plan; the store creates
// each planned table once and keeps its users for `atrank check`.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "atrank/autodiff/parameters.hpp"
#include "atrank/nn/init.hpp"

namespace atrank::nn {

// What the store knows about a table besides its values: for `atrank check`.
struct TableInfo {
  std::string name;
  std::string vocab;               // id space the rows index ("item", "category", "<group> time buckets")
  Init init;
  std::vector<std::string> users;  // every user, owner first, e.g. "group item feature 1"
};

template <class T>
class TableStore {
 public:
  // Creates table `name` (rows x width); users[0] is its owner. Returns its
  // index (stable; tables never move).
  int add(const std::string& name, const std::string& vocab, std::int64_t rows, std::int64_t width,
          const Init& init, std::vector<std::string> users);

  int find(const std::string& name) const;  // -1 when absent
  int size() const { return static_cast<int>(tables_.size()); }
  autodiff::EmbeddingTable<T>& at(int i) { return *tables_.at(std::size_t(i)); }
  const autodiff::EmbeddingTable<T>& at(int i) const { return *tables_.at(std::size_t(i)); }
  const TableInfo& info(int i) const { return info_.at(std::size_t(i)); }

  // Raw pointers to every table, in creation order (optimizers, checkpoints,
  // gradcheck); kept, not built per call: training asks every step.
  const std::vector<autodiff::EmbeddingTable<T>*>& all() { return pointers_; }
  std::int64_t numel() const;
  void clear_grads();
  void initialize(std::mt19937_64& rng);

 private:
  std::vector<std::unique_ptr<autodiff::EmbeddingTable<T>>> tables_;
  std::vector<autodiff::EmbeddingTable<T>*> pointers_;  // tables_' pointers
  std::vector<TableInfo> info_;
};

}  // namespace atrank::nn
