// Reductions and losses.
#pragma once

#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

template <class T> Var sum(Tape<T>& t, Var x);       // -> scalar (shape {1})
template <class T> Var mean(Tape<T>& t, Var x);      // -> scalar (0 for an empty x)
template <class T> Var sum_last(Tape<T>& t, Var x);  // (..., C) -> (...); (C) -> (1)
// Per-element sigmoid cross-entropy with logits, numerically stable:
// max(x,0) - x*z + log(1 + exp(-|x|)). labels: numel(x) values in [0,1]
// (copied into the node). out: logits' shape.
template <class T> Var sigmoid_cross_entropy(Tape<T>& t, Var logits, const T* labels);
// log(sigmoid(x)), stable for large |x| (BPR loss).
template <class T> Var log_sigmoid(Tape<T>& t, Var x);
// sum(x^2) / 2 -> scalar (tf.nn.l2_loss).
template <class T> Var l2(Tape<T>& t, Var x);

}  // namespace atrank::autodiff
