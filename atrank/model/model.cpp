// Forward pass and scoring of an interpreted model.
#include "atrank/model/model.hpp"

#include <algorithm>
#include <stdexcept>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/gather.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/ops/reduce.hpp"
#include "atrank/nn/reused_list.hpp"
#include "atrank/nn/tape_ints.hpp"

namespace atrank::model {

using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;

namespace {

void expect_size(const char* what, std::size_t got, std::int64_t want) {
  if (std::int64_t(got) != want)
    throw std::invalid_argument(std::string("batch: ") + what + " has " + std::to_string(got) +
                                " entries, expected " + std::to_string(want));
}

// Per-example weights w[b] spread over a per-element loss of shape s with
// leading dimension B: mean over elements of w[b] * x, times `share` (the
// batch's share of a larger batch whose mean is wanted), or the plain scaled
// mean when every example has the same weight.
template <class T>
Var weighted_mean(Tape<T>& t, Var x, const std::vector<double>& w, double share) {
  const Shape s = t.shape(x);
  const bool uniform = std::all_of(w.begin(), w.end(), [&](double v) { return v == w[0]; });
  if (uniform) {
    const double factor = w[0] * share;
    return factor == 1.0 ? autodiff::mean(t, x) : autodiff::scale(t, autodiff::mean(t, x), T(factor));
  }
  const std::int64_t per = s.numel() / s[0];
  std::vector<T> c(std::size_t(s.numel()));
  for (std::int64_t i = 0; i < s.numel(); ++i)
    c[std::size_t(i)] = T(w[std::size_t(i / per)] * share / double(s.numel()));
  return autodiff::sum(t, autodiff::mul(t, x, t.constant(s, c.data())));
}

// sum_b r[b] * sum(x[b]^2) / 2 for x (B,...): the authors' l2_loss with a
// per-example rate (one rate: r * l2(x)).
template <class T>
Var weighted_l2(Tape<T>& t, Var x, const std::vector<double>& r) {
  const bool uniform = std::all_of(r.begin(), r.end(), [&](double v) { return v == r[0]; });
  if (uniform) return autodiff::scale(t, autodiff::l2(t, x), T(r[0]));
  const Shape s = t.shape(x);
  const Var sq = autodiff::sum_last(t, autodiff::mul(t, x, x));  // (B,...)
  const Shape sq_shape = t.shape(sq);
  const std::int64_t per = sq_shape.numel() / s[0];
  std::vector<T> c(std::size_t(sq_shape.numel()));
  for (std::int64_t i = 0; i < sq_shape.numel(); ++i) c[std::size_t(i)] = T(r[std::size_t(i / per)] / 2);
  return autodiff::sum(t, autodiff::mul(t, sq, t.constant(sq_shape, c.data())));
}

}  // namespace

template <class T>
const std::vector<int>& Model<T>::task_of(const data::Batch& batch) const {
  struct Tasks;
  std::vector<int>& task = nn::reused_list<Tasks, std::vector<int>>();
  task.resize(std::size_t(batch.size), 0);
  if (batch.task.empty()) return task;
  expect_size("task", batch.task.size(), batch.size);
  for (std::int64_t b = 0; b < batch.size; ++b) {
    const int k = batch.task[std::size_t(b)];
    if (k < 0 || k >= int(tasks_.size()))
      throw std::invalid_argument("batch: example " + std::to_string(b) + " has task " +
                                  std::to_string(k) + " but the spec has " +
                                  std::to_string(tasks_.size()) + " tasks");
    task[std::size_t(b)] = k;
  }
  return task;
}

template <class T>
TargetBlock Model<T>::targets_of(Tape<T>& t, int task, const std::int32_t* ids, const Shape& shape) {
  const TaskHead& h = tasks_.at(std::size_t(task));
  const auto& g = groups_[std::size_t(h.group)];
  TargetBlock r;
  r.vectors = g.target(t, params_, ids, shape, h.plan.project_target);  // (B,C,W)
  if (h.plan.bias_table >= 0)
    r.bias = autodiff::reshape(t, autodiff::gather(t, params_.tables.at(h.plan.bias_table), ids, shape), shape);
  return r;
}

template <class T>
Var Model<T>::project_targets(Tape<T>& t, Var vectors) {
  return encoder_->project_queries(t, params_, vectors);
}

template <class T>
TargetBlock Model<T>::targets(Tape<T>& t, const std::vector<int>& task, const std::int32_t* ids, std::int64_t batch,
                              std::int64_t c) {
  const Shape shape{batch, c};
  struct Present;
  std::vector<int>& present = nn::reused_list<Present, std::vector<int>>();
  for (int k : task)
    if (std::find(present.begin(), present.end(), k) == present.end()) present.push_back(k);
  if (present.size() == 1) return targets_of(t, present[0], ids, shape);

  // Mixed tasks: each task's targets for every example (ids of other tasks'
  // examples replaced by 0), kept only on its own examples by a 0/1 mask.
  TargetBlock out;
  for (int k : present) {
    std::vector<std::int32_t> own(ids, ids + batch * c);
    std::vector<T> mask(std::size_t(batch * c), T(0));
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::int64_t j = 0; j < c; ++j) {
        const auto i = std::size_t(b * c + j);
        if (task[std::size_t(b)] == k) mask[i] = T(1);
        else own[i] = 0;
      }
    TargetBlock r = targets_of(t, k, nn::keep_ints(t, std::move(own)), shape);
    const std::int64_t w = t.shape(r.vectors)[2];
    std::vector<T> wide(std::size_t(batch * c * w));
    for (std::size_t i = 0; i < wide.size(); ++i) wide[i] = mask[i / std::size_t(w)];
    const Var v = autodiff::mul(t, r.vectors, t.constant(Shape{batch, c, w}, wide.data()));
    out.vectors = out.vectors.valid() ? autodiff::add(t, out.vectors, v) : v;
    if (r.bias.valid()) {
      const Var bb = autodiff::mul(t, r.bias, t.constant(shape, mask.data()));
      out.bias = out.bias.valid() ? autodiff::add(t, out.bias, bb) : bb;
    }
  }
  return out;
}

