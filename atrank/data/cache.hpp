// Prepared data <-> the sections of a blob (the binary data cache), and the invariants a reader
// relies on (every id within its space, every history within its sequence), checked at load so
// that a damaged or foreign cache file is an error, never a crash.
#pragma once

#include <string>
#include <vector>

#include "atrank/data/blob.hpp"
#include "atrank/data/examples.hpp"
#include "atrank/data/layout.hpp"
#include "atrank/data/prepared.hpp"

namespace atrank::data {

// The arrays are not copied: `data` must outlive the writer's output.
void write_prepared(const PreparedData& data, BlobWriter& out);

// The same file as write_prepared + BlobWriter::write_atomic(path, key) would give for
// build_examples(log, ...), streamed instead: `sizes` and `report` (from count_examples on the
// same log) lay it out, a second build writes it user by user, so that memory holds the log and
// one user's examples, never all of them. Throws DataError on I/O errors (no file is left).
void write_prepared_file(const std::string& path, std::uint64_t key_lo, std::uint64_t key_hi, const EventLog& log,
                         const Layout& layout, const BuildOptions& options, const PreparedSizes& sizes,
                         const ImportReport& report);

struct PreparedViews {
  Vocabulary vocab;
  std::vector<std::string> behavior_space;
  std::vector<std::string> group_names;
  std::vector<SequencesView> groups;
  CasesView splits[kSplits];
  ImportReport report;

  const CasesView& split(Split s) const { return splits[static_cast<int>(s)]; }
};

// Decodes the sections; throws DataError on a short record or a missing section.
PreparedViews read_prepared(const Blob& blob);

// Throws DataError naming the first array that breaks an invariant: sizes that disagree,
// offsets that are not ascending, ids outside their space (objects, behaviors, users, tasks,
// candidates, attribute values), history ends beyond the user's sequence. One linear pass.
void check_prepared(const PreparedViews& views, const Layout& layout);

}  // namespace atrank::data
