// Recurrent and convolutional ops for the baselines (Bi-LSTM, CNN+Pooling).
#pragma once

#include <utility>

#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

// TensorFlow LSTMCell (no peepholes): z = [x, h] W + b, (i, j, f, o) = split(z, 4),
// c' = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j), h' = tanh(c') * sigmoid(o).
// x: (B,in), h, c: (B,H), W: (in+H, 4H), b: (4H) or invalid Var. Returns {h', c'}.
// Fused: one node computes both (packed (B,2H)), two slices hand them out.
template <class T>
std::pair<Var, Var> lstm_cell(Tape<T>& t, Var x, Var h, Var c, Var w, Var b, T forget_bias = T(1));

// For sequences of different lengths: rows b with step >= lengths[b] keep
// `prev` (the state is carried through padding, as tf dynamic_rnn does),
// other rows take `next`. x shapes: (B, C).
template <class T>
Var select_by_length(Tape<T>& t, Var next, Var prev, const std::int32_t* lengths, std::int64_t step);

// 1-D convolution over time, 'valid' padding: x (B,T,C), w (K,C,F), b (F) -> (B, T-K+1, F).
// out[b,t] = b + sum_k x[b,t+k] w[k] (cross-correlation, as tf.nn.conv1d). Needs
// K <= T (pad short batches first); b may be an invalid Var (no bias).
template <class T> Var conv1d(Tape<T>& t, Var x, Var w, Var b);

// Max over time of x (B,T,F) using only positions t < lengths[b] (clamped to T);
// a sequence with no valid position gives zeros and no gradient. -> (B,F).
template <class T> Var masked_max_pool(Tape<T>& t, Var x, const std::int32_t* lengths);

}  // namespace atrank::autodiff
