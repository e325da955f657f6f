// Top-K by a bounded heap whose root is the worst entry kept.
#include "atrank/infer/top_k.hpp"

#include <algorithm>
#include <cmath>

namespace atrank::infer {

namespace {

// a ranks before b: higher score, then lower row; NaN after every number.
template <class T>
bool before(const Ranked<T>& a, const Ranked<T>& b) {
  const bool an = std::isnan(a.score), bn = std::isnan(b.score);
  if (an != bn) return bn;
  if (!an && a.score != b.score) return a.score > b.score;
  return a.row < b.row;
}

}  // namespace

template <class T>
std::vector<Ranked<T>> top_k(const T* scores, std::int64_t n, std::int64_t k, const std::vector<char>& excluded) {
  std::vector<Ranked<T>> heap;  // a max-heap under `before`: the root is the worst kept
  if (k <= 0) return heap;
  heap.reserve(std::size_t(std::min(k, n)));
  const auto cmp = [](const Ranked<T>& a, const Ranked<T>& b) { return before(a, b); };
  for (std::int64_t i = 0; i < n; ++i) {
    if (!excluded.empty() && excluded[std::size_t(i)]) continue;
    const Ranked<T> r{std::int32_t(i), scores[i]};
    if (std::int64_t(heap.size()) < k) {
      heap.push_back(r);
      std::push_heap(heap.begin(), heap.end(), cmp);
    } else if (before(r, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), cmp);
      heap.back() = r;
      std::push_heap(heap.begin(), heap.end(), cmp);
    }
  }
  std::sort_heap(heap.begin(), heap.end(), cmp);
  return heap;
}

template std::vector<Ranked<float>> top_k<float>(const float*, std::int64_t, std::int64_t, const std::vector<char>&);
template std::vector<Ranked<double>> top_k<double>(const double*, std::int64_t, std::int64_t,
                                                   const std::vector<char>&);

}  // namespace atrank::infer
