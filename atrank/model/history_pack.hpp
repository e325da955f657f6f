// Joins the groups' histories into one sequence for the encoder. The ops mask
// by lengths, so each example's valid positions are packed to the front
// (group after group) and one combined length per example masks the rest; a
// user with no events in a group simply contributes none of its positions.
// Encoders whose work is row-wise except for the attention (ATRank) take the
// packed-rows form instead: no padding at all, each example's positions one
// after another.
#pragma once

#include <cstdint>
#include <vector>

#include "atrank/autodiff/ops/sequences.hpp"
#include "atrank/autodiff/tape.hpp"

namespace atrank::model {

struct PackedHistory {
  autodiff::Var values;                  // padded (B,T,C), or packed rows (N,C) (starts given)
  const std::int32_t* lengths = nullptr; // (B), valid positions per example (tape-owned)
  const std::int32_t* starts = nullptr;  // (B), packed rows: first row of each example (tape-owned)
  std::int64_t max_len = 0;              // T (>= 1): the padding, or the longest example
  std::int64_t batch = 0;                // B

  autodiff::Sequences rows() const { return {batch, max_len, starts, lengths}; }
};

// parts[g]: (B,T_g,C) of group g, or an invalid Var when T_g = 0; lengths[g]: (B).
// One non-empty part is passed through unchanged. Several are packed by one
// row selection (select_rows: copies forward, scatter-add backward). No part at all gives a
// (B,1,C) zero history with lengths 0.
template <class T>
PackedHistory pack_history(autodiff::Tape<T>& t, const std::vector<autodiff::Var>& parts,
                           const std::vector<const std::int32_t*>& lengths, std::int64_t batch,
                           std::int64_t width);

// The packed-rows form: parts[g] is (N_g,C), group g's valid positions example
// after example (GroupEmbedding::history with packed_rows), or an invalid Var
// when N_g = 0; lengths[g]: (B), summing to N_g. Example b's rows are then its
// groups' rows in group order. No position at all gives one zero row, every
// length 0.
template <class T>
PackedHistory pack_history_rows(autodiff::Tape<T>& t, const std::vector<autodiff::Var>& parts,
                                const std::vector<const std::int32_t*>& lengths, std::int64_t batch,
                                std::int64_t width);

}  // namespace atrank::model