template <class T>
EncodedHistory Model<T>::encode_history(Tape<T>& t, const data::Batch& batch, bool training, std::mt19937_64& rng,
                                        AttentionNodes* attention) {
  EncoderInput in;
  in.batch = batch.size;
  in.attention = attention;
  if (!batch.users.empty()) {
    expect_size("users", batch.users.size(), batch.size);
    in.users = batch.users.data();
  }
  if (plan_.encoder.uses_history) {
    expect_size("groups", batch.groups.size(), std::int64_t(plan_.groups.size()));
    struct Parts;
    struct Lengths;
    std::vector<Var>& parts = nn::reused_list<Parts, std::vector<Var>>();
    auto& lengths = nn::reused_list<Lengths, std::vector<const std::int32_t*>>();
    std::int64_t width = 0;
    const bool packed_rows = encoder_->reads_packed_rows() && !padded_history_;
    for (const auto& g : groups_) {
      if (!g.plan.attended) continue;
      width = g.plan.width;
      const data::GroupBatch& gb = batch.groups[std::size_t(g.plan.index)];
      expect_size("group lengths", gb.lengths.size(), batch.size);
      parts.push_back(gb.max_len > 0 ? g.history(t, params_, gb, batch.size, packed_rows) : Var{});
      lengths.push_back(gb.lengths.data());
    }
    in.history = packed_rows ? pack_history_rows(t, parts, lengths, batch.size, width)
                             : pack_history(t, parts, lengths, batch.size, width);
  }
  return encoder_->prepare(t, params_, in, training, rng);
}

