// Generation into a temporary folder renamed into place, so an interrupted
// generation never leaves a half-written data folder behind.
#include "atrank/data/ensure_synthetic.hpp"

#include <filesystem>

#include "atrank/data/data_error.hpp"

namespace atrank::data {

SynthOptions synth_defaults(spec::SyntheticKind kind, bool electronics) {
  SynthOptions o;
  o.kind = kind;
  const bool multi = kind == spec::SyntheticKind::Multi;
  o.users = electronics ? 192403 : 2000;
  o.items = electronics ? 63001 : (multi ? 3000 : 2000);
  o.categories = electronics ? 801 : 20;
  o.events = electronics ? 1689188 : (multi ? 60000 : 24000);
  return o;
}

bool ensure_synthetic(const spec::Spec& spec, std::ostream& log) {
  namespace fs = std::filesystem;
  const auto& d = spec.data;
  if (d.synthetic.empty() || d.path.empty() || fs::exists(d.path)) return false;
  const auto kind = spec::parse_choice<spec::SyntheticKind>(d.synthetic);
  if (!kind) throw DataError("data.synthetic: unknown kind '" + d.synthetic + "' (valid: single, multi)");
  const fs::path target(d.path);
  const fs::path tmp = target.string() + ".partial";
  fs::remove_all(tmp);
  const SynthSummary s = write_synthetic(tmp.string(), synth_defaults(*kind));
  fs::rename(tmp, target);
  log << "generated synthetic data (" << d.synthetic << "): " << s.users << " users, " << s.items
      << " items, " << s.events << " events in " << target.string() << "\n";
  return true;
}

}  // namespace atrank::data
