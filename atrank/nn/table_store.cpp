// The model's embedding tables, created once each from the plan.
#include "atrank/nn/table_store.hpp"

#include <stdexcept>

namespace atrank::nn {

template <class T>
int TableStore<T>::add(const std::string& name, const std::string& vocab, std::int64_t rows,
                       std::int64_t width, const Init& init, std::vector<std::string> users) {
  if (find(name) >= 0) throw std::logic_error("table `" + name + "` created twice");
  if (rows <= 0 || width <= 0)
    throw std::invalid_argument("table `" + name + "` (used by " + users.front() + "): rows " +
                                std::to_string(rows) + " and width " + std::to_string(width) +
                                " must be positive");
  tables_.push_back(std::make_unique<autodiff::EmbeddingTable<T>>(name, rows, width));
  tables_.back()->slot = size() - 1;
  pointers_.push_back(tables_.back().get());
  info_.push_back({name, vocab, init, std::move(users)});
  return size() - 1;
}

template <class T>
int TableStore<T>::find(const std::string& name) const {
  for (std::size_t i = 0; i < info_.size(); ++i)
    if (info_[i].name == name) return int(i);
  return -1;
}

template <class T>
std::int64_t TableStore<T>::numel() const {
  std::int64_t n = 0;
  for (const auto& t : tables_) n += t->numel();
  return n;
}

template <class T>
void TableStore<T>::clear_grads() {
  for (auto& t : tables_) t->grad.clear();
}

template <class T>
void TableStore<T>::initialize(std::mt19937_64& rng) {
  for (std::size_t i = 0; i < tables_.size(); ++i) {
    auto& t = *tables_[i];
    nn::initialize(tensor_view(t.values.data(), {std::size_t(t.rows), std::size_t(t.width)}), info_[i].init, rng);
  }
}

template class TableStore<float>;
template class TableStore<double>;

}  // namespace atrank::nn
