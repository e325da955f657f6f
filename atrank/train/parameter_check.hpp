// What a checkpoint may hold: parameters a run can go on training from. A
// value that is not finite, or larger in magnitude than kExplodedBound, means
// training diverged (a blow-up leaves weights around 1e28 before the loss
// turns NaN); such parameters are never written.
#pragma once

#include <optional>
#include <string>

#include "atrank/model/model.hpp"

namespace atrank::train {

// Healthy models stay orders of magnitude below: Glorot-initialised weights
// are below 1, trained ones below 100 in every shipped spec; a float32 dot
// product of 128 values of 1e6 already reaches 1e14, and a few layers of such
// products overflow.
constexpr double kExplodedBound = 1e6;

struct BadParameter {
  std::string where;  // "dense parameter `encoder/self_attention_0/q/kernel` element 17", "table `item` row 5"
  float value = 0;
};

// The first parameter value that is not finite or exceeds kExplodedBound, or nullopt.
// One pass over every parameter (run at checkpoint time only).
std::optional<BadParameter> find_bad_parameter(model::Model<float>& model);

}  // namespace atrank::train
