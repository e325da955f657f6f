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
  return static_cast<std::int64_t>(batches_.size());
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

  // Partition by task when batches must hold one task (part p = order_[part[p], part[p+1]), its
  // examples ascending, as a stable counting sort); else one partition. All in order_ itself:
  // one array of the epoch's examples is the plan's whole memory (Taobao scale: 200 M examples).
  const std::int64_t tasks = static_cast<std::int64_t>(data_.layout().tasks.size());
  const bool by_task = options_.one_task_per_batch && tasks > 1;
  std::vector<std::int64_t> part(static_cast<std::size_t>(by_task ? tasks : 1) + 1, 0);
  for (std::int64_t e = 0; e < examples_ && by_task; ++e) ++part[data_.task(s, case_of(e)) + 1];
  if (!by_task) part[1] = examples_;
  for (std::size_t p = 1; p < part.size(); ++p) part[p] += part[p - 1];
  order_.resize(static_cast<std::size_t>(examples_));
  {
    std::vector<std::int64_t> fill(part.begin(), part.end() - 1);
    for (std::int64_t e = 0; e < examples_; ++e) order_[fill[by_task ? data_.task(s, case_of(e)) : 0]++] = e;
  }

  batches_.clear();  // [begin, end) in order_
  for (std::size_t p = 0; p + 1 < part.size(); ++p) {
    std::int64_t* first = order_.data() + part[p];
    const std::int64_t n = part[p + 1] - part[p];
    if (options_.shuffle) {
      Rng rng(derive_seed(options_.seed, static_cast<std::uint64_t>(epoch), p, 0x6261746368ULL));
      rng.shuffle(first, static_cast<std::uint64_t>(n));
    }
    for (std::int64_t w = 0; w < n; w += window) {
      const std::int64_t end = std::min(n, w + window);
      std::stable_sort(first + w, first + end, [&](std::int64_t a, std::int64_t b) {
        return lengths_[case_of(a)] < lengths_[case_of(b)];
      });
      for (std::int64_t b = w; b < end; b += B) batches_.emplace_back(part[p] + b, part[p] + std::min(end, b + B));
    }
  }
  // Shuffle batch order so neither lengths nor tasks come in runs.
  if (options_.shuffle) {
    Rng rng(derive_seed(options_.seed, static_cast<std::uint64_t>(epoch), 0x6f72646572ULL));
    rng.shuffle(batches_.data(), batches_.size());
  }
}

bool Batcher::next(Batch& out) {
  plan(pos_.epoch);
  if (pos_.batch >= static_cast<std::int64_t>(batches_.size())) {
    pos_ = {pos_.epoch + 1, 0};
    return false;
  }
  const auto [begin, end] = batches_[static_cast<std::size_t>(pos_.batch++)];
  fill(order_.data() + begin, end - begin, out);
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
