// Lets a spec train on generated data without a separate step: when its data
// folder is missing and data.synthetic names a generator kind, generate it.
#pragma once

#include <ostream>
#include <string>

#include "atrank/data/synth.hpp"
#include "atrank/spec/spec.hpp"

namespace atrank::data {

// The generator's default sizes per kind; `electronics`
// gives Amazon Electronics 5-core scale (192,403 users, 63,001 items, 801
// categories, 1,689,188 events).
SynthOptions synth_defaults(spec::SyntheticKind kind, bool electronics = false);

// Returns true when it generated the data (and says so on `log`).
bool ensure_synthetic(const spec::Spec& spec, std::ostream& log);

}  // namespace atrank::data
