// Learning-rate schedule: a base rate replaced by step-indexed rates (the
// authors drop SGD's 1.0 to 0.1 at global step 336,000).
#pragma once

#include <cstdint>
#include <vector>

#include "atrank/spec/spec.hpp"

namespace atrank::train {

// The rate in force at `step` (0-based count of finished steps): the last
// schedule entry whose step <= `step`, else the base rate. Entries ascend.
inline double learning_rate_at(double base, const std::vector<spec::ScheduleStep>& schedule,
                               std::int64_t step) {
  double lr = base;
  for (const auto& s : schedule)
    if (step >= s.step) lr = s.learning_rate;
  return lr;
}

}  // namespace atrank::train
