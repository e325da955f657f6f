// The keys in which two specs differ, as a reader would name them
// ("encoder.heads", "groups.item.features[1].table"): what a refused
// `--resume` reports instead of two fingerprints.
#pragma once

#include <string>
#include <vector>

#include "atrank/spec/spec.hpp"

namespace atrank::spec {

struct KeyDifference {
  std::string key;
  std::string before, after;  // TOML values; "" when the key is absent on that side
};

// Compares the resolved specs key by key (their to_toml texts, flattened to key paths), in key order.
std::vector<KeyDifference> differing_keys(const Spec& before, const Spec& after);

}  // namespace atrank::spec
