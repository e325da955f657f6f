// Spec text -> parse, resolve, plan (SpecError) -> the resolved spec written back reads the same
// (a run's saved spec.toml must resume it) -> Model::build (std::invalid_argument) with a small
// vocabulary for every id space the spec names, as data would give.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "atrank/model/model.hpp"
#include "atrank/spec/load.hpp"
#include "test/fuzz/fuzz_util.hpp"

using namespace atrank;

namespace {

data::Vocabulary small_vocabulary(const spec::Spec& s) {
  constexpr std::int64_t kIds = 3;  // at most any size a spec may declare
  data::Vocabulary v;
  v.sizes["user"] = kIds;
  for (const auto& t : s.tables) v.sizes[t.vocab] = kIds;
  for (const auto& g : s.groups) {
    v.sizes[g.object] = kIds;
    for (const auto& f : g.features)
      if (!f.through.empty()) {
        v.sizes[f.through] = kIds;
        v.attributes[g.object][f.through] = std::vector<std::int32_t>(kIds, 1);
      }
  }
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  spec::Plan plan;
  try {
    plan = spec::parse_plan(std::string(fuzz::bytes(data, size)), "fuzz.toml");
  } catch (const spec::SpecError&) {
    return 0;
  }
  const std::string resolved = spec::to_toml(plan.spec);
  if (spec::parse_spec(resolved, "spec.toml") != plan.spec) {  // any exception here is a finding too
    std::fprintf(stderr, "resolved spec does not read back the same:\n%s\n", resolved.c_str());
    std::abort();
  }
  try {
    model::Model<float>::build(plan, small_vocabulary(plan.spec));
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
