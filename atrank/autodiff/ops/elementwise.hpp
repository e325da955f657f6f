// Elementwise ops on the tape: add/sub/mul with trailing-axis broadcasting,
// scale, and the pointwise nonlinearities.
#pragma once

#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

// b has a's shape, or a's trailing dimensions (b: (C) broadcast over a: (B,T,C)),
// or a single element (a scalar). out: a's shape.
template <class T> Var add(Tape<T>& t, Var a, Var b);
template <class T> Var sub(Tape<T>& t, Var a, Var b);
template <class T> Var mul(Tape<T>& t, Var a, Var b);
template <class T> Var scale(Tape<T>& t, Var a, T s);
template <class T> Var relu(Tape<T>& t, Var a);
template <class T> Var tanh(Tape<T>& t, Var a);
template <class T> Var sigmoid(Tape<T>& t, Var a);
template <class T> Var exp(Tape<T>& t, Var a);
template <class T> Var log(Tape<T>& t, Var a);

}  // namespace atrank::autodiff
