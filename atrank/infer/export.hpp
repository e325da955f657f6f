// `atrank export`: a run's parameters for other tools. Every embedding table
// as DIR/<table>.tsv (one vector per line, tab-separated) with
// DIR/<table>.metadata.tsv (the raw id of each row; the Embedding Projector's
// format), all parameters in DIR/model.npz (one float32 array per parameter,
// dense ones under their names in the parameter arena, tables under their
// names) and DIR/manifest.json (names, shapes, checkpoint sections, spec
// fingerprint, id spaces).
#pragma once

#include <iosfwd>
#include <string>

#include "atrank/infer/trained_run.hpp"

namespace atrank::infer {

struct ExportOptions {
  std::string run;
  std::string out;  // DIR
  CheckpointChoice from = CheckpointChoice::Default;
};

// Loads everything before it creates DIR; each file is written atomically.
void export_run(const ExportOptions& options, std::ostream& log);

}  // namespace atrank::infer
