// Convolution and pooling over time for the CNN+Pooling baseline.
#pragma once

#include <cstdint>

#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

// 1-D convolution over time, 'valid' padding: x (B,T,C), w (K,C,F), b (F) -> (B, T-K+1, F).
// out[b,t] = b + sum_k x[b,t+k] w[k] (cross-correlation, as tf.nn.conv1d). Needs
// K <= T (pad short batches first); b may be an invalid Var (no bias).
template <class T> Var conv1d(Tape<T>& t, Var x, Var w, Var b);

// Max over time of x (B,T,F) using only positions t < lengths[b] (clamped to T);
// a sequence with no valid position gives zeros and no gradient. -> (B,F).
template <class T> Var masked_max_pool(Tape<T>& t, Var x, const std::int32_t* lengths);

}  // namespace atrank::autodiff
