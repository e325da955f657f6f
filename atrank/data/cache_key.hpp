// The data cache's key: a hash of the input files' bytes and of every spec value that changes the
// prepared arrays, so any change to either rebuilds, and nothing else does. The data section's
// values are read through the spec schema (every `data.*` key counts unless it is listed in
// cache_key_exclusions()), so a new key is part of the key without anyone remembering to add it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "atrank/spec/spec.hpp"

namespace atrank::data {

struct CacheKey {
  std::uint64_t lo = 0, hi = 0;
  std::string hex() const;
};

// A `data.*` key the prepared arrays do not depend on, and why.
struct KeyExclusion {
  const char* key;
  const char* reason;
};
const std::vector<KeyExclusion>& cache_key_exclusions();

// Canonical text of everything in the spec that changes the prepared arrays: every data.* key
// but the exclusions (attributes key by key), the groups' objects and behaviors, the tasks'
// targets, and the number of evaluation negatives the example builder samples.
std::string data_description(const spec::Spec& spec);

// XXH3-128 of data_description() and of the name and contents of every input file.
CacheKey cache_key(const spec::Spec& spec);

}  // namespace atrank::data
