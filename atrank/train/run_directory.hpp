// The files of a run directory, and what `atrank run` does with a directory
// that already holds a run: a new run is refused (it would overwrite the
// checkpoint and mix two runs in metrics.jsonl) unless --force sets the old
// files aside; --resume needs the checkpoint.
#pragma once

#include <string>
#include <vector>

#include "atrank/spec/spec.hpp"

namespace atrank::train {

struct RunFiles {
  std::string dir;

  std::string path(const std::string& name) const;
  std::string spec() const { return path("spec.toml"); }
  std::string metrics() const { return path("metrics.jsonl"); }
  std::string summary() const { return path("summary.json"); }
  std::string checkpoint() const { return path("checkpoint.ckpt"); }
  std::string best() const { return path("best.ckpt"); }
  std::string ids() const { return path("ids"); }  // the id maps (data/id_maps.hpp)
  // {"working_directory": ...} of the last `atrank run` on the directory:
  // what the relative paths of spec.toml (data.path, data.cache_dir) meant.
  std::string origin() const { return path("origin.json"); }
  // The best parameters as of the last checkpoint, kept while a later
  // evaluation's are in best.ckpt (BestCheckpoint).
  std::string best_at_checkpoint() const { return path("best-at-checkpoint.ckpt"); }

  // The run files `dir` holds (names), empty for a new or unrelated directory.
  std::vector<std::string> present() const;
};

// Records the current working directory in files.origin() (atomically).
void write_origin(const RunFiles& files);

// The run's `spec` with a relative data.path and data.cache_dir resolved as
// `atrank run` resolved them: against the working directory of origin.json.
// Unchanged when the paths are absolute or the run has no origin.json (runs
// older than it: then they stay relative to the current directory). Throws
// naming origin.json when it is malformed.
spec::Spec with_run_paths(const RunFiles& files, spec::Spec spec);

// runs/<spec file stem>-<YYYYmmdd-HHMMSS>: where a run goes without --out.
std::string default_run_dir(const std::string& spec_file);

// A new run in `files.dir`: throws when it holds a run, naming its files and
// the ways on (`resume`: the command that continues it, when it has a
// checkpoint; --force). Changes no file.
void refuse_existing_run(const RunFiles& files, const std::string& resume);

// --force: moves everything in `files.dir` but its lock and earlier
// replaced-* directories into a new `replaced-<YYYYmmdd-HHMMSS>` directory
// there (nothing is deleted) and returns that directory, or "" when the
// directory held nothing.
std::string set_aside_old_run(const RunFiles& files);

}  // namespace atrank::train
