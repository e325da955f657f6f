// Named embedding tables shared by name, as Caffe shares named params: the
// first user creates and owns a table, later users share it and must agree on
// its shape; a mismatch is an error naming both users.
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
  std::string owner;               // first user, e.g. "group item feature 1"
  std::vector<std::string> users;  // every user, owner first
};

template <class T>
class TableStore {
 public:
  // The table `name`, created (rows x width, owned by `user`) on first use.
  // Later users share it: their vocab, rows and width must match the owner's.
  // Returns the table's index (stable; tables never move).
  int use(const std::string& name, const std::string& vocab, std::int64_t rows,
          std::int64_t width, const Init& init, const std::string& user);

  // Records another user of table i that reads it through someone else's
  // lookup (a task scoring its target group's features); shown by `atrank check`.
  void add_user(int i, const std::string& user) { info_.at(std::size_t(i)).users.push_back(user); }

  int find(const std::string& name) const;  // -1 when absent
  int size() const { return static_cast<int>(tables_.size()); }
  autodiff::EmbeddingTable<T>& at(int i) { return *tables_.at(std::size_t(i)); }
  const autodiff::EmbeddingTable<T>& at(int i) const { return *tables_.at(std::size_t(i)); }
  const TableInfo& info(int i) const { return info_.at(std::size_t(i)); }

  // Raw pointers to every table, in creation order (optimizers, checkpoints, gradcheck).
  std::vector<autodiff::EmbeddingTable<T>*> all();
  std::int64_t numel() const;
  void clear_grads();
  void initialize(std::mt19937_64& rng);

 private:
  std::vector<std::unique_ptr<autodiff::EmbeddingTable<T>>> tables_;
  std::vector<TableInfo> info_;
};

}  // namespace atrank::nn
