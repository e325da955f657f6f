// The planner's message helpers: where a key was written, and the checks of
// single values (ranges, identifiers, references by name).
#include <fmt/format.h>

#include "atrank/spec/planner.hpp"

namespace atrank::spec {

namespace {
template <class T>
std::vector<std::string> names_of(const std::vector<T>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(x.name);
  return out;
}
}  // namespace

// The origin of `path`, else of the closest enclosing key that was written, else the file.
Origin Planner::where(std::string path) const {
  while (!path.empty()) {
    if (auto it = s_.origins.find(path); it != s_.origins.end()) return it->second;
    const auto cut = path.find_last_of(".[");
    path = cut == std::string::npos ? "" : path.substr(0, cut);
  }
  Origin o;
  o.file = s_.file;
  return o;
}

std::string Planner::at(const std::string& path) const { return path + " at " + where(path).str(); }

void Planner::fail(const std::string& path, const std::string& what) const { spec::fail(where(path), path, what); }

void Planner::positive(const std::string& path, std::int64_t v) const {
  if (v <= 0) fail(path, "expected a positive integer, got " + std::to_string(v));
}
void Planner::non_negative(const std::string& path, std::int64_t v) const {
  if (v < 0) fail(path, "expected a non-negative integer, got " + std::to_string(v));
}
void Planner::positive(const std::string& path, double v) const {
  if (!(v > 0)) fail(path, fmt::format("expected a positive number, got {}", v));
}
void Planner::non_negative(const std::string& path, double v) const {
  if (!(v >= 0)) fail(path, fmt::format("expected a non-negative number, got {}", v));
}
void Planner::unit_interval(const std::string& path, double v) const {
  if (!(v >= 0 && v < 1)) fail(path, fmt::format("expected a number in [0, 1), got {}", v));
}
void Planner::identifier(const std::string& path, const std::string& v, const std::string& what) const {
  if (v.empty()) fail(path, "expected " + what + ", got an empty string");
  if (!is_identifier(v)) fail(path, "invalid " + what + " \"" + v + "\": use letters, digits, `_` and `-`");
}

const TableSpec& Planner::table_ref(const std::string& path, const std::string& name) const {
  if (const TableSpec* t = s_.table(name)) return *t;
  const auto defined = names_of(s_.tables);
  fail(path, "undefined table `" + name + "`" + did_you_mean(name, defined) + "; defined tables: " + join(defined));
}

const GroupSpec& Planner::group_ref(const std::string& path, const std::string& name) const {
  if (const GroupSpec* g = s_.group(name)) return *g;
  const auto defined = names_of(s_.groups);
  fail(path, "undefined group `" + name + "`" + did_you_mean(name, defined) + "; defined groups: " + join(defined));
}

}  // namespace atrank::spec
