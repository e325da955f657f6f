// Availability is decided from the file system (data.path exists), not by trying a load and
// catching its error: a load that is attempted either succeeds or is the check's error.
#include "atrank/data/check_data.hpp"

#include <filesystem>

#include "atrank/data/ensure_synthetic.hpp"
#include "atrank/data/import.hpp"

namespace atrank::data {

const Vocabulary& CheckData::vocab() const {
  static const Vocabulary none;
  return dataset ? dataset->vocab() : none;
}

CheckData data_for_check(const spec::Spec& spec, std::ostream& log) {
  CheckData c;
  c.vocabulary_from = "spec (vocab.*)";
  if (spec.data.path.empty()) {
    c.unavailable = "data.path is empty: set it in the spec or with --set data.path=DIR";
    return c;
  }
  c.unavailable = synthetic_refusal(spec);
  if (!c.unavailable.empty()) return c;
  ensure_synthetic(spec, log);
  std::error_code ec;
  if (!std::filesystem::exists(spec.data.path, ec)) {
    c.unavailable = missing_path_message(spec.data);
    return c;
  }
  LoadOptions options;
  options.log = &log;
  c.dataset = Dataset::load(spec, options);
  c.vocabulary_from = c.dataset->from_cache() ? "data cache " + c.dataset->cache_path() : "data (imported)";
  return c;
}

}  // namespace atrank::data
