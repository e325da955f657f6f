#include "atrank/data/batch_slice.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace atrank::data {
namespace {

// Copies rows [begin, end) of a (B, per) buffer; empty stays empty.
template <class V>
void copy_rows(const V& in, std::int64_t per, std::int64_t begin, std::int64_t end, V& out) {
  if (in.empty()) {
    out.clear();
    return;
  }
  out.assign(in.begin() + begin * per, in.begin() + end * per);
}

// Rows [begin, end) of a (B, T) history buffer, cut to width t <= T.
void copy_history(const std::vector<std::int32_t>& in, std::int64_t T, std::int64_t t,
                  std::int64_t begin, std::int64_t end, std::vector<std::int32_t>& out) {
  out.resize(std::size_t((end - begin) * t));
  for (std::int64_t b = begin; b < end; ++b)
    std::copy_n(in.begin() + b * T, t, out.begin() + (b - begin) * t);
}

}  // namespace

void slice_batch(const Batch& in, std::int64_t begin, std::int64_t end, Batch& out) {
  if (begin < 0 || end > in.size || begin >= end)
    throw std::invalid_argument("slice_batch: [" + std::to_string(begin) + ", " +
                                std::to_string(end) + ") is not a slice of a batch of " +
                                std::to_string(in.size));
  out.size = end - begin;
  out.groups.resize(in.groups.size());
  for (std::size_t g = 0; g < in.groups.size(); ++g) {
    const GroupBatch& src = in.groups[g];
    GroupBatch& dst = out.groups[g];
    copy_rows(src.lengths, 1, begin, end, dst.lengths);
    const std::int64_t T = src.max_len;
    const std::int64_t t = dst.lengths.empty() ? 0 : *std::max_element(dst.lengths.begin(), dst.lengths.end());
    dst.max_len = t;
    copy_history(src.objects, T, t, begin, end, dst.objects);
    copy_history(src.behaviors, T, t, begin, end, dst.behaviors);
    copy_history(src.buckets, T, t, begin, end, dst.buckets);
  }
  copy_rows(in.users, 1, begin, end, out.users);
  copy_rows(in.task, 1, begin, end, out.task);
  copy_rows(in.targets, 1, begin, end, out.targets);
  copy_rows(in.labels, 1, begin, end, out.labels);
  out.candidates_per_example = in.candidates_per_example;
  copy_rows(in.candidates, in.candidates_per_example, begin, end, out.candidates);
  copy_rows(in.cases, 1, begin, end, out.cases);
}

std::int64_t pass_end(const Batch& in, std::int64_t begin, std::int64_t end, std::int64_t max_positions) {
  if (max_positions <= 0 || begin >= end) return end;
  std::int64_t positions = 0;
  for (std::int64_t b = begin; b < end; ++b) {
    std::int64_t here = 0;
    for (const GroupBatch& g : in.groups)
      if (!g.lengths.empty()) here += g.lengths[std::size_t(b)];
    if (b > begin && positions + here > max_positions) return b;
    positions += here;
  }
  return end;
}

}  // namespace atrank::data