template <class T>
EncodedHistory Model<T>::encode_history(Tape<T>& t, const data::Batch& batch) {
  if (batch.size <= 0) throw std::invalid_argument("batch: empty");
  std::mt19937_64 unused(0);  // no dropout at inference: nothing is drawn
  return encode_history(t, batch, false, unused);
}

template <class T>
Var Model<T>::users(Tape<T>& t, const data::Batch& batch, Var queries, bool training, std::mt19937_64& rng,
                    AttentionNodes* attention) {
  const EncodedHistory h = encode_history(t, batch, training, rng, attention);
  return encoder_->attend(t, params_, h, queries, Var{}, training, rng);  // (B,C,H)
}

template <class T>
Var Model<T>::dot_logits(Tape<T>& t, Var u, const TargetBlock& tg) {
  Var s = autodiff::sum_last(t, autodiff::mul(t, u, tg.vectors));  // (B,C)
  return tg.bias.valid() ? autodiff::add(t, s, tg.bias) : s;
}

template <class T>
Var Model<T>::logits(Tape<T>& t, const EncodedHistory& h, const TargetBlock& tg) {
  std::mt19937_64 unused(0);  // no dropout at inference: nothing is drawn
  const Var u = encoder_->attend(t, params_, h, tg.vectors, tg.projected, false, unused);  // (B,C,H)
  return dot_logits(t, u, tg);
}

template <class T>
ForwardResult Model<T>::forward(Tape<T>& t, const data::Batch& batch, bool training,
                                std::mt19937_64& rng, std::int64_t loss_batch) {
  const std::int64_t n = batch.size;
  if (n <= 0) throw std::invalid_argument("batch: empty");
  if (loss_batch == 0) loss_batch = n;
  if (loss_batch < n) throw std::invalid_argument("forward: loss_batch smaller than the batch");
  const double share = double(n) / double(loss_batch);
  const std::vector<int>& task = task_of(batch);
  const spec::TaskPlan& first = tasks_[std::size_t(task[0])].plan;
  const spec::Loss kind = first.loss;
  struct Weights;
  struct Rates;
  std::vector<double>& weight = nn::reused_list<Weights, std::vector<double>>();
  std::vector<double>& rate = nn::reused_list<Rates, std::vector<double>>();
  weight.resize(std::size_t(n));
  rate.resize(std::size_t(n));
  for (std::int64_t b = 0; b < n; ++b) {
    const spec::TaskPlan& h = tasks_[std::size_t(task[std::size_t(b)])].plan;
    if (h.loss != kind)
      throw std::invalid_argument("batch mixes pointwise and pairwise tasks (`" + first.name + "` and `" + h.name +
                                  "`)");
    weight[std::size_t(b)] = h.weight;
    rate[std::size_t(b)] = h.l2;
  }
  const bool any_l2 = std::any_of(rate.begin(), rate.end(), [](double r) { return r != 0; });

  ForwardResult r;
  if (kind == spec::Loss::SigmoidCrossEntropy) {
    expect_size("targets", batch.targets.size(), n);
    expect_size("labels", batch.labels.size(), n);
    const TargetBlock tg = targets(t, task, batch.targets.data(), n, 1);  // (B,1,W)
    const Var u = users(t, batch, tg.vectors, training, rng);             // (B,1,H)
    r.logits = autodiff::reshape(t, dot_logits(t, u, tg), Shape{n});      // (B)
    const Var labels = nn::constant_from(t, Shape{n}, batch.labels.data());
    const Var ce = autodiff::sigmoid_cross_entropy(t, r.logits, t.value(labels));  // (B)
    r.loss = weighted_mean(t, ce, weight, share);
    if (any_l2)
      r.loss = autodiff::add(t, r.loss,
                             autodiff::add(t, weighted_l2(t, u, rate), weighted_l2(t, tg.vectors, rate)));
    return r;
  }

  const std::int64_t c = batch.candidates_per_example;
  if (c < 2) throw std::invalid_argument("batch: a bpr task needs candidates (positive + negatives)");
  expect_size("candidates", batch.candidates.size(), n * c);
  const TargetBlock tg = targets(t, task, batch.candidates.data(), n, c);  // (B,C,W)
  const Var u = users(t, batch, tg.vectors, training, rng);                // (B,C,H)
  r.logits = dot_logits(t, u, tg);                                         // (B,C)
  const Var pos = autodiff::slice(t, r.logits, 1, 0, 1);               // (B,1)
  const Var neg = autodiff::slice(t, r.logits, 1, 1, c - 1);           // (B,C-1)
  const Var pos_rep = autodiff::reshape(t, autodiff::repeat_seq(t, pos, c - 1), Shape{n, c - 1});
  const Var fit = autodiff::log_sigmoid(t, autodiff::sub(t, pos_rep, neg));  // (B,C-1)
  for (auto& w : weight) w = -w;
  r.loss = weighted_mean(t, fit, weight, share);
  if (any_l2) {
    // A target-independent user vector is one vector per example, counted once.
    const Var uu = encoder_->target_independent() ? autodiff::slice(t, u, 1, 0, 1) : u;
    r.loss = autodiff::add(t, r.loss,
                           autodiff::add(t, weighted_l2(t, uu, rate), weighted_l2(t, tg.vectors, rate)));
  }
  return r;
}

