// The data side of `atrank check`: load the spec's data whenever it is there (generating
// synthetic data as `atrank run` would), so check validates the spec against what run will
// see; otherwise say why not, and let the model be built from the spec's vocab.* sizes alone.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "atrank/data/dataset.hpp"
#include "atrank/spec/spec.hpp"

namespace atrank::data {

struct CheckData {
  std::optional<Dataset> dataset;  // set when the data was loaded
  std::string vocabulary_from;     // "data cache <file>", "data (imported)" or "spec (vocab.*)"
  std::string unavailable;         // without data: why (the data error a run would report)

  // The data's vocabulary, or an empty one without data.
  const Vocabulary& vocab() const;
};

// Data that is present but cannot be read is an error (DataError, the importer's message), as
// in a run; data that is absent (no data.path, a missing path, synthetic data refused for a
// --set path) is not, and `unavailable` says why.
CheckData data_for_check(const spec::Spec& spec, std::ostream& log);

}  // namespace atrank::data
