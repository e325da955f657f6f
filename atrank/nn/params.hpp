// All trainable state of a model: the dense parameter arena (with each slice's
// initializer) and the embedding table store. Blocks register into it.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "atrank/autodiff/parameters.hpp"
#include "atrank/autodiff/tape.hpp"
#include "atrank/nn/init.hpp"
#include "atrank/nn/table_store.hpp"

namespace atrank::nn {

template <class T>
class Params {
 public:
  // Registers a dense parameter `name` (TF-style scope path, e.g.
  // "encoder/self_attention_0/q/kernel") and how to initialize it.
  int add(const std::string& name, const autodiff::Shape& shape, const Init& init) {
    const int id = dense.add(name, shape);
    inits_.push_back(init);
    return id;
  }
  // Puts dense parameter `id` on the tape (gradients accumulate in the arena).
  autodiff::Var on(autodiff::Tape<T>& t, int id) { return dense.on(t, id); }

  // Dense parameters in registration order, then tables in creation order,
  // all from one generator seeded with `seed`.
  void initialize(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    for (std::size_t i = 0; i < dense.slices().size(); ++i)
      nn::initialize(dense.tensor(int(i)), inits_[i], rng);
    tables.initialize(rng);
  }
  void zero_grad() {
    dense.zero_grad();
    tables.clear_grads();
  }
  const Init& init_of(int id) const { return inits_.at(std::size_t(id)); }
  std::int64_t dense_count() const { return std::int64_t(dense.size()); }
  std::int64_t total_count() const { return dense_count() + tables.numel(); }

  autodiff::ParamArena<T> dense;
  TableStore<T> tables;

 private:
  std::vector<Init> inits_;
};

}  // namespace atrank::nn
