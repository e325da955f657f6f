// Multi-head scaled dot-product attention as one op: per (example, head) a
// fused kernel over short histories instead of thousands of tiny BLAS calls
// and the copies of splitting and merging heads.
#pragma once

#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

// q: (B,Tq,C), k and v: (B,Tk,C), C = heads * d. Head h uses columns
// [h*d, (h+1)*d). Scores q.k / sqrt(d) over keys j < key_lengths[b] go
// through a softmax; rows of queries i >= query_lengths[b] (when given) are
// zero, as are rows of examples with no keys. out: (B,Tq,C), heads merged.
// Equal to split_heads -> batched_matmul -> scale -> masked_softmax ->
// mask_sequence -> batched_matmul -> merge_heads, without dropout.
template <class T>
Var fused_attention(Tape<T>& t, Var q, Var k, Var v, std::int64_t heads,
                    const std::int32_t* key_lengths, const std::int32_t* query_lengths);

// The softmax weights (B,heads,Tq,Tk) the forward pass of fused_attention
// node `out` computed and keeps for its backward (no copy; valid until the
// tape is cleared). Rows of masked queries and keys j >= key length are 0.
template <class T>
TensorView<const T> fused_attention_weights(const Tape<T>& t, Var out);

}  // namespace atrank::autodiff
