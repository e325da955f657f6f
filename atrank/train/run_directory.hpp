// The files of a run directory, and what `atrank run` does with a directory
// that already holds a run: a new run is refused (it would overwrite the
// checkpoint and mix two runs in metrics.jsonl) unless --force sets the old
// files aside; --resume needs the checkpoint.
#pragma once

#include <string>
#include <vector>

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
  // The best parameters as of the last checkpoint, kept while a later
  // evaluation's are in best.ckpt (BestCheckpoint).
  std::string best_at_checkpoint() const { return path("best-at-checkpoint.ckpt"); }

  // The run files `dir` holds (names), empty for a new or unrelated directory.
  std::vector<std::string> present() const;
};

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
