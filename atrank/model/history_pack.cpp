// Packing several groups' padded histories into one masked sequence.
#include "atrank/model/history_pack.hpp"

#include <algorithm>
#include <stdexcept>

#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/ops/select_rows.hpp"
#include "atrank/nn/reused_list.hpp"
#include "atrank/nn/tape_ints.hpp"

namespace atrank::model {

using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;

template <class T>
PackedHistory pack_history(Tape<T>& t, const std::vector<Var>& parts,
                           const std::vector<const std::int32_t*>& lengths, std::int64_t batch,
                           std::int64_t width) {
  std::vector<Var> present;
  std::vector<std::int64_t> lens_of;  // index into parts
  for (std::size_t g = 0; g < parts.size(); ++g)
    if (parts[g].valid()) {
      const Shape s = t.shape(parts[g]);
      if (s.rank != 3 || s[0] != batch || s[2] != width)
        throw std::invalid_argument("pack_history: group part must be (" + std::to_string(batch) +
                                    ",T," + std::to_string(width) + "), got " + s.str());
      present.push_back(parts[g]);
      lens_of.push_back(std::int64_t(g));
    }

  PackedHistory h;
  h.batch = batch;
  if (present.empty()) {
    std::vector<T> zeros(std::size_t(batch * width), T(0));
    h.values = t.constant(Shape{batch, 1, width}, zeros.data());
    h.lengths = nn::keep_ints(t, std::vector<std::int32_t>(std::size_t(batch), 0));
    h.max_len = 1;
    return h;
  }

  // Lengths clamped to each part's T (the ops reject longer ones anyway).
  std::vector<std::int32_t> total(std::size_t(batch), 0);
  for (std::size_t k = 0; k < present.size(); ++k) {
    const std::int64_t tg = t.shape(present[k])[1];
    const std::int32_t* l = lengths[std::size_t(lens_of[k])];
    for (std::int64_t b = 0; b < batch; ++b) {
      if (l[b] < 0 || l[b] > tg)
        throw std::invalid_argument("pack_history: length " + std::to_string(l[b]) +
                                    " of example " + std::to_string(b) + " outside [0, " +
                                    std::to_string(tg) + "]");
      total[std::size_t(b)] += l[b];
    }
  }

  if (present.size() == 1) {
    h.values = present[0];
    h.max_len = t.shape(present[0])[1];
    h.lengths = nn::keep_ints(t, std::move(total));
    return h;
  }

  std::int64_t packed = 1, sum_t = 0;
  for (auto v : total) packed = std::max<std::int64_t>(packed, v);
  for (auto v : present) sum_t += t.shape(v)[1];
  // rows[b, i] = row of the concatenation (B*sum T_g rows) that packed
  // position i of example b takes, -1 for padding.
  std::vector<std::int32_t> rows(std::size_t(batch * packed), -1);
  for (std::int64_t b = 0; b < batch; ++b) {
    std::int64_t i = 0, offset = 0;
    for (std::size_t k = 0; k < present.size(); ++k) {
      const std::int32_t l = lengths[std::size_t(lens_of[k])][b];
      for (std::int32_t j = 0; j < l; ++j, ++i)
        rows[std::size_t(b * packed + i)] = std::int32_t(b * sum_t + offset + j);
      offset += t.shape(present[k])[1];
    }
  }
  const Var joined = autodiff::concat(t, present, 1);  // (B,sum T_g,C)
  h.values = autodiff::select_rows(t, joined, rows.data(), Shape{batch, packed, width});  // (B,T,C)
  h.max_len = packed;
  h.lengths = nn::keep_ints(t, std::move(total));
  return h;
}

template <class T>
PackedHistory pack_history_rows(Tape<T>& t, const std::vector<Var>& parts,
                                const std::vector<const std::int32_t*>& lengths, std::int64_t batch,
                                std::int64_t width) {
  PackedHistory h;
  h.batch = batch;
  // Written straight onto the tape and into lists kept across steps: a
  // training step allocates nothing here.
  std::int32_t* total = nn::tape_ints(t, std::size_t(batch));
  std::int32_t* starts = nn::tape_ints(t, std::size_t(batch));
  std::fill(total, total + batch, 0);
  struct Present {};
  struct Offsets {};
  auto& present = nn::reused_list<Present, std::vector<Var>>();
  auto& offset = nn::reused_list<Offsets, std::vector<std::int64_t>>();  // each present part's first row in their concatenation
  std::int64_t rows = 0;
  for (std::size_t g = 0; g < parts.size(); ++g) {
    std::int64_t n = 0;
    for (std::int64_t b = 0; b < batch; ++b) {
      if (lengths[g][b] < 0) throw std::invalid_argument("pack_history_rows: negative length of example " + std::to_string(b));
      total[b] += lengths[g][b];
      n += lengths[g][b];
    }
    const Shape s = parts[g].valid() ? t.shape(parts[g]) : Shape{0, width};
    if (s.rank != 2 || s[0] != n || s[1] != width)
      throw std::invalid_argument("pack_history_rows: group part must be (" + std::to_string(n) + "," +
                                  std::to_string(width) + "), got " + s.str());
    if (n == 0) continue;
    present.push_back(parts[g]);
    offset.push_back(rows);
    rows += n;
  }
  h.max_len = 1;
  for (std::int64_t b = 0; b < batch; ++b) {
    starts[b] = b == 0 ? 0 : starts[b - 1] + total[b - 1];
    h.max_len = std::max<std::int64_t>(h.max_len, total[b]);
  }
  if (present.empty()) {
    std::vector<T> zeros(std::size_t(width), T(0));
    h.values = t.constant(Shape{1, width}, zeros.data());
  } else if (present.size() == 1) {
    h.values = present[0];
  } else {
    // Group g's rows of example b start at offset[g] + (its lengths before b).
    struct Order {};
    auto& order = nn::reused_list<Order, std::vector<std::int32_t>>();
    order.resize(std::size_t(rows));
    std::vector<std::int64_t>& next = offset;  // advances through each part's rows
    std::int64_t i = 0;
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::size_t k = 0, g = 0; g < parts.size(); ++g) {
        if (!parts[g].valid()) continue;
        for (std::int32_t j = 0; j < lengths[g][b]; ++j) order[std::size_t(i++)] = std::int32_t(next[k]++);
        ++k;
      }
    const Var joined = autodiff::concat(t, present, 0);  // (N,C), group after group
    h.values = autodiff::select_rows(t, joined, order.data(), Shape{rows, width});
  }
  h.lengths = total;
  h.starts = starts;
  return h;
}

template PackedHistory pack_history<float>(Tape<float>&, const std::vector<Var>&,
                                           const std::vector<const std::int32_t*>&, std::int64_t,
                                           std::int64_t);
template PackedHistory pack_history<double>(Tape<double>&, const std::vector<Var>&,
                                            const std::vector<const std::int32_t*>&, std::int64_t,
                                            std::int64_t);

template PackedHistory pack_history_rows<float>(Tape<float>&, const std::vector<Var>&,
                                                const std::vector<const std::int32_t*>&, std::int64_t, std::int64_t);
template PackedHistory pack_history_rows<double>(Tape<double>&, const std::vector<Var>&,
                                                 const std::vector<const std::int32_t*>&, std::int64_t, std::int64_t);

}  // namespace atrank::model

