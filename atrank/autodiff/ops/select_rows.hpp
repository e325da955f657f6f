// Row selection on the tape: out row m = x row index[m] (or zeros for -1);
// the gather that packs several groups' histories into one sequence.
#pragma once

#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

// x: (..., C) viewed as rows; rows: out_shape.rows() indices into x's rows,
// -1 for an all-zero row. out: out_shape, whose last dimension must be C.
// Backward adds each output row's gradient into its source row.
template <class T>
Var select_rows(Tape<T>& t, Var x, const std::int32_t* rows, const Shape& out_shape);

}  // namespace atrank::autodiff
