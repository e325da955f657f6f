// Spec text -> parse, resolve, plan (SpecError) -> the resolved spec written back reads the same
// (a run's saved spec.toml must resume it) -> Model::build (std::invalid_argument) with a small
// vocabulary for every id space the spec names, as data would give. A fuzzing process cannot hold
// what the machine can: models are built only when the library's own memory estimate
// (spec::check_training_memory, what `check` and `run` refuse with) fits in 8 MiB, so a single
// allocation over fuzz.sh's -malloc_limit_mb is a part of a model the estimate does not see. 8 MiB
// holds every shipped spec's model at this vocabulary; a larger model runs the same code, slower
// (specs/amazon.toml with vocab.item = 63001 took over a second per execution; now refused).
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "atrank/model/model.hpp"
#include "atrank/spec/load.hpp"
#include "test/fuzz/fuzz_util.hpp"

using namespace atrank;

namespace {

const spec::MachineMemory kFuzzMemory{8.0L * (1 << 20), "the fuzz harness's limit"};

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
  const data::Vocabulary vocab = small_vocabulary(plan.spec);
  try {
    spec::check_training_memory(
        plan,
        [&](const std::string& space) {
          const auto it = plan.spec.vocab.find(space);
          return it != plan.spec.vocab.end() ? it->second : vocab.size(space);
        },
        kFuzzMemory);
  } catch (const spec::SpecError&) {
    return 0;
  }
  try {
    model::Model<float>::build(plan, vocab);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
