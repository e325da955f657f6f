// The authors' `multihead_attention`: Q, K, V = dense(units, ReLU or none) of
// queries / keys; heads; scores Q K^T / sqrt(d_head) with a key mask from the
// lengths; softmax; query mask; dropout; weighted sum of V; heads merged;
// residual `+ queries`; layer norm.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "atrank/autodiff/ops/sequences.hpp"
#include "atrank/autodiff/tape.hpp"
#include "atrank/nn/dense.hpp"
#include "atrank/nn/layer_norm.hpp"
#include "atrank/nn/params.hpp"

namespace atrank::nn {

// The attention core, apart from the projections so that a fused
// per-(example, head) kernel can replace it without touching the blocks.
// q: rows of width C = heads * d laid out as `queries` says, k, v: rows laid
// out as `keys` says (padded (B,T,C) or packed rows, autodiff/ops/sequences.hpp).
// Padded query rows beyond an example's length get zero weights. A fully
// masked example (no keys) gets zero weights, not NaN. Returns q's shape,
// before the residual. When `weights` is
// given it receives the node that holds the attention weights (read them
// with attention_weights).
template <class T>
autodiff::Var scaled_dot_attention(autodiff::Tape<T>& t, autodiff::Var q, autodiff::Var k,
                                   autodiff::Var v, std::int64_t heads,
                                   const autodiff::Sequences& queries,
                                   const autodiff::Sequences& keys, T dropout,
                                   std::mt19937_64& rng, bool training,
                                   autodiff::Var* weights = nullptr);

// The softmax weights (B,heads,Tq,Tk) of the attention whose node
// scaled_dot_attention reported: the very numbers its forward pass used
// (before dropout), no copy, valid until the tape is cleared.
template <class T>
TensorView<const T> attention_weights(const autodiff::Tape<T>& t, autodiff::Var weights, std::int64_t heads);

// The keys' projections of an attention: K and V, rows of width units laid
// out as the keys are. They do
// not depend on the queries, so inference computes them once per history.
struct KeyValues {
  autodiff::Var k, v;
};

template <class T>
struct MultiheadAttention {
  Dense<T> q, k, v;   // (Cq,units), (Ck,units), (Ck,units)
  LayerNorm<T> norm;  // (units)
  std::int64_t heads = 1;
  std::int64_t units = 0;
  double dropout = 0;

  // Registers <scope>/{q,k,v}/{kernel,bias} and <scope>/ln/{beta,gamma}.
  // The residual needs query_width == units.
  static MultiheadAttention make(Params<T>& p, const std::string& scope, std::int64_t query_width,
                                 std::int64_t key_width, std::int64_t units, std::int64_t heads,
                                 Activation qkv_activation, double dropout, double eps);

  // queries: rows of width Cq, keys: rows of width Ck -> queries' rows of
  // width units. Layouts and `weights` as in scaled_dot_attention; the
  // layouts' pointers must stay valid until backward is done.
  autodiff::Var operator()(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var queries,
                           const autodiff::Sequences& query_rows, autodiff::Var keys,
                           const autodiff::Sequences& key_rows, bool training,
                           std::mt19937_64& rng, autodiff::Var* weights = nullptr) const;

  // operator() in its parts, for inference: the keys' K and V (once per
  // history), and the attention from queries whose Q projection `projected`
  // (= q(queries), (B,Tq,units)) the caller made, e.g. once per catalogue of
  // targets. operator() is exactly attend(queries, q(queries), ..., project_keys(keys)).
  KeyValues project_keys(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var keys) const;
  autodiff::Var attend(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var queries, autodiff::Var projected,
                       const autodiff::Sequences& query_rows, const KeyValues& kv,
                       const autodiff::Sequences& key_rows, bool training, std::mt19937_64& rng,
                       autodiff::Var* weights = nullptr) const;

  std::int64_t param_count() const {
    return q.param_count() + k.param_count() + v.param_count() + norm.param_count();
  }
};

}  // namespace atrank::nn
