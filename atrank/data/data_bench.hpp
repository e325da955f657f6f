// `atrank data bench`: generate Electronics-scale synthetic data, then time Dataset::load cold
// (import, example building, cache write) and warm (map, checksums, invariants), and one epoch
// of training batches. A benchmark that prints figures, not a test.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "atrank/data/synth.hpp"

namespace atrank::data {

struct DataBenchOptions {
  std::string dir;    // work directory; empty: a temporary one, removed afterwards
  bool keep = false;  // keep the temporary directory
  SynthOptions synth = synth_defaults(spec::SyntheticKind::Single, SynthSize::electronics);
  std::int64_t negatives = 1;    // sampled negatives per test case (1: the authors' protocol)
  std::int64_t batch_size = 32;  // batches of the batching epoch
};

void run_data_bench(const DataBenchOptions& options, std::ostream& out);

}  // namespace atrank::data
