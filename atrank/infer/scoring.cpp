// Scoring for inference: target side once, history once per user, candidate blocks.
#include "atrank/infer/scoring.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace atrank::infer {

using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;

namespace {

// A read-only leaf over catalogue memory: no copy, no gradient (a leaf
// without a gradient is never written, so the const_cast is safe).
template <class T>
Var leaf(Tape<T>& t, const Shape& shape, const T* values) {
  return t.external(shape, const_cast<T*>(values), nullptr, "catalogue");
}

// The history of the one user of `history`, encoded on `t` (cleared first).
template <class T>
model::EncodedHistory encode_one(model::Model<T>& m, Tape<T>& t, const data::Batch& history) {
  if (history.size != 1)
    throw std::invalid_argument("scoring: expected the history of one user, got a batch of " +
                                std::to_string(history.size));
  t.clear();
  return m.encode_history(t, history);
}

template <class T>
void append(std::vector<T>& out, Tape<T>& t, Var v) {
  const T* p = t.value(v);
  out.insert(out.end(), p, p + t.shape(v).numel());
}

}  // namespace

template <class T>
Catalogue<T> make_catalogue(model::Model<T>& m, Tape<T>& t, int task, std::int64_t objects) {
  if (objects <= 0) throw std::invalid_argument("catalogue: the target space of the task has no objects");
  Catalogue<T> c;
  c.task = task;
  c.size = objects;
  std::vector<std::int32_t> ids(static_cast<std::size_t>(objects));
  std::iota(ids.begin(), ids.end(), 0);
  for (std::int64_t begin = 0; begin < objects; begin += kCandidateBlock) {
    const std::int64_t n = std::min(kCandidateBlock, objects - begin);
    t.clear();
    const model::TargetBlock tg = m.targets_of(t, task, ids.data() + begin, Shape{1, n});
    const Var projected = m.project_targets(t, tg.vectors);
    c.width = t.shape(tg.vectors)[2];
    append(c.vectors, t, tg.vectors);
    if (tg.bias.valid()) append(c.bias, t, tg.bias);
    if (projected.valid()) {
      c.projected_width = t.shape(projected)[2];
      append(c.projected, t, projected);
    }
  }
  t.clear();
  c.attention = CandidateAttention<T>::make(m, c.size, c.width, c.vectors.data(),
                                            c.projected.empty() ? nullptr : c.projected.data());
  if (c.attention) c.vectors = c.projected = std::vector<T>();  // the kernels keep their own copy
  return c;
}

template <class T>
void score_catalogue(model::Model<T>& m, Tape<T>& t, const Catalogue<T>& c, const data::Batch& history,
                     T* scores) {
  const model::EncodedHistory h = encode_one(m, t, history);
  if (c.attention) return c.attention->score(t, h, c.bias.empty() ? nullptr : c.bias.data(), scores);
  const int mark = t.size();
  for (std::int64_t begin = 0; begin < c.size; begin += kCandidateBlock) {
    const std::int64_t n = std::min(kCandidateBlock, c.size - begin);
    t.rewind(mark);
    model::TargetBlock tg;
    tg.vectors = leaf(t, Shape{1, n, c.width}, c.vectors.data() + begin * c.width);
    if (!c.bias.empty()) tg.bias = leaf(t, Shape{1, n}, c.bias.data() + begin);
    if (c.projected_width > 0)
      tg.projected = leaf(t, Shape{1, n, c.projected_width}, c.projected.data() + begin * c.projected_width);
    const Var s = m.logits(t, h, tg);  // (1,n)
    std::copy(t.value(s), t.value(s) + n, scores + begin);
  }
}

template <class T>
void score_candidates(model::Model<T>& m, Tape<T>& t, int task, const data::Batch& history, const std::int32_t* ids,
                      std::int64_t n, T* scores) {
  const model::EncodedHistory h = encode_one(m, t, history);
  const int mark = t.size();
  for (std::int64_t begin = 0; begin < n; begin += kCandidateBlock) {
    const std::int64_t b = std::min(kCandidateBlock, n - begin);
    t.rewind(mark);
    const Var s = m.logits(t, h, m.targets_of(t, task, ids + begin, Shape{1, b}));  // (1,b)
    std::copy(t.value(s), t.value(s) + b, scores + begin);
  }
}

template Catalogue<float> make_catalogue<float>(model::Model<float>&, Tape<float>&, int, std::int64_t);
template Catalogue<double> make_catalogue<double>(model::Model<double>&, Tape<double>&, int, std::int64_t);
template void score_catalogue<float>(model::Model<float>&, Tape<float>&, const Catalogue<float>&,
                                     const data::Batch&, float*);
template void score_candidates<float>(model::Model<float>&, Tape<float>&, int, const data::Batch&,
                                      const std::int32_t*, std::int64_t, float*);
template void score_candidates<double>(model::Model<double>&, Tape<double>&, int, const data::Batch&,
                                       const std::int32_t*, std::int64_t, double*);
template void score_catalogue<double>(model::Model<double>&, Tape<double>&, const Catalogue<double>&,
                                      const data::Batch&, double*);

}  // namespace atrank::infer
