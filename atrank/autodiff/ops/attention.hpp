// Masked softmax and sequence masks for attention over padded histories.
#pragma once

#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

// Softmax along the last axis (length L) of x viewed as rows. Row r may use
// only its first lengths[r / rows_per_length] entries; the rest get 0. A row
// with length 0 is all zeros (never NaN) and passes no gradient.
// For scores (B*H, Tq, Tk) masked by key lengths (B): rows_per_length = H*Tq.
// Lengths outside [0, L] throw std::invalid_argument.
template <class T>
Var masked_softmax(Tape<T>& t, Var x, const std::int32_t* lengths, std::int64_t rows_per_length);

// x: (B, T, ...) with groups of `rows_per_length` consecutive leading rows per
// length; zeroes positions t >= lengths[b] (the authors' query mask).
// For x (B*H, T, C) with lengths (B): rows_per_length = H.
// Lengths outside [0, T] throw std::invalid_argument.
template <class T>
Var mask_sequence(Tape<T>& t, Var x, const std::int32_t* lengths, std::int64_t rows_per_length = 1);

}  // namespace atrank::autodiff
