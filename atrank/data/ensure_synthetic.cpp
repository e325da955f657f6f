// Generation into a temporary folder renamed into place, so an interrupted
// generation never leaves a half-written data folder behind.
#include "atrank/data/ensure_synthetic.hpp"

#include <filesystem>

#include "atrank/data/data_error.hpp"
#include "atrank/spec/document.hpp"

namespace atrank::data {

namespace fs = std::filesystem;

namespace {

// True when data.path was given with --set (not written in the spec file or left at its default).
bool path_from_override(const spec::Spec& spec) {
  const auto it = spec.origins.find("data.path");
  return it != spec.origins.end() && spec::is_override(it->second);
}

// data.synthetic applies: a generator kind is named and data.path is set but missing.
bool wants_generation(const spec::DataSpec& d) {
  std::error_code ec;
  return !d.synthetic.empty() && !d.path.empty() && !fs::exists(d.path, ec);
}

}  // namespace

std::string synthetic_refusal(const spec::Spec& spec) {
  const auto& d = spec.data;
  if (!wants_generation(d) || !path_from_override(spec)) return {};
  return "data.path: " + d.path + " does not exist. data.synthetic = \"" + d.synthetic +
         "\" generates data only into the spec's own data.path, never into one given with --set "
         "(a mistyped path must not train on generated data): fix the path, or generate the data "
         "there first with `atrank data synth --kind " + d.synthetic + " --out " + d.path + "`";
}

bool ensure_synthetic(const spec::Spec& spec, std::ostream& log) {
  const auto& d = spec.data;
  if (!wants_generation(d)) return false;
  if (const std::string refusal = synthetic_refusal(spec); !refusal.empty()) throw DataError(refusal);
  const auto kind = spec::parse_choice<spec::SyntheticKind>(d.synthetic);
  if (!kind) throw DataError("data.synthetic: unknown kind '" + d.synthetic + "' (valid: single, multi, taobao)");
  std::error_code ec;
  const fs::path target(d.path);
  const fs::path tmp = target.string() + ".partial";
  fs::remove_all(tmp, ec);
  if (ec) throw DataError("cannot remove " + tmp.string() + ": " + ec.message());
  const SynthSummary s = write_synthetic(tmp.string(), synth_defaults(*kind));
  fs::rename(tmp, target, ec);
  if (ec) throw DataError("cannot rename " + tmp.string() + " to " + target.string() + ": " + ec.message());
  log << "generated synthetic data (" << d.synthetic << "): " << s.users << " users, " << s.items
      << " items, " << s.events << " events in " << target.string() << "\n";
  return true;
}

}  // namespace atrank::data