template <class T>
Var Model<T>::score(Tape<T>& t, const data::Batch& batch, ScoreTrace* trace) {
  const std::int64_t n = batch.size;
  if (n <= 0) throw std::invalid_argument("batch: empty");
  const std::vector<int>& task = task_of(batch);
  std::int64_t c = batch.candidates_per_example;
  const std::int32_t* ids = batch.candidates.data();
  if (c > 0) {
    expect_size("candidates", batch.candidates.size(), n * c);
  } else {
    expect_size("targets", batch.targets.size(), n);
    c = 1;
    ids = batch.targets.data();
  }
  const TargetBlock tg = targets(t, task, ids, n, c);
  if (trace == nullptr) return logits(t, encode_history(t, batch), tg);  // (B,C)
  std::mt19937_64 unused(0);  // no dropout at evaluation: nothing is drawn
  trace->users = users(t, batch, tg.vectors, false, unused, &trace->attention);
  return dot_logits(t, trace->users, tg);  // (B,C)
}

template <class T>
xt::xtensor<T, 2> Model<T>::scores(Tape<T>& t, const data::Batch& batch) {
  t.clear();
  return t.tensor(score(t, batch));
}

template ForwardResult Model<float>::forward(Tape<float>&, const data::Batch&, bool, std::mt19937_64&, std::int64_t);
template ForwardResult Model<double>::forward(Tape<double>&, const data::Batch&, bool, std::mt19937_64&, std::int64_t);
template Var Model<float>::score(Tape<float>&, const data::Batch&, ScoreTrace*);
template Var Model<double>::score(Tape<double>&, const data::Batch&, ScoreTrace*);
template xt::xtensor<float, 2> Model<float>::scores(Tape<float>&, const data::Batch&);
template xt::xtensor<double, 2> Model<double>::scores(Tape<double>&, const data::Batch&);
template EncodedHistory Model<float>::encode_history(Tape<float>&, const data::Batch&);
template EncodedHistory Model<double>::encode_history(Tape<double>&, const data::Batch&);
template TargetBlock Model<float>::targets_of(Tape<float>&, int, const std::int32_t*, const Shape&);
template TargetBlock Model<double>::targets_of(Tape<double>&, int, const std::int32_t*, const Shape&);
template Var Model<float>::project_targets(Tape<float>&, Var);
template Var Model<double>::project_targets(Tape<double>&, Var);
template Var Model<float>::logits(Tape<float>&, const EncodedHistory&, const TargetBlock&);
template Var Model<double>::logits(Tape<double>&, const EncodedHistory&, const TargetBlock&);

}  // namespace atrank::model
