// Epoch plans are a pure function of (seed, epoch), so resuming at (epoch, batch) recomputes
// the plan and skips ahead: nothing but the two numbers needs saving.
#include "atrank/data/batcher.hpp"

#include <algorithm>

#include "atrank/data/data_error.hpp"
#include "atrank/data/rng.hpp"

namespace atrank::data {

namespace {
// Default shuffle window in batches: wide enough that sorting by length within it cuts
// padding, narrow enough that batches stay a random mix of the epoch.
constexpr std::int64_t kShuffleWindowBatches = 64;
}  // namespace

Batcher::Batcher(const Dataset& data, BatcherOptions options) : data_(data), options_(options) {
  if (options_.batch_size <= 0) throw DataError("batch size must be positive");
  if (options_.mode == BatchMode::pointwise && data_.candidates_per_case(options_.split) < 2)
    throw DataError("pointwise batches need a negative per case");
  const std::int64_t cases = data_.num_cases(options_.split);
  examples_ = options_.mode == BatchMode::pointwise ? 2 * cases : cases;
  lengths_.resize(static_cast<std::size_t>(cases));
  for (std::int64_t c = 0; c < cases; ++c)
    lengths_[c] = static_cast<std::int32_t>(data_.history_length(options_.split, c));
}

std::int64_t Batcher::batches_per_epoch() const {
  const_cast<Batcher*>(this)->plan(pos_.epoch);
  return static_cast<std::int64_t>(batch_start_.size()) - 1;
}

void Batcher::seek(BatchPosition pos) {
  if (pos.epoch < 0 || pos.batch < 0) throw DataError("negative batcher position");
  pos_ = pos;
  plan(pos_.epoch);
  if (pos_.batch > batches_per_epoch())
    throw DataError("batcher position " + std::to_string(pos.batch) + " is beyond the " +
                    std::to_string(batches_per_epoch()) + " batches of an epoch (different data?)");
}

void Batcher::plan(std::int64_t epoch) {
  if (planned_epoch_ == epoch) return;
  planned_epoch_ = epoch;
  const Split s = options_.split;
  // A batch never holds more than the whole split: capping B (and the window) at the example
  // count gives the same batches and keeps the arithmetic below from overflowing.
  const std::int64_t all = std::max<std::int64_t>(examples_, 1);
  const std::int64_t B = std::min(options_.batch_size, all);
  std::int64_t window =
      options_.window > 0 ? std::min(options_.window, all)
                          : (options_.shuffle ? kShuffleWindowBatches * B : all);
  window = (window + B - 1) / B * B;  // whole batches per window: only a part's last batch is short

  // Partition by task when batches must hold one task; else one partition.
  const std::int64_t tasks = static_cast<std::int64_t>(data_.layout().tasks.size());
  const bool by_task = options_.one_task_per_batch && tasks > 1;
  std::vector<std::vector<std::int64_t>> parts(by_task ? static_cast<std::size_t>(tasks) : 1);
  for (std::int64_t e = 0; e < examples_; ++e)
    parts[by_task ? data_.task(s, case_of(e)) : 0].push_back(e);

  order_.clear();
  order_.reserve(static_cast<std::size_t>(examples_));
  std::vector<std::pair<std::int64_t, std::int64_t>> batches;  // [begin, end) in order_
  for (std::size_t p = 0; p < parts.size(); ++p) {
    auto& part = parts[p];
    if (options_.shuffle) {
      Rng rng(derive_seed(options_.seed, static_cast<std::uint64_t>(epoch), p, 0x6261746368ULL));
      rng.shuffle(part.data(), part.size());
    }
    const std::int64_t n = static_cast<std::int64_t>(part.size());
    for (std::int64_t w = 0; w < n; w += window) {
      const std::int64_t end = std::min(n, w + window);
      std::stable_sort(part.begin() + w, part.begin() + end, [&](std::int64_t a, std::int64_t b) {
        return lengths_[case_of(a)] < lengths_[case_of(b)];
      });
      for (std::int64_t b = w; b < end; b += B) {
        const std::int64_t at = static_cast<std::int64_t>(order_.size());
        const std::int64_t len = std::min(B, end - b);
        order_.insert(order_.end(), part.begin() + b, part.begin() + b + len);
        batches.emplace_back(at, at + len);
      }
    }
  }
  // Shuffle batch order so neither lengths nor tasks come in runs.
  std::vector<std::int64_t> idx(batches.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<std::int64_t>(i);
  if (options_.shuffle) {
    Rng rng(derive_seed(options_.seed, static_cast<std::uint64_t>(epoch), 0x6f72646572ULL));
    rng.shuffle(idx.data(), idx.size());
  }
  std::vector<std::int64_t> reordered;
  reordered.reserve(order_.size());
  batch_start_.assign(1, 0);
  for (std::int64_t i : idx) {
    reordered.insert(reordered.end(), order_.begin() + batches[i].first, order_.begin() + batches[i].second);
    batch_start_.push_back(static_cast<std::int64_t>(reordered.size()));
  }
  order_.swap(reordered);
}

bool Batcher::next(Batch& out) {
  plan(pos_.epoch);
  const std::int64_t nb = static_cast<std::int64_t>(batch_start_.size()) - 1;
  if (pos_.batch >= nb) {
    pos_ = {pos_.epoch + 1, 0};
    return false;
  }
  const std::int64_t b = pos_.batch++;
  fill(order_.data() + batch_start_[b], batch_start_[b + 1] - batch_start_[b], out);
  return true;
}

void Batcher::fill(const std::int64_t* examples, std::int64_t count, Batch& out) const {
  const Split s = options_.split;
  const int G = data_.num_groups();
  const std::int64_t B = count;
  out.size = B;
  out.groups.resize(static_cast<std::size_t>(G));
  for (int g = 0; g < G; ++g) {
    GroupBatch& gb = out.groups[g];
    std::int64_t T = 0;
    for (std::int64_t i = 0; i < B; ++i) T = std::max(T, data_.history(s, case_of(examples[i]), g).length);
    gb.max_len = T;
    gb.objects.assign(static_cast<std::size_t>(B * T), 0);
    gb.behaviors.assign(static_cast<std::size_t>(B * T), 0);
    gb.buckets.assign(static_cast<std::size_t>(B * T), 0);
    gb.lengths.resize(static_cast<std::size_t>(B));
    for (std::int64_t i = 0; i < B; ++i) {
      const std::int64_t c = case_of(examples[i]);
      const Dataset::History h = data_.history(s, c, g);
      gb.lengths[i] = static_cast<std::int32_t>(h.length);
      std::copy(h.objects, h.objects + h.length, gb.objects.begin() + i * T);
      std::copy(h.behaviors, h.behaviors + h.length, gb.behaviors.begin() + i * T);
      std::int32_t* buckets = gb.buckets.data() + i * T;
      for (std::int64_t t = 0; t < h.length; ++t) buckets[t] = data_.bucket(s, c, g, h.times[t]);
    }
  }
  out.users.resize(static_cast<std::size_t>(B));
  out.task.resize(static_cast<std::size_t>(B));
  out.targets.resize(static_cast<std::size_t>(B));
  out.labels.resize(static_cast<std::size_t>(B));
  out.cases.resize(static_cast<std::size_t>(B));
  const std::int64_t K = options_.mode == BatchMode::pointwise ? 0
                         : options_.mode == BatchMode::pairwise ? 2
                                                                : data_.candidates_per_case(s);
  out.candidates_per_example = K;
  out.candidates.resize(static_cast<std::size_t>(B * K));
  for (std::int64_t i = 0; i < B; ++i) {
    const std::int64_t c = case_of(examples[i]);
    const std::int32_t* cand = data_.candidates(s, c);
    out.users[i] = data_.user(s, c);
    out.task[i] = data_.task(s, c);
    out.cases[i] = c;
    if (options_.mode == BatchMode::pointwise) {
      const bool negative = examples[i] % 2 == 1;
      out.targets[i] = cand[negative ? 1 : 0];
      out.labels[i] = negative ? 0.0f : 1.0f;
    } else {
      out.targets[i] = cand[0];
      out.labels[i] = 1.0f;
      std::copy(cand, cand + K, out.candidates.begin() + i * K);
    }
  }
}

}  // namespace atrank::data
