// Samples objects a user never touched, as the authors' gen_neg() does, but without their
// unbounded loop: rejection sampling while most objects are free, enumeration otherwise.
#pragma once

#include <cstdint>
#include <vector>

#include "atrank/data/rng.hpp"

namespace atrank::data {

class NegativeSampler {
 public:
  explicit NegativeSampler(std::int64_t space_size);
  // Marks the user's touched objects (duplicates allowed); undone by the next set_user.
  void set_user(const std::vector<std::int32_t>& touched);
  std::int64_t untouched() const { return space_ - touched_count_; }
  // One untouched object (uniform). Requires untouched() > 0.
  std::int32_t one(Rng& rng);
  // `k` distinct untouched objects, different from `exclude` (another negative, or -1);
  // when fewer exist they are reused (cycled) to fill all k slots. Requires untouched() > 0.
  void distinct(Rng& rng, std::int64_t k, std::int32_t exclude, std::int32_t* out);

 private:
  void enumerate();
  std::int64_t space_;
  std::vector<std::uint8_t> mark_;  // 1 = touched, 2 = chosen in distinct()
  std::vector<std::int32_t> touched_;
  std::int64_t touched_count_ = 0;
  std::vector<std::int32_t> free_;  // untouched objects, built only for dense users
  bool enumerated_ = false;
};

}  // namespace atrank::data
