// Layer normalisation and dropout.
#pragma once

#include <random>

#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

// Normalise over the last axis: gamma * (x - mean) / sqrt(var + eps) + beta.
// gamma, beta: (C). The authors use eps = 1e-8 (inside the sqrt).
template <class T> Var layer_norm(Tape<T>& t, Var x, Var gamma, Var beta, T eps);

// Inverted dropout with keep probability 1 - rate, drawn from rng (one draw
// per element); kept values are scaled by 1 / (1 - rate). When !training or
// rate == 0 it is the identity: returns x itself and draws nothing.
// rate outside [0, 1) throws std::invalid_argument.
template <class T>
Var dropout(Tape<T>& t, Var x, T rate, std::mt19937_64& rng, bool training);

}  // namespace atrank::autodiff
