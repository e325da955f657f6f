// Untouched-object sampling. The mark array is reset per user in O(touched), so a pass over
// all users costs O(events) plus the draws.
#include "atrank/data/negative_sampler.hpp"

namespace atrank::data {

NegativeSampler::NegativeSampler(std::int64_t space_size)
    : space_(space_size), mark_(static_cast<std::size_t>(space_size), 0) {}

void NegativeSampler::set_user(const std::vector<std::int32_t>& touched) {
  for (std::int32_t o : touched_) mark_[o] = 0;
  touched_.clear();
  for (std::int32_t o : touched) {
    if (mark_[o]) continue;
    mark_[o] = 1;
    touched_.push_back(o);
  }
  touched_count_ = static_cast<std::int64_t>(touched_.size());
  enumerated_ = false;
}

void NegativeSampler::enumerate() {
  free_.clear();
  for (std::int64_t o = 0; o < space_; ++o)
    if (mark_[o] != 1) free_.push_back(static_cast<std::int32_t>(o));
  enumerated_ = true;
}

std::int32_t NegativeSampler::one(Rng& rng) {
  if (touched_count_ * 2 <= space_) {
    for (;;) {
      const auto o = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(space_)));
      if (mark_[o] != 1) return o;
    }
  }
  if (!enumerated_) enumerate();
  return free_[rng.below(free_.size())];
}

void NegativeSampler::distinct(Rng& rng, std::int64_t k, std::int32_t exclude, std::int32_t* out) {
  const std::int64_t available = untouched() - (exclude >= 0 && mark_[exclude] == 0 ? 1 : 0);
  if (available <= 0) {  // only `exclude` is free: repeat it
    for (std::int64_t i = 0; i < k; ++i) out[i] = exclude >= 0 ? exclude : one(rng);
    return;
  }
  const std::int64_t fresh = k < available ? k : available;
  std::vector<std::int32_t> chosen;
  chosen.reserve(static_cast<std::size_t>(fresh));
  const bool sparse = (touched_count_ + fresh) * 2 <= space_;
  if (!sparse && !enumerated_) enumerate();
  if (exclude >= 0 && mark_[exclude] == 0) {
    mark_[exclude] = 2;
    chosen.push_back(exclude);
  }
  const std::size_t first = chosen.size();
  while (static_cast<std::int64_t>(chosen.size() - first) < fresh) {
    const std::int32_t o = sparse
                               ? static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(space_)))
                               : free_[rng.below(free_.size())];
    if (mark_[o] != 0) continue;
    mark_[o] = 2;
    chosen.push_back(o);
  }
  for (std::int32_t o : chosen) mark_[o] = 0;
  for (std::int64_t i = 0; i < k; ++i) out[i] = chosen[first + static_cast<std::size_t>(i % fresh)];
}

}  // namespace atrank::data
