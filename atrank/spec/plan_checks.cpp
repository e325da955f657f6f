// The planner's message helpers: where a key was written, and the checks of
// single values (ranges, identifiers, references by name).
#include <cmath>

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

Origin origin_of(const Spec& spec, std::string path) {
  while (!path.empty()) {
    if (auto it = spec.origins.find(path); it != spec.origins.end()) return it->second;
    const auto cut = path.find_last_of(".[");
    path = cut == std::string::npos ? "" : path.substr(0, cut);
  }
  Origin o;
  o.file = spec.file;
  return o;
}

Origin Planner::where(std::string path) const { return origin_of(s_, std::move(path)); }

std::string Planner::at(const std::string& path) const { return path + " at " + where(path).str(); }

void Planner::fail(const std::string& path, const std::string& what) const { spec::fail(where(path), path, what); }

void Planner::positive(const std::string& path, std::int64_t v) const {
  if (v <= 0) fail(path, "expected a positive integer, got " + std::to_string(v));
}
void Planner::non_negative(const std::string& path, std::int64_t v) const {
  if (v < 0) fail(path, "expected a non-negative integer, got " + std::to_string(v));
}
void Planner::size(const std::string& path, std::int64_t v) const {
  positive(path, v);
  if (v > kMaxSize)
    fail(path, fmt::format("{} is too large to build: a size is at most 2^40 = {}", v, kMaxSize));
}
void Planner::count(const std::string& path, std::int64_t v, std::int64_t max, const char* noun,
                    const char* why) const {
  size(path, v);
  if (v > max) fail(path, fmt::format("{} {} are too many: at most {} ({})", v, noun, max, why));
}
// TOML has inf and nan: neither is a rate, a norm or a weight.
void Planner::positive(const std::string& path, double v) const {
  if (!(v > 0)) fail(path, fmt::format("expected a positive number, got {}", v));
  if (!std::isfinite(v)) fail(path, fmt::format("expected a finite positive number, got {}", v));
}
void Planner::non_negative(const std::string& path, double v) const {
  if (!(v >= 0)) fail(path, fmt::format("expected a non-negative number, got {}", v));
  if (!std::isfinite(v)) fail(path, fmt::format("expected a finite non-negative number, got {}", v));
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
