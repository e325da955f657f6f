// Attention block = multi-head attention + feed-forward, in self and vanilla form.
#include "atrank/nn/attention_block.hpp"

namespace atrank::nn {

template <class T>
AttentionBlock<T> AttentionBlock<T>::make(Params<T>& p, const std::string& scope,
                                          const AttentionConfig& c) {
  AttentionBlock b;
  b.attention = MultiheadAttention<T>::make(p, scope + "/attention", c.units, c.units, c.units,
                                            c.heads, c.qkv_activation, c.dropout, c.eps);
  b.ffn = FeedForward<T>::make(p, scope + "/feed_forward", c.units, c.ffn, c.eps);
  return b;
}

template <class T>
autodiff::Var AttentionBlock<T>::self(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var x,
                                      const std::int32_t* lengths, bool training,
                                      std::mt19937_64& rng, autodiff::Var* weights) const {
  return ffn(t, p, attention(t, p, x, lengths, x, lengths, training, rng, weights));
}

template <class T>
autodiff::Var AttentionBlock<T>::vanilla(autodiff::Tape<T>& t, Params<T>& p,
                                         autodiff::Var queries, autodiff::Var keys,
                                         const std::int32_t* key_lengths, bool training,
                                         std::mt19937_64& rng, autodiff::Var* weights) const {
  return ffn(t, p, attention(t, p, queries, nullptr, keys, key_lengths, training, rng, weights));
}

template <class T>
autodiff::Var AttentionBlock<T>::vanilla(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var queries,
                                         autodiff::Var projected, const KeyValues& kv,
                                         const std::int32_t* key_lengths, bool training,
                                         std::mt19937_64& rng, autodiff::Var* weights) const {
  return ffn(t, p, attention.attend(t, p, queries, projected, nullptr, kv, key_lengths, training, rng, weights));
}

template struct AttentionBlock<float>;
template struct AttentionBlock<double>;

}  // namespace atrank::nn
