// One ATRank block: multi-head attention followed by the feed-forward. The
// self-attention block attends a history over itself; the vanilla-attention
// block attends from target vectors (one query position per candidate) over
// the encoded history.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "atrank/autodiff/tape.hpp"
#include "atrank/nn/feedforward.hpp"
#include "atrank/nn/multihead_attention.hpp"
#include "atrank/nn/params.hpp"

namespace atrank::nn {

struct AttentionConfig {
  std::int64_t units = 128;   // hidden width (queries, keys and output)
  std::int64_t heads = 8;     // latent semantic spaces
  std::int64_t ffn = 32;      // feed-forward inner width
  double dropout = 0;         // on the attention weights
  Activation qkv_activation = Activation::Relu;
  double eps = 1e-8;          // layer-norm epsilon
};

template <class T>
struct AttentionBlock {
  MultiheadAttention<T> attention;
  FeedForward<T> ffn;

  // Registers <scope>/attention/... and <scope>/feed_forward/...
  static AttentionBlock make(Params<T>& p, const std::string& scope, const AttentionConfig& c);

  std::int64_t param_count() const { return attention.param_count() + ffn.param_count(); }

  // Self-attention: x, rows of width units laid out as `rows` says (padded
  // (B,T,units) or packed) -> the same shape. `weights` (when given) receives
  // the node of the attention weights (B,H,T,T), read with attention_weights.
  autodiff::Var self(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var x,
                     const autodiff::Sequences& rows, bool training, std::mt19937_64& rng,
                     autodiff::Var* weights = nullptr) const;

  // Vanilla attention: queries (B,C,units), every one of the C positions valid
  // (C candidates scored at once, each attending independently), over keys
  // keys laid out as `key_rows` says -> (B,C,units). `weights` as in self:
  // (B,H,C,T).
  autodiff::Var vanilla(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var queries,
                        autodiff::Var keys, const autodiff::Sequences& key_rows, bool training,
                        std::mt19937_64& rng, autodiff::Var* weights = nullptr) const;
  // The same from queries with their Q projection `projected` and keys already
  // projected (MultiheadAttention::attend): how inference scores candidate
  // blocks against a history encoded once.
  autodiff::Var vanilla(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var queries, autodiff::Var projected,
                        const KeyValues& kv, const autodiff::Sequences& key_rows, bool training,
                        std::mt19937_64& rng, autodiff::Var* weights = nullptr) const;
};

}  // namespace atrank::nn
