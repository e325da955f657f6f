// Examples [begin, end) of a batch as a batch of their own: how a batch is
// split over threads. Group histories are re-padded to the slice's longest.
#pragma once

#include <cstdint>

#include "atrank/data/batch.hpp"

namespace atrank::data {

// Fills `out` (reusing its buffers) with examples [begin, end) of `in`.
void slice_batch(const Batch& in, std::int64_t begin, std::int64_t end, Batch& out);

// The end of the longest run of examples from `begin` (before `end`) whose
// histories hold at most `max_positions` positions over all groups; at least
// one example. max_positions <= 0: no limit (returns `end`).
std::int64_t pass_end(const Batch& in, std::int64_t begin, std::int64_t end, std::int64_t max_positions);

}  // namespace atrank::data
