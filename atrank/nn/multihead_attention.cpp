// Multi-head attention composed of tape ops; see the header for the semantics.
#include "atrank/nn/multihead_attention.hpp"

#include <cmath>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "atrank/autodiff/ops/attention.hpp"
#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/fused_attention.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/ops/matmul.hpp"
#include "atrank/autodiff/ops/norm.hpp"
#include "atrank/autodiff/ops/select_rows.hpp"
#include "atrank/nn/tape_ints.hpp"

namespace atrank::nn {

using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;

namespace {

// rows[i] of the padded (B,T) layout of `seq`: the row it takes in the packed
// tensor, -1 for padding; and the inverse, each packed row's padded position.
std::vector<std::int32_t> padded_from_packed(const autodiff::Sequences& seq) {
  std::vector<std::int32_t> rows(std::size_t(seq.count * seq.max_length), -1);
  for (std::int64_t b = 0; b < seq.count; ++b)
    for (std::int64_t j = 0; j < seq.rows(b); ++j)
      rows[std::size_t(b * seq.max_length + j)] = std::int32_t(seq.first_row(b) + j);
  return rows;
}

std::vector<std::int32_t> packed_from_padded(const autodiff::Sequences& seq, std::int64_t packed_rows) {
  std::vector<std::int32_t> rows(std::size_t(packed_rows), -1);
  for (std::int64_t b = 0; b < seq.count; ++b)
    for (std::int64_t j = 0; j < seq.rows(b); ++j)
      rows[std::size_t(seq.first_row(b) + j)] = std::int32_t(b * seq.max_length + j);
  return rows;
}

// x laid out as `seq`, as a padded (B,T,C) tensor (a copy when packed).
template <class T>
Var as_padded(Tape<T>& t, Var x, const autodiff::Sequences& seq) {
  if (!seq.is_packed()) return x;
  const Shape padded{seq.count, seq.max_length, t.shape(x).last()};
  return autodiff::select_rows(t, x, padded_from_packed(seq).data(), padded);
}

template <class T>
const std::int32_t* lengths_of(Tape<T>& t, const autodiff::Sequences& seq) {
  if (seq.length) return seq.length;
  return keep_ints(t, std::vector<std::int32_t>(std::size_t(seq.count), std::int32_t(seq.max_length)));
}

// Attention with dropout on the weights, composed of tape ops on padded
// tensors: only training with dropout comes here (the authors' specs have none).
template <class T>
Var composed_attention(Tape<T>& t, Var q, Var k, Var v, std::int64_t heads, const autodiff::Sequences& queries,
                       const autodiff::Sequences& keys, T dropout, std::mt19937_64& rng, Var* weights_node) {
  const Var qp = as_padded(t, q, queries), kp = as_padded(t, k, keys), vp = as_padded(t, v, keys);
  const std::int64_t tq = t.shape(qp)[1], d = t.shape(qp)[2] / heads;
  const Var qh = autodiff::split_heads(t, qp, heads);  // (B*H,Tq,d)
  const Var kh = autodiff::split_heads(t, kp, heads);  // (B*H,Tk,d)
  const Var vh = autodiff::split_heads(t, vp, heads);  // (B*H,Tk,d)
  Var scores = autodiff::batched_matmul(t, qh, kh, Trans::No, Trans::Yes);  // (B*H,Tq,Tk)
  scores = autodiff::scale(t, scores, T(1.0 / std::sqrt(double(d))));
  // Key mask: row (b*H+h)*Tq + i belongs to example b.
  Var weights = autodiff::masked_softmax(t, scores, lengths_of(t, keys), heads * tq);  // (B*H,Tq,Tk)
  // Query mask: padded query rows attend to nothing (the authors multiply by 0).
  if (queries.length != nullptr) weights = autodiff::mask_sequence(t, weights, queries.length, heads);
  if (weights_node) *weights_node = weights;
  weights = autodiff::dropout(t, weights, dropout, rng, true);
  Var out = autodiff::merge_heads(t, autodiff::batched_matmul(t, weights, vh), heads);  // (B,Tq,C)
  if (queries.is_packed())
    out = autodiff::select_rows(t, out, packed_from_padded(queries, t.shape(q).rows()).data(), t.shape(q));
  return out;
}

}  // namespace

template <class T>
Var scaled_dot_attention(Tape<T>& t, Var q, Var k, Var v, std::int64_t heads, const autodiff::Sequences& queries,
                         const autodiff::Sequences& keys, T dropout, std::mt19937_64& rng, bool training,
                         Var* weights_node) {
  const Shape sq = t.shape(q), sk = t.shape(k);
  if (sq.rank < 2 || sk.rank < 2 || sq.last() != sk.last() || t.shape(v) != sk)
    throw std::invalid_argument("scaled_dot_attention: q, k and v rows of one width expected, got " + sq.str() +
                                ", " + sk.str() + ", " + t.shape(v).str());
  if (sq.last() % heads != 0)
    throw std::invalid_argument("scaled_dot_attention: width " + std::to_string(sq.last()) +
                                " is not divisible by " + std::to_string(heads) + " heads");
  // Without dropout on the weights (the authors' 0, and always at evaluation)
  // one fused op does the whole core; dropout needs the composed ops.
  if (training && dropout != T(0)) return composed_attention(t, q, k, v, heads, queries, keys, dropout, rng, weights_node);
  const Var out = autodiff::fused_attention(t, q, k, v, heads, queries, keys);
  if (weights_node) *weights_node = out;  // the op keeps its weights
  return out;
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
                                      const autodiff::Sequences& query_rows, Var keys,
                                      const autodiff::Sequences& key_rows, bool training,
                                      std::mt19937_64& rng, Var* weights) const {
  const Var qp = q(t, p, queries);             // (B,Tq,units)
  const KeyValues kv = project_keys(t, p, keys);  // (B,Tk,units) each
  return attend(t, p, queries, qp, query_rows, kv, key_rows, training, rng, weights);
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
                                  const autodiff::Sequences& query_rows, const KeyValues& kv,
                                  const autodiff::Sequences& key_rows, bool training,
                                  std::mt19937_64& rng, Var* weights) const {
  Var out = scaled_dot_attention(t, projected, kv.k, kv.v, heads, query_rows, key_rows, T(dropout), rng, training,
                                 weights);
  out = autodiff::add(t, out, queries);  // residual
  return norm(t, p, out);
}

template struct MultiheadAttention<float>;
template struct MultiheadAttention<double>;
template Var scaled_dot_attention<float>(Tape<float>&, Var, Var, Var, std::int64_t, const autodiff::Sequences&,
                                         const autodiff::Sequences&, float, std::mt19937_64&, bool, Var*);
template Var scaled_dot_attention<double>(Tape<double>&, Var, Var, Var, std::int64_t, const autodiff::Sequences&,
                                          const autodiff::Sequences&, double, std::mt19937_64&, bool, Var*);
template TensorView<const float> attention_weights(const Tape<float>&, Var, std::int64_t);
template TensorView<const double> attention_weights(const Tape<double>&, Var, std::int64_t);

}  // namespace atrank::nn
