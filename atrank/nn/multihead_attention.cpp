// Multi-head attention composed of tape ops; see the header for the semantics.
#include "atrank/nn/multihead_attention.hpp"

#include <cmath>
#include <stdexcept>
#include <string_view>

#include "atrank/autodiff/ops/attention.hpp"
#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/fused_attention.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/ops/matmul.hpp"
#include "atrank/autodiff/ops/norm.hpp"

namespace atrank::nn {

using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;

template <class T>
Var scaled_dot_attention(Tape<T>& t, Var q, Var k, Var v, std::int64_t heads,
                         const std::int32_t* query_lengths, const std::int32_t* key_lengths,
                         T dropout, std::mt19937_64& rng, bool training, Var* weights_node) {
  const Shape sq = t.shape(q), sk = t.shape(k);
  if (sq.rank != 3 || sk.rank != 3 || sq[0] != sk[0] || sq[2] != sk[2] || t.shape(v) != sk)
    throw std::invalid_argument("scaled_dot_attention: q (B,Tq,C), k and v (B,Tk,C) expected, got " +
                                sq.str() + ", " + sk.str() + ", " + t.shape(v).str());
  if (sq[2] % heads != 0)
    throw std::invalid_argument("scaled_dot_attention: width " + std::to_string(sq[2]) +
                                " is not divisible by " + std::to_string(heads) + " heads");
  // Without dropout on the weights (the authors' 0, and always at evaluation)
  // one fused op does the whole core; dropout needs the composed ops.
  if (!training || dropout == T(0)) {
    const Var out = autodiff::fused_attention(t, q, k, v, heads, key_lengths, query_lengths);
    if (weights_node) *weights_node = out;  // the op keeps its weights
    return out;
  }
  const std::int64_t tq = sq[1], d = sq[2] / heads;
  const Var qh = autodiff::split_heads(t, q, heads);  // (B*H,Tq,d)
  const Var kh = autodiff::split_heads(t, k, heads);  // (B*H,Tk,d)
  const Var vh = autodiff::split_heads(t, v, heads);  // (B*H,Tk,d)
  Var scores = autodiff::batched_matmul(t, qh, kh, Trans::No, Trans::Yes);  // (B*H,Tq,Tk)
  scores = autodiff::scale(t, scores, T(1.0 / std::sqrt(double(d))));
  // Key mask: row (b*H+h)*Tq + i belongs to example b.
  Var weights = autodiff::masked_softmax(t, scores, key_lengths, heads * tq);  // (B*H,Tq,Tk)
  // Query mask: padded query rows attend to nothing (the authors multiply by 0).
  if (query_lengths != nullptr) weights = autodiff::mask_sequence(t, weights, query_lengths, heads);
  if (weights_node) *weights_node = weights;
  weights = autodiff::dropout(t, weights, dropout, rng, training);
  const Var out = autodiff::batched_matmul(t, weights, vh);  // (B*H,Tq,d)
  return autodiff::merge_heads(t, out, heads);               // (B,Tq,C)
}

template <class T>
TensorView<const T> attention_weights(const Tape<T>& t, Var weights, std::int64_t heads) {
  if (std::string_view(t.node(weights).op) == "fused_attention") return autodiff::fused_attention_weights(t, weights);
  const Shape s = t.shape(weights);  // (B*H,Tq,Tk), the composed path's masked softmax
  if (s.rank != 3 || heads <= 0 || s[0] % heads != 0)
    throw std::invalid_argument("attention_weights: expected (B*" + std::to_string(heads) + ",Tq,Tk) weights, got " +
                                s.str());
  return tensor_view(t.value(weights), TensorShape{std::size_t(s[0] / heads), std::size_t(heads), std::size_t(s[1]),
                                                   std::size_t(s[2])});
}

template <class T>
MultiheadAttention<T> MultiheadAttention<T>::make(Params<T>& p, const std::string& scope,
                                                  std::int64_t query_width, std::int64_t key_width,
                                                  std::int64_t units, std::int64_t heads,
                                                  Activation qkv_activation, double dropout,
                                                  double eps) {
  if (heads <= 0 || units % heads != 0)
    throw std::invalid_argument(scope + ": " + std::to_string(heads) +
                                " heads do not divide the width " + std::to_string(units));
  if (query_width != units)
    throw std::invalid_argument(scope + ": the residual adds the queries (" +
                                std::to_string(query_width) + " wide) to the output (" +
                                std::to_string(units) + " wide); they must be equal");
  MultiheadAttention m;
  m.heads = heads;
  m.units = units;
  m.dropout = dropout;
  m.q = Dense<T>::make(p, scope + "/q", query_width, units, qkv_activation);
  m.k = Dense<T>::make(p, scope + "/k", key_width, units, qkv_activation);
  m.v = Dense<T>::make(p, scope + "/v", key_width, units, qkv_activation);
  m.norm = LayerNorm<T>::make(p, scope + "/ln", units, eps);
  return m;
}

template <class T>
Var MultiheadAttention<T>::operator()(Tape<T>& t, Params<T>& p, Var queries,
                                      const std::int32_t* query_lengths, Var keys,
                                      const std::int32_t* key_lengths, bool training,
                                      std::mt19937_64& rng, Var* weights) const {
  const Var qp = q(t, p, queries);             // (B,Tq,units)
  const KeyValues kv = project_keys(t, p, keys);  // (B,Tk,units) each
  return attend(t, p, queries, qp, query_lengths, kv, key_lengths, training, rng, weights);
}

template <class T>
KeyValues MultiheadAttention<T>::project_keys(Tape<T>& t, Params<T>& p, Var keys) const {
  KeyValues kv;
  kv.k = k(t, p, keys);
  kv.v = v(t, p, keys);
  return kv;
}

template <class T>
Var MultiheadAttention<T>::attend(Tape<T>& t, Params<T>& p, Var queries, Var projected,
                                  const std::int32_t* query_lengths, const KeyValues& kv,
                                  const std::int32_t* key_lengths, bool training,
                                  std::mt19937_64& rng, Var* weights) const {
  Var out = scaled_dot_attention(t, projected, kv.k, kv.v, heads, query_lengths, key_lengths, T(dropout),
                                 rng, training, weights);
  out = autodiff::add(t, out, queries);  // residual
  return norm(t, p, out);
}

template struct MultiheadAttention<float>;
template struct MultiheadAttention<double>;
template Var scaled_dot_attention<float>(Tape<float>&, Var, Var, Var, std::int64_t,
                                         const std::int32_t*, const std::int32_t*, float,
                                         std::mt19937_64&, bool, Var*);
template Var scaled_dot_attention<double>(Tape<double>&, Var, Var, Var, std::int64_t,
                                          const std::int32_t*, const std::int32_t*, double,
                                          std::mt19937_64&, bool, Var*);
template TensorView<const float> attention_weights(const Tape<float>&, Var, std::int64_t);
template TensorView<const double> attention_weights(const Tape<double>&, Var, std::int64_t);

}  // namespace atrank::nn
