// A whole LSTM direction over padded sequences as one tape node (TF LSTMCell
// semantics, as tf.nn.dynamic_rnn / bidirectional_dynamic_rnn with
// sequence_length), and the pick of each sequence's last valid step.
#pragma once

#include <cstdint>

#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

// The recurrence of a TF LSTMCell over every row's valid prefix.
// xw: (B,T,4H) input pre-activations x W_x + b of every position, computed
//     outside in one GEMM over (B*T, in) (gate order i, j, f, o as TF).
// wh: (H,4H) recurrent kernel (the last H rows of TF's (in+H, 4H) kernel).
// lengths: (B) valid positions per row (clamped to [0, T]).
// reverse = false: row b runs over positions 0..len-1.
// reverse = true: row b runs over len-1..0 (tf.reverse_sequence of the valid
//     prefix, as the backward direction of bidirectional_dynamic_rnn), and the
//     output of that run is put back at the position it read.
// Returns (B,T,H): out[b,p] = h after reading position p; 0 for p >= len.
// Initial states are zero; forget_bias is added to f (TF default 1).
template <class T>
Var lstm_sequence(Tape<T>& t, Var xw, Var wh, const std::int32_t* lengths, bool reverse,
                  T forget_bias = T(1));

// x: (B,T,C) -> (B,C) with row b = x[b, lengths[b]-1] (zeros when lengths[b] = 0,
// as the final output of a forward dynamic_rnn). Lengths are clamped to T.
template <class T>
Var last_valid(Tape<T>& t, Var x, const std::int32_t* lengths);

}  // namespace atrank::autodiff
