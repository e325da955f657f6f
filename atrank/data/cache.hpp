// The binary cache of prepared examples: keyed by a hash of the input files' bytes and of the
// data-relevant spec, so any change to either rebuilds, and nothing else does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "atrank/data/blob.hpp"
#include "atrank/data/prepared.hpp"
#include "atrank/spec/spec.hpp"

namespace atrank::data {

struct CacheKey {
  std::uint64_t lo = 0, hi = 0;
  std::string hex() const;
};

// Canonical text of everything in the spec that changes the prepared arrays: the data section
// (except cache_dir, history_cap and time_unit_seconds, which are applied at batch time), the
// groups' behaviors and objects, the tasks' targets, and eval.negatives.
std::string data_description(const spec::Spec& spec);

// XXH3-128 of data_description() and the contents of every input file.
CacheKey cache_key(const spec::Spec& spec);

// <cache_dir>/<key>.atrank-data
std::string cache_file(const spec::Spec& spec, const CacheKey& key);

// PreparedData <-> sections of a blob (the arrays are not copied: `data` must outlive the
// writer's output).
void write_prepared(const PreparedData& data, BlobWriter& out);

struct PreparedViews {
  Vocabulary vocab;
  std::vector<std::string> behavior_space;
  std::vector<std::string> group_names;
  std::vector<SequencesView> groups;
  CasesView splits[kSplits];
  ImportReport report;
};
PreparedViews read_prepared(const Blob& blob);

}  // namespace atrank::data
