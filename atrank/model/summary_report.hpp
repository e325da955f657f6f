// Renders a ModelSummary for people (aligned text) and for tools (JSON):
// what `atrank check` prints and what a run can log next to its spec.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "atrank/model/summary.hpp"

namespace atrank::model {

// 4281177 -> "4,281,177"
std::string with_commas(std::int64_t n);

// Sections "encoder", "groups", "tables", "blocks", "tasks", "parameters".
std::string summary_text(const ModelSummary& s);

// {"encoder": {...}, "groups": [...], "tables": [...], "blocks": [...], "tasks": [...],
//  "params": {"total": N, "tables": N, "dense": N, "per_table": {name: N},
//             "per_block": {name: N}, "per_group": {name: N}}}
nlohmann::json summary_json(const ModelSummary& s);

}  // namespace atrank::model
