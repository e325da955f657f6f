// Ops that move values without arithmetic: reshape, concat, slice/split along
// the feature or sequence axis, splitting/merging attention heads.
#pragma once

#include <vector>

#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

// Same values, new shape (numel must match).
template <class T> Var reshape(Tape<T>& t, Var a, const Shape& s);
// Concatenate along `axis` (negative counts from the end). Any number of inputs.
template <class T> Var concat(Tape<T>& t, const std::vector<Var>& parts, int axis);
// Elements [start, start+len) along `axis`.
template <class T> Var slice(Tape<T>& t, Var a, int axis, std::int64_t start, std::int64_t len);
// Pieces of the given sizes along `axis` (sizes sum to the axis length).
template <class T>
std::vector<Var> split(Tape<T>& t, Var a, const std::vector<std::int64_t>& sizes, int axis);
// (B,T,H*d) -> (B*H,T,d): head h of example b is row b*H+h.
template <class T> Var split_heads(Tape<T>& t, Var a, std::int64_t heads);
// (B*H,T,d) -> (B,T,H*d), the inverse of split_heads.
template <class T> Var merge_heads(Tape<T>& t, Var a, std::int64_t heads);
// (B,C) -> (B,T,C): each row repeated T times along a new sequence axis.
template <class T> Var repeat_seq(Tape<T>& t, Var a, std::int64_t times);

}  // namespace atrank::autodiff
