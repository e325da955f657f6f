#include "atrank/train/batch_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include <xtensor/xview.hpp>

#include "atrank/data/batch_slice.hpp"

namespace atrank::train {
namespace {

// First example of slice s when n examples are cut into k slices.
std::int64_t slice_begin(std::int64_t n, int k, int s) { return n * s / k; }

// Calls body(begin, end) for each pass of slice s of k over the batch's
// examples (passes of at most `positions` history positions), in order,
// until it returns false.
template <class Body>
void each_pass(const data::Batch& batch, int k, int s, std::int64_t positions, Body&& body) {
  const std::int64_t end = slice_begin(batch.size, k, s + 1);
  for (std::int64_t p = slice_begin(batch.size, k, s); p < end;) {
    const std::int64_t q = data::pass_end(batch, p, end, positions);
    if (!body(p, q)) return;
    p = q;
  }
}

// Byte offsets of each rank's part of a vector cut into k slices of n entries of `bytes`
// each, `per_rank` slices per rank.
std::vector<std::int64_t> rank_offsets(int ranks, int per_rank, std::int64_t n, int k, std::int64_t bytes) {
  std::vector<std::int64_t> offsets(std::size_t(ranks) + 1);
  for (int r = 0; r <= ranks; ++r) offsets[std::size_t(r)] = slice_begin(n, k, std::min(r * per_rank, k)) * bytes;
  return offsets;
}

// A thread that cannot start (thread or memory limits) is an error saying which setting asked for it.
WorkerPool start_threads(int threads) {
  try {
    return WorkerPool(threads);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("starting " + std::to_string(threads) +
                             " threads for training and evaluation (train.threads or --threads): " + e.what());
  }
}

}  // namespace

BatchRunner::BatchRunner(model::Model<float>& model, int threads, dist::Communicator& comm,
                         std::int64_t positions_per_pass)
    : model_(model),
      comm_(comm),
      pool_(start_threads(threads)),
      tapes_(std::size_t(threads)),
      positions_per_pass_(positions_per_pass),
      parts_(std::size_t(threads)),
      shards_(std::size_t(threads)),
      seeds_(std::size_t(threads) * std::size_t(comm.size())),
      losses_(std::size_t(threads) * std::size_t(comm.size())) {
  const auto& tables = model_.tables();
  for (int s = 1; s < threads; ++s) {
    shards_[std::size_t(s)].dense.assign(model_.dense().size(), 0.f);
    shards_[std::size_t(s)].tables.resize(tables.size());
    tapes_[std::size_t(s)].set_gradient_shard(&shards_[std::size_t(s)]);
  }
}

const data::Batch& BatchRunner::part(const data::Batch& batch, std::int64_t begin, std::int64_t end, int t) {
  if (begin == 0 && end == batch.size) return batch;
  data::Batch& out = parts_[std::size_t(t)];
  data::slice_batch(batch, begin, end, out);
  return out;
}

StepResult BatchRunner::train_step(const data::Batch& batch, Optimizer& optimizer,
                                   double learning_rate, double clip_norm,
                                   std::mt19937_64& dropout_rng) {
  const int k = slices_for(batch.size);
  const int first = first_slice(), local = local_slices(k);
  const std::int64_t received_before = comm_.bytes_received();
  // Slice s in passes (see positions_per_pass_), their gradients adding up on the tape's targets.
  auto forward_backward = [&](int t, std::mt19937_64& rng) {
    const int s = first + t;
    auto& tape = tapes_[std::size_t(t)];
    float loss = 0;
    each_pass(batch, k, s, positions_per_pass_, [&](std::int64_t p, std::int64_t q) {
      tape.clear();
      const auto out = model_.forward(tape, part(batch, p, q, t), /*training=*/true, rng, batch.size);
      const float pass_loss = tape.value(out.loss)[0];
      if (std::isfinite(pass_loss)) tape.backward(out.loss);
      loss += pass_loss;
      return std::isfinite(loss);
    });
    losses_[std::size_t(s)] = loss;
  };
  if (k == 1) {
    if (local == 1) forward_backward(0, dropout_rng);
    // Slice 0 drew its masks from the generator itself: the other ranks take over its state.
    static_assert(std::is_trivially_copyable_v<std::mt19937_64>);
    comm_.broadcast(&dropout_rng, sizeof dropout_rng, 0);
  } else {
    for (int s = 0; s < k; ++s) seeds_[std::size_t(s)] = dropout_rng();
    auto job = [&](int t) {
      if (t >= local) return;
      std::mt19937_64 rng(seeds_[std::size_t(first + t)]);
      forward_backward(t, rng);
    };
    if (local <= 1)
      job(0);
    else
      pool_.run(job);
  }
  const auto exchange_start = std::chrono::steady_clock::now();
  if (comm_.size() > 1)
    comm_.share_ranges(losses_.data(), rank_offsets(comm_.size(), pool_.size(), k, k, sizeof(float)));
  merged_squares_ = 0;
  if (k > 1 || comm_.size() > 1) merge_gradients(local);
  // One process merging its threads' slices has the final dense gradients
  // (and their squares, summed as they were merged); across ranks merge_dense
  // sees partial sums only.
  const bool squares_merged = k > 1 && comm_.size() == 1;

  StepResult r;
  r.bytes_received = comm_.bytes_received() - received_before;
  if (comm_.size() > 1)
    r.exchange_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - exchange_start).count();
  for (int s = 0; s < k; ++s) r.loss += losses_[std::size_t(s)];
  if (!std::isfinite(r.loss)) {
    model_.zero_grad();
    return r;
  }
  r.grad_norm = squares_merged ? std::sqrt(merged_squares_ + table_grad_squares(model_.tables()))
                               : global_grad_norm(model_.dense(), model_.tables());
  if (!std::isfinite(r.grad_norm)) {
    model_.zero_grad();
    return r;
  }
  const double scale = clip_norm > 0 && r.grad_norm > clip_norm ? clip_norm / r.grad_norm : 1.0;
  if (pool_.size() == 1) {
    optimizer.step(model_.dense(), model_.tables(), learning_rate, scale);
  } else {  // the dense update on one thread, the tables' on another
    pool_.run([&](int t) {
      if (t == 0) optimizer.step_dense(model_.dense(), learning_rate, scale);
      if (t == 1) optimizer.step_tables(model_.tables(), learning_rate, scale);
    });
    optimizer.finish_step();
  }
  return r;
}

