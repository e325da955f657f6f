// Embedding lookups. The table is not on the tape: backward appends one
// gradient row per lookup to table.grad (sparse; never a table-sized buffer).
#pragma once

#include "atrank/autodiff/parameters.hpp"
#include "atrank/autodiff/tape.hpp"

namespace atrank::autodiff {

// ids: `shape` many row indices (checked against table.rows). out: shape + (width).
template <class T>
Var gather(Tape<T>& t, EmbeddingTable<T>& table, const std::int32_t* ids, const Shape& shape);

// Lookup through an index map: row = map[ids[i]] (e.g. item -> category).
// map has map_size entries; ids are checked against map_size.
template <class T>
Var gather_mapped(Tape<T>& t, EmbeddingTable<T>& table, const std::int32_t* map,
                  std::int64_t map_size, const std::int32_t* ids, const Shape& shape);

// Constant one-hot encoding: out shape + (depth); an id outside [0, depth) gives
// an all-zero row (as tf.one_hot does for the overflow time bucket).
template <class T>
Var one_hot(Tape<T>& t, const std::int32_t* ids, const Shape& shape, std::int64_t depth);

}  // namespace atrank::autodiff
