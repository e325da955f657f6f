// Entry point of the spec language: TOML file + --set overrides -> resolved
// Spec -> Plan (what the spec means, validated; see plan.hpp).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "atrank/spec/plan.hpp"
#include "atrank/spec/spec.hpp"

namespace atrank::spec {

// Every spec problem: the message already carries "file:line:col: key.path: ...".
class SpecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses `path`, applies overrides ("key.path=value", typed like the file),
// fills defaults and makes the plan. Throws SpecError.
Plan load_plan(const std::string& path, const std::vector<std::string>& overrides = {});
// Same, from TOML text (tests); `name` stands for the file in messages.
Plan parse_plan(const std::string& toml_text, const std::string& name, const std::vector<std::string>& overrides = {});

// The validated spec alone (the plan's `spec`).
Spec load_spec(const std::string& path, const std::vector<std::string>& overrides = {});
Spec parse_spec(const std::string& toml_text, const std::string& name,
                const std::vector<std::string>& overrides = {});

// The step load_plan runs between parsing and make_plan(), for specs built or
// edited in code: fills derived defaults (name = file stem, table vocab = its
// name, group object = data.object_space, time table = "<group>_time", log2
// edges, time unit = data.time_unit_seconds, projection width =
// encoder.hidden, task target = task name, attribute
// object_space/column/object_column). Idempotent.
void resolve(Spec& spec);

// The resolved spec as TOML (defaults filled, overrides applied): saved by every run.
std::string to_toml(const Spec& spec);

}  // namespace atrank::spec