// This rank's threads wrote slice 0 into the model's gradients and slices
// 1..local-1 into their shards. Afterwards every rank's model holds the
// gradients of all slices of all ranks, added in slice order: dense entries
// as the left fold ((g0 + g1) + g2) + ..., sparse rows one slice after the
// other. One process gets the same as one rank of several.
void BatchRunner::merge_gradients(int local) {
  merging_ = local;
  std::vector<float>& dense = model_.dense().grads();
  comm_.fold_in_rank_order(dense.data(), dense.size(), &BatchRunner::merge_dense, this);
  share_table_gradients();
}

// Entries [begin, end) of the dense gradients: the ranks' before (prefix), then
// this rank's slices in order; resets the shards for the next step. Block by
// block, so that a block is still in cache for the next slice and for the
// sum of its squares (merged_squares_).
void BatchRunner::merge_dense(void* self, const float* prefix, std::size_t begin, std::size_t end) {
  auto& r = *static_cast<BatchRunner*>(self);
  float* dense = r.model_.dense().grads().data();
  if (r.merging_ == 0) {  // no slice here: pass the sum on unchanged
    std::copy(prefix + begin, prefix + end, dense + begin);
    return;
  }
  constexpr std::size_t kBlock = 2048;  // 8 KiB of each buffer
  for (std::size_t b0 = begin; b0 < end; b0 += kBlock) {
    const std::size_t b1 = std::min(end, b0 + kBlock);
    if (prefix != nullptr)
      for (std::size_t i = b0; i < b1; ++i) dense[i] = prefix[i] + dense[i];
    for (int s = 1; s < r.merging_; ++s) {
      float* shard = r.shards_[std::size_t(s)].dense.data();
      for (std::size_t i = b0; i < b1; ++i) dense[i] += shard[i];
      std::fill(shard + b0, shard + b1, 0.f);
    }
    r.merged_squares_ += sum_of_squares(dense + b0, b1 - b0);
  }
}

