// Attention block = multi-head attention + feed-forward, in self and vanilla form.
#include "atrank/nn/attention_block.hpp"

#include <stdexcept>

namespace atrank::nn {

namespace {
// The vanilla block's queries (B,C,units): every one of the C positions is a query.
template <class T>
autodiff::Sequences candidates(const autodiff::Tape<T>& t, autodiff::Var queries) {
  const autodiff::Shape s = t.shape(queries);
  if (s.rank != 3) throw std::invalid_argument("vanilla attention: queries (B,C,units) expected, got " + s.str());
  return autodiff::Sequences::padded(s[0], s[1]);
}
}  // namespace

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
                                      const autodiff::Sequences& rows, bool training,
                                      std::mt19937_64& rng, autodiff::Var* weights) const {
  return ffn(t, p, attention(t, p, x, rows, x, rows, training, rng, weights));
}

template <class T>
autodiff::Var AttentionBlock<T>::vanilla(autodiff::Tape<T>& t, Params<T>& p,
                                         autodiff::Var queries, autodiff::Var keys,
                                         const autodiff::Sequences& key_rows, bool training,
                                         std::mt19937_64& rng, autodiff::Var* weights) const {
  return ffn(t, p, attention(t, p, queries, candidates(t, queries), keys, key_rows, training, rng, weights));
}

template <class T>
autodiff::Var AttentionBlock<T>::vanilla(autodiff::Tape<T>& t, Params<T>& p, autodiff::Var queries,
                                         autodiff::Var projected, const KeyValues& kv,
                                         const autodiff::Sequences& key_rows, bool training,
                                         std::mt19937_64& rng, autodiff::Var* weights) const {
  return ffn(t, p, attention.attend(t, p, queries, projected, candidates(t, queries), kv, key_rows, training, rng,
                                    weights));
}

template struct AttentionBlock<float>;
template struct AttentionBlock<double>;

}  // namespace atrank::nn
