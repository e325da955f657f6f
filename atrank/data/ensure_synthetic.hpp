// Lets a spec train on generated data without a separate step: when its data folder is missing
// and data.synthetic names a generator kind, generate it. Only into the spec's own data.path: a
// path given with --set is never filled (a typo there must not silently train on generated
// data), and saying so is an error.
#pragma once

#include <ostream>
#include <string>

#include "atrank/data/synth.hpp"
#include "atrank/spec/spec.hpp"

namespace atrank::data {

// Why data.synthetic may not fill the spec's missing data.path (it came from --set), or "" when
// generation is allowed or not asked for.
std::string synthetic_refusal(const spec::Spec& spec);

// Returns true when it generated the data (and says so on `log`). Throws DataError when
// data.path is missing, data.synthetic is set and the path came from --set.
bool ensure_synthetic(const spec::Spec& spec, std::ostream& log);

}  // namespace atrank::data