// Each table's rows of this rank's slices after one another, then, with
// several ranks, every rank's in rank order: one exchange of all tables,
// packed per rank as (row count, rows, values) for each table.
void BatchRunner::share_table_gradients() {
  const auto& tables = model_.tables();
  for (int s = 1; s < merging_; ++s)
    for (std::size_t t = 0; t < tables.size(); ++t) {
      auto& from = shards_[std::size_t(s)].tables[t];
      auto& to = tables[t]->grad;
      to.rows.insert(to.rows.end(), from.rows.begin(), from.rows.end());
      to.values.insert(to.values.end(), from.values.begin(), from.values.end());
      from.clear();
    }
  if (comm_.size() == 1) return;

  std::int64_t mine = 0;
  for (const auto* t : tables)
    mine += std::int64_t(sizeof(std::int64_t) + t->grad.rows.size() * sizeof(std::int32_t) +
                         t->grad.values.size() * sizeof(float));
  const std::vector<std::int64_t> sizes = comm_.all_values(mine);
  std::vector<std::int64_t> offsets(sizes.size() + 1, 0);
  for (std::size_t r = 0; r < sizes.size(); ++r) offsets[r + 1] = offsets[r] + sizes[r];
  packed_.resize(std::size_t(offsets.back()));

  char* p = packed_.data() + offsets[std::size_t(comm_.rank())];
  auto put = [&p](const void* data, std::size_t bytes) {
    if (bytes > 0) std::memcpy(p, data, bytes);
    p += bytes;
  };
  for (const auto* t : tables) {
    const auto rows = std::int64_t(t->grad.rows.size());
    put(&rows, sizeof rows);
    put(t->grad.rows.data(), t->grad.rows.size() * sizeof(std::int32_t));
    put(t->grad.values.data(), t->grad.values.size() * sizeof(float));
  }
  comm_.share_ranges(packed_.data(), offsets);

  for (auto* t : tables) t->grad.clear();
  const char* q = packed_.data();
  for (std::size_t r = 0; r < sizes.size(); ++r)
    for (auto* t : tables) {
      std::int64_t rows = 0;
      std::memcpy(&rows, q, sizeof rows);
      q += sizeof rows;
      auto& g = t->grad;
      const std::size_t old = g.rows.size(), width = std::size_t(t->width);
      g.rows.resize(old + std::size_t(rows));
      g.values.resize((old + std::size_t(rows)) * width);
      if (rows > 0) {
        std::memcpy(g.rows.data() + old, q, std::size_t(rows) * sizeof(std::int32_t));
        q += std::size_t(rows) * sizeof(std::int32_t);
        std::memcpy(g.values.data() + old * width, q, std::size_t(rows) * width * sizeof(float));
        q += std::size_t(rows) * width * sizeof(float);
      }
    }
}

const xt::xtensor<float, 2>& BatchRunner::scores(const data::Batch& batch) {
  const int k = slices_for(batch.size);
  const int first = first_slice(), local = local_slices(k);
  const std::int64_t c = batch.candidates_per_example > 0 ? batch.candidates_per_example : 1;
  scores_.resize({std::size_t(batch.size), std::size_t(c)});
  users_.resize({std::size_t(batch.size), std::size_t(user_width())});
  auto score = [&](int t) {
    if (t >= local) return;
    const int s = first + t;
    auto& tape = tapes_[std::size_t(t)];
    each_pass(batch, k, s, positions_per_pass_, [&](std::int64_t p, std::int64_t q) {
      tape.clear();
      model::ScoreTrace trace;
      const autodiff::Var v = model_.score(tape, part(batch, p, q, t), &trace);
      auto rows = xt::range(std::size_t(p), std::size_t(q));
      xt::view(scores_, rows, xt::all()) = tape.tensor(v);
      const autodiff::Shape us = tape.shape(trace.users);
      if (us.rank != 3 || us[2] != user_width())
        throw std::logic_error("BatchRunner::scores: user vectors " + us.str() + ", expected width " +
                               std::to_string(user_width()));
      // (b, candidate 0, :) of the (B,C,H) user vectors
      xt::view(users_, rows, xt::all()) = xt::view(tape.tensor(trace.users), xt::all(), 0, xt::all());
      return true;
    });
  };
  if (local <= 1)
    score(0);
  else
    pool_.run(score);
  if (comm_.size() > 1) {
    const auto bytes = std::int64_t(sizeof(float));
    comm_.share_ranges(scores_.data(), rank_offsets(comm_.size(), pool_.size(), batch.size, k, c * bytes));
    comm_.share_ranges(users_.data(), rank_offsets(comm_.size(), pool_.size(), batch.size, k, user_width() * bytes));
  }
  return scores_;
}

}  // namespace atrank::train
