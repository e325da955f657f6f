#include "atrank/train/parameter_check.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace atrank::train {

namespace {

// Index of the first bad value of v[0, n), or n. Blocks are scanned branch-free
// (vectorised); only a block holding a bad value is searched.
std::size_t first_bad(const float* v, std::size_t n) {
  constexpr std::size_t kBlock = 4096;
  const float bound = float(kExplodedBound);
  for (std::size_t begin = 0; begin < n; begin += kBlock) {
    const std::size_t end = std::min(n, begin + kBlock);
    bool bad = false;
    for (std::size_t i = begin; i < end; ++i) bad |= !(std::fabs(v[i]) <= bound);  // NaN fails too
    if (!bad) continue;
    for (std::size_t i = begin; i < end; ++i)
      if (!(std::fabs(v[i]) <= bound)) return i;
  }
  return n;
}

}  // namespace

std::optional<BadParameter> find_bad_parameter(model::Model<float>& model) {
  const auto& dense = model.dense().values();
  if (const std::size_t i = first_bad(dense.data(), dense.size()); i < dense.size()) {
    for (const auto& slice : model.dense().slices())
      if (i >= slice.offset && i < slice.offset + std::size_t(slice.numel()))
        return BadParameter{fmt::format("dense parameter `{}` element {}", slice.name, i - slice.offset), dense[i]};
  }
  for (const auto* t : model.tables())
    if (const std::size_t i = first_bad(t->values.data(), t->values.size()); i < t->values.size())
      return BadParameter{fmt::format("table `{}` row {}", t->name, std::int64_t(i) / t->width), t->values[i]};
  return std::nullopt;
}

}  // namespace atrank::train
