// Multi-head scaled dot-product attention as one op: per (example, head) a
// fused kernel over short histories instead of thousands of tiny BLAS calls
// and the copies of splitting and merging heads.
#pragma once

#include "atrank/autodiff/ops/sequences.hpp"
#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

// q: rows of width C laid out as `queries` says; k and v: rows of width C laid
// out as `keys` says (padded or packed, see sequences.hpp). C = heads * d;
// head h uses columns [h*d, (h+1)*d). The rows of example b's queries attend
// over its keys: scores q.k / sqrt(d) through a softmax. Rows of padded
// queries beyond an example's length are zero, as are the rows of an example
// with no keys. out: q's shape, heads merged. Equal to split_heads ->
// batched_matmul -> scale -> masked_softmax -> mask_sequence ->
// batched_matmul -> merge_heads on the padded layout, without dropout.
template <class T>
Var fused_attention(Tape<T>& t, Var q, Var k, Var v, std::int64_t heads, const Sequences& queries,
                    const Sequences& keys);

// The padded form: q (B,Tq,C), k and v (B,Tk,C); key_lengths (B) clamped to
// [0, Tk]; query_lengths (B) or null (all Tq rows are queries).
template <class T>
Var fused_attention(Tape<T>& t, Var q, Var k, Var v, std::int64_t heads,
                    const std::int32_t* key_lengths, const std::int32_t* query_lengths);

// The softmax weights (B,heads,Tq,Tk) the forward pass of fused_attention
// node `out` computed and keeps for its backward (no copy; valid until the
// tape is cleared); Tq and Tk are the longest query and key sequences. Rows
// of masked queries and keys j >= key length are 0.
template <class T>
TensorView<const T> fused_attention_weights(const Tape<T>& t, Var out);

}  // namespace atrank::autodiff
