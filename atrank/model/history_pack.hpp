// Joins the groups' histories into one sequence for the encoder. The ops mask
// by lengths, so each example's valid positions are packed to the front
// (group after group) and one combined length per example masks the rest; a
// user with no events in a group simply contributes none of its positions.
#pragma once

#include <cstdint>
#include <vector>

#include "atrank/autodiff/tape.hpp"

namespace atrank::model {

struct PackedHistory {
  autodiff::Var values;                  // (B,T,C)
  const std::int32_t* lengths = nullptr; // (B), valid positions per example (tape-owned)
  std::int64_t max_len = 0;              // T (>= 1)
};

// parts[g]: (B,T_g,C) of group g, or an invalid Var when T_g = 0; lengths[g]: (B).
// One non-empty part is passed through unchanged. Several are packed by one
// row selection (select_rows: copies forward, scatter-add backward). No part at all gives a
// (B,1,C) zero history with lengths 0.
template <class T>
PackedHistory pack_history(autodiff::Tape<T>& t, const std::vector<autodiff::Var>& parts,
                           const std::vector<const std::int32_t*>& lengths, std::int64_t batch,
                           std::int64_t width);

}  // namespace atrank::model
