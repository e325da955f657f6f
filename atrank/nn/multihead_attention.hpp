// The authors' `multihead_attention`: Q, K, V = dense(units, ReLU or none) of
// queries / keys; heads; scores Q K^T / sqrt(d_head) with a key mask from the
// lengths; softmax; query mask; dropout; weighted sum of V; heads merged;
// residual `+ queries`; layer norm.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "atrank/autodiff/tape.hpp"
#include "atrank/nn/dense.hpp"
#include "atrank/nn/layer_norm.hpp"
#include "atrank/nn/params.hpp"

namespace atrank::nn {

// The attention core, apart from the projections so that a fused
// per-(example, head) kernel can replace it without touching the blocks.
// q: (B,Tq,C), k, v: (B,Tk,C), C = heads * d. key_lengths: (B) valid keys.
// query_lengths: (B) valid query rows (the rest get zero weights), or null
// when all Tq rows are valid. A fully masked example (key length 0) gets zero
// weights, not NaN. Returns (B,Tq,C) before the residual. When `weights` is
// given it receives the node that holds the attention weights (read them
// with attention_weights).
template <class T>
autodiff::Var scaled_dot_attention(autodiff::Tape<T>& t, autodiff::Var q, autodiff::Var k,
                                   autodiff::Var v, std::int64_t heads,
                                   const std::int32_t* query_lengths,
                                   const std::int32_t* key_lengths, T dropout,
                                   std::mt19937_64& rng, bool training,
                                   autodiff::Var* weights = nullptr);

// The softmax weights (B,heads,Tq,Tk) of the attention whose node
// scaled_dot_attention reported: the very numbers its forward pass used
// (before dropout), no copy, valid until the tape is cleared.
template <class T>
TensorView<const T> attention_weights(const autodiff::Tape<T>& t, autodiff::Var weights, std::int64_t heads);

// The keys' projections of an attention: K and V, (B,Tk,units) each. They do
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

  // queries: (B,Tq,Cq), keys: (B,Tk,Ck) -> (B,Tq,units). Lengths and
  // `weights` as in scaled_dot_attention; the pointers must stay valid until
  // backward is done.
  autodiff::Var operator()(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var queries,
                           const std::int32_t* query_lengths, autodiff::Var keys,
                           const std::int32_t* key_lengths, bool training,
                           std::mt19937_64& rng, autodiff::Var* weights = nullptr) const;

  // operator() in its parts, for inference: the keys' K and V (once per
  // history), and the attention from queries whose Q projection `projected`
  // (= q(queries), (B,Tq,units)) the caller made, e.g. once per catalogue of
  // targets. operator() is exactly attend(queries, q(queries), ..., project_keys(keys)).
  KeyValues project_keys(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var keys) const;
  autodiff::Var attend(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var queries, autodiff::Var projected,
                       const std::int32_t* query_lengths, const KeyValues& kv,
                       const std::int32_t* key_lengths, bool training, std::mt19937_64& rng,
                       autodiff::Var* weights = nullptr) const;

  std::int64_t param_count() const {
    return q.param_count() + k.param_count() + v.param_count() + norm.param_count();
  }
};

}  // namespace atrank::nn
